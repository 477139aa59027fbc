/** `dashboards longhorn`, and the day-2 commands' --help staying away from cluster code. */
import { TEST_BINARY } from '../helpers/sandbox.mjs';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { longhornDashboardMetrics } from '../../src/dashboards/longhorn.js';
import { SHARED_DIR } from '../helpers/real-tools.mjs';
import { REPO, runCli } from '../helpers/run-cli.js';

const REFERENCE = join(SHARED_DIR, 'reference', 'day2.md');

describe('dashboards longhorn', () => {
  it('prints a Grafana dashboard with the panels the seed asks for, without a cluster', async () => {
    const r = await runCli(['dashboards', 'longhorn'], { env: { KUBECONFIG: '/nonexistent' } });
    expect(r.exitCode, r.stderr).toBe(0);
    const d = JSON.parse(r.stdout);
    expect(d).toMatchObject({ uid: 'k8s-storage-longhorn', schemaVersion: 39 });
    expect(d.templating.list.map((v: { name: string }) => v.name)).toEqual(['datasource', 'node', 'volume']);
    const exprs = d.panels.flatMap((p: any) => p.targets.map((t: any) => t.expr)).join('\n');
    for (const m of ['longhorn_volume_robustness', 'longhorn_disk_capacity_bytes', 'longhorn_disk_usage_bytes', 'longhorn_volume_read_iops', 'longhorn_volume_write_throughput', 'longhorn_volume_read_latency', 'longhorn_volume_last_backup_at']) expect(exprs).toContain(m);
    for (const p of d.panels) expect(p.datasource).toEqual({ type: 'prometheus', uid: '${datasource}' });
    // Panels do not overlap on Grafana's 24-column grid.
    const cells = new Set<string>();
    for (const { gridPos: g } of d.panels) {
      expect(g.x + g.w).toBeLessThanOrEqual(24);
      for (let x = g.x; x < g.x + g.w; x++) for (let y = g.y; y < g.y + g.h; y++) {
        expect(cells.has(`${x},${y}`)).toBe(false);
        cells.add(`${x},${y}`);
      }
    }
  });

  it.skipIf(!existsSync(REFERENCE))('queries only metrics the reference lists (Longhorn monitoring/metrics.md)', () => {
    const reference = readFileSync(REFERENCE, 'utf8');
    const known = new Set([...reference.matchAll(/`(longhorn_[a-z_]+)(?:\{[^`]*\})?`/g)].map((m) => m[1]));
    // Families are written once in full, then as `_read_iops`/`_write_iops` on the same line;
    // state metrics as "(`robustness`: unknown, healthy, ...; `state`: creating, ...)".
    let family: string | undefined;
    for (const line of reference.split('\n')) {
      family = /`longhorn_(volume|node|disk|backup)_/.exec(line)?.[1] ?? family;
      if (!family) continue;
      for (const m of line.matchAll(/`_([a-z_]+)`/g)) known.add(`longhorn_${family}_${m[1]}`);
      for (const m of line.matchAll(/`([a-z]+)`: [a-z]+, /g)) known.add(`longhorn_${family}_${m[1]}`);
    }
    expect(longhornDashboardMetrics().filter((m) => !known.has(m))).toEqual([]);
  });

  it('an unknown dashboard or -o yaml: exit 2', async () => {
    expect((await runCli(['dashboards', 'ceph'])).exitCode).toBe(2);
    expect((await runCli(['dashboards', 'longhorn', '-o', 'yaml'])).stderr).toContain('this command prints json');
  });
});

// The import trace needs `node --import`; the single executable loads its own embedded bundle.
describe.skipIf(TEST_BINARY)('the day-2 commands load no cluster code for --help', () => {
  it.each([['diagnose', 'pvc', '--help'], ['usage', '--help'], ['verify', '--help'], ['bench', '--help'], ['dashboards', 'longhorn']])('%s %s', async (...args) => {
    const trace = join(mkdtempSync(join(tmpdir(), 'trace-')), 'imports.txt');
    writeFileSync(trace, '');
    const r = await runCli(args, { env: { NODE_OPTIONS: `--import=${join(REPO, 'test', 'helpers', 'trace-imports.mjs')}`, TRACE_IMPORTS_FILE: trace } });
    expect(r.exitCode).toBe(0);
    const loaded = readFileSync(trace, 'utf8');
    expect(loaded).toContain('require node:vm');
    expect(loaded).not.toMatch(/client-node|execa|\/ora\//);
  });
});
