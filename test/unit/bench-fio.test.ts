/** The fio side of `bench`: job text, real fio 3.33 JSON (test/fixtures/fio), ratios, size checks. */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { compareResults, expectedSeconds, fileSizeFor, fioJobText, parseFioOutput } from '../../src/bench/fio.js';
import { sizeFitProblem } from '../../src/bench/fit.js';
import { backendForProvisioner } from '../../src/day2/backends.js';
import { hostpathClass, longhornClass, longhornNode } from '../helpers/storage-objects.js';

const fixture = (name: string) => readFileSync(new URL(`../fixtures/fio/${name}`, import.meta.url), 'utf8');

describe('fio job text', () => {
  it("is kubestr's four jobs with latency: no gtod_reduce, stonewall, iodepth 64, direct I/O", () => {
    const text = fioJobText('default', 15, '2048M');
    expect(text).not.toContain('gtod_reduce');
    expect(text).toBe(
      '[global]\nrandrepeat=0\nverify=0\nioengine=libaio\ndirect=1\niodepth=64\nsize=2048M\ntime_based\nramp_time=2s\nruntime=15s\nstonewall\n' +
        '[read_iops]\nbs=4K\nreadwrite=randread\n[write_iops]\nbs=4K\nreadwrite=randwrite\n[read_bw]\nbs=128K\nreadwrite=randread\n[write_bw]\nbs=128K\nreadwrite=randwrite\n',
    );
    expect(fioJobText('randrw', 15, '1G')).toContain('[rand_readwrite]\nbs=4K\nreadwrite=randrw\nrwmixread=75\n');
    expect(expectedSeconds('default', 15)).toBe(68);
  });

  it.each([
    ['default', 4 * 2 ** 30, '819M'],
    ['default', 100 * 2 ** 30, '2048M'],
    ['quick', 2 ** 30, '409M'],
    ['randrw', 2 ** 20, '16M'],
  ] as const)('%s on %d bytes: files of %s', (profile, bytes, size) => {
    expect(fileSizeFor(profile, bytes)).toBe(size);
  });
});

describe("fio's JSON (real fio 3.33 output)", () => {
  it('reads IOPS, bandwidth and p50/p99 completion latency of each job', () => {
    const r = parseFioOutput(fixture('default-4jobs.json'));
    expect(r.fioVersion).toBe('fio-3.33');
    expect(r.jobs.map((j) => [j.name, j.direction, j.bs])).toEqual([['read_iops', 'read', '4K'], ['write_iops', 'write', '4K'], ['read_bw', 'read', '128K'], ['write_bw', 'write', '128K']]);
    expect(r.jobs[0]).toMatchObject({ iops: 64461.769115, bandwidthBytes: 264166412, clatP50Ns: 536576, clatP99Ns: 23724032, error: 0 });
    expect(r.jobs[3]).toMatchObject({ clatP50Ns: 10813440, clatP99Ns: 49020928 });
    for (const j of r.jobs) expect(j.bandwidthBytes).toBeGreaterThan(0);
  });

  it('gtod_reduce=1 (kubestr default) measures no latency: none is reported, nothing invented', () => {
    const r = parseFioOutput(fixture('gtod-reduce.json'));
    expect(r.jobs).toHaveLength(4);
    for (const j of r.jobs) {
      expect(j.iops).toBeGreaterThan(0);
      expect(j.clatP50Ns).toBeUndefined();
      expect(j.clatP99Ns).toBeUndefined();
    }
  });

  it('randrw has a read and a write side; text around the JSON is ignored; no JSON is an error', () => {
    const r = parseFioOutput(`fio: note: both iodepth >= 1 and synchronous I/O engine are selected\n${fixture('randrw.json')}\n`);
    expect(r.jobs.map((j) => j.direction)).toEqual(['read', 'write']);
    expect(r.jobs[0]!.iops).toBeGreaterThan(r.jobs[1]!.iops);
    expect(() => parseFioOutput('fio: /dataset is not a directory\nfio: failed parsing directory=/dataset\n')).toThrow('fio printed no JSON: fio: /dataset is not a directory / fio: failed parsing directory=/dataset');
  });

  it('ratios: second / first', () => {
    const a = parseFioOutput(fixture('default-4jobs.json'));
    const b = { ...a, jobs: a.jobs.map((j) => ({ ...j, iops: j.iops / 2, bandwidthBytes: j.bandwidthBytes / 4, clatP99Ns: j.clatP99Ns! * 3 })) };
    expect(compareResults(a, b)[0]).toEqual({ job: 'read_iops', direction: 'read', iops: 0.5, bandwidth: 0.25, clatP99: 3 });
  });
});

describe('does the class fit --size', () => {
  const longhorn = backendForProvisioner('driver.longhorn.io');
  const hostpath = backendForProvisioner('microk8s.io/hostpath');
  const lh = (gibs: number[]) => ({ volumes: [], settings: [], nodes: gibs.map((g, i) => longhornNode(`node-${i + 1}`, { availableGi: g })) as never[] });
  it.each([
    ['Longhorn, 3 replicas, 3 nodes with room', longhorn, longhornClass(false, 3), lh([50, 50, 50]), undefined, 10, undefined],
    ['Longhorn, 3 replicas, one node too small', longhorn, longhornClass(false, 3), lh([50, 50, 5]), undefined, 10, 'class longhorn needs 3 replica(s) of 10Gi, on different nodes, but only 2 Longhorn node(s) have that much schedulable space (node-1 50Gi, node-2 50Gi, node-3 5Gi)'],
    ['Longhorn, 2 replicas fit', longhorn, longhornClass(false, 2), lh([50, 50, 5]), undefined, 10, undefined],
    ['hostpath, a node with room', hostpath, hostpathClass(), undefined, [{ node: 'a', availableBytes: 3 * 2 ** 30 }, { node: 'b', availableBytes: 20 * 2 ** 30 }], 10, undefined],
    ['hostpath, no node with room', hostpath, hostpathClass(), undefined, [{ node: 'a', availableBytes: 3 * 2 ** 30 }], 10, 'no node has 10Gi free for a microk8s-hostpath volume (a 3Gi)'],
  ])('%s', (_name, backend, sc, longhornObjs, nodeFree, gib, problem) => {
    expect(sizeFitProblem({ storageClass: sc as never, ...(backend ? { backend } : {}), sizeBytes: gib * 2 ** 30, ...(longhornObjs ? { longhorn: longhornObjs } : {}), ...(nodeFree ? { nodeFree } : {}) })).toBe(problem);
  });
});
