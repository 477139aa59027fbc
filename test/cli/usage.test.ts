/**
 * `usage` against the fake API server: kubelet summaries through the node proxy
 * (lib/kubelet-stats.mjs), and the real node agent measuring hostpath volumes with du on
 * fixture hosts (one root directory per node).
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import chalk from 'chalk';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { serveKubeletStats } from '../fakes/lib/kubelet-stats.mjs';
import { createSandbox, type Sandbox } from '../helpers/sandbox.mjs';
import { claim, csiPv, hostpathClass, hostpathPv, longhornClass, pod } from '../helpers/storage-objects.js';
import { formatUsageReport } from '../../src/output/usage.js';
import { buildUsageReport } from '../../src/usage/report.js';
import { expectOutputSchema } from '../helpers/output-schema.js';

let sb: Sandbox | undefined;
const roots: string[] = [];
afterEach(async () => {
  await sb?.cleanup();
  sb = undefined;
});
afterAll(() => roots.forEach((r) => rmSync(r, { recursive: true, force: true })));

const GI = 2 ** 30;
const NODES = ['node-1', 'node-2', 'node-3'];
const running = (name: string, claims: string[], node: string, ns = 'default') => ({ ...pod(name, claims, { node, ns }), status: { phase: 'Running' } });

/** Two Longhorn claims in use (one 90% full), one unused, one hostpath claim in use on node-2. */
function cluster() {
  return [
    longhornClass(true), hostpathClass(false),
    claim('db', { storageClass: 'longhorn', phase: 'Bound', volume: 'pvc-db', size: '10Gi' }), csiPv('pvc-db', 'db', 'driver.longhorn.io', { size: '10Gi' }),
    claim('cache', { storageClass: 'longhorn', phase: 'Bound', volume: 'pvc-cache', size: '2Gi' }), csiPv('pvc-cache', 'cache', 'driver.longhorn.io', { size: '2Gi' }),
    claim('old', { storageClass: 'longhorn', phase: 'Bound', volume: 'pvc-old', size: '5Gi' }), csiPv('pvc-old', 'old', 'driver.longhorn.io', { size: '5Gi' }),
    claim('uploads', { phase: 'Bound', volume: 'pvc-up', size: '1Gi' }), hostpathPv('pvc-up', 'uploads', 'node-2'),
    running('db-0', ['db'], 'node-1'), running('cache-0', ['cache'], 'node-3'), running('web-0', ['uploads'], 'node-2'),
  ];
}

/** A host root per node with the hostpath volume's directory holding `bytes` on node-2. */
function hostRoots(bytes: number): Record<string, string> {
  const out: Record<string, string> = {};
  for (const n of NODES) {
    const root = mkdtempSync(join(tmpdir(), `usage-${n}-`));
    roots.push(root);
    out[n] = root;
  }
  const dir = join(out['node-2']!, '/var/snap/microk8s/common/default-storage/default-uploads-pvc-up');
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'photo.jpg'), Buffer.alloc(bytes, 1));
  return out;
}

