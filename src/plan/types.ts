/**
 * A Plan is what a mutating command will do, as data: planners build it from options and
 * observed cluster facts (pure functions), `--dry-run` prints it, the executor runs it.
 */
import type { HelmBinary } from '../cluster/helm.js';
import type { ObjectRef } from '../cluster/kube.js';
import type { ToolCommand } from '../cluster/runner.js';
import type { DataPodSpec } from '../data/pod.js';
import type { KubeObject } from '../presets/types.js';
import type { ChartSpec } from './helm-release.js';

/** A cluster object's state the executor reads after a step, because exit codes prove little. */
export type ObjectExpectation =
  | {
      type: 'exists';
      ref: ObjectRef;
      fields?: Record<string, unknown>;
      /**
       * Final states that will not change by themselves (a Longhorn backup in Error): they end
       * a wait early, as if the expectation held. Only for waits followed by a verify step
       * without stopIf, which then reports the failure.
       */
      stopIf?: Record<string, unknown>[];
      /** Dotted path of a field that says why `fields` do not match (e.g. `status.error`), quoted in the failure. */
      explain?: string;
    }
  | { type: 'absent'; ref: ObjectRef }
  /** Deployment, DaemonSet or StatefulSet rolled out with every replica ready. */
  | { type: 'ready'; ref: ObjectRef }
  | { type: 'pvc-bound'; ref: ObjectRef }
  /** status.capacity reached `size`; also ends (for the command to report) at FileSystemResizePending or a resize error. */
  | { type: 'pvc-resized'; ref: ObjectRef; size: string }
  /** A Deployment/StatefulSet scaled to 0 whose pods are gone (status.replicas is 0 or absent). */
  | { type: 'scaled-to-zero'; ref: ObjectRef }
  /** A CustomResourceDefinition whose Established condition is True (its kinds are served). */
  | { type: 'crd-established'; ref: ObjectRef }
  | { type: 'default-class'; name: string; isDefault: boolean };

/** What the executor reads after a step: an object's state, or a Helm release's. */
export type Expectation =
  | ObjectExpectation
  /**
   * A Helm release, read with `helm status -o json` after the step's command: `deployed` past
   * `revisionAbove` (at `chartVersion` when given), or `absent`. Helm exits 0 with a failed
   * release and 1 after a rollback, so the release decides, with the exit code as a second
   * witness (see src/plan/helm-release.ts).
   */
  | { type: 'helm-release'; helm: HelmBinary; chart: ChartSpec; state: 'deployed' | 'absent'; revisionAbove?: number; chartVersion?: string };

export type Step =
  | {
      kind: 'run';
      title: string;
      command: ToolCommand;
      /** A Helm command: its failures are explained in Helm's terms. */
      helm?: HelmBinary;
      /** Exit codes that are not failures by themselves (the state check decides). */
      okExitCodes?: number[];
      /** Read afterwards; a step whose expectations hold succeeded whatever it exited with. */
      verify?: Expectation[];
      timeoutMs?: number;
    }
  /** `report`: these are what the user asked for, and `apply -o` prints the server's answers. */
  | { kind: 'apply'; title: string; objects: KubeObject[]; forceConflicts?: boolean; report?: boolean }
  | { kind: 'patch'; title: string; ref: ObjectRef; patch: Record<string, unknown> }
  | { kind: 'delete'; title: string; refs: ObjectRef[] }
  | {
      kind: 'wait';
      title: string;
      until: ObjectExpectation;
      timeoutMs: number;
      /** printed when it times out */
      hint?: string;
      /** When it times out, quote the newest Warning event of `ref` and the fixes whose `match` the event contains. */
      explainWithEvents?: EventExplanation;
    }
  | { kind: 'verify'; title: string; expect: ObjectExpectation[]; hint?: string }
  /** A short-lived pod with claims mounted; commands run in it through exec; always deleted (src/plan/pod-step.ts). */
  | { kind: 'pod'; title: string; pod: DataPodSpec; runs: PodRun[]; timeoutMs: number; /** two `capture` keys whose manifests must be equal */ compare?: [string, string] }
  /**
   * A request to a Service's own HTTP API through the API server's service proxy, for actions
   * no object expresses (longhorn-manager's snapshotRevert). A wait step after it checks the outcome.
   */
  | { kind: 'service-call'; title: string; service: { namespace: string; name: string; port: string | number }; method: 'POST'; path: string; query?: Record<string, string>; body?: unknown }
  /** A command in a pod that already runs (a database's), through exec. */
  | { kind: 'exec'; title: string; target: { namespace: string; pod: string; container: string }; run: PodRun };

/** One command in a pod step, with where its stdin comes from and its stdout goes. */
export interface PodRun {
  command: string[];
  /** A local file fed to stdin; the command must read exactly `bytes` of it. */
  stdin?: { file: string; bytes: number };
  /** `file`: written to FILE.partial, renamed when the command succeeded; `stdout`: our stdout. */
  stdout?: { file: string } | 'stdout';
  /** Sent first on stdin, as one line: a Secret's value, read when the step runs (never in the plan, never on argv). */
  stdinSecret?: { namespace: string; name: string; key: string };
  /** Keep the output (small: a manifest) in PlanResult.outputs under this key. */
  capture?: string;
  /** What it does, for messages: "archiving data". */
  what: string;
}

/** How a failed wait is explained from what the cluster recorded (a provisioner's ProvisioningFailed event). */
export interface EventExplanation {
  ref: ObjectRef;
  /** Likely fixes, picked by a piece of the event's text (`access denied`); the hint stands when none matches. */
  fixes: { match: string; fix: string }[];
}

export interface Plan {
  /** What the command sets out to do, e.g. "install hostpath storage". */
  title: string;
  steps: Step[];
  /** Said before anything runs (and in dry runs): e.g. hostpath on a multi-node cluster. */
  warnings: string[];
  /** Said when nothing needs doing, or to explain skipped work. */
  notes: string[];
}

export const emptyPlan = (title: string): Plan => ({ title, steps: [], warnings: [], notes: [] });
