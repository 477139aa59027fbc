/**
 * The seed's comparison as rules (src/recommend/rules.ts): one row per cluster shape from 1 to
 * 20 nodes, each with and without a raw disk per node, and with no need, RWX and object needs.
 * Nodes have 8 GiB free memory and 100 GiB free disk unless a test says otherwise.
 */
import { describe, expect, it } from 'vitest';
import { parseRecommendOptions } from '../../src/recommend/options.js';
import { recommend, type CandidateId, type ClusterShape, type Need, type NodeShape } from '../../src/recommend/rules.js';

const nodes = (n: number, over: Partial<NodeShape> = {}): NodeShape[] =>
  Array.from({ length: n }, (_, i) => ({ name: `node-${i + 1}`, memoryGiB: 8, diskGiB: 100, arch: 'amd64', rawDisks: 0, ...over }));
const shape = (n: number, o: { raw?: number; needs?: Need[]; nas?: boolean; over?: Partial<NodeShape> } = {}): ClusterShape => ({
  nodes: nodes(n, { rawDisks: o.raw ?? 0, ...o.over }),
  needs: o.needs ?? [],
  installed: [],
  ...(o.nas ? { nas: { server: '192.168.1.100', share: '/exports/k8s' } } : {}),
});
const top = (s: ClusterShape) => recommend(s)[0]!;

type Tops = [none: CandidateId, rwx: CandidateId, object: CandidateId];
// nodes, [no raw disk: no need, rwx, object], [1 raw disk per node: no need, rwx, object]
const H = 'hostpath', L = 'longhorn', C = 'ceph';
const TABLE: [number, Tops, Tops][] = [
  [1, [H, H, C], [H, H, C]],
  [2, [L, L, C], [L, L, C]],
  [3, [L, L, C], [L, L, C]],
  [4, [L, L, C], [L, L, C]],
  [5, [L, L, C], [L, L, C]],
  [6, [L, L, C], [L, L, C]],
  [7, [L, L, C], [L, L, C]],
  [8, [L, L, C], [L, L, C]],
  [9, [L, L, C], [L, L, C]],
  [10, [L, L, C], [C, C, C]],
  [11, [L, L, C], [C, C, C]],
  [12, [L, L, C], [C, C, C]],
  [13, [L, L, C], [C, C, C]],
  [14, [L, L, C], [C, C, C]],
  [15, [L, L, C], [C, C, C]],
  [16, [L, L, C], [C, C, C]],
  [17, [L, L, C], [C, C, C]],
  [18, [L, L, C], [C, C, C]],
  [19, [L, L, C], [C, C, C]],
  [20, [L, L, C], [C, C, C]],
];

describe('recommend: the first candidate per cluster shape', () => {
  it.each(TABLE)('%i node(s)', (n, noRaw, withRaw) => {
    const got = (raw: number): Tops => [top(shape(n, { raw })).id, top(shape(n, { raw, needs: ['rwx'] })).id, top(shape(n, { raw, needs: ['object'] })).id];
    expect({ noRaw: got(0), withRaw: got(1) }).toEqual({ noRaw, withRaw });
  });
});

