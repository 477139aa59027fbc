/**
 * `backup data PVC` and `restore data PVC`: a gzip tar of a claim streamed through a
 * short-lived pod and the API (exec), on any backend; no node access, no scratch directory.
 */
import { createWriteStream, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { claimNamespace, readClaim, timeoutOf } from '../cluster/claims.js';
import { ClusterSession } from '../cluster/session.js';
import type { Context } from '../context.js';
import { UsageError } from '../errors.js';
import { inspectArchive } from '../data/archive.js';
import { planBackupData, planRestoreData } from '../data/plan.js';
import { DEFAULT_DATA_IMAGE } from '../data/pod.js';
import { confirmDestruction } from '../output/confirm.js';
import { runPlan } from './run-plan.js';

function podOptions(opts: Record<string, any>, problems: string[]) {
  const timeoutMs = timeoutOf(opts, '5m', problems);
  if (opts.image !== undefined && !/^[^\s]+$/.test(opts.image)) problems.push(`--image: "${opts.image}" is not an image reference`);
  return { image: (opts.image as string | undefined) ?? DEFAULT_DATA_IMAGE, timeoutMs };
}

export async function backupData(ctx: Context, pvc: string, opts: Record<string, any>): Promise<void> {
  const problems: string[] = [];
  const pod = podOptions(opts, problems);
  // -o names the archive here (stdout when absent or "-").
  const file = ctx.global.output && ctx.global.output !== '-' ? resolve(ctx.global.output) : undefined;
  if (!file && ctx.stdoutIsTTY && !opts.dryRun) problems.push('stdout is a terminal: give the archive a file with -o FILE.tar.gz, or redirect stdout (> FILE)');
  if (problems.length) throw new UsageError(problems);
  const session = new ClusterSession(ctx);
  const kube = await session.kube();
  const claim = await readClaim(kube, claimNamespace(ctx, kube), pvc);
  const plan = planBackupData(claim, { ...pod, output: file ? { file } : 'stdout' });
  // -o is the archive's name here, not a plan format.
  const result = await runPlan({ ...ctx, global: { ...ctx.global, output: undefined } } as Context, session, plan, opts);
  const out = result?.outputs[file ?? 'stdout'];
  if (out) ctx.log.success(`backed up ${claim.namespace}/${claim.name} to ${file ?? 'stdout'}: ${out.bytes} bytes, sha256 ${out.sha256}`);
}

export async function restoreData(ctx: Context, pvc: string, opts: Record<string, any>): Promise<void> {
  const problems: string[] = [];
  const pod = podOptions(opts, problems);
  if (!opts.file && ctx.stdinIsTTY) problems.push('no archive: give it with -f FILE.tar.gz or on stdin (< FILE)');
  if (problems.length) throw new UsageError(problems);
  // The archive is checked whole before anything is written: stdin is kept in a private file first.
  const tmp = opts.file ? undefined : mkdtempSync(join(tmpdir(), 'k8s-storage-restore-'));
  try {
    const file = opts.file ? resolve(opts.file) : join(tmp!, 'archive.tar.gz');
    if (tmp) await pipeline(process.stdin, createWriteStream(file, { mode: 0o600 }));
    const report = await inspectArchive(file).catch((err: NodeJS.ErrnoException) => {
      throw new UsageError(`-f ${opts.file}: ${err.code === 'ENOENT' ? 'no such file' : err.message}`);
    });
    const session = new ClusterSession(ctx);
    const kube = await session.kube();
    const claim = await readClaim(kube, claimNamespace(ctx, kube), pvc);
    const plan = planRestoreData(claim, { file, report }, { ...pod, force: opts.force === true, clean: opts.clean === true });
    if (opts.clean && !opts.dryRun) await confirmDestruction(ctx, `--clean deletes every file in ${claim.namespace}/${claim.name} before the restore`, { yes: opts.yes, flag: 'restore data --clean' });
    const result = await runPlan(ctx, session, plan, opts);
    if (result) ctx.log.success(`restored ${report.files} files (${report.contentBytes} bytes) into ${claim.namespace}/${claim.name} from an archive of ${report.bytes} bytes, sha256 ${report.sha256}`);
  } finally {
    if (tmp) rmSync(tmp, { recursive: true, force: true });
  }
}
