/** `bench CLASS [--compare CLASS2]`: fio on a fresh claim of each class, with latency. */
import { API_VERSION } from '../documents.js';
import { ClusterSession } from '../cluster/session.js';
import { removeExpiredRuns } from '../cluster/pod-run.js';
import type { KubeClient } from '../cluster/kube.js';
import { outputFormat, type Context } from '../context.js';
import type { Obj } from '../backends/types.js';
import { BENCH_IMAGE, BENCH_PROFILES, BENCH_SELECTOR, buildBenchObjects, compareResults, expectedSeconds, fileSizeFor, fioJobText, type BenchProfile, type FioResult } from '../bench/fio.js';
import { sizeFitProblem } from '../bench/fit.js';
import { runBench } from '../bench/run.js';
import { backendForProvisioner } from '../day2/backends.js';
import { parseDuration } from '../options/index.js';
import { UsageError } from '../errors.js';
import { objectNameProblems } from '../manifests/names.js';
import { quantityToBytes, sizeProblems } from '../manifests/quantity.js';
import { LEFTOVER_GRACE_MS, newRunId } from '../nodes/daemonset.js';
import { formatBenchReport } from '../output/bench.js';
import { formatData } from '../output/print.js';
import { createProgress } from '../output/progress.js';
import { collectLonghorn } from '../backends/longhorn/status.js';
import { schedulableNodes } from './verify.js';

export interface BenchFlags {
  size?: string;
  profile?: string;
  runtime?: string;
  compare?: string;
  image?: string;
  timeout?: string;
}

export interface BenchRun {
  storageClass: string;
  size: string;
  profile: BenchProfile;
  fioJob: string;
  seconds: number;
  result: FioResult;
}

export async function bench(ctx: Context, className: string, flags: BenchFlags): Promise<void> {
  const format = outputFormat(ctx, ['table', 'json', 'yaml'] as const, 'table');
  const size = flags.size ?? '4Gi';
  const profile = (flags.profile ?? 'default') as BenchProfile;
  const problems = [...objectNameProblems('CLASS', className), ...(flags.compare ? objectNameProblems('--compare', flags.compare) : []), ...sizeProblems('--size', size)];
  if (!BENCH_PROFILES.includes(profile)) problems.push(`--profile ${flags.profile}: expected ${BENCH_PROFILES.join(', ')}`);
  let runtimeMs = 15_000;
  let timeoutMs = 600_000;
  for (const [flag, text, set] of [['--runtime', flags.runtime ?? '15s', (v: number) => (runtimeMs = v)], ['--timeout', flags.timeout ?? '10m', (v: number) => (timeoutMs = v)]] as const) {
    try {
      set(parseDuration(flag, text));
    } catch (err) {
      problems.push((err as UsageError).message);
    }
  }
  if (runtimeMs % 1000 !== 0) problems.push('--runtime: use whole seconds, for example 15s or 1m');
  if (problems.length) throw new UsageError(problems);
  const namespace = ctx.global.namespace ?? 'default';
  const sizeBytes = quantityToBytes(size)!;
  const runtimeSeconds = runtimeMs / 1000;

  const kube = await new ClusterSession(ctx).kube();
  const classes = [className, ...(flags.compare ? [flags.compare] : [])];
  const scs = await Promise.all(classes.map((c) => kube.get<Obj>({ apiVersion: 'storage.k8s.io/v1', kind: 'StorageClass', name: c })));
  const missing = classes.filter((_, i) => !scs[i]);
  if (missing.length) throw new UsageError(missing.map((c) => `StorageClass ${c} does not exist`), { hint: 'kubectl get storageclass' });
  // Refuse before making anything when a class cannot hold --size.
  const fit = (await Promise.all(scs.map((sc) => fitProblem(kube, sc!, sizeBytes)))).filter((p): p is string => p !== undefined);
  if (fit.length) throw new UsageError(fit.map((p) => `--size ${size}: ${p}`), { hint: 'give a smaller --size, for example --size 1Gi' });

  const removed = await removeExpiredRuns(kube, namespace, BENCH_SELECTOR, [{ apiVersion: 'batch/v1', kind: 'Job' }, { apiVersion: 'v1', kind: 'PersistentVolumeClaim' }, { apiVersion: 'v1', kind: 'ConfigMap' }], Date.now());
  if (removed.length) ctx.log.info(`removed leftovers of an earlier run: ${removed.join(', ')}`);

  const jobText = fioJobText(profile, runtimeSeconds, fileSizeFor(profile, sizeBytes));
  const expected = expectedSeconds(profile, runtimeSeconds);
  const progress = await createProgress(ctx.log);
  const runs: BenchRun[] = [];
  for (const sc of scs) {
    const name = sc!.metadata.name;
    const runId = newRunId(Date.now());
    const objects = buildBenchObjects({ runId, namespace, storageClass: name, size, image: flags.image ?? BENCH_IMAGE, jobText, deadlineSeconds: Math.ceil(timeoutMs / 1000), expiresAt: new Date(Date.now() + timeoutMs + LEFTOVER_GRACE_MS).toISOString() });
    progress.start(`fio on ${name} (${profile}, ${size}, about ${expected}s plus laying out files)`);
    try {
      const r = await runBench(kube, objects, { timeoutMs, signal: ctx.signal, expectedSeconds: expected }, {
        progress: (t) => progress.update(`fio on ${name}: ${t}`),
        cleanupStarted: () => ctx.log.debug(`deleting the fio Job, claim and ConfigMap of ${name}`),
      });
      progress.succeed(`fio on ${name} done in ${r.seconds}s`);
      if (r.cleanup.failed.length) ctx.log.warn(`could not delete ${r.cleanup.failed.join('; ')}. Remove them with: kubectl -n ${namespace} delete job,pvc,configmap -l k8s-storage.io/run=${runId}`);
      runs.push({ storageClass: name, size, profile, fioJob: jobText, seconds: r.seconds, result: r.result });
    } catch (err) {
      progress.fail(`fio on ${name}: ${(err as Error).message}`);
      throw err;
    }
  }
  const report = {
    apiVersion: API_VERSION,
    schemaVersion: 1,
    kind: 'BenchReport',
    runs,
    ...(runs.length === 2 ? { compare: { first: runs[0]!.storageClass, second: runs[1]!.storageClass, ratios: compareResults(runs[0]!.result, runs[1]!.result) } } : {}),
  };
  ctx.out(format === 'table' ? formatBenchReport(report, ctx.table) : formatData(report, format));
}

async function fitProblem(kube: KubeClient, sc: Obj, sizeBytes: number): Promise<string | undefined> {
  const backend = backendForProvisioner(sc.provisioner);
  if (backend?.id === 'longhorn') {
    const longhorn = await collectLonghorn(kube);
    return longhorn ? sizeFitProblem({ storageClass: sc, backend, sizeBytes, longhorn }) : undefined;
  }
  if (backend?.capabilities.nodeBound) {
    const nodes = schedulableNodes(await kube.list<Obj>('v1', 'Node'));
    const nodeFree = await Promise.all(
      nodes.map(async (node) => {
        const s = (await kube.nodeStatsSummary(node).catch(() => undefined)) as { node?: { fs?: { availableBytes?: number } } } | undefined;
        const availableBytes = s?.node?.fs?.availableBytes;
        return { node, ...(availableBytes !== undefined ? { availableBytes } : {}) };
      }),
    );
    return sizeFitProblem({ storageClass: sc, backend, sizeBytes, nodeFree });
  }
  return undefined;
}
