import { describe, expect, it } from 'vitest';
import { duration, name, oneOf, parseDuration, reclaimPolicy, wholeNumber } from '../../src/options/index.js';

/** Runs a parser and returns [value, problems]. */
function parse<T>(fn: (problems: string[]) => T): [T, string[]] {
  const problems: string[] = [];
  return [fn(problems), problems];
}

describe('duration (Go durations, as Helm and kubectl take them)', () => {
  it.each([
    ['90s', 90_000, []],
    ['10m', 600_000, []],
    ['1h30m', 5_400_000, []],
    ['1.5h', 5_400_000, []],
    ['250ms', 250, []],
    ['2m30s', 150_000, []],
    ['10', undefined, ['--timeout: "10" is not a duration; use for example 90s, 10m or 1h']],
    ['soon', undefined, ['--timeout: "soon" is not a duration; use for example 90s, 10m or 1h']],
    ['5 m', undefined, ['--timeout: "5 m" is not a duration; use for example 90s, 10m or 1h']],
    ['-5m', undefined, ['--timeout: "-5m" is not a duration; use for example 90s, 10m or 1h']],
    ['0s', undefined, ['--timeout: "0s" must be longer than zero']],
    [undefined, undefined, []],
  ])('%j -> %j %j', (raw, ms, problems) => {
    expect(parse((p) => duration('--timeout', raw, p))).toEqual([ms, problems]);
  });

  it.each([['0', 0], ['0s', 0], ['0m', 0], ['5m', 300_000]])('allowZero: %s -> %i', (raw, ms) => {
    expect(parse((p) => duration('--poll-interval', raw, p, { allowZero: true }))).toEqual([ms, []]);
  });

  it('parseDuration throws a UsageError with the problem', () => {
    expect(() => parseDuration('--timeout', 'x')).toThrow(/--timeout: "x" is not a duration/);
    expect(parseDuration('--timeout', '2m')).toBe(120_000);
  });
});

describe('reclaimPolicy: any case in, canonical out, the same for every command', () => {
  it.each([
    ['Retain', 'Retain', []],
    ['retain', 'Retain', []],
    ['RETAIN', 'Retain', []],
    ['delete', 'Delete', []],
    ['Keep', undefined, ['--reclaim-policy: "Keep" must be one of Delete, Retain']],
    ['Recycle', undefined, ['--reclaim-policy: "Recycle" must be one of Delete, Retain']],
    [undefined, undefined, []],
  ])('%j -> %j', (raw, value, problems) => {
    expect(parse((p) => reclaimPolicy('--reclaim-policy', raw, p))).toEqual([value, problems]);
  });
});

describe('wholeNumber', () => {
  it.each([
    ['3', {}, 3, []],
    ['007', {}, 7, []],
    [' 4 ', {}, 4, []],
    ['x', {}, undefined, ['--n: "x" is not a whole number']],
    ['1.5', { unit: 'GiB' }, undefined, ['--n: "1.5" is not a whole number of GiB']],
    ['-1', { unit: 'GiB' }, undefined, ['--n: "-1" is not a whole number of GiB']],
    ['0', { min: 1, max: 20 }, undefined, ['--n: "0" must be a whole number from 1 to 20']],
    ['21', { min: 1, max: 20 }, undefined, ['--n: "21" must be a whole number from 1 to 20']],
    ['abc', { min: 1 }, undefined, ['--n: "abc" must be a whole number of at least 1']],
    ['20', { min: 1, max: 20 }, 20, []],
    [undefined, { min: 1 }, undefined, []],
  ] as const)('%j %j -> %j', (raw, opts, value, problems) => {
    expect(parse((p) => wholeNumber('--n', raw, p, opts))).toEqual([value, problems]);
  });
});

describe('oneOf and name', () => {
  it.each([
    ['immediate', 'Immediate', []],
    ['WAITFORFIRSTCONSUMER', 'WaitForFirstConsumer', []],
    ['later', undefined, ['--binding-mode: "later" must be one of Immediate, WaitForFirstConsumer']],
  ])('oneOf %j -> %j', (raw, value, problems) => {
    expect(parse((p) => oneOf('--binding-mode', raw, ['Immediate', 'WaitForFirstConsumer'] as const, p))).toEqual([value, problems]);
  });

  it.each([
    ['data', 'object', 'data', 0],
    ['a.b', 'object', 'a.b', 0],
    ['a.b', 'dns-label', undefined, 1],
    ['BAD', 'object', undefined, 1],
  ] as const)('name %j (%s) -> %j', (raw, kind, value, count) => {
    const [v, problems] = parse((p) => name('--name', raw, p, kind));
    expect(v).toBe(value);
    expect(problems).toHaveLength(count);
  });
});
