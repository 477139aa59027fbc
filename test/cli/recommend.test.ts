/**
 * `recommend` end to end: offline (no cluster code loaded), and against the fake API server
 * with the node agent's reports (raw disks, memory, arch as data) or node capacity only.
 */
import { TEST_BINARY } from '../helpers/sandbox.mjs';
import { sandboxPerTest, type Sandbox } from '../helpers/per-test.js';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import type { AgentReport } from '../../src/nodes/types.js';
import { agentLog, agentReport, checksWith } from '../helpers/agent-report.js';
import { REPO, runCli } from '../helpers/run-cli.js';
import { createSandbox } from '../helpers/sandbox.mjs';
import { expectOutputSchema } from '../helpers/output-schema.js';

const perTest = sandboxPerTest();
const stops = perTest.stops;
let sb: Sandbox | undefined;

const GIB_KIB = 1024 * 1024;
const cephReport = (node: string, o: { raw: number; memGiB: number }): AgentReport =>
  agentReport(node, {
    target: 'ceph',
    checks: checksWith(['os', 'module:rbd', 'raw-disks', 'memory']),
    disks: [
      { name: 'sda', path: '/dev/sda', sizeBytes: 50 * 2 ** 30, raw: false, reason: 'has partitions: sda1' },
      ...Array.from({ length: o.raw }, (_, i) => ({ name: `sd${'bcd'[i]}`, path: `/dev/sd${'bcd'[i]}`, sizeBytes: 100 * 2 ** 30, raw: true, reason: '' })),
    ],
    facts: { memAvailableKiB: o.memGiB * GIB_KIB, diskFreeKiB: 80 * GIB_KIB, hugepages2MiB: 0, cpuCores: 8, sse42: true, arch: 'x86_64' },
  });

async function cluster(nodes: number, report: (node: string) => AgentReport): Promise<Sandbox> {
  const s = await perTest.create({ api: { nodes } });
  sb = s;
  const agent = s.api!.controllers.runDaemonSets({ filter: (ds: any) => ds.metadata.namespace === 'k8s-storage-system', run: (node: string) => ({ logs: agentLog(report(node)) }) });
  stops.push(() => agent.stop());
  return s;
}

describe('recommend offline', () => {
  it('-o json: each candidate with rank, verdict, reasons and commands; no cluster code is loaded', async () => {
    const trace = join(mkdtempSync(join(tmpdir(), 'trace-')), 'imports.txt');
    writeFileSync(trace, '');
    const r = await runCli(['recommend', '--nodes', '2', '--memory-gib', '8', '--disk-gib', '100', '-o', 'json'], { env: { NODE_OPTIONS: `--import=${join(REPO, 'test', 'helpers', 'trace-imports.mjs')}`, TRACE_IMPORTS_FILE: trace } });
    expect(r.exitCode).toBe(0);
    const data = JSON.parse(r.stdout);
    expectOutputSchema('storage-recommendation', data);
    expect(data.kind).toBe('StorageRecommendation');
    expect(data.candidates[0]).toEqual({
      rank: 1,
      id: 'longhorn',
      title: 'Longhorn',
      verdict: 'recommended',
      installed: false,
      reasons: ['2 nodes: Longhorn with 2 replicas (3 would leave every volume Degraded); Ceph needs 3 monitors', "every node has >= 2 GiB free memory and >= 10 GiB free disk (the seed's minimum)"],
      commands: ['k8s-storage nodes prepare --for longhorn', 'k8s-storage install longhorn --replicas 2'],
    });
    // The import trace needs `node --import`; the single executable loads its own embedded bundle.
    if (!TEST_BINARY) {
      const loaded = readFileSync(trace, 'utf8');
      expect(loaded).toContain('require node:vm');
      expect(loaded).not.toMatch(/client-node|execa|\/ora\/|recommend\/gather/);
    }
  });

  it('the table form and -o name; -o yaml parses', async () => {
    const table = await runCli(['recommend', '--nodes', '12', '--memory-gib', '16', '--disk-gib', '500', '--raw-disks', '2', '--need', 'object']);
    expect(table.exitCode).toBe(0);
    expect(table.stdout).toMatch(/^1\. Ceph \(MicroCeph or Rook\) \[ceph\]: recommended\n {3}- 12 of 12 nodes have a raw disk/);
    expect(table.stdout).toContain('   $ sudo microceph enable rgw\n');
    const names = await runCli(['recommend', '--nodes', '1', '--memory-gib', '4', '--disk-gib', '50', '-o', 'name']);
    expect(names.stdout.split('\n')[0]).toBe('hostpath');
    const yaml = await runCli(['recommend', '--nodes', '1', '--memory-gib', '4', '--disk-gib', '50', '-o', 'yaml']);
    expect(parse(yaml.stdout).candidates[0].id).toBe('hostpath');
  });

  it('bad input: every problem at once, exit 2; an unsupported -o is refused', async () => {
    const r = await runCli(['recommend', '--nodes', 'three', '--need', 'speed']);
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toContain('--need: "speed" is not one of rwx, object, ha, iops');
    expect(r.stderr).toContain('--nodes: "three" is not a whole number');
    expect(r.stderr).toContain('--memory-gib: needed with --nodes');
    const xml = await runCli(['recommend', '--nodes', '3', '--memory-gib', '8', '--disk-gib', '100', '-o', 'xml']);
    expect(xml.exitCode).toBe(2);
    expect(xml.stderr).toContain('-o xml: this command prints table, json, yaml, name');
  });
});

describe('recommend against a cluster', () => {
  it('reads raw disks and memory from the node agent: 10 nodes with a raw disk each and 12 GiB make Ceph first', async () => {
    const s = await cluster(10, (node) => cephReport(node, { raw: 1, memGiB: 12 }));
    const r = await s.run(['recommend', '-o', 'json']);
    expect(r.exitCode, r.stderr).toBe(0);
    const c = JSON.parse(r.stdout).candidates;
    expect(c[0].id).toBe('ceph');
    expect(c[0].reasons[0]).toBe('10 of 10 nodes have a raw disk and the memory for a mon, a mgr and 4 GiB per OSD (10 OSDs in all)');
  });

  it('the same cluster with too little memory for an OSD on each node: Longhorn first, Ceph names the nodes', async () => {
    const s = await cluster(10, (node) => cephReport(node, { raw: 1, memGiB: node === 'node-1' ? 12 : 4 }));
    const r = await s.run(['recommend', '-o', 'json']);
    const c = JSON.parse(r.stdout).candidates;
    expect(c[0].id).toBe('longhorn');
    expect(c.find((x: any) => x.id === 'ceph').reasons.join(' ')).toContain('node-2 (4 GiB of 5.5 GiB)');
  });

  it('--skip-nodes uses allocatable capacity, runs no agent, and marks installed backends from the classes', async () => {
    const s = await cluster(3, (node) => cephReport(node, { raw: 0, memGiB: 8 }));
    s.api!.store.put({ apiVersion: 'storage.k8s.io/v1', kind: 'StorageClass', metadata: { name: 'longhorn' }, provisioner: 'driver.longhorn.io' });
    const r = await s.run(['recommend', '--skip-nodes', '-o', 'json']);
    expect(r.exitCode, r.stderr).toBe(0);
    const c = JSON.parse(r.stdout).candidates;
    expect(c[0]).toMatchObject({ id: 'longhorn', installed: true });
    expect(s.api!.store.list('apps/daemonsets')).toEqual([]);
  });
});
