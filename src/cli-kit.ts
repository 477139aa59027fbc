/**
 * What command definitions share: the context a command runs with, and option helpers.
 * cli.ts and the cli-<area>.ts files (which only declare commands) use it; keep it light.
 */
import { Option, type Command } from 'commander';
import type { Backend, OptionSpec } from './backends/types.js';
import type { Context, GlobalOptions } from './context.js';
import { UsageError } from './errors.js';
import { Logger } from './output/log.js';
import { stdout, type TextOut } from './output/stdio.js';
import { ACCESS_MODES } from './presets/types.js';

export interface Runtime {
  log: Logger;
  /** The backends this program knows: the registry (src/backends/index.ts), or a test's. */
  backends?: readonly Backend[];
  /** Where data and messages go: stdout and stderr (src/output/stdio.ts), or a test's streams. */
  streams?: { out: TextOut; err: TextOut };
  controller: AbortController;
  /** Whether to declare this top-level command in this run (see TOP_LEVEL_COMMANDS). */
  wants: (command: string) => boolean;
  /**
   * Only the top-level listing is printed (`k8s-storage --help`): groups are declared without
   * their subcommands, which the listing does not show (see group()).
   */
  listingOnly?: boolean;
}

/**
 * A top-level command that holds subcommands (`render`, `backup`...): declared when the run
 * wants it, and returned for the caller to declare the subcommands on, unless only the
 * top-level listing is printed (then undefined: declaring every subcommand of every group
 * costs `--help` about 8 ms, and the listing shows none of them).
 */
export function group(program: Command, rt: Runtime, name: string, description: string): Command | undefined {
  if (!rt.wants(name)) return undefined;
  const cmd = program.command(name).description(description);
  return rt.listingOnly ? undefined : cmd;
}

/** A group declared earlier (see group()), to add subcommands to; undefined when there is none to add to in this run. */
export function groupOf(program: Command, rt: Runtime, name: string): Command | undefined {
  return rt.wants(name) && !rt.listingOnly ? program.commands.find((c) => c.name() === name) : undefined;
}

/**
 * The top-level commands cli.ts itself declares; backends add theirs (cli.ts TOP_LEVEL_COMMANDS).
 * Only the invoked one is declared at start-up; a test checks the list against the full program.
 */
export const CORE_COMMANDS: readonly string[] = ['render', 'apply', 'install', 'uninstall', 'status', 'default-class', 'presets', 'completion', 'nodes', 'doctor', 'version', 'recommend', 'diagnose', 'usage', 'verify', 'bench', 'dashboards', 'restore', 'resize', 'migrate'];

export const collect = (value: string, previous: string[] = []): string[] => [...previous, value];

export function examples(...lines: string[]): string {
  return `\nExamples:\n${lines.map((l) => `  ${l}`).join('\n')}\n`;
}

export function makeContext(cmd: Command, rt: Runtime): Context {
  const global = cmd.optsWithGlobals() as GlobalOptions;
  const log = new Logger({ ...(global.quiet !== undefined ? { quiet: global.quiet } : {}), ...(global.verbose !== undefined ? { verbose: global.verbose } : {}), ...(global.color !== undefined ? { color: global.color } : {}) }, rt.streams?.err);
  rt.log = log;
  const ctx: Context = {
    global,
    log,
    out: (text) => void (rt.streams?.out ?? stdout).write(text),
    signal: rt.controller.signal,
    backends: rt.backends ?? [],
    // Read on first use: creating process.stdin costs every start-up ~2-3 ms (a stream, and
    // for a file or /dev/null fs's streams module), and most commands never read it.
    get stdinIsTTY() {
      return process.stdin.isTTY === true;
    },
    get stdoutIsTTY() {
      return (rt.streams?.out ?? stdout).isTTY === true;
    },
    get colorOut() {
      return log.color && this.stdoutIsTTY;
    },
    table: { noHeaders: cmd.getOptionValue('headers') === false },
    async readStdin() {
      const chunks: Buffer[] = [];
      for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
      return Buffer.concat(chunks).toString('utf8');
    },
  };
  return ctx;
}

