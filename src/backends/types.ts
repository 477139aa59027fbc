/**
 * The Backend seam: everything the rest of the code needs to know about one storage system
 * (hostpath, longhorn, nfs, ceph, openebs, ...), as one value per folder under src/backends/.
 *
 * A Backend is data plus pure functions. Its IO (reading the facts its planners need) sits
 * behind `load()`, which the install/uninstall commands import only when they run, so
 * `--help`, `presets` and `render` stay light. The registry (src/backends/index.ts) lists the
 * backends; install/uninstall subcommands, `status`, `doctor`, `presets`, `nodes check --for`
 * and completion are generated from it, so adding a backend is one folder and one registry line.
 */
import type { Command } from 'commander';
import type { Runtime, ValueHint } from '../cli-kit.js';
import type { ClusterSession } from '../cluster/session.js';
import type { KubeClient, ObjectRef } from '../cluster/kube.js';
import type { ClaimFacts } from '../cluster/claims.js';
import type { Context } from '../context.js';
import type { TableOptions } from '../output/print.js';
import type { Plan } from '../plan/types.js';
import type { AccessMode, KubeObject, StorageClassPreset } from '../presets/types.js';

export type Obj = KubeObject & { spec?: any; status?: any; [key: string]: any };

/**
 * A command-line option as data, so commander, `--help`, completion and docs are all
 * generated from one definition. `parse` names a shared parser from src/options/ (one
 * parser per option kind, the same for every command that has the option).
 */
export interface OptionSpec {
  /** Commander flag syntax: `--server <host>`, `--default-class`, `-f, --values <file>`. */
  readonly flags: string;
  readonly description: string;
  /** Values for completion and validation (`--on-delete delete|retain|archive`). */
  readonly choices?: readonly string[];
  /** Shown in help; applied by the parser, not by commander (so "not given" stays visible). */
  readonly defaultValue?: string;
  /** The flag may be given more than once; its values are collected into an array. */
  readonly repeatable?: boolean;
  /** A `--x` / `--no-x` pair: giving both is a usage error, giving neither leaves it unset. */
  readonly negatable?: boolean;
  /** With `negatable`: the help line of `--no-x` (default: "do not " + description). */
  readonly negatedDescription?: string;
  readonly hidden?: boolean;
  /** Heading the option is listed under in help ("Chart values:"). */
  readonly group?: string;
  /** What its value completes to, when `choices` (which commander also enforces) do not say it. */
  readonly complete?: ValueHint;
}

export interface CommandSpec {
  /** One line for `install --help` and the subcommand's own help. */
  readonly description: string;
  readonly options: readonly OptionSpec[];
  readonly examples: readonly string[];
  /** `-o` values the command supports (besides the plan formats of --dry-run). */
  readonly outputs?: readonly string[];
  /** Said in help before the examples (what the command touches, in what order). */
  readonly notes?: string;
}

/** What a backend can do with a volume: read by diagnose, verify, resize, migrate, snapshot. */
export interface BackendCapabilities {
  readonly accessModes: readonly AccessMode[];
  /** allowVolumeExpansion can work at all (hostpath: never). */
  readonly expand: boolean;
  /** Backend-native snapshots (Longhorn snapshots; CSI VolumeSnapshots where `csiSnapshots`). */
  readonly snapshot: boolean;
  readonly csiSnapshots: boolean;
  /** Restore from a backup or snapshot into a new claim. */
  readonly restore: boolean;
  /** Data survives the loss of one node (replicas or an external server). */
  readonly replicated: boolean;
  /** A volume's data is on one node's disk (hostpath, openebs-hostpath): pods cannot move. */
  readonly nodeBound: boolean;
}

/** A `nodes check --for <id>` target this backend contributes (the agent script knows the id). */
export interface NodeTargetSpec {
  readonly id: string;
  readonly description: string;
  /** How `doctor` names what needs it ("Longhorn", "NFS CSI"); default: the backend's title. */
  readonly title?: string;
  /**
   * Which target `doctor` checks when several backends are in use: the lowest first. A target
   * whose needs cover another's ranks before it (Longhorn's needs cover NFS's, which cover hostpath's).
   */
  readonly doctorOrder?: number;
}

/** A workload that proves the backend runs; the first one listed is the one it cannot do without. */
export interface WorkloadSpec {
  readonly ref: ObjectRef;
  /** Printed when it is missing or not ready: the command that shows why. */
  readonly hint?: string;
}

/**
 * What each backend's `collect` reads, by backend id. Empty here: a backend adds its entry by
 * module augmentation in its own folder (`declare module '../types.js' { interface BackendObjectsMap { longhorn: LonghornObjects } }`),
 * so typed code can read it while nothing outside the folder names the backend.
 */
// eslint-disable-next-line @typescript-eslint/no-empty-interface
export interface BackendObjectsMap {}

