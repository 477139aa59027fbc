/**
 * The commander program: global flags, lazy dispatch to src/commands/, and the one place
 * that turns errors into messages and exit codes. Keep imports here light: `--help`,
 * `--version` and `render` must never load @kubernetes/client-node.
 */
import { Command, CommanderError, Option } from 'commander';
import { setMaxListeners } from 'node:events';
import { backendTopLevelCommands, BACKENDS, installable, presetsOf, uninstallable } from './backends/index.js';
import type { Backend, CommandSpec } from './backends/types.js';
import { addMetadataOptions, addOptionSpecs, addVolumeOptions, checkInvocation, CLASSES, collect, completes, CORE_COMMANDS, examples, group, keepUnsetNegatable, makeContext, NAMESPACES, negatableKeys, optsOf, outputs, type Runtime } from './cli-kit.js';
import { registerDay2Commands } from './cli-day2.js';
import { registerDataCommands } from './cli-data.js';
import { registerNodeCommands } from './cli-nodes.js';
import { registerVersionCommand } from './cli-version.js';
import { EXIT, K8sStorageError } from './errors.js';
import { RECLAIM_POLICIES } from './options/index.js';
import { Logger } from './output/log.js';
import { stderr, stdout } from './output/stdio.js';
import { allStorageClassPresetFlags } from './presets/storageclasses.js';
import { templateNames } from './presets/templates.js';
import { NEEDS } from './recommend/rules.js';

declare const __VERSION__: string;
const VERSION = typeof __VERSION__ === 'string' ? __VERSION__ : '0.0.0-dev';

/**
 * `kubectl microk8s-storage ...` runs us as kubectl-microk8s_storage (kubectl turns the
 * dashes of a plugin name into underscores), directly or through the release archive's
 * entry script, which names the plugin in K8S_STORAGE_KUBECTL_PLUGIN: help should say
 * what the user typed.
 */
function programName(argv: string[]): string {
  const invoked = (argv[1] ?? '').split('/').pop() ?? '';
  if (invoked.startsWith('kubectl-')) return `kubectl ${invoked.slice('kubectl-'.length).replace(/_/g, '-')}`;
  const plugin = process.env.K8S_STORAGE_KUBECTL_PLUGIN;
  return plugin ? `kubectl ${plugin}` : 'k8s-storage';
}

/** The first two words of argv that are not options or options' values: the command and its subcommand (`render`, `pvc`). */
function operands(program: Command, argv: readonly string[]): [command?: string, subcommand?: string] {
  const takesValue = new Set(program.options.filter((o) => o.required || o.optional).flatMap((o) => [o.long, o.short].filter((f): f is string => Boolean(f))));
  const found: string[] = [];
  for (let i = 2; i < argv.length && found.length < 2; i++) {
    const arg = argv[i]!;
    if (arg === '--') break;
    if (!arg.startsWith('-')) found.push(arg);
    else if (takesValue.has(arg)) i++;
  }
  return [found[0], found[1]];
}

/** The subcommands render and apply declare, with their aliases; backends add others to render. */
const RENDER_KINDS = { pvc: ['pvc'], storageclass: ['storageclass', 'sc'], app: ['app'] } as const;
type RenderKind = keyof typeof RENDER_KINDS;

/** The hidden command shells call on TAB (cobra's name, which kubectl's plugin completion expects). */
const COMPLETE = '__complete';
/** kubectl runs `kubectl_complete-<plugin>` to complete `kubectl <plugin> ...`: a link by that name completes. */
const KUBECTL_COMPLETE = 'kubectl_complete-';

/**
 * The words to complete when this run is a completion request (`__complete WORDS...`, or
 * run as kubectl_complete-microk8s_storage WORDS...), else undefined. It is answered before
 * commander parses: commander would take global flags such as `-n` out of the words.
 */
function completionWords(argv: readonly string[]): string[] | undefined {
  if (argv[2] === COMPLETE) return argv.slice(3);
  if ((argv[1] ?? '').split('/').pop()?.startsWith(KUBECTL_COMPLETE)) return argv.slice(2);
  return undefined;
}

/** Every top-level command (and alias): the core ones and those backends add. Only the invoked one is declared at start-up. */
export const TOP_LEVEL_COMMANDS: readonly string[] = [...CORE_COMMANDS, ...backendTopLevelCommands(BACKENDS)];