/** Options of the command itself, with the global ones the user put after it. */
export function optsOf(cmd: Command): Record<string, any> {
  return cmd.optsWithGlobals();
}

/** Objects of the cluster whose names complete a value: `namespace: 'current'` is -n, or the context's namespace. */
export interface ClusterNames {
  readonly apiVersion: string;
  readonly kind: string;
  readonly namespace?: 'current' | (string & {});
  /**
   * Only the objects of the claim the argument `argument` names (when it is typed): those whose
   * `field` (a dotted path) is the claim's volume, its PV's CSI volume handle.
   */
  readonly ofClaim?: { readonly argument: string; readonly field: string };
}

/**
 * What a flag's value or an argument completes to (`__complete`, and through it the shell
 * scripts): fixed words (read when completing, not at start-up), names read from the
 * cluster, the kubeconfig's contexts, or local files.
 */
export type ValueHint = readonly string[] | (() => readonly string[]) | ClusterNames | 'contexts' | 'files';

export const CLAIMS: ClusterNames = { apiVersion: 'v1', kind: 'PersistentVolumeClaim', namespace: 'current' };
export const CLASSES: ClusterNames = { apiVersion: 'storage.k8s.io/v1', kind: 'StorageClass' };
export const NAMESPACES: ClusterNames = { apiVersion: 'v1', kind: 'Namespace' };

const HINTS = new WeakMap<Command, Readonly<Record<string, ValueHint>>>();

/** Declares what values complete, beside the options they belong to: keys are long flags (`--access-mode`) or argument names (`pvc`). */
export function completes<C extends Command>(cmd: C, hints: Readonly<Record<string, ValueHint>>): C {
  HINTS.set(cmd, { ...HINTS.get(cmd), ...hints });
  return cmd;
}

/** The hint declared for a flag or argument of this command, if any. */
export const hintOf = (cmd: Command, key: string): ValueHint | undefined => HINTS.get(cmd)?.[key];

export function addVolumeOptions(cmd: Command, sizeHelp: string): Command {
  completes(cmd, { '--access-mode': () => Object.keys(ACCESS_MODES), '--storage-class': CLASSES });
  return cmd
    .option('--size <quantity>', sizeHelp)
    .option('--access-mode <mode>', 'RWO, ROX, RWX or RWOP (or the long names); repeatable', collect)
    .option('--storage-class <name>', 'StorageClass of the claim (default: the cluster default class)');
}

export function addMetadataOptions(cmd: Command): Command {
  return cmd
    .option('--label <key=value>', 'add a label; repeatable', collect)
    .option('--annotation <key=value>', 'add an annotation; repeatable', collect);
}

/**
 * A `--no-x` flag makes commander default `x` to true. Keep "not given" distinct from
 * "given", so planners can decide (for example, default class only if none exists).
 */
export function keepUnsetNegatable(cmd: Command, opts: Record<string, any>, ...keys: string[]): Record<string, any> {
  for (const key of keys) if (cmd.getOptionValueSource(key) !== 'cli') delete opts[key];
  return opts;
}

/** What `-o` a command prints besides the plan formats of --dry-run (declared with `outputs`). */
const OUTPUTS = new WeakMap<Command, readonly string[]>();
/** `--dry-run` prints the plan as text, json or yaml (the nodes commands also as a table). */
export const DRY_RUN_OUTPUTS = ['text', 'json', 'yaml'] as const;

/** The -o formats a command prints (declared with `outputs`; completion and the tests read them); `*` means -o names a file. */
export const outputsOf = (cmd: Command): readonly string[] => OUTPUTS.get(cmd) ?? [];

/** The formats that print tables, whose header lines `--no-headers` leaves out. */
const TABLE_FORMATS = ['table', 'wide'];

/**
 * Declares the -o formats a command prints; any other is refused before it runs. A command
 * that prints a table also gets `--no-headers` (kubectl's), here so that no table goes without.
 */
