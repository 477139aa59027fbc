/**
 * The error classes and their exit codes. Code throws these; only src/cli.ts turns them
 * into an exit code and a message on stderr.
 */

export const EXIT = {
  ok: 0,
  failure: 1,
  usage: 2,
  checksFailed: 3,
  interrupted: 130,
} as const;

export abstract class K8sStorageError extends Error {
  abstract readonly exitCode: number;
  /** The command (or short advice) that fixes the problem, printed after the message. */
  readonly hint?: string;
  constructor(message: string, options?: { hint?: string; cause?: unknown }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    if (options?.hint) this.hint = options.hint;
  }
}

/** Bad usage or invalid input (exit 2). `problems` holds every problem found, not just the first. */
export class UsageError extends K8sStorageError {
  // Spelled out: the bundle is minified, so class names would read "$" in stack traces.
  override readonly name = 'UsageError';
  readonly exitCode = EXIT.usage;
  readonly problems: string[];
  constructor(problems: string | string[], options?: { hint?: string }) {
    const list = Array.isArray(problems) ? problems : [problems];
    super(list.length === 1 ? list[0]! : `${list.length} problems:\n${list.map((p) => `  - ${p}`).join('\n')}`, options);
    this.problems = list;
  }
}

/**
 * Why a ClusterError happened, as data: code branches on this, never on the message text.
 * Set where the error is made (the Kubernetes, Helm and microk8s adapters).
 */
export type ClusterErrorReason =
  /** The object, kind, release or addon does not exist. */
  | 'not-found'
  /** Authenticated, but not allowed (RBAC 403, a microk8s that needs sudo or group membership). */
  | 'forbidden'
  /** The credentials were refused (401). */
  | 'unauthorized'
  /** Someone else changed it, or another operation is in progress (409, a Helm lock). */
  | 'conflict'
  /** A wait or a request ran out of time. */
  | 'timeout'
  /** The cluster or a tool cannot be reached or is not running (network, 503, microk8s stopped, no helm). */
  | 'unavailable'
  /** The cluster refused what we sent as invalid (400, 422). */
  | 'invalid'
  /** Anything else: a tool or the cluster failed in a way we do not classify. */
  | 'failed';

/** Something went wrong at run time: a tool failed, the cluster answered badly (exit 1). */
export class ClusterError extends K8sStorageError {
  override readonly name = 'ClusterError';
  readonly exitCode = EXIT.failure;
  readonly reason: ClusterErrorReason;
  constructor(message: string, options?: { hint?: string; cause?: unknown; reason?: ClusterErrorReason }) {
    super(message, options);
    this.reason = options?.reason ?? 'failed';
  }
}

/** Whether `err` is a ClusterError with one of these reasons. */
export function hasReason(err: unknown, ...reasons: ClusterErrorReason[]): err is ClusterError {
  return err instanceof ClusterError && reasons.includes(err.reason);
}

/** A check ran and found problems (exit 3). The report has already been printed. */
export class ChecksFailed extends K8sStorageError {
  override readonly name = 'ChecksFailed';
  readonly exitCode = EXIT.checksFailed;
}

/** The user pressed Ctrl-C (exit 130). `done` says what had been completed. */
export class Interrupted extends K8sStorageError {
  override readonly name = 'Interrupted';
  readonly exitCode = EXIT.interrupted;
}
