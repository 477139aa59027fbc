import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { looksLikeNumber, toYaml } from '../../src/output/yaml.js';

describe('YAML output quotes every string a YAML or Go reader would take for something else', () => {
  it.each([
    // YAML 1.2 and Go (strconv base 0) number forms that YAML 1.1 has as strings
    '0o17', '0O17', '-0o7', '+0o7', '0B101', '0b101', '-0b1', '0x1F', '0X1f', '-0x1', '1e3', '1E3', '-1e-3', '1_000', '0o1_7',
    // what YAML 1.1 already quotes
    '12', '-12', '017', '1.5', '.5', '1.', 'yes', 'No', 'on', 'OFF', 'null', '~', 'true', '.inf', '-.Inf', '.nan', '1:20', '2001-12-14',
  ])('%j is quoted and reads back as the same string, in YAML 1.1 and 1.2', (value) => {
    const text = toYaml({ v: value });
    expect(text).toMatch(/^v: ["']/);
    expect(parse(text, { version: '1.1' })).toEqual({ v: value });
    expect(parse(text, { version: '1.2' })).toEqual({ v: value });
  });

  it.each(['hello', '1.2.3', 'v1', '0o8', '0b2', '0xZ', '1e', '10Gi', '1-2', 'Retain', '192.168.1.100'])('%j stays plain', (value) => {
    expect(toYaml({ v: value })).toBe(`v: ${value}\n`);
    expect(looksLikeNumber(value)).toBe(false);
  });

  it('numbers stay numbers, keys are quoted the same way', () => {
    expect(toYaml({ replicas: 3, ratio: 0.5, '0x1': 'a' })).toBe('replicas: 3\nratio: 0.5\n"0x1": a\n');
  });
});