export function buildProgram(rt: Runtime, argv: string[] = process.argv): Command {
  const backends = (rt.backends ??= BACKENDS);
  const topLevel = [...CORE_COMMANDS, ...backendTopLevelCommands(backends)];
  const program = new Command(programName(argv))
    .description('Persistent storage for MicroK8s clusters: hostpath, Longhorn, StorageClass/PVC/app presets, node preflight.')
    .helpOption('-h, --help', 'show help for a command')
    .option('--kubeconfig <path>', 'kubeconfig file (default: $KUBECONFIG, ~/.kube/config, then `microk8s config`)')
    .option('--context <name>', 'kubeconfig context to use')
    .option('-n, --namespace <namespace>', 'namespace of namespaced objects')
    .option('-o, --output <format>', 'output format: yaml, json, table or name, as the command supports')
    .option('--no-color', 'no colours (also NO_COLOR=1)')
    .option('-q, --quiet', 'only errors and warnings on stderr')
    .option('-v, --verbose', 'more detail on stderr, and stack traces on errors')
    .showHelpAfterError('(run with --help for usage)')
    .showSuggestionAfterError(true)
    .exitOverride()
    .configureOutput({
      writeOut: (s) => (rt.streams?.out ?? stdout).write(s),
      writeErr: (s) => (rt.streams?.err ?? stderr).write(s),
      // Commander's defaults ask process.stdout and process.stderr, which builds them (see stdio.ts).
      // (80 columns when not a terminal, commander's own default).
      getOutHelpWidth: () => (rt.streams ? undefined : stdout.columns) ?? 80,
      getErrHelpWidth: () => (rt.streams ? undefined : stderr.columns) ?? 80,
      // Our help carries no colours, so there is none to keep.
      getOutHasColors: () => false,
      getErrHasColors: () => false,
      outputError: (s, write) => write(s.replace(/^error: /, 'error: ')),
    });

  // Commander gives every --version to the program, wherever it stands. Commands such as
  // `install longhorn --version 1.12.1` take a version of their own, so the program's
  // --version (the CLI's) exists only when no command is given.
  // Before any action: an -o the command does not print, or a flag with its negation, is a usage error.
  completes(program, { '--kubeconfig': 'files', '--context': 'contexts', '--namespace': NAMESPACES });
  program.hook('preAction', (_program, action) => checkInvocation(action, argv));

  const [command, subcommand] = operands(program, argv);
  if (command === undefined) program.version(VERSION, '--version', 'print the version');
  // Building every command costs about 10 ms at start-up: build only the one invoked, or
  // all of them for top-level help, completion, or a word we do not know (for suggestions).
  // `--version` alone needs none.
  const helpAsked = argv.includes('--help') || argv.includes('-h');
  const versionOnly = command === undefined && argv.includes('--version') && !helpAsked;
  rt.wants = (name) => !versionOnly && (command === undefined || command === name || command === 'completion' || command === COMPLETE || command === 'help' || !topLevel.includes(command));
  rt.listingOnly = command === undefined && helpAsked;

  program.addHelpText(
    'after',
    examples(
      'k8s-storage render pvc data --size 10Gi | kubectl apply -f -',
      'k8s-storage render storageclass longhorn --name longhorn-2replicas --replicas 2',
      'k8s-storage render app postgres --storage-class longhorn',
      'k8s-storage presets',
    ),
  );

  // ---- render: offline YAML for pipelines and git; apply: the same, to the cluster ----
  const render = group(program, rt, 'render', 'print Kubernetes YAML for a PVC, a StorageClass or an app kit (no cluster needed)');
  // `render pvc ...` declares only pvc (the StorageClass command alone has some 20 preset
  // options, ~2 ms); a group's help, or a word render does not know, declares all.
  const typedKind = (Object.keys(RENDER_KINDS) as RenderKind[]).find((k) => (RENDER_KINDS[k] as readonly string[]).includes(subcommand ?? ''));
  const wantsKind = (kind: RenderKind) => typedKind === undefined || typedKind === kind;
  const apply = group(program, rt, 'apply', 'apply a PVC, a StorageClass or an app kit to the cluster (server-side apply), then check it');

  const pvcCommand = (parent: Command) =>
    completes(addMetadataOptions(
      addVolumeOptions(parent.command('pvc').argument('<name>', 'claim name').description(`${parent.name()} a PersistentVolumeClaim`), 'requested size, a Kubernetes quantity such as 10Gi (required)')
        .option('--volume-mode <mode>', 'Filesystem (default) or Block'),
    ), { '--volume-mode': ['Filesystem', 'Block'] });

  const storageClassCommand = (parent: Command) => {
    const cmd = addMetadataOptions(
      parent
        .command('storageclass')
        .alias('sc')
        .argument('<preset>', `backend: ${templateNames('storageclass').join(', ')}`)
        .description(`${parent.name()} a StorageClass from a backend preset`)
        .option('--name <name>', "class name (default: the backend's usual class name)")
        .option('--default', 'make it the cluster default class (apply: and the only one)')
        .option('--reclaim-policy <policy>', 'Delete or Retain (Retain keeps the data when the claim is deleted)')
        .option('--binding-mode <mode>', 'Immediate or WaitForFirstConsumer')
        .option('--param <key=value>', 'extra provisioner parameter; repeatable', collect),
    );
    completes(cmd, { preset: () => templateNames('storageclass'), '--reclaim-policy': RECLAIM_POLICIES, '--binding-mode': ['Immediate', 'WaitForFirstConsumer'] });
    for (const flag of allStorageClassPresetFlags()) {
      const users = presetsOf(backends).filter((p) => p.flags.some((f) => f.key === flag.key)).map((p) => p.name);
      const option = new Option(flag.flags, `${flag.description}${flag.required ? ' (required)' : ''}${flag.defaultValue ? ` [default: ${flag.defaultValue}]` : ''}`);
      if (flag.choices) option.choices(flag.choices as string[]);
      option.helpGroup(`Preset options (${users.join(', ')}):`);
      cmd.addOption(option);
    }
    return cmd;
  };

  const appCommand = (parent: Command) =>
    completes(addMetadataOptions(
      addVolumeOptions(
        parent
          .command('app')
          .argument('<preset>', `app kit: ${templateNames('app').join(', ')}`)
          .description(`${parent.name()} an app starter kit: Secret, PVC, Deployment (or StatefulSet) and Service`)
          .option('--name <name>', 'app name used for every object (default: the kit name)'),
        "volume size (default: the kit's size)",
      )
        .option('--statefulset', 'a StatefulSet with volumeClaimTemplates instead of a Deployment and a PVC')
        .option('--existing-secret <name>', 'use this Secret for credentials instead of rendering one')
        .option('--password-stdin', 'read the password for the rendered Secret from stdin')
        .option('--image <ref>', "container image (default: the kit's tested image)")
        .option('--mount-path <path>', 'where the uploads kit keeps files [default: /app/uploads]'),
    ), { preset: () => templateNames('app') });

  /** Flags every apply subcommand shares. */
  const applyOptions = (cmd: Command) =>
    outputs(cmd, 'yaml', 'json', 'name')
      .addOption(new Option('--dry-run [mode]', 'print the plan and change nothing (or =client); =server: send the applies with dryRun=All, so the server validates and admits them, and store nothing').choices(['client', 'server']))
      .option('--field-manager <name>', 'the field manager that owns what is applied', 'k8s-storage')
      .option('--force-conflicts', 'take over fields that another tool manages (server-side apply --force)');

  if (render && wantsKind('pvc')) {
    outputs(pvcCommand(render), 'yaml', 'json', 'name')
      .addHelpText('after', examples('k8s-storage render pvc postgres-pvc --size 10Gi --storage-class longhorn', 'k8s-storage render pvc shared --size 20Gi --access-mode RWX --storage-class longhorn -n web', 'k8s-storage render pvc data --size 1Gi -o json'))
      .action(async (name: string, _o, cmd: Command) => {
        const { renderPvc } = await import('./commands/render.js');
        await renderPvc(makeContext(cmd, rt), name, optsOf(cmd));
      });
  }
  if (render && wantsKind('storageclass')) {
    outputs(storageClassCommand(render), 'yaml', 'json', 'name')
      .addHelpText('after', examples('k8s-storage render storageclass longhorn --name longhorn-2replicas --replicas 2', 'k8s-storage render storageclass hostpath --name hostpath-ssd --dir /mnt/ssd --reclaim-policy Retain', 'k8s-storage render storageclass nfs --server 192.168.1.100 --share /exports/k8s'))
      .action(async (preset: string, _o, cmd: Command) => {
        const { renderStorageClass } = await import('./commands/render.js');
        await renderStorageClass(makeContext(cmd, rt), preset, optsOf(cmd));
      });
  }
  if (render && wantsKind('app')) {
    outputs(appCommand(render), 'yaml', 'json', 'name')
      .addHelpText('after', examples('k8s-storage render app postgres --storage-class longhorn --size 20Gi', 'k8s-storage render app redis --statefulset -n cache', 'k8s-storage render app uploads --image ghcr.io/me/web:1.2 --access-mode RWX --storage-class longhorn'))
      .action(async (preset: string, _o, cmd: Command) => {
        const { renderApp } = await import('./commands/render.js');
        await renderApp(makeContext(cmd, rt), preset, optsOf(cmd));
      });
  }

  const waitOptions = (cmd: Command) => cmd.option('--wait', 'wait until the claims are Bound').option('--timeout <duration>', 'how long --wait waits', '2m');
  if (apply && wantsKind('pvc')) {
    waitOptions(applyOptions(pvcCommand(apply)))
      .addHelpText('after', examples('k8s-storage apply pvc data --size 10Gi --storage-class longhorn --wait', 'k8s-storage apply pvc cache --size 1Gi -n web --dry-run'))
      .action(async (name: string, _o, cmd: Command) => {
        const { applyPvc } = await import('./commands/apply.js');
        await applyPvc(makeContext(cmd, rt), name, optsOf(cmd));
      });
  }
  if (apply && wantsKind('storageclass')) {
    applyOptions(storageClassCommand(apply))
      .addHelpText('after', examples('k8s-storage apply storageclass longhorn --name longhorn-2replicas --replicas 2', 'k8s-storage apply storageclass hostpath --name hostpath-ssd --dir /mnt/ssd --default'))
      .action(async (preset: string, _o, cmd: Command) => {
        const { applyStorageClass } = await import('./commands/apply.js');
        await applyStorageClass(makeContext(cmd, rt), preset, optsOf(cmd));
      });
  }
  if (apply && wantsKind('app')) {
    waitOptions(applyOptions(appCommand(apply)))
      .addHelpText('after', examples('k8s-storage apply app postgres --storage-class longhorn -n shop --wait', 'k8s-storage apply app redis --statefulset --dry-run'))
      .action(async (preset: string, _o, cmd: Command) => {
        const { applyApp } = await import('./commands/apply.js');
        await applyApp(makeContext(cmd, rt), preset, optsOf(cmd));
      });
  }

  // ---- install / uninstall ----
  const install = group(program, rt, 'install', 'install a storage backend on the cluster');
  const uninstall = group(program, rt, 'uninstall', 'remove a storage backend (never its data unless asked)');

  // One subcommand per backend of the registry, declared from its CommandSpec.
  const declare = (parent: Command, b: Backend, spec: CommandSpec, run: 'install' | 'uninstall') => {
    const cmd = addOptionSpecs(parent.command(b.id).description(spec.description), spec.options);
    if (spec.outputs) outputs(cmd, ...spec.outputs);
    cmd.addHelpText('after', `${spec.notes ? `\n${spec.notes}\n` : ''}${examples(...spec.examples)}`).action(async (_o, c: Command) => {
      const { installBackend, uninstallBackend } = await import('./commands/backend.js');
      const raw = keepUnsetNegatable(c, optsOf(c), ...negatableKeys(spec.options));
      await (run === 'install' ? installBackend : uninstallBackend)(makeContext(c, rt), b, raw);
    });
  };
  if (install) for (const b of installable(backends)) declare(install, b, b.install!, 'install');
  if (uninstall) for (const b of uninstallable(backends)) declare(uninstall, b, b.uninstall!, 'uninstall');
  // Not a storage system (no classes, no volumes): CSI snapshot support, beside the backends (src/snapshots/).
  if (install) {
    install
      .command('snapshot-controller')
      .description('CSI snapshot support: the external-snapshotter CRDs and snapshot-controller (vendored, pinned), verified Established and available')
      .option('--timeout <duration>', 'how long each wait may take', '5m')
      .option('--dry-run', 'print the plan and change nothing')
      .addHelpText('after', examples('k8s-storage install snapshot-controller', 'k8s-storage install snapshot-controller --dry-run'))
      .action(async (_o, c: Command) => {
        const { installSnapshotController } = await import('./commands/snapshot-controller.js');
        await installSnapshotController(makeContext(c, rt), optsOf(c));
      });
  }
  if (uninstall) {
    uninstall
      .command('snapshot-controller')
      .description('remove snapshot-controller and the snapshot CRDs; refused while VolumeSnapshots exist unless --delete-snapshots')
      .option('--delete-snapshots', 'also delete the VolumeSnapshots that exist (they go with the CRDs; asks for confirmation)')
      .option('--yes', 'confirm --delete-snapshots without a prompt')
      .option('--timeout <duration>', 'how long each wait may take', '2m')
      .option('--dry-run', 'print the plan and change nothing')
      .addHelpText('after', examples('k8s-storage uninstall snapshot-controller', 'k8s-storage uninstall snapshot-controller --delete-snapshots --yes'))
      .action(async (_o, c: Command) => {
        const { uninstallSnapshotController } = await import('./commands/snapshot-controller.js');
        await uninstallSnapshotController(makeContext(c, rt), optsOf(c));
      });
  }

  if (rt.wants('status')) {
    outputs(program.command('status'), 'table', 'wide', 'json', 'yaml')
      .description('storage backends, classes (the default marked), claims and volumes, and what needs attention')
      .option('-A, --all-namespaces', 'claims and volumes of every namespace (the default without -n)')
      .addHelpText('after', examples('k8s-storage status', 'k8s-storage status -n shop', 'k8s-storage status -o json | jq .pendingClaims'))
      .action(async (_o, cmd: Command) => {
        const { status } = await import('./commands/status.js');
        await status(makeContext(cmd, rt), optsOf(cmd));
      });
  }

  if (rt.wants('default-class')) {
    completes(program.command('default-class'), { name: CLASSES })
      .argument('<name>', 'StorageClass to make the default')
      .description('make exactly one StorageClass the default')
      .option('--dry-run', 'print the plan and change nothing')
      .addHelpText('after', examples('k8s-storage default-class longhorn', 'k8s-storage default-class microk8s-hostpath --dry-run'))
      .action(async (name: string, _o, cmd: Command) => {
        const { defaultClass } = await import('./commands/default-class.js');
        await defaultClass(makeContext(cmd, rt), name, optsOf(cmd));
      });
  }

  if (rt.wants('presets')) {
    outputs(program.command('presets'), 'table', 'wide', 'json', 'yaml')
      .description('list StorageClass backends and app kits with their defaults and capabilities')
      .addHelpText('after', examples('k8s-storage presets', 'k8s-storage presets -o json'))
      .action(async (_o, cmd: Command) => {
        const { listPresets } = await import('./commands/presets.js');
        await listPresets(makeContext(cmd, rt));
      });
  }

  if (rt.wants('recommend')) {
    outputs(completes(program.command('recommend'), { '--need': NEEDS, '--arch': ['amd64', 'arm64'] }), 'table', 'json', 'yaml', 'name')
      .description("which storage system fits this cluster (the seed's comparison as rules), with reasons in its own numbers and the commands to run")
      .option('--need <need>', 'what the volumes need: rwx, object, ha or iops; repeatable', collect)
      .option('--nas <server:/export>', 'an NFS server that already exists (the recommended NFS command then uses it)')
      .option('--skip-nodes', 'read node capacity only, without running the node agent (raw disks then unknown)')
      .option('--nodes <n>', 'offline: describe a cluster of N nodes instead of reading one')
      .option('--memory-gib <n>', 'offline: free memory per node, in GiB (with --nodes)')
      .option('--disk-gib <n>', 'offline: free disk per node, in GiB (with --nodes)')
      .option('--raw-disks <n>', 'offline: raw disks (no partitions, no filesystem) per node (with --nodes)')
      .option('--arch <arch>', 'offline: CPU architecture of the nodes, amd64 or arm64 (with --nodes) [default: amd64]')
      .addHelpText('after', examples('k8s-storage recommend', 'k8s-storage recommend --need rwx --nas 192.168.1.100:/exports/k8s', 'k8s-storage recommend --nodes 3 --memory-gib 8 --disk-gib 100 --raw-disks 1 -o json'))
      .action(async (_o, cmd: Command) => {
        const { recommendCommand } = await import('./commands/recommend.js');
        await recommendCommand(makeContext(cmd, rt), optsOf(cmd));
      });
  }

  registerNodeCommands(program, rt);
  // A backend's render subcommands (`render longhorn-values`) are not wanted for `render pvc`.
  for (const b of backends) b.commands?.register(program, rt, { install, uninstall, render: typedKind ? undefined : render });
  registerVersionCommand(program, rt);
  registerDataCommands(program, rt);
  registerDay2Commands(program, rt);

  if (rt.wants('completion')) {
    completes(program.command('completion'), { shell: ['bash', 'zsh', 'fish'] })
      .argument('<shell>', 'bash, zsh or fish')
      .description('print a shell completion script')
      .addHelpText('after', examples('source <(k8s-storage completion bash)', 'k8s-storage completion zsh > "${fpath[1]}/_k8s-storage"', 'k8s-storage completion fish > ~/.config/fish/completions/k8s-storage.fish'))
      .action(async (shell: string, _o, cmd: Command) => {
        const { completion } = await import('./commands/completion.js');
        completion(makeContext(cmd, rt), shell);
      });
  }

  return program;
}