describe('recommend: verdicts and reasons in the cluster\'s own numbers', () => {
  it('1 node: hostpath is recommended; Ceph only as a throw-away test; Longhorn only with 1 replica', () => {
    const c = recommend(shape(1));
    expect(c[0]).toMatchObject({ id: 'hostpath', verdict: 'recommended', commands: ['k8s-storage install hostpath'] });
    expect(c.find((x) => x.id === 'longhorn')!.commands).toContain('k8s-storage install longhorn --replicas 1');
    expect(c.find((x) => x.id === 'ceph')!.reasons[0]).toMatch(/^1 node: Ceph needs 3 monitors/);
  });

  it('2 nodes: Longhorn with 2 replicas, because Ceph needs 3 monitors', () => {
    const c = recommend(shape(2, { raw: 1 }));
    expect(c[0]!.reasons[0]).toBe('2 nodes: Longhorn with 2 replicas (3 would leave every volume Degraded); Ceph needs 3 monitors');
    expect(c[0]!.commands).toEqual(['k8s-storage nodes prepare --for longhorn', 'k8s-storage install longhorn --replicas 2']);
  });

  it('object storage without raw disks: Ceph is still first (only it serves S3) but a poor fit, and says why', () => {
    const c = top(shape(5, { needs: ['object'] }));
    expect(c).toMatchObject({ id: 'ceph', verdict: 'poor-fit' });
    expect(c.reasons).toContain('Ceph needs at least 3 such nodes; 0 qualify');
    const withDisks = top(shape(5, { raw: 1, needs: ['object'] }));
    expect(withDisks.verdict).toBe('recommended');
    expect(withDisks.commands).toContain('sudo microceph enable rgw');
  });

  it('Ceph names the nodes short of memory for a mon, a mgr and 4 GiB per OSD', () => {
    const s = shape(12, { raw: 2, over: { memoryGiB: 6 } });
    const ceph = recommend(s).find((x) => x.id === 'ceph')!;
    expect(ceph.reasons.join('\n')).toContain('node-1 (6 GiB of 9.5 GiB)');
    expect(top(s).id).toBe('longhorn');
  });

  it('Longhorn below the seed\'s 2 GiB / 10 GiB per node is a poor fit naming the nodes', () => {
    const s = shape(3, { over: { memoryGiB: 1.5, diskGiB: 5 } });
    const l = recommend(s).find((x) => x.id === 'longhorn')!;
    expect(l.verdict).toBe('poor-fit');
    expect(l.reasons).toContain("below Longhorn's 2 GiB of free memory per node: node-1 (1.5 GiB), node-2 (1.5 GiB), node-3 (1.5 GiB)");
  });

  it('--nas with RWX: NFS first, with the command that uses the NAS and the no-HA warning', () => {
    const c = top(shape(4, { needs: ['rwx'], nas: true }));
    expect(c.id).toBe('nfs');
    expect(c.commands).toEqual(['k8s-storage install nfs --server 192.168.1.100 --share /exports/k8s']);
    expect(c.reasons.join(' ')).toMatch(/single point of failure/);
    expect(top(shape(4, { needs: ['rwx', 'ha'], nas: true })).id).toBe('longhorn');
  });

  it('--need iops on x86-64 nodes with NVMe disks: Mayastor; on arm64 it is unsuitable', () => {
    expect(top(shape(3, { raw: 1, needs: ['iops'] })).id).toBe('openebs-mayastor');
    const arm = recommend(shape(3, { raw: 1, needs: ['iops'], over: { arch: 'arm64' } })).find((x) => x.id === 'openebs-mayastor')!;
    expect(arm).toMatchObject({ verdict: 'unsuitable', commands: [] });
    expect(arm.reasons[0]).toContain('node-1 is arm64');
  });

  it('beyond 20 nodes Longhorn leaves the seed\'s range', () => {
    expect(recommend(shape(25)).find((x) => x.id === 'longhorn')!.reasons[0]).toMatch(/^25 nodes: beyond the seed's 3-20 node range/);
  });

  it('ranks are 1..N, GlusterFS is always unsuitable, unsuitable candidates come last without commands', () => {
    for (const n of [1, 3, 12]) {
      const c = recommend(shape(n));
      expect(c.map((x) => x.rank)).toEqual(c.map((_, i) => i + 1));
      expect(c.find((x) => x.id === 'glusterfs')!.verdict).toBe('unsuitable');
      const firstUnsuitable = c.findIndex((x) => x.verdict === 'unsuitable');
      expect(c.slice(firstUnsuitable).every((x) => x.verdict === 'unsuitable' && x.commands.length === 0)).toBe(true);
      expect(c.filter((x) => x.verdict === 'recommended').length).toBeLessThanOrEqual(1);
    }
  });

  it('an installed backend says so', () => {
    const c = recommend({ ...shape(3), installed: ['longhorn'] });
    expect(c[0]).toMatchObject({ id: 'longhorn', installed: true });
    expect(c[0]!.reasons[0]).toBe('already installed');
  });
});

describe('recommend options', () => {
  it.each([
    [{ nodes: '3', memoryGib: '8', diskGib: '100' }, { needs: [], skipNodes: false, offline: { nodes: 3, memoryGiB: 8, diskGiB: 100, arch: 'amd64' } }],
    [{ nodes: '1', memoryGib: '0.5', diskGib: '10', rawDisks: '2', arch: 'ARM64', need: ['rwx,object', 'rwx'] }, { needs: ['rwx', 'object'], skipNodes: false, offline: { nodes: 1, memoryGiB: 0.5, diskGiB: 10, rawDisks: 2, arch: 'arm64' } }],
    [{ nas: 'nas.lan:/srv/k8s', skipNodes: true }, { needs: [], skipNodes: true, nas: { server: 'nas.lan', share: '/srv/k8s' } }],
  ])('%j', (raw, want) => {
    expect(parseRecommendOptions(raw)).toEqual(want);
  });

  it('reports every problem at once', () => {
    expect(() => parseRecommendOptions({ nodes: '0', memoryGib: 'lots', rawDisks: '1.5', arch: 'mips', need: ['fast'], nas: 'nas.lan', skipNodes: true })).toThrow(
      expect.objectContaining({
        problems: [
          '--need: "fast" is not one of rwx, object, ha, iops',
          '--nas: "nas.lan" is not SERVER:/EXPORT (e.g. 192.168.1.100:/exports/k8s)',
          '--nodes: "0" is not a whole number from 1 to 5000',
          '--memory-gib: "lots" is not a number from 0 to 100000',
          '--raw-disks: "1.5" is not a whole number from 0 to 1000',
          '--disk-gib: needed with --nodes (free disk per node, in GiB)',
          '--arch: "mips" is not one of amd64, arm64, arm, ppc64le, s390x, riscv64',
          '--skip-nodes: only when reading the cluster (not with --nodes)',
        ],
      }),
    );
    expect(() => parseRecommendOptions({ memoryGib: '8', arch: 'amd64' })).toThrow('--memory-gib, --arch: only with --nodes');
  });
});
