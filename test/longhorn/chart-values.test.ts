// The issue's requirement: `render longhorn-values` output is a valid Helm values file for the
// Longhorn chart: every key we set exists in the real 1.12.1 chart's values.yaml
// (../shared/charts/longhorn-1.12.1), the real `helm template` renders the chart with them, and
// the keys we use are listed in one place (LONGHORN_VALUE_KEYS). Skips, saying why, without ../shared.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse, parseAllDocuments } from 'yaml';
import { describe, expect, it } from 'vitest';
import { realTools, sharedChart, whyNoRealChart } from '../helpers/real-tools.mjs';
import { LONGHORN_VALUE_KEYS } from '../../src/backends/longhorn/chart.js';
import {
  buildLonghornValues,
  renderLonghornValuesYaml,
  unknownValueKeys,
  valueKeyPaths,
  type LonghornInstallOptions,
} from '../../src/backends/longhorn/values.js';

const CHART = 'longhorn-1.12.1';
const skip = whyNoRealChart(CHART);
const chartDir = sharedChart(CHART);
const chartValues: unknown = chartDir ? parse(readFileSync(join(chartDir, 'values.yaml'), 'utf8')) : {};

// Every option switched on, so that every key k8s-storage can set is present.
const everything: LonghornInstallOptions = {
  microk8s: true,
  nodeCount: 3,
  replicas: 2,
  defaultClass: false,
  dataPath: '/mnt/longhorn/',
  reclaimPolicy: 'Retain',
  fsType: 'xfs',
  dataLocality: 'best-effort',
  ui: 'ingress',
  host: 'longhorn.example.com',
  ingressClassName: 'nginx',
  authSecretName: 'ui-login',
  backupTarget: 's3://backups@us-east-1/longhorn/',
  backupCredentialsSecret: 'minio-credentials',
  gitops: true,
  monitoring: true,
};

function isListed(path: string): boolean {
  return LONGHORN_VALUE_KEYS.some((key) => path === key || path.startsWith(`${key}.`));
}

/** A values document with each listed key set to a placeholder. */
function documentOf(keys: readonly string[]): Record<string, unknown> {
  const doc: Record<string, unknown> = {};
  for (const key of keys) {
    const parts = key.split('.');
    let node = doc;
    for (const part of parts.slice(0, -1)) node = (node[part] ??= {}) as Record<string, unknown>;
    node[parts.at(-1)!] = 'x';
  }
  return doc;
}

describe.skipIf(skip)(`the real chart${skip ? ` (${skip})` : ''}`, () => {
  it('is Longhorn 1.12.1', () => {
    expect(parse(readFileSync(join(chartDir!, 'Chart.yaml'), 'utf8'))).toMatchObject({ name: 'longhorn', version: '1.12.1' });
    expect(chartValues).toMatchObject({ persistence: { defaultClassReplicaCount: 3 }, csi: { kubeletRootDir: null } });
  });

  it('renders with the real helm template and every option set, and the values reach the objects', () => {
    const tools = realTools();
    if ('missing' in tools) throw new Error(tools.missing);
    const tmp = mkdtempSync(join(tmpdir(), 'longhorn-values-'));
    try {
      const file = join(tmp, 'values.yaml');
      writeFileSync(file, renderLonghornValuesYaml(buildLonghornValues(everything).values));
      const manifest = execFileSync(tools.helm, ['template', 'longhorn', chartDir!, '-n', 'longhorn-system', '-f', file], { encoding: 'utf8', env: { PATH: process.env.PATH ?? '', HOME: tmp } });
      const objects = parseAllDocuments(manifest).map((d) => d.toJS()).filter(Boolean);
      const driver = objects.find((o: any) => o.kind === 'Deployment' && o.metadata.name === 'longhorn-driver-deployer');
      expect(driver.spec.template.spec.containers[0].env).toContainEqual({ name: 'KUBELET_ROOT_DIR', value: '/var/snap/microk8s/common/var/lib/kubelet' });
      const classes = objects.find((o: any) => o.kind === 'ConfigMap' && o.metadata.name === 'longhorn-storageclass');
      expect(classes.data['storageclass.yaml']).toContain('numberOfReplicas: "2"');
      expect(objects.some((o: any) => o.kind === 'Ingress' && o.spec.rules[0].host === 'longhorn.example.com')).toBe(true);
    } finally {
      rmSync(tmp, { recursive: true, force: true });
    }
  });
});

describe.skipIf(skip)(`LONGHORN_VALUE_KEYS against the real chart${skip ? ` (${skip})` : ''}`, () => {
  it.each(LONGHORN_VALUE_KEYS.map((k) => [k]))('%s exists in the chart values', (key) => {
    expect(unknownValueKeys(documentOf([key]), chartValues)).toEqual([]);
  });

  it('a values document with every option set has no key the chart lacks', () => {
    const { values } = buildLonghornValues(everything);
    expect(unknownValueKeys(values, chartValues)).toEqual([]);
  });

  it('the rendered YAML, read back, has no key the chart lacks', () => {
    const { values } = buildLonghornValues(everything);
    expect(unknownValueKeys(parse(renderLonghornValuesYaml(values)) as object, chartValues)).toEqual([]);
  });

  it('building values never sets a key outside the list', () => {
    const variants: LonghornInstallOptions[] = [
      everything,
      { microk8s: false },
      { microk8s: true, nodeCount: 1, ui: 'nodeport' },
      { microk8s: false, ui: 'loadbalancer', backupTarget: 'nfs://nas:/exports/longhorn' },
    ];
    for (const options of variants) {
      const outside = valueKeyPaths(buildLonghornValues(options).values).filter((p) => !isListed(p));
      expect(outside, JSON.stringify(options)).toEqual([]);
    }
  });

  it('every listed key is set by some options, so the list holds no dead keys', () => {
    const paths = valueKeyPaths(buildLonghornValues(everything).values);
    for (const key of LONGHORN_VALUE_KEYS) {
      expect(paths.some((p) => p === key || p.startsWith(`${key}.`)), key).toBe(true);
    }
  });
});

describe.skipIf(skip)(`unknownValueKeys against the real chart${skip ? ` (${skip})` : ''}`, () => {
  it.each([
    ['a typo in a known map', { persistence: { defaultClas: true } }, ['persistence.defaultClas']],
    ['an unknown top-level key', { longhorn: { enabled: true } }, ['longhorn']],
    ['a setting that does not exist', { defaultSettings: { noSuchSetting: '1' } }, ['defaultSettings.noSuchSetting']],
    ['the pre-1.8 place of the backup target', { defaultSettings: { backupTarget: 's3://b@r/' } }, ['defaultSettings.backupTarget']],
    ['free-form map ({} in the chart)', { ingress: { annotations: { 'a.b/c': 'd' } } }, []],
    ['map below a null default', { longhornManager: { resources: { limits: { cpu: '1' } } } }, []],
    ['map where the chart has a scalar', { ingress: { host: { name: 'x' } } }, ['ingress.host.name']],
    ['a dotted key is escaped in the path', { 'persistence.defaultClass': true }, ['persistence\\.defaultClass']],
  ])('%s', (_name, values, expected) => {
    expect(unknownValueKeys(values, chartValues)).toEqual(expected);
  });
});
