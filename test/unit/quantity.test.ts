import { describe, expect, it } from 'vitest';
import { quantityToBytes, sizeProblems, suggestQuantity } from '../../src/manifests/quantity.js';

describe('quantities', () => {
  it.each([
    ['10Gi', 10 * 2 ** 30],
    ['500Mi', 500 * 2 ** 20],
    ['1.5Ti', 1.5 * 2 ** 40],
    ['1G', 1e9],
    ['100k', 1e5],
    ['1e3', 1000],
    ['1E3', 1000],
    ['5e-3', 0.005],
    ['123', 123],
    // exa and exbi start like an exponent, but are suffixes
    ['1E', 1e18],
    ['2E', 2e18],
    ['1Ei', 2 ** 60],
    ['1.5Ei', 1.5 * 2 ** 60],
    ['1P', 1e15],
  ])('%s is %d bytes', (text, bytes) => {
    expect(quantityToBytes(text)).toBe(bytes);
  });

  it.each(['10GB', '10gi', '10 Gi', 'ten', '', '1.5.5Gi', 'Gi', '10iG', '1Ee', '1Eii', '1e'])('%j is not a quantity', (text) => {
    expect(quantityToBytes(text)).toBeUndefined();
  });

  it.each([
    ['10GB', '10Gi'],
    ['10gb', '10Gi'],
    ['10gi', '10Gi'],
    ['10 Gi', '10Gi'],
    ['512MB', '512Mi'],
    ['2TB', '2Ti'],
    ['1.5GB', '1.5Gi'],
    ['10', undefined],
    ['ten', undefined],
    ['10XB', undefined],
  ])('%j suggests %j', (text, hint) => {
    expect(suggestQuantity(text)).toBe(hint);
  });

  it.each([
    ['10Gi', []],
    ['10GB', ['--size: "10GB" is not a Kubernetes quantity; did you mean 10Gi?']],
    ['0', ['--size: "0" must be greater than zero']],
    ['0Gi', ['--size: "0Gi" must be greater than zero']],
    ['-5Gi', ['--size: "-5Gi" must be greater than zero']],
    ['1E', []],
    ['1Ei', []],
    ['100m', ['--size: "100m" is a fraction of a byte; use a whole number of bytes, for example 500Mi']],
    [undefined, ['--size: a size is required, for example 10Gi']],
  ])('size %j -> %j', (text, problems) => {
    expect(sizeProblems('--size', text)).toEqual(problems);
  });
});
