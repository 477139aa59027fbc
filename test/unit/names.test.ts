import { describe, expect, it } from 'vitest';
import { dnsLabelProblems, keyProblems, labelValueProblems, objectNameProblems, parseKeyValues } from '../../src/manifests/names.js';

describe('names', () => {
  it.each(['data', 'postgres-pvc', 'a', 'a.b-c', '0abc', 'x'.repeat(253)])('object name %j is valid', (name) => {
    expect(objectNameProblems('NAME', name)).toEqual([]);
  });

  it.each([
    ['Data', 'did you mean "data"?'],
    ['my_pvc', 'did you mean "my-pvc"?'],
    ['-x', 'starting and ending'],
    ['x-', 'starting and ending'],
    ['', 'a name is required'],
    ['x'.repeat(254), 'longer than 253'],
  ])('object name %j is refused (%s)', (name, fragment) => {
    const problems = objectNameProblems('NAME', name);
    expect(problems).toHaveLength(1);
    expect(problems[0]).toContain(fragment);
  });

  it('DNS labels refuse dots and long names', () => {
    expect(dnsLabelProblems('-n', 'a.b')).toHaveLength(1);
    expect(dnsLabelProblems('-n', 'x'.repeat(64))[0]).toContain('longer than 63');
    expect(dnsLabelProblems('-n', 'team-a')).toEqual([]);
  });

  it.each([
    ['app', true],
    ['app.kubernetes.io/name', true],
    ['example.com/tier', true],
    ['Example.com/tier', false],
    ['/tier', false],
    ['tier/', false],
    ['a b', false],
    ['x'.repeat(64), false],
  ])('key %j valid=%s', (key, ok) => {
    expect(keyProblems('--label', key).length === 0).toBe(ok);
  });

  it.each([
    ['', true],
    ['production', true],
    ['v1.2_3-x', true],
    ['has space', false],
    ['-lead', false],
    ['x'.repeat(64), false],
  ])('label value %j valid=%s', (value, ok) => {
    expect(labelValueProblems('--label', 'k', value).length === 0).toBe(ok);
  });

  it('parses KEY=VALUE pairs, keeping "=" inside values, and reports malformed ones', () => {
    expect(parseKeyValues('--param', ['a=1', 'b=x=y', 'c='])).toEqual({ values: { a: '1', b: 'x=y', c: '' }, problems: [] });
    expect(parseKeyValues('--param', ['novalue', '=x']).problems).toEqual(['--param: "novalue" must be KEY=VALUE', '--param: "=x" must be KEY=VALUE']);
  });
});
