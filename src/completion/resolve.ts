/**
 * What `__complete` offers for the words typed so far, read off the commander tree: pure,
 * no cluster. A value that only the cluster knows comes back as a request for names
 * (`ClusterNames` plus the namespace and kubeconfig the words chose), which
 * src/completion/cluster-names.ts answers.
 *
 * The protocol is cobra's (kubectl and its plugins use it): one candidate per line,
 * `value<TAB>description` optionally, then a last line `:<directive>`.
 */
import type { Command, Option } from 'commander';
import { DRY_RUN_OUTPUTS, hintOf, outputsOf, type ClusterNames, type ValueHint } from '../cli-kit.js';

/** cobra's ShellCompDirective bits that we use. */
export const DIRECTIVE = { default: 0, noSpace: 2, noFileComp: 4 } as const;

export interface Candidate {
  value: string;
  description?: string;
}

export interface ClusterRequest extends ClusterNames {
  /** Where the names are read: a namespace, or every namespace (`undefined` for cluster-scoped kinds too). */
  readonly listNamespace?: string;
  /** -n was not given: the kubeconfig context's namespace applies. */
  readonly contextNamespace: boolean;
  /** With `ofClaim`: the claim the words named (in -n, else the context's namespace). */
  readonly claim?: { readonly name: string; readonly field: string; readonly namespace?: string };
}

export interface Completion {
  candidates: Candidate[];
  directive: number;
  /** Names to read from the cluster (each prefixed with `prefix` and filtered by `toComplete`). */
  cluster?: ClusterRequest;
  /** The contexts of the kubeconfig (--kubeconfig, $KUBECONFIG, ~/.kube/config) are the candidates. */
  contexts?: boolean;
  /** The global flags the words gave: where to read the cluster names. */
  global: { kubeconfig?: string; context?: string };
  toComplete: string;
  /** Put before every candidate (`--flag=` when completing `--flag=va`). */
  prefix: string;
}

/** commander's implicit `help [command]` (offered at the top level, as cobra does). */
const HELP = 'help';

const takesValue = (o: Option) => o.required || o.optional;
const isRepeatable = (o: Option) => o.variadic || o.parseArg !== undefined;

/** The command and its ancestors, nearest first: an option is looked up in that order. */
function lineage(cmd: Command): Command[] {
  const out: Command[] = [];
  for (let c: Command | null = cmd; c; c = c.parent) out.push(c);
  return out;
}

function findOption(cmd: Command, flag: string): { option: Option; owner: Command } | undefined {
  for (const c of lineage(cmd)) {
    const option = c.options.find((o) => o.long === flag || o.short === flag);
    if (option) return { option, owner: c };
  }
  return undefined;
}

const visibleCommands = (cmd: Command) => cmd.commands.filter((c) => !(c as unknown as { _hidden?: boolean })._hidden);

/** Fixed words of a hint, or undefined when the hint is files or cluster names. */
function words(hint: ValueHint | undefined): readonly string[] | undefined {
  if (hint === undefined || hint === 'files' || hint === 'contexts') return undefined;
  if (typeof hint === 'function') return hint();
  if (Array.isArray(hint)) return hint;
  return undefined;
}

const isClusterNames = (hint: ValueHint | undefined): hint is ClusterNames => typeof hint === 'object' && hint !== null && !Array.isArray(hint);

/** What a flag's value completes to: the command's hint, the option's choices, or for -o the formats the command prints. */
function optionValueHint(cmd: Command, option: Option, owner: Command, given: ReadonlySet<string>): ValueHint | undefined {
  if (option.long === '--output') {
    const formats = outputsOf(cmd);
    if (formats.includes('*')) return 'files';
    const dryRun = given.has('--dry-run') && cmd.options.some((o) => o.long === '--dry-run');
    return [...new Set([...formats, ...(dryRun ? DRY_RUN_OUTPUTS : [])])];
  }
  const key = option.long ?? option.short ?? '';
  return hintOf(cmd, key) ?? hintOf(owner, key) ?? option.argChoices;
}