describe('usage', () => {
  it('reads every node once, concurrently; hostpath by du on its node, labelled; JSON; exit 3 above --warn-percent', async () => {
    sb = await createSandbox({ api: { nodes: NODES, seed: cluster() as never[] } });
    const stats = serveKubeletStats(sb.api!);
    stats.setVolume('default', 'db', { usedBytes: 9 * GI });
    stats.setVolume('default', 'cache', { usedBytes: GI / 2 });
    const hosts = hostRoots(3_000_000);
    sb.api!.controllers.runDaemonSets({ execute: { env: (node: string) => ({ PATH: '/usr/bin:/bin', AGENT_ROOT: hosts[node]! }) } });
    // Each stats request takes 300 ms: sequential reads would take about a second.
    sb.api!.faults.add({ match: { path: /\/proxy$/ }, times: 10, action: { delayMs: 300 } });

    const r = await sb.run(['usage', '-o', 'json', '--sort', 'used']);
    expect(r.exitCode, r.stderr).toBe(3);
    expect(r.stderr).toContain('1 claim(s) above 80% used: default/db');
    const report = JSON.parse(r.stdout);
    expectOutputSchema('usage-report', report);
    expect(report.claims.map((c: { claim: string }) => c.claim)).toEqual(['db', 'cache', 'uploads', 'old']);
    const [db, cache, uploads, old] = report.claims;
    expect(db).toMatchObject({ source: 'kubelet', usedBytes: 9 * GI, capacityBytes: 10 * GI, availableBytes: GI, percentUsed: 90, pods: ['db-0'], nodes: ['node-1'], mounted: true, inodes: 65536 });
    expect(cache).toMatchObject({ source: 'kubelet', percentUsed: 25 });
    expect(uploads.source).toBe('du');
    expect(uploads.usedBytes).toBeGreaterThanOrEqual(3_000_000);
    expect(uploads.usedBytes).toBeLessThan(3_000_000 + 64 * 1024);
    expect(uploads.note).toBe('measured with du -sb /var/snap/microk8s/common/default-storage/default-uploads-pvc-up on node node-2 (the kubelet reports nothing for hostPath volumes; the size is the request, not a limit)');
    expect(old).toMatchObject({ source: 'none', mounted: false, note: 'not mounted by any pod: the kubelet measures only mounted volumes' });
    expect(report.summary).toEqual({ claims: 4, mounted: 3, unused: 1, measured: 3, aboveWarn: ['default/db'] });

    const proxied = sb.api!.requests.filter((q) => q.subresource === 'proxy');
    expect(proxied.map((q) => q.name).sort()).toEqual(NODES);
    const starts = proxied.map((q) => q.time);
    expect(Math.max(...starts) - Math.min(...starts)).toBeLessThan(250);
    // The du DaemonSet ran on node-2 only and is gone.
    expect(sb.api!.store.list('apps/daemonsets', 'k8s-storage-system')).toEqual([]);
  });

  it('--unused, a higher --warn-percent, --no-du and an unreachable kubelet: exit 0 with notes', async () => {
    sb = await createSandbox({ api: { nodes: NODES, seed: cluster() as never[] } });
    const stats = serveKubeletStats(sb.api!);
    stats.setVolume('default', 'db', { usedBytes: 9 * GI });
    stats.unreachable('node-3');
    const table = await sb.run(['usage', '--warn-percent', '95', '--no-du']);
    expect(table.exitCode, table.stderr).toBe(0);
    expect(table.stdout).toMatch(/^CLAIM\s+CLASS\s+USED\s+AVAILABLE\s+CAPACITY\s+%USED\s+INODES%\s+PODS\s+SOURCE\n/);
    expect(table.stdout).toMatch(/\ndb\s+longhorn\s+9Gi\s+1Gi\s+10Gi\s+90%\s+0\.8%\s+db-0\s+kubelet\n/);
    expect(table.stdout).toMatch(/\nold\s+longhorn\s+-\s+-\s+-\s+-\s+-\s+\(unused\)\s+none\n/);
    expect(table.stdout).toContain('note: cache: the kubelet of node-3 could not be read');
    expect(table.stdout).toContain('note: uploads: hostPath volume: the kubelet reports nothing for it and du was not run (--no-du)');
    expect(table.stdout).toMatch(/note: node node-3: kubelet stats unreadable: .*\b503\b/);
    // -o wide: the volume, inode counts and the pods' nodes; --no-headers: the rows only.
    const wide = await sb.run(['usage', '--warn-percent', '95', '--no-du', '-o', 'wide', '--no-headers']);
    expect(wide.exitCode, wide.stderr).toBe(0);
    expect(wide.stdout).toMatch(/^cache\s+longhorn\s+pvc-cache\s.*\ndb\s+longhorn\s+pvc-db\s+9Gi\s+1Gi\s+10Gi\s+90%\s+0\.8%\s+\d+\s+65536\s+db-0\s+node-1\s+kubelet\n/);
    expect(wide.stdout).not.toMatch(/CLAIM/);
    expect(sb.api!.requestsMatching({ resource: 'daemonsets' })).toEqual([]);

    const unused = await sb.run(['usage', '--unused', '--no-du', '-o', 'json']);
    expect(JSON.parse(unused.stdout).claims.map((c: { claim: string }) => c.claim)).toEqual(['old']);
  });

  it('-A shows the namespace; bad flags are all reported at once', async () => {
    sb = await createSandbox({ api: { seed: [longhornClass(true), claim('a', { ns: 'shop', storageClass: 'longhorn' })] as never[] } });
    serveKubeletStats(sb.api!);
    const all = await sb.run(['usage', '-A']);
    expect(all.exitCode, all.stderr).toBe(0);
    expect(all.stdout).toMatch(/^NAMESPACE\s+CLAIM.*\nshop\s+a\s+longhorn\s+-/);
    expect(all.stdout).toContain('note: shop/a: claim is Pending');
    const bad = await sb.run(['usage', '--sort', 'size', '--warn-percent', 'lots', '--timeout', 'soon']);
    expect(bad.exitCode).toBe(2);
    expect(bad.stderr).toContain('3 problems');
  });
});

describe('usage table colour', () => {
  it('paints a row red above the threshold, only with colour on', () => {
    const report = buildUsageReport(
      {
        claims: [claim('full', { phase: 'Bound', volume: 'pv-1', storageClass: 'longhorn' }), claim('fine', { phase: 'Bound', volume: 'pv-2', storageClass: 'longhorn' })] as never[],
        volumes: [], classes: [], du: new Map(),
        pods: [running('p1', ['full'], 'n'), running('p2', ['fine'], 'n')] as never[],
        summaries: [{ node: 'n', summary: { pods: [{ podRef: { name: 'p1', namespace: 'default' }, volume: [{ pvcRef: { name: 'full', namespace: 'default' }, usedBytes: 85, capacityBytes: 100 }, { pvcRef: { name: 'fine', namespace: 'default' }, usedBytes: 10, capacityBytes: 100 }] }] } }],
      },
      { sort: 'percent', unused: false, warnPercent: 80 },
    );
    chalk.level = 1;
    const coloured = formatUsageReport(report, { color: true, allNamespaces: false }).split('\n');
    expect(coloured[1]).toMatch(/^\u001b\[31mfull\s.*85%.*\u001b\[39m$/);
    expect(coloured[2]).toMatch(/^fine\s/);
    expect(formatUsageReport(report, { color: false, allNamespaces: false })).not.toContain('\u001b[');
  });
});
