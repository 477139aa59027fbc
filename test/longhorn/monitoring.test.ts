/** Longhorn monitoring values, rendered by the real chart (1.12.1) with the real helm. */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseAllDocuments, stringify } from 'yaml';
import { monitoringValues, monitoringWarning, prometheusNetworkPolicy } from '../../src/backends/longhorn/monitoring.js';
import { buildLonghornValues } from '../../src/backends/longhorn/values.js';
import { realTools, sharedChart, whyNoRealChart } from '../helpers/real-tools.mjs';
import { expectAllSchemaValid } from '../helpers/schema.js';

const CHART = 'longhorn-1.12.1';
const skip = whyNoRealChart(CHART);

function render(values: object): any[] {
  const tools = realTools() as { helm: string };
  const dir = mkdtempSync(join(tmpdir(), 'lh-monitoring-'));
  writeFileSync(join(dir, 'values.yaml'), stringify(values));
  const out = execFileSync(tools.helm, ['template', 'longhorn', sharedChart(CHART)!, '-n', 'longhorn-system', '-f', join(dir, 'values.yaml')], { encoding: 'utf8', maxBuffer: 64 * 2 ** 20 });
  return parseAllDocuments(out).map((d) => d.toJS()).filter(Boolean);
}

describe('install longhorn --monitoring, against the real chart', () => {
  it.skipIf(skip !== undefined)(`the chart's ServiceMonitor carries release: kube-prom-stack and scrapes port manager (${skip ?? 'real helm'})`, () => {
    const docs = render(monitoringValues());
    const sm = docs.find((d) => d.kind === 'ServiceMonitor');
    expect(sm.metadata).toMatchObject({ name: 'longhorn-prometheus-servicemonitor', namespace: 'longhorn-system', labels: { release: 'kube-prom-stack' } });
    expect(sm.spec.endpoints[0].port).toBe('manager');
    expect(sm.spec.selector.matchLabels).toEqual({ app: 'longhorn-manager' });
    // The values install longhorn --monitoring writes render the same ServiceMonitor.
    const installed = render(buildLonghornValues({ microk8s: true, nodeCount: 3, monitoring: true }).values).filter((d) => d.kind === 'ServiceMonitor');
    expect(installed).toHaveLength(1);
    expect(installed[0].metadata.labels).toMatchObject({ release: 'kube-prom-stack' });
    // Without the value there is no ServiceMonitor at all.
    expect(render({}).some((d) => d.kind === 'ServiceMonitor')).toBe(false);
  });

  it.skipIf(skip !== undefined)("the chart's own policy admits only Longhorn's pods; ours admits Prometheus to the port the manager listens on", async () => {
    const docs = render(monitoringValues());
    const chartPolicy = docs.find((d) => d.kind === 'NetworkPolicy' && d.metadata.name === 'longhorn-manager');
    expect(chartPolicy).toBeDefined();
    expect(JSON.stringify(chartPolicy.spec.ingress)).not.toContain('observability');
    const ours = prometheusNetworkPolicy('longhorn-system');
    expect((ours as any).spec.podSelector).toEqual(chartPolicy.spec.podSelector);
    const manager = docs.find((d) => d.kind === 'DaemonSet' && d.metadata.name === 'longhorn-manager');
    const port = manager.spec.template.spec.containers[0].ports.find((p: any) => p.name === 'manager').containerPort;
    expect((ours as any).spec.ingress[0].ports[0].port).toBe(port);
    await expectAllSchemaValid([ours]);
  });
});

describe('status: Longhorn not scraped while observability is on', () => {
  it.each([
    [{ observability: true, longhorn: true }, /Longhorn has no ServiceMonitor.*install longhorn --monitoring/],
    [{ observability: true, longhorn: true, serviceMonitor: { labels: {} } }, /lacks the label release=kube-prom-stack/],
    [{ observability: true, longhorn: true, serviceMonitor: { labels: { release: 'kube-prom-stack' } } }, undefined],
    [{ observability: false, longhorn: true }, undefined],
    [{ observability: true, longhorn: false }, undefined],
  ])('%j', (facts, warning) => {
    const w = monitoringWarning(facts);
    if (warning) expect(w).toMatch(warning);
    else expect(w).toBeUndefined();
  });
});