export function resolveCompletion(program: Command, args: readonly string[]): Completion {
  const typed = args.slice(0, -1);
  let toComplete = args.at(-1) ?? '';
  let cmd = program;
  const positionals: string[] = [];
  const given = new Set<string>();
  const values: Record<string, string> = {};
  let pending: { option: Option; owner: Command } | undefined;
  /** An option whose value is optional (`--dry-run [mode]`): the next word is its value only when it is one of its choices. */
  let optional: Option | undefined;
  let afterDashes = false;
  /** `help COMMAND...`: the words after `help` name a command, and only command names complete. */
  let helpFor = false;

  for (const word of typed) {
    const maybeValue = optional;
    optional = undefined;
    if (maybeValue?.argChoices?.includes(word)) {
      values[maybeValue.attributeName()] = word;
      continue;
    }
    // bash splits `--output=json` into `--output`, `=`, `json` (COMP_WORDBREAKS): the value follows the `=`.
    if (pending && word === '=') continue;
    if (pending) {
      values[pending.option.attributeName()] = word;
      pending = undefined;
      continue;
    }
    if (!afterDashes && word === '--') {
      afterDashes = true;
      continue;
    }
    if (!afterDashes && word.startsWith('-') && word !== '-') {
      const [flag, inline] = word.split(/=(.*)/s, 2) as [string, string | undefined];
      const found = findOption(cmd, flag);
      if (found) {
        given.add(found.option.long ?? flag);
        if (inline !== undefined) values[found.option.attributeName()] = inline;
        else if (found.option.required) pending = found;
        else if (found.option.optional) optional = found.option;
      }
      continue;
    }
    if (cmd === program && word === HELP && !helpFor && positionals.length === 0) {
      helpFor = true;
      continue;
    }
    const sub = positionals.length === 0 ? cmd.commands.find((c) => c.name() === word || c.aliases().includes(word)) : undefined;
    if (sub) cmd = sub;
    else positionals.push(word);
  }

  const global = { ...(values.kubeconfig ? { kubeconfig: values.kubeconfig } : {}), ...(values.context ? { context: values.context } : {}) };
  const result: Completion = { candidates: [], directive: DIRECTIVE.noFileComp, global, toComplete, prefix: '' };
  const fromHint = (hint: ValueHint | undefined): Completion => {
    if (hint === 'files') return { ...result, directive: DIRECTIVE.default };
    if (hint === 'contexts') return { ...result, contexts: true };
    if (isClusterNames(hint)) {
      const allNamespaces = given.has('--all-namespaces');
      const listNamespace = hint.namespace === 'current' ? (allNamespaces ? undefined : values.namespace) : hint.namespace;
      const claimAt = hint.ofClaim ? cmd.registeredArguments.findIndex((a) => a.name() === hint.ofClaim!.argument) : -1;
      const claim = claimAt >= 0 ? positionals[claimAt] : undefined;
      const cluster: ClusterRequest = {
        ...hint,
        ...(listNamespace !== undefined ? { listNamespace } : {}),
        contextNamespace: hint.namespace === 'current' && !allNamespaces && values.namespace === undefined,
        ...(claim !== undefined && hint.ofClaim ? { claim: { name: claim, field: hint.ofClaim.field, ...(values.namespace !== undefined ? { namespace: values.namespace } : {}) } } : {}),
      };
      return { ...result, cluster };
    }
    return { ...result, candidates: (words(hint) ?? []).map((value) => ({ value })) };
  };
  const filtered = (c: Completion): Completion => ({ ...c, candidates: c.candidates.filter((x) => x.value.startsWith(c.toComplete)) });

  // The value of a flag: `-o <TAB>`, or `--output=<TAB>` typed as one word.
  if (pending) return filtered(fromHint(optionValueHint(cmd, pending.option, pending.owner, given)));
  if (!afterDashes && toComplete.startsWith('-')) {
    const eq = toComplete.indexOf('=');
    if (eq > 0) {
      const found = findOption(cmd, toComplete.slice(0, eq));
      if (!found || !takesValue(found.option)) return result;
      const prefix = toComplete.slice(0, eq + 1);
      toComplete = toComplete.slice(eq + 1);
      return filtered({ ...fromHint(optionValueHint(cmd, found.option, found.owner, given)), toComplete, prefix });
    }
    const flags: Candidate[] = [];
    const seen = new Set<string>();
    for (const c of lineage(cmd)) {
      for (const o of c.options) {
        const flag = toComplete.startsWith('--') || !o.short ? o.long : o.short;
        if (!flag || o.hidden || seen.has(flag) || (given.has(o.long ?? '') && !isRepeatable(o))) continue;
        seen.add(flag);
        flags.push({ value: flag, description: o.description });
      }
    }
    if (!seen.has('--help')) flags.push({ value: '--help', description: 'show help for a command' });
    return filtered({ ...result, candidates: flags });
  }

  // A subcommand, or the next argument of the command.
  const subcommands = positionals.length === 0 ? visibleCommands(cmd).map((c) => ({ value: c.name(), description: c.description() })) : [];
  if (helpFor) return filtered({ ...result, candidates: subcommands });
  if (cmd === program && positionals.length === 0) subcommands.push({ value: HELP, description: 'show help for a command' });
  const args_ = cmd.registeredArguments;
  const arg = args_[positionals.length] ?? (args_.at(-1)?.variadic ? args_.at(-1) : undefined);
  const argument = arg ? fromHint(hintOf(cmd, arg.name()) ?? arg.argChoices) : result;
  return filtered({ ...argument, candidates: [...subcommands, ...argument.candidates] });
}

/** cobra's output: one `value<TAB>description` per line, then `:<directive>`. */
export function formatCompletion(candidates: readonly Candidate[], directive: number, prefix = ''): string {
  const lines = candidates.map((c) => `${prefix}${c.value}${c.description ? `\t${c.description.split('\n')[0]}` : ''}`);
  return `${[...lines, `:${directive}`].join('\n')}\n`;
}