/** The `details` each backend's `analyze` adds to the status report, by backend id (augmented the same way). */
// eslint-disable-next-line @typescript-eslint/no-empty-interface
export interface BackendDetailsMap {}

/** The facts `status`, `doctor` and `diagnose` share, read once with a fixed number of requests. */
export interface ClusterFacts {
  server: string;
  version: string;
  nodes: { name: string; ready: boolean; microk8s: boolean }[];
  classes: Obj[];
  claims: Obj[];
  volumes: Obj[];
  /** Every backend's workloads that exist, keyed "Kind/namespace/name" (see workloadKey). */
  workloads: Map<string, Obj>;
  /** What each backend's own `collect` read (Longhorn volumes, Ceph clusters...), keyed by backend id. */
  extra: Record<string, unknown>;
}

export type FindingSeverity = 'error' | 'warning' | 'info';

/** One problem a backend sees, with the command that fixes it. `status` warns, `doctor` lists. */
export interface BackendFinding {
  severity: FindingSeverity;
  message: string;
  fix?: string;
}

/** A backend's line in `status`: what runs, which classes, whether new claims can be made. */
export interface BackendStatus {
  name: string;
  provisioner: string;
  installed: boolean;
  healthy: boolean;
  classes: string[];
  workloads: { ref: string; ready: string }[];
  problem?: string;
}

export interface BackendAnalysis {
  /** Absent when the backend is neither installed nor named by a class. */
  status?: BackendStatus;
  findings: BackendFinding[];
  /** A section of its own in the status report (e.g. `longhorn`), under the backend id. */
  details?: unknown;
}

/**
 * The part of a backend that does IO, loaded only when a command needs it. `I`/`U` are the
 * typed install/uninstall options, `IF`/`UF` the facts their planners read.
 */
export interface BackendRuntime<I = any, IF = any, U = any, UF = any> {
  /** Flags (commander's raw values) -> typed options; throws one UsageError with every problem. */
  parseInstall(raw: Record<string, unknown>): I;
  /** Reads what planInstall needs; checks that need facts (downgrade, node preflight) run here, before any change. */
  gatherInstall(ctx: Context, session: ClusterSession, opts: I): Promise<IF>;
  parseUninstall(raw: Record<string, unknown>): U;
  gatherUninstall(ctx: Context, session: ClusterSession, opts: U): Promise<UF>;
  /** Extra objects for analyze (read by status/doctor); undefined when the backend's API is absent. */
  collect?(session: ClusterSession): Promise<unknown>;

  // Optional steps of the generic install/uninstall command (src/commands/backend.ts), in the
  // order they run: parse -> gather -> plan -> (dry run | confirm -> execute -> report).
  /** A dry run's output when the plan alone does not say enough (Helm's values); default: the plan. */
  dryRunInstall?(ctx: Context, plan: Plan, facts: IF, opts: I): void;
  dryRunUninstall?(ctx: Context, plan: Plan, facts: UF, opts: U): void;
  /** After planning, before anything changes (never in dry runs): confirmations, a one-time password. */
  confirmInstall?(ctx: Context, plan: Plan, facts: IF, opts: I): Promise<void>;
  confirmUninstall?(ctx: Context, plan: Plan, facts: UF, opts: U): Promise<void>;
  /** Once the plan ran (the executor has checked every step): what to say on stderr. */
  reportInstall?(ctx: Context, session: ClusterSession, plan: Plan, facts: IF, opts: I): Promise<void>;
  reportUninstall?(ctx: Context, session: ClusterSession, plan: Plan, facts: UF, opts: U): Promise<void>;
  /** Turns a failure of the uninstall plan into the error an operator can act on. */
  explainUninstallFailure?(err: unknown, session: ClusterSession, facts: UF): Promise<unknown>;
  /** Removes what gathering made (Helm's temporary files), whatever happened. */
  release?(facts: IF | UF): Promise<void>;
  /**
   * `resize pvc`: where the extra space of one of its claims would go; undefined when the
   * backend's API is absent or it does not schedule space per node (resize then asks nothing).
   */
  resizeRoom?(kube: KubeClient, claim: ClaimFacts): Promise<ResizeRoom | undefined>;
}

/** Commands a backend adds besides install/uninstall (Longhorn: ui, snapshot, backup, schedule). */
export interface BackendCommands {
  /** The top-level command names it declares, so start-up can declare only the invoked one. */
  readonly topLevel: readonly string[];
  register(program: Command, rt: Runtime, parents: { install?: Command | undefined; uninstall?: Command | undefined; render?: Command | undefined }): void;
}

/**
 * One of a backend's provisioners that is a different engine (OpenEBS Mayastor beside LocalPV,
 * the in-cluster NFS server beside the CSI driver): its own id in `recommend`, and what it can
 * do differently from the backend's `capabilities`.
 */