function report(err: unknown, log: Logger): number {
  if (err instanceof CommanderError) {
    // Help and --version end here too; commander has already printed what it had to say.
    if (err.code === 'commander.helpDisplayed' || err.code === 'commander.version' || err.code === 'commander.help') return EXIT.ok;
    return EXIT.usage;
  }
  if (err instanceof K8sStorageError) {
    log.error(err.message);
    if (err.hint) log.hint(err.hint);
    if (log.verbose && err.stack) log.write(err.stack);
    return err.exitCode;
  }
  const message = err instanceof Error ? err.message : String(err);
  log.error(`${message}${log.verbose ? '' : ' (run with --verbose for details)'}`);
  if (log.verbose && err instanceof Error && err.stack) log.write(err.stack);
  return EXIT.failure;
}

/**
 * Runs the CLI and returns the exit code; bin/k8s-storage.js exits with it. `backends` and
 * `streams` replace the registry and stdout/stderr (tests build the program from a registry of their own).
 */
export async function main(argv: string[] = process.argv, over: Pick<Runtime, 'backends' | 'streams'> = {}): Promise<number> {
  const rt: Runtime = { log: new Logger({ verbose: argv.includes('-v') || argv.includes('--verbose') }, over.streams?.err), controller: new AbortController(), wants: () => true, ...over };
  // Every request of the run listens to this one signal: status and usage send dozens at
  // once, and Node's default limit of 10 listeners would print a leak warning on stderr.
  setMaxListeners(0, rt.controller.signal);
  let interrupts = 0;
  const onSigint = () => {
    interrupts += 1;
    // A second Ctrl-C, or one while nothing listens for it, ends the process at once.
    if (interrupts > 1 || rt.controller.signal.aborted) process.exit(EXIT.interrupted);
    rt.controller.abort();
  };
  process.on('SIGINT', onSigint);
  // `k8s-storage ... | head`: the reader going away is not an error of ours; src/output/stdio.ts
  // ends the run with 0 then.
  try {
    const words = completionWords(argv);
    if (words) {
      const { complete } = await import('./commands/complete.js');
      await complete(buildProgram(rt, ['node', 'k8s-storage', COMPLETE]), words, (text) => void (rt.streams?.out ?? stdout).write(text), rt.controller.signal);
      return EXIT.ok;
    }
    await buildProgram(rt, argv).parseAsync(argv);
    return EXIT.ok;
  } catch (err) {
    return report(err, rt.log);
  } finally {
    process.off('SIGINT', onSigint);
  }
}

// For scripts/build.mjs and scripts/sea.mjs: the templates parsed at build time.
export { templateIndex } from './presets/registry.js';

/**
 * Ends the process with `code` once what was written has left it, so piped output is never
 * cut short (bin/k8s-storage.cjs and the single executable's entry call it after main).
 */
export function exitWhenWritten(code: number): void {
  // main() has stopped listening: a Ctrl-C while the last output drains ends the run as an
  // interrupted one (130), not by the signal's default action.
  process.on('SIGINT', () => process.exit(EXIT.interrupted));
  // A reader that went away (`| head`) is not an error of ours.
  if (stdout.streamMade) stdout.stream().on('error', () => process.exit(code));
  stdout.drained(() => stderr.drained(() => process.exit(code)));
}
