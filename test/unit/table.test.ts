import { describe, expect, it } from 'vitest';
import { formatTable } from '../../src/output/print.js';

const headers = ['NAME', 'STATUS', 'PROVISIONER', 'MESSAGE'];
const rows = [
  ['data-postgres-0', 'Bound', 'driver.longhorn.io', 'volume pvc-1a2b3c is degraded: 2 of 3 replicas are healthy; add a node or lower numberOfReplicas'],
  ['uploads', 'Pending', 'microk8s.io/hostpath', 'waiting for first consumer'],
];
const width = (text: string) => Math.max(...text.trimEnd().split('\n').map((l) => l.length));

describe('tables fitted to the terminal', () => {
  it.each([60, 100, 200])('at %i columns every line fits, names are whole, and cut cells end with …', (columns) => {
    const text = formatTable(headers, rows, columns);
    expect(width(text)).toBeLessThanOrEqual(columns);
    const lines = text.trimEnd().split('\n');
    expect(lines[1]!.startsWith('data-postgres-0   ')).toBe(true);
    expect(lines[2]!.startsWith('uploads   ')).toBe(true);
    const full = formatTable(headers, rows, Number.POSITIVE_INFINITY);
    if (width(full) > columns) expect(lines[1]).toMatch(/…$/);
    else expect(text).toBe(full);
  });

  it('the message column is cut before any other', () => {
    const lines = formatTable(headers, rows, 100).split('\n');
    expect(lines[1]).toContain('driver.longhorn.io');
    expect(lines[2]).toContain('microk8s.io/hostpath');
    expect(lines[1]).toMatch(/volume pvc-1a2b3c is .*…$/);
  });

  it('at 60 columns the middle columns shrink too, never below their header', () => {
    const [head, , second] = formatTable(headers, rows, 60).split('\n');
    expect(head).toMatch(/^NAME {14}STATUS {4}PROVISIONER/);
    expect(second).toContain('microk8s.io/hostpa…   waiting f…');
  });

  it('piped (no width), nothing is cut', () => {
    const text = formatTable(headers, rows, Number.POSITIVE_INFINITY);
    expect(text).toContain(rows[0]![3]);
    expect(text).not.toContain('…');
  });
});