export interface ProvisionerVariant {
  readonly id: string;
  readonly capabilities?: Partial<BackendCapabilities>;
}

/** A node's room on its best disk, in bytes, as the backend's scheduler counts it (for `resize`). */
export interface ResizeRoom {
  /** How many copies of the volume need the extra room, each on a node of its own. */
  replicas: number;
  nodes: { name: string; room: number }[];
}

/**
 * A VolumeSnapshotClass a backend provides for `snapshot create --csi` (src/snapshots/csi.ts
 * renders it, and applies it when missing). The first one listed for a provisioner is its default.
 */
export interface VolumeSnapshotClassSpec {
  readonly name: string;
  /** The CSI driver (the claim's provisioner) it snapshots. */
  readonly driver: string;
  readonly parameters?: Readonly<Record<string, string>>;
  /** What a snapshot of this class is, for help and messages ("a Longhorn backup on the backup target"). */
  readonly description: string;
}

export interface Backend<I = any, IF = any, U = any, UF = any> {
  /** The word after `install`/`uninstall` and in `nodes check --for`. */
  readonly id: string;
  readonly title: string;
  readonly provisioners: readonly string[];
  /** Provisioners (from `provisioners`) that differ from the rest, by provisioner name. */
  readonly variants?: Readonly<Record<string, ProvisionerVariant>>;
  /** StorageClass presets (templates/storageclass/<name>.yaml) this backend owns. */
  readonly presets: readonly string[];
  readonly capabilities: BackendCapabilities;
  readonly nodeTargets: readonly NodeTargetSpec[];
  readonly workloads: readonly WorkloadSpec[];
  /**
   * `install <id>` / `uninstall <id>`, with planInstall, planUninstall and load. Absent for a
   * backend known only by its presets and workloads (status and doctor report it; there is no
   * install subcommand yet).
   */
  readonly install?: CommandSpec;
  readonly uninstall?: CommandSpec;
  /** Pure: facts + typed options -> the plan. */
  planInstall?(facts: IF, opts: I): Plan;
  /** Pure; refuses (throws UsageError/ClusterError) while data would be lost without the flag that allows it. */
  planUninstall?(facts: UF, opts: U): Plan;
  /** Pure: this backend's status line and findings, from facts status/doctor read once. */
  analyze(facts: ClusterFacts): BackendAnalysis;
  load?(): Promise<BackendRuntime<I, IF, U, UF>>;

  /** The typed StorageClass presets named in `presets` (templates/storageclass/<name>.yaml). */
  readonly storageClassPresets?: readonly StorageClassPreset[];
  /** What `doctor` and `status` suggest installing when no backend is: one for each cluster size. */
  readonly recommendedFor?: 'single-node' | 'several-nodes';
  /** The table section of its `details` in `status` (e.g. LONGHORN); `table` says whether to print column headers. */
  statusSection?(details: unknown, table: TableOptions): string;
  /**
   * A class the backend re-renders from a ConfigMap (Longhorn's `longhorn` class from
   * `longhorn-storageclass`), undoing edits to the class itself: `default-class` changes the
   * default flag at that source too. The manifest is at data[key].
   */
  readonly classSource?: { readonly className: string; readonly configMap: ObjectRef; readonly key: string };
  /** CSI VolumeSnapshotClasses for its provisioners (when `capabilities.csiSnapshots`, or a variant's). */
  readonly volumeSnapshotClasses?: readonly VolumeSnapshotClassSpec[];
  /** Commands of its own (Longhorn's ui, snapshot, backup, schedule, render longhorn-values). */
  readonly commands?: BackendCommands;
  /**
   * Causes only this backend can name for one of its claims (`diagnose pvc|pod`): Longhorn's
   * degraded or faulted volumes and disk space. Pure; `objects` is what its runtime's
   * `collect` read (undefined when its API is absent).
   */
  diagnose?(input: BackendDiagnoseInput): BackendDiagnosis[];
}

/** One claim of a backend, as `diagnose` read it. */
export interface BackendDiagnoseInput {
  claim: Obj;
  volume?: Obj;
  storageClass?: Obj;
  objects?: unknown;
  /** Set when the question is about a pod that mounts the claim and failed (`diagnose pod`): the claim's own causes are asked without it. */
  pod?: BackendPodFailure;
}

/** A pod that mounts a backend's claim and failed, with the event text that says how. */
export interface BackendPodFailure {
  pod: Obj;
  /** The failure: `scheduling` (FailedScheduling, not yet on a node) or `mount` (FailedMount / FailedAttachVolume). */
  stage: 'scheduling' | 'mount';
  /** The event's message. */
  text: string;
  nodes: Obj[];
  /** The Deployment owning the pod, when there is one. */
  deployment?: Obj;
}

/** A cause with a stable id (`longhorn-degraded`) and the text it was read from. */
export interface BackendDiagnosis extends BackendFinding {
  cause: string;
  evidence?: string;
}
