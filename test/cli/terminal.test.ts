/**
 * The CLI in a real terminal: a pseudo-terminal from util-linux's `script`, so stderr is a
 * TTY and the spinner runs, as an operator sees it.
 */
import { describe, expect, it } from 'vitest';
import { cliInvocation } from '../helpers/sandbox.mjs';
import { sandboxPerTest, type Sandbox } from '../helpers/per-test.js';

const perTest = sandboxPerTest();
let sb: Sandbox | undefined;

/** Runs the CLI in a pty; `script` merges stdout and stderr into what the terminal shows. */
async function inTerminal(s: Sandbox, args: string[], env: Record<string, string | undefined>) {
  const { file, args: argv } = cliInvocation(args);
  const command = [file, ...argv].map((a) => `'${a.replace(/'/g, `'\\''`)}'`).join(' ');
  // A pty made by `script` has no size until told (0 columns would make ora redraw forever).
  return s.exec('script', ['-qec', `stty cols 100 rows 40; ${command}`, '/dev/null'], { env: { TERM: 'xterm-256color', ...env } });
}

/** SGR sequences that set a colour or a style (cursor moves and line clears are not colour). */
const COLOUR = /\x1b\[(?:\d+;)*\d*m/;

describe('colour in a terminal', () => {
  it.each([
    ['NO_COLOR=1', { NO_COLOR: '1' }, []],
    ['--no-color', { NO_COLOR: undefined }, ['--no-color']],
  ])('%s: the spinner and every mark are plain', async (_name, env, flags) => {
    sb = await perTest.create({ api: { nodes: 1 } });
    const r = await inTerminal(sb, ['apply', 'pvc', 'data', '--size', '1Gi', ...flags], env);
    expect(r.exitCode, r.stdout).toBe(0);
    expect(r.stdout).toContain('✔');
    expect(r.stdout).not.toMatch(COLOUR);
  });

  it('without either, the same run is coloured (so the test above can fail)', async () => {
    sb = await perTest.create({ api: { nodes: 1 } });
    const r = await inTerminal(sb, ['apply', 'pvc', 'data', '--size', '1Gi'], { NO_COLOR: undefined });
    expect(r.exitCode, r.stdout).toBe(0);
    expect(r.stdout).toMatch(COLOUR);
  });
});

describe('tables in a terminal', () => {
  it.each([60, 100, 200])('presets at %i columns fits the terminal; piped, the same table is full width', async (columns) => {
    sb = await perTest.create({});
    const { file, args } = cliInvocation(['presets']);
    const command = [file, ...args].map((a) => `'${a}'`).join(' ');
    const r = await sb.exec('script', ['-qec', `stty cols ${columns} rows 40; ${command}`, '/dev/null'], { env: { TERM: 'dumb' } });
    const lines = r.stdout.replace(/\r/g, '').trimEnd().split('\n');
    expect(Math.max(...lines.map((l) => l.length))).toBeLessThanOrEqual(columns);
    expect(lines.some((l) => l.startsWith('openebs-hostpath   '))).toBe(true);
    const piped = await sb.run(['presets']);
    expect(piped.stdout).toContain('MicroK8s hostpath-storage: a directory on one node; single-node clusters only');
    if (columns < 200) expect(r.stdout).toContain('…');
  });
});