export function outputs<C extends Command>(cmd: C, ...formats: string[]): C {
  OUTPUTS.set(cmd, formats);
  const tables = formats.filter((f) => TABLE_FORMATS.includes(f));
  if (tables.length) cmd.option('--no-headers', `leave out the column headers of the tables (${tables.map((f) => `-o ${f}`).join(', ')})`);
  return cmd;
}

const commandPath = (cmd: Command): string => {
  const names: string[] = [];
  for (let c: Command | null = cmd; c?.parent; c = c.parent) names.unshift(c.name());
  return names.join(' ');
};

/**
 * Checks what commander cannot, before the action runs (so before anything changes): an -o
 * the command does not print, and a flag given together with its negation
 * (`--default-class --no-default-class`), which commander resolves by keeping the last.
 */
export function checkInvocation(cmd: Command, argv: readonly string[]): void {
  const problems: string[] = [];
  const output = (cmd.optsWithGlobals() as { output?: string }).output;
  // '*': -o names a file (backup data, backup db), not a format.
  if (output !== undefined && !(OUTPUTS.get(cmd) ?? []).includes('*')) {
    // `--dry-run` and `--dry-run=client` print the plan; `--dry-run=server` prints what the command prints.
    const dryRun = cmd.getOptionValue('dryRun') === true || cmd.getOptionValue('dryRun') === 'client';
    const allowed = [...new Set([...(OUTPUTS.get(cmd) ?? []), ...(dryRun ? DRY_RUN_OUTPUTS : [])])];
    if (!allowed.includes(output.toLowerCase())) {
      problems.push(
        allowed.length
          ? `-o ${output}: this command prints ${allowed.join(', ')}`
          : `-o ${output}: ${commandPath(cmd)} prints nothing on stdout${cmd.options.some((o) => o.long === '--dry-run') ? ' (with --dry-run it prints the plan: -o text, json or yaml)' : ''}`,
      );
    }
  }
  // --no-headers with -o json|yaml|name: there is no header to leave out.
  const tables = (OUTPUTS.get(cmd) ?? []).filter((f) => TABLE_FORMATS.includes(f));
  if (tables.length && cmd.getOptionValue('headers') === false && output !== undefined && !tables.includes(output.toLowerCase())) {
    problems.push(`--no-headers: -o ${output} has no headers (it applies to ${tables.map((f) => `-o ${f}`).join(' and ')})`);
  }
  const given = (flag: string) => argv.some((a) => a === flag || a.startsWith(`${flag}=`));
  for (const opt of cmd.options) {
    if (!opt.negate || !opt.long) continue;
    const positive = `--${opt.long.slice('--no-'.length)}`;
    if (cmd.options.some((o) => o.long === positive) && given(positive) && given(opt.long)) problems.push(`${positive} and ${opt.long} contradict each other: give one of them`);
  }
  if (problems.length) throw new UsageError(problems);
}

/** Declares options given as data (a backend's CommandSpec): groups, choices, repeatable and --x/--no-x pairs. */
export function addOptionSpecs(cmd: Command, specs: readonly OptionSpec[]): Command {
  for (const o of specs) {
    const option = new Option(o.flags, o.description);
    if (o.choices) option.choices(o.choices as string[]);
    if (o.repeatable) option.argParser(collect);
    if (o.group) option.helpGroup(o.group);
    if (o.hidden) option.hideHelp();
    if (o.complete && option.long) completes(cmd, { [option.long]: o.complete });
    cmd.addOption(option);
    if (o.negatable) {
      const negated = new Option(o.flags.replace(/^--/, '--no-'), o.negatedDescription ?? `do not ${o.description}`);
      if (o.group) negated.helpGroup(o.group);
      cmd.addOption(negated);
    }
  }
  return cmd;
}

/** The option keys of the negatable specs, for keepUnsetNegatable. */
export const negatableKeys = (specs: readonly OptionSpec[]): string[] =>
  specs.filter((o) => o.negatable).map((o) => new Option(o.flags).attributeName());
