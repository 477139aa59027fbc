/**
 * Planners for `backup data` and `restore data`: pure functions from the claim's facts
 * (src/cluster/claims.ts) and typed options to a Plan whose one step is a data pod.
 */
import type { ClaimFacts } from '../cluster/claims.js';
import { ClusterError, UsageError } from '../errors.js';
import type { Plan } from '../plan/types.js';
import type { ArchiveReport } from './archive.js';
import { archiveCommand, emptyCommand, extractCommand, type DataPodSpec } from './pod.js';

export interface DataPodOptions {
  image: string;
  /** How long the pod may take to start, and (times 6, at least an hour) to live. */
  timeoutMs: number;
}

const ref = (c: ClaimFacts) => `${c.namespace}/${c.name}`;

/** Only a Bound claim has data; say why otherwise. */
function requireBound(c: ClaimFacts): void {
  const phase = c.pvc.status?.phase ?? 'Pending';
  if (phase !== 'Bound') {
    throw new ClusterError(`PersistentVolumeClaim ${ref(c)} is ${phase}, not Bound: it has no volume to read or write yet.`, {
      hint: `k8s-storage status says why claims are Pending (or kubectl -n ${c.namespace} describe pvc ${c.name})`,
    });
  }
}

/**
 * Where the pod must run: where the claim is already mounted (a ReadWriteOnce volume is
 * attached to one node at a time), else the node a node-bound PV lives on, else anywhere.
 */
export function dataPodNode(c: ClaimFacts): string | undefined {
  return c.users.find((u) => u.node)?.node ?? c.node;
}

export function podLifetimeSeconds(timeoutMs: number): number {
  return Math.max(3600, Math.ceil((timeoutMs * 6) / 1000));
}

function podSpec(c: ClaimFacts, purpose: string, readOnly: boolean, opts: DataPodOptions): DataPodSpec {
  const node = dataPodNode(c);
  return { namespace: c.namespace, purpose, image: opts.image, claims: [{ claim: c.name, alias: 'data', ...(readOnly ? { readOnly: true } : {}) }], ...(node ? { node } : {}), lifetimeSeconds: podLifetimeSeconds(opts.timeoutMs) };
}

const usersText = (c: ClaimFacts) => c.users.map((u) => `${u.pod}${u.owner ? ` (${u.owner.kind} ${u.owner.name})` : ''}`).join(', ');

function refuseSingleWriter(c: ClaimFacts): void {
  if (c.accessModes.includes('ReadWriteOncePod') && c.users.length) {
    throw new ClusterError(`PersistentVolumeClaim ${ref(c)} is ReadWriteOncePod and mounted by ${usersText(c)}: no second pod can mount it.`, {
      hint: `scale the workload to 0 first (kubectl -n ${c.namespace} scale deployment NAME --replicas=0)`,
    });
  }
}

export function planBackupData(c: ClaimFacts, opts: DataPodOptions & { output: { file: string } | 'stdout' }): Plan {
  requireBound(c);
  refuseSingleWriter(c);
  const warnings = c.users.length
    ? [`PersistentVolumeClaim ${ref(c)} is in use by ${usersText(c)}: files written during the backup may be inconsistent in the archive. Scale the workload to 0 first for a consistent copy (databases: k8s-storage backup db).`]
    : [];
  return {
    title: `back up the data of PersistentVolumeClaim ${ref(c)}`,
    warnings,
    notes: [],
    steps: [
      {
        kind: 'pod',
        title: `Archive ${ref(c)} (gzip tar through the API)`,
        pod: podSpec(c, 'backup-data', true, opts),
        runs: [{ command: archiveCommand('data'), stdout: opts.output, what: 'archiving the claim' }],
        timeoutMs: opts.timeoutMs,
      },
    ],
  };
}

export function planRestoreData(c: ClaimFacts, archive: { file: string; report: ArchiveReport }, opts: DataPodOptions & { force: boolean; clean: boolean }): Plan {
  if (archive.report.problems.length) {
    throw new UsageError(archive.report.problems.map((p) => `the archive: ${p}`), { hint: 'nothing was written; give a file made by k8s-storage backup data (a gzip tar)' });
  }
  requireBound(c);
  if (c.users.length && !opts.force) {
    throw new UsageError(`PersistentVolumeClaim ${ref(c)} is in use by ${usersText(c)}: restoring under a running app corrupts what it has open.`, {
      hint: `scale the workload to 0 first (kubectl -n ${c.namespace} scale deployment NAME --replicas=0), or add --force`,
    });
  }
  refuseSingleWriter(c);
  const runs = [
    ...(opts.clean ? [{ command: emptyCommand('data'), what: 'emptying the claim' }] : []),
    { command: extractCommand('data', archive.report.bytes), stdin: { file: archive.file, bytes: archive.report.bytes }, what: 'extracting the archive' },
  ];
  return {
    title: `restore the data of PersistentVolumeClaim ${ref(c)}`,
    warnings: c.users.length ? [`--force: ${ref(c)} is in use by ${usersText(c)}; restart it after the restore.`] : [],
    notes: [`archive: ${archive.report.files} files, ${archive.report.contentBytes} bytes uncompressed, sha256 ${archive.report.sha256}`],
    steps: [{ kind: 'pod', title: `Restore ${ref(c)} from the archive`, pod: podSpec(c, 'restore-data', false, opts), runs, timeoutMs: opts.timeoutMs }],
  };
}
