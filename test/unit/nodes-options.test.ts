import { describe, expect, it } from 'vitest';
import { UsageError } from '../../src/errors.js';
import { agentArgs, isLabelKey, parseNodeRunOptions } from '../../src/nodes/options.js';

const problems = (raw: Record<string, unknown>, mode: 'check' | 'prepare' = 'check'): string[] => {
  try {
    parseNodeRunOptions(mode, raw);
    return [];
  } catch (err) {
    if (err instanceof UsageError) return err.problems;
    throw err;
  }
};

describe('nodes options', () => {
  it('defaults: longhorn, every node, busybox:1.36, 5 minutes', () => {
    expect(parseNodeRunOptions('check', {})).toEqual({ mode: 'check', target: 'longhorn', nodes: [], nodeSelector: {}, local: false, image: 'busybox:1.36', timeoutMs: 300_000, dryRun: false });
  });

  it.each([
    [{ node: ['a', 'b,c', 'a'] }, { nodes: ['a', 'b', 'c'] }],
    [{ nodeSelector: ['storage=yes', 'node-role.kubernetes.io/worker='] }, { nodeSelector: { storage: 'yes', 'node-role.kubernetes.io/worker': '' } }],
    [{ for: 'nfs', timeout: '90s', image: 'reg.local/bb:1' }, { target: 'nfs', timeoutMs: 90_000, image: 'reg.local/bb:1' }],
    [{ dataPath: '/mnt/disk', minDiskGib: '50', minMemGib: '4' }, { dataPath: '/mnt/disk', minDiskGib: 50, minMemGib: 4 }],
    [{ local: true, dryRun: true }, { local: true, dryRun: true }],
  ])('%j -> %j', (raw, expected) => {
    expect(parseNodeRunOptions('prepare', raw)).toMatchObject({ mode: 'prepare', ...expected });
  });

  it('reports every problem at once', () => {
    expect(problems({ for: 'zfs', nodeSelector: ['novalue', '-bad=x', 'k=not valid', 'k=a', 'k=b'], timeout: '10', image: 'has space', dataPath: 'rel/path', minDiskGib: '1.5', minMemGib: '-1' })).toEqual([
      expect.stringMatching(/^--for: "zfs" is not a backend the agent knows; use longhorn, nfs, hostpath(, [a-z-]+)*$/),
      '--node-selector: "novalue" is not key=value (for example --node-selector kubernetes.io/os=linux)',
      '--node-selector: "-bad" is not a valid label key',
      '--node-selector: "not valid" is not a valid label value for k',
      '--node-selector: k is given twice with different values',
      '--timeout: "10" is not a duration; use for example 90s, 10m or 1h',
      '--image: "has space" is not an image reference',
      '--data-path: "rel/path" must be an absolute path',
      '--min-disk-gib: "1.5" is not a whole number of GiB',
      '--min-mem-gib: "-1" is not a whole number of GiB',
    ]);
  });

  it('--local refuses the flags that only shape the DaemonSet', () => {
    expect(problems({ local: true, node: ['a'], image: 'x', nodeSelector: ['a=b'] })).toEqual([
      '--node cannot be combined with --local: --local checks this machine only',
      '--image cannot be combined with --local: no pod runs',
      '--node-selector cannot be combined with --local: --local checks this machine only',
    ]);
    expect(problems({ local: true })).toEqual([]);
  });

  it.each([
    ['storage', true],
    ['node-role.kubernetes.io/worker', true],
    ['example.com/a_b.c', true],
    ['Example.com/x', false],
    ['-x', false],
    ['a/', false],
    ['x'.repeat(64), false],
  ])('label key %s: %s', (key, ok) => {
    expect(isLabelKey(key)).toBe(ok);
  });

  it.each([
    [{ mode: 'check', target: 'longhorn' }, ['check', '--for', 'longhorn']],
    [{ mode: 'prepare', target: 'nfs', dataPath: '/srv', minDiskGib: 0, minMemGib: 1 }, ['prepare', '--for', 'nfs', '--data-path', '/srv', '--min-disk-gib', '0', '--min-mem-gib', '1']],
  ] as const)('agent argv for %j', (o, argv) => {
    expect(agentArgs(o)).toEqual(argv);
  });
});
