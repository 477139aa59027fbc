/**
 * `completion bash|zsh|fish`: scripts generated from the commander tree itself, so they
 * know every command and flag that ships, and preset names for `render` arguments.
 */
import type { Command } from 'commander';
import type { Context } from '../context.js';
import { UsageError } from '../errors.js';
import { templateNames } from '../presets/templates.js';

interface Node {
  path: string[];
  subcommands: string[];
  options: string[];
  /** Values for the first positional argument (preset names), when known. */
  argValues: string[];
}

const ARG_VALUES: Record<string, () => string[]> = {
  'render storageclass': () => templateNames('storageclass'),
  'render app': () => templateNames('app'),
  completion: () => ['bash', 'zsh', 'fish'],
};

function walk(cmd: Command, path: string[], out: Node[], inherited: string[]): void {
  const own = cmd.options.flatMap((o) => [o.long, o.short].filter((x): x is string => Boolean(x)));
  const options = [...new Set([...inherited, ...own, '--help'])];
  const key = path.join(' ');
  out.push({ path, subcommands: cmd.commands.flatMap((c) => [c.name(), ...c.aliases()]), options, argValues: ARG_VALUES[key]?.() ?? [] });
  for (const sub of cmd.commands) walk(sub, [...path, sub.name()], out, path.length === 0 ? own : inherited);
}

function bash(nodes: Node[]): string {
  const cases = nodes
    .map((n) => `    "${n.path.join(' ')}") words="${[...n.subcommands, ...n.argValues, ...n.options].join(' ')}" ;;`)
    .join('\n');
  return `# bash completion for k8s-storage
_k8s_storage() {
  local cur path word words i
  cur="\${COMP_WORDS[COMP_CWORD]}"
  path=""
  for ((i = 1; i < COMP_CWORD; i++)); do
    word="\${COMP_WORDS[i]}"
    [[ "$word" == -* ]] && continue
    case "\${path:+$path }$word" in
${nodes.filter((n) => n.path.length).map((n) => `      "${n.path.join(' ')}") path="${n.path.join(' ')}" ;;`).join('\n')}
    esac
  done
  case "$path" in
${cases}
  esac
  COMPREPLY=($(compgen -W "$words" -- "$cur"))
}
complete -F _k8s_storage k8s-storage kubectl-storage
`;
}

function zsh(nodes: Node[]): string {
  return `#compdef k8s-storage kubectl-storage
# zsh completion for k8s-storage
${bash(nodes).replace('# bash completion for k8s-storage\n', '')}
autoload -U +X bashcompinit && bashcompinit
complete -F _k8s_storage k8s-storage kubectl-storage
`;
}

function fish(nodes: Node[]): string {
  const lines = ['# fish completion for k8s-storage', 'complete -c k8s-storage -f'];
  for (const n of nodes) {
    const cond = n.path.length === 0 ? '__fish_use_subcommand' : `__fish_seen_subcommand_from ${n.path[n.path.length - 1]}`;
    for (const sub of [...n.subcommands, ...n.argValues]) lines.push(`complete -c k8s-storage -n '${cond}' -a '${sub}'`);
    for (const opt of n.options.filter((o) => o.startsWith('--'))) lines.push(`complete -c k8s-storage -n '${cond}' -l '${opt.slice(2)}'`);
  }
  return `${lines.join('\n')}\n`;
}

export function completion(ctx: Context, program: Command, shell: string): void {
  const nodes: Node[] = [];
  walk(program, [], nodes, []);
  const generators: Record<string, (n: Node[]) => string> = { bash, zsh, fish };
  const generate = generators[shell];
  if (!generate) throw new UsageError(`completion: "${shell}" is not a supported shell; use bash, zsh or fish`);
  ctx.out(generate(nodes));
}
