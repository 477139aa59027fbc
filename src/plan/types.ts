/**
 * A Plan is what a mutating command will do, as data: planners build it from options and
 * observed cluster facts (pure functions), `--dry-run` prints it, the executor runs it.
 */
import type { ObjectRef } from '../cluster/kube.js';
import type { ToolCommand } from '../cluster/runner.js';
import type { KubeObject } from '../presets/types.js';

/** A cluster state the executor reads after a step, because exit codes prove little. */
export type Expectation =
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
  | { type: 'default-class'; name: string; isDefault: boolean };

export type Step =
  | {
      kind: 'run';
      title: string;
      command: ToolCommand;
      /** Exit codes that are not failures by themselves (the state check decides). */
      okExitCodes?: number[];
      /** Read afterwards; a step whose expectations hold succeeded whatever it exited with. */
      verify?: Expectation[];
      timeoutMs?: number;
    }
  | { kind: 'apply'; title: string; objects: KubeObject[]; forceConflicts?: boolean }
  | { kind: 'patch'; title: string; ref: ObjectRef; patch: Record<string, unknown> }
  | { kind: 'delete'; title: string; refs: ObjectRef[] }
  | { kind: 'wait'; title: string; until: Expectation; timeoutMs: number; /** printed when it times out */ hint?: string }
  | { kind: 'verify'; title: string; expect: Expectation[]; hint?: string };

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
