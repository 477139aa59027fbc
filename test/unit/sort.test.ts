import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { byText } from '../../src/sort.js';
import { REPO } from '../helpers/run-cli.js';

describe('byText', () => {
  it('orders as kubectl does (code units): names, RFC 3339 times', () => {
    expect(['node-10', 'node-2', 'node-1', 'a.b', 'a-b'].sort(byText)).toEqual(['a-b', 'a.b', 'node-1', 'node-10', 'node-2']);
    expect(['2026-01-02T00:00:00Z', '2025-12-31T23:59:59Z'].sort(byText)).toEqual(['2025-12-31T23:59:59Z', '2026-01-02T00:00:00Z']);
    expect(byText('x', 'x')).toBe(0);
  });

  // localeCompare's first call builds ICU's collator (~15 ms of a command's run).
  it('is what src/ sorts with: no localeCompare anywhere', () => {
    const files = (dir: string): string[] => readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? files(join(dir, e.name)) : e.name.endsWith('.ts') ? [join(dir, e.name)] : []));
    const users = files(join(REPO, 'src')).filter((f) => /\.localeCompare\(/.test(readFileSync(f, 'utf8')));
    expect(users).toEqual([]);
  });
});
