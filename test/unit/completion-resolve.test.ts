/** resolveCompletion on a small command tree of its own: how words are read, case by case. */
import { Command, Option } from 'commander';
import { describe, expect, it } from 'vitest';
import { CLAIMS, collect, completes, outputs } from '../../src/cli-kit.js';
import { formatCompletion, resolveCompletion } from '../../src/completion/resolve.js';

function program(): Command {
  const p = new Command('tool').option('-n, --namespace <ns>').option('--kubeconfig <file>').option('-o, --output <format>');
  completes(p, { '--kubeconfig': 'files' });
  const get = p.command('get').alias('g');
  outputs(completes(get.command('claim').argument('<pvc>').option('--label <l>', 'a label', collect).option('--once <x>').addOption(new Option('--secret <s>').hideHelp()), { pvc: CLAIMS, '--once': ['a', 'b'] }), 'yaml', 'json');
  get.command('files').argument('<file...>');
  completes(get.commands.at(-1)!, { file: ['x.txt', 'y.txt'] });
  p.command('hidden-one', { hidden: true });
  return p;
}

const values = (words: string[]) => resolveCompletion(program(), words).candidates.map((c) => c.value);

describe('resolveCompletion', () => {
  it.each([
    [[''], ['get', 'help']], // hidden commands are not offered
    [['help', ''], ['get']], // help COMMAND: command names only
    [['help', 'get', ''], ['claim', 'files']],
    [['help', 'get', 'claim', ''], []],
    [['g', ''], ['claim', 'files']], // an alias leads to the same command
    [['get', 'claim', 'x', '--'], ['--label', '--once', '--namespace', '--kubeconfig', '--output', '--help']], // own flags, then the parents'; hidden ones never
    [['get', 'claim', 'x', '-'], ['--label', '--once', '-n', '--kubeconfig', '-o', '--help']], // a short form where there is one
    [['get', 'claim', 'x', '--once', 'a', '--'], ['--label', '--namespace', '--kubeconfig', '--output', '--help']], // given, not repeatable: gone
    [['get', 'claim', 'x', '--label', 'a', '--l'], ['--label']], // repeatable: still offered
    [['get', 'claim', 'x', '--once', ''], ['a', 'b']],
    [['get', 'claim', 'x', '-o', ''], ['yaml', 'json']],
    [['get', 'files', 'a', 'b', ''], ['x.txt', 'y.txt']], // a variadic argument completes every position
    [['get', 'claim', 'x', '--', '--o'], []], // after --, words are arguments
    [['-o', 'get', ''], ['get', 'help']], // `get` was the value of -o, not the command: it is still to come
  ])('%j -> %j', (words, expected) => {
    expect(values(words)).toEqual(expected);
  });

  it('a cluster-name hint asks for names with the namespace and kubeconfig the words gave', () => {
    expect(resolveCompletion(program(), ['--kubeconfig', '/k', 'get', 'claim', '-n', 'shop', 'p'])).toMatchObject({
      candidates: [],
      cluster: { kind: 'PersistentVolumeClaim', listNamespace: 'shop', contextNamespace: false },
      global: { kubeconfig: '/k' },
      toComplete: 'p',
    });
    expect(resolveCompletion(program(), ['get', 'claim', '']).cluster).toMatchObject({ contextNamespace: true });
  });

  it('files: no candidates and directive 0 (the shell completes paths)', () => {
    expect(resolveCompletion(program(), ['--kubeconfig', ''])).toMatchObject({ candidates: [], directive: 0 });
  });

  it("prints cobra's format", () => {
    expect(formatCompletion([{ value: 'a', description: 'first\nmore' }, { value: 'b' }], 4, '--x=')).toBe('--x=a\tfirst\n--x=b\n:4\n');
  });
});
