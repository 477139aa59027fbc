/** `backup db ENGINE WORKLOAD` and `restore db ENGINE WORKLOAD`: dumps through the database's own pod. */
import { createWriteStream, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { claimNamespace } from '../cluster/claims.js';
import type { KubeClient } from '../cluster/kube.js';
import { ClusterSession } from '../cluster/session.js';
import type { Context } from '../context.js';
import { ClusterError, UsageError } from '../errors.js';
import { dbTarget, dumpCommand, parseEngine, restoreCommand, type DbEngine, type SecretRef } from '../data/db.js';
import { confirmDestruction } from '../output/confirm.js';
import type { Plan } from '../plan/types.js';
import { runPlan } from './run-plan.js';

interface Located {
  engine: DbEngine;
  namespace: string;
  pod: string;
  container: string;
  password: SecretRef;
  user: string;
}

async function locate(kube: KubeClient, ctx: Context, engineText: string, workload: string, opts: Record<string, any>): Promise<Located> {
  const engine = parseEngine(engineText);
  const namespace = claimNamespace(ctx, kube);
  const owner =
    (await kube.get<any>({ apiVersion: 'apps/v1', kind: 'Deployment', name: workload, namespace })) ??
    (await kube.get<any>({ apiVersion: 'apps/v1', kind: 'StatefulSet', name: workload, namespace }));
  if (!owner) throw new UsageError(`no Deployment or StatefulSet "${workload}" in namespace ${namespace}.`, { hint: `kubectl -n ${namespace} get deployments,statefulsets` });
  const selector = Object.entries(owner.spec?.selector?.matchLabels ?? {}).map(([k, v]) => `${k}=${v}`).join(',');
  const pods = await kube.list<any>('v1', 'Pod', { namespace, ...(selector ? { labelSelector: selector } : {}) });
  const pod = pods.find((p) => p.status?.phase === 'Running' && !p.metadata.deletionTimestamp);
  if (!pod) throw new ClusterError(`${owner.kind} ${workload} in ${namespace} has no running pod to run the ${engine} tools in.`, { hint: `kubectl -n ${namespace} get pods -l ${selector}` });
  const target = dbTarget(engine, pod, opts.secret);
  let user: string;
  if (typeof target.user === 'string') user = target.user;
  else {
    const s = await kube.get<any>({ apiVersion: 'v1', kind: 'Secret', name: target.user.name, namespace });
    const raw = s?.data?.[target.user.key];
    if (raw === undefined) throw new ClusterError(`Secret ${target.user.name} in ${namespace} has no key "${target.user.key}" (the ${engine} user).`);
    user = Buffer.from(raw, 'base64').toString('utf8');
  }
  return { engine, namespace, pod: pod.metadata.name, container: target.container, password: target.password, user };
}

const database = (l: Located, opts: Record<string, any>) => (opts.database as string | undefined) ?? '';

export async function backupDb(ctx: Context, engineText: string, workload: string, opts: Record<string, any>): Promise<void> {
  const file = ctx.global.output && ctx.global.output !== '-' ? resolve(ctx.global.output) : undefined;
  if (!file && ctx.stdoutIsTTY && !opts.dryRun) throw new UsageError('stdout is a terminal: give the dump a file with -o FILE, or redirect stdout (> FILE)');
  const session = new ClusterSession(ctx);
  const kube = await session.kube();
  const l = await locate(kube, ctx, engineText, workload, opts);
  const plan: Plan = {
    title: `dump ${l.engine} from ${l.namespace}/${workload}`,
    warnings: [],
    notes: [],
    steps: [{ kind: 'exec', title: `Dump ${l.engine} in pod ${l.pod}`, target: { namespace: l.namespace, pod: l.pod, container: l.container }, run: { command: dumpCommand(l.engine, l.user, database(l, opts)), stdinSecret: l.password, stdout: file ? { file } : 'stdout', what: `running the ${l.engine} dump` } }],
  };
  const result = await runPlan({ ...ctx, global: { ...ctx.global, output: undefined } } as Context, session, plan, opts);
  const out = result?.outputs[file ?? 'stdout'];
  if (out) ctx.log.success(`dumped ${l.engine} from ${l.namespace}/${workload} to ${file ?? 'stdout'}: ${out.bytes} bytes, sha256 ${out.sha256}`);
}

export async function restoreDb(ctx: Context, engineText: string, workload: string, opts: Record<string, any>): Promise<void> {
  if (!opts.file && ctx.stdinIsTTY) throw new UsageError('no dump: give it with -f FILE or on stdin (< FILE)');
  const tmp = opts.file ? undefined : mkdtempSync(join(tmpdir(), 'k8s-storage-restore-db-'));
  try {
    const file = opts.file ? resolve(opts.file) : join(tmp!, 'dump');
    if (tmp) await pipeline(process.stdin, createWriteStream(file, { mode: 0o600 }));
    let bytes: number;
    try {
      bytes = statSync(file).size;
    } catch {
      throw new UsageError(`-f ${opts.file}: no such file`);
    }
    if (bytes === 0) throw new UsageError('the dump is empty: nothing to restore');
    const session = new ClusterSession(ctx);
    const kube = await session.kube();
    const l = await locate(kube, ctx, engineText, workload, opts);
    if (!opts.dryRun) await confirmDestruction(ctx, `restoring replaces the ${l.engine} data of ${l.namespace}/${workload} with the dump`, { yes: opts.yes, flag: 'restore db' });
    const plan: Plan = {
      title: `restore ${l.engine} into ${l.namespace}/${workload}`,
      warnings: [],
      notes: [],
      steps: [{ kind: 'exec', title: `Restore ${l.engine} in pod ${l.pod}`, target: { namespace: l.namespace, pod: l.pod, container: l.container }, run: { command: restoreCommand(l.engine, l.user, database(l, opts), bytes), stdinSecret: l.password, stdin: { file, bytes }, what: `feeding the dump to ${l.engine}` } }],
    };
    const result = await runPlan(ctx, session, plan, opts);
    if (result) ctx.log.success(`restored ${bytes} bytes of ${l.engine} dump into ${l.namespace}/${workload}`);
  } finally {
    if (tmp) rmSync(tmp, { recursive: true, force: true });
  }
}
