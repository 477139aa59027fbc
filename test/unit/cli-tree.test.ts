import { describe, expect, it } from 'vitest';
import { buildProgram, TOP_LEVEL_COMMANDS } from '../../src/cli.js';
import { Logger } from '../../src/output/log.js';

const runtime = () => ({ log: new Logger(), controller: new AbortController(), wants: () => true });

describe('the command tree', () => {
  it('TOP_LEVEL_COMMANDS lists every top-level command, so start-up can declare only the invoked one', () => {
    const program = buildProgram(runtime(), ['node', 'k8s-storage']);
    expect(program.commands.map((c) => c.name()).sort()).toEqual([...TOP_LEVEL_COMMANDS].sort());
  });

  it.each([
    [['render', 'pvc', 'x'], ['render']],
    [['-n', 'shop', 'apply', 'pvc', 'x'], ['apply']],
    [['--kubeconfig', 'status', 'status'], ['status']],
    [['snapshot', 'list'], ['snapshot']],
  ])('%j declares only %j', (args, expected) => {
    const rt = runtime();
    const program = buildProgram(rt, ['node', 'k8s-storage', ...args]);
    expect(program.commands.map((c) => c.name())).toEqual(expected);
  });

  it.each([[[]], [['--help']], [['completion', 'bash']], [['__complete', 'render', '']], [['rendr']]])('%j declares every top-level command (help, completion, suggestions)', (args) => {
    const program = buildProgram(runtime(), ['node', 'k8s-storage', ...args]);
    expect(program.commands).toHaveLength(TOP_LEVEL_COMMANDS.length);
  });

  it('top-level --help declares the groups without their subcommands, and prints the same help as the whole tree', () => {
    const subcommands = (p: ReturnType<typeof buildProgram>) => p.commands.reduce((n, c) => n + c.commands.length, 0);
    const whole = buildProgram(runtime(), ['node', 'k8s-storage']);
    const listing = buildProgram(runtime(), ['node', 'k8s-storage', '--help']);
    expect(subcommands(whole)).toBeGreaterThan(40);
    expect(subcommands(listing)).toBe(0);
    expect(listing.helpInformation()).toBe(whole.helpInformation());
    expect(listing.helpInformation()).toContain('snapshot ');
  });

  it.each([
    [['render', 'pvc', 'x'], ['pvc']],
    [['render', 'sc', 'longhorn'], ['storageclass']],
    [['-n', 'shop', 'apply', 'app', 'postgres'], ['app']],
    [['render', '--help'], ['pvc', 'storageclass', 'app', 'longhorn-values']],
    [['render', 'longhorn-values'], ['pvc', 'storageclass', 'app', 'longhorn-values']],
    [['render', 'pcv'], ['pvc', 'storageclass', 'app', 'longhorn-values']],
  ])('%j declares, under its group, only %j', (args, expected) => {
    const program = buildProgram(runtime(), ['node', 'k8s-storage', ...args]);
    const group = program.commands.find((c) => c.name() === args.find((a) => !a.startsWith('-') && a !== 'shop'))!;
    expect(group.commands.map((c) => c.name()).sort()).toEqual([...expected].filter((n) => group.name() === 'render' || n !== 'longhorn-values').sort());
  });

  it('--version alone declares no command', () => {
    expect(buildProgram(runtime(), ['node', 'k8s-storage', '--version']).commands).toEqual([]);
    expect(buildProgram(runtime(), ['node', 'k8s-storage', '--version', '--help']).commands).toHaveLength(TOP_LEVEL_COMMANDS.length);
  });
});
