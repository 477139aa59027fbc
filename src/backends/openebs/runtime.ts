/** The IO of the OpenEBS backend: Helm, the facts the planners read, the Mayastor preflight, status collection. */
import { helmStatus } from '../../cluster/helm.js';
import { HelmWorkdir, prepareHelm } from '../../cluster/helm-workdir.js';
import type { KubeClient } from '../../cluster/kube.js';
import type { ClusterSession } from '../../cluster/session.js';
import { collectNodeReport } from '../../commands/nodes.js';
import type { Context } from '../../context.js';
import { formatData } from '../../output/print.js';
import { ChecksFailed } from '../../errors.js';
import { parseNodeRunOptions } from '../../nodes/options.js';
import type { BackendRuntime, Obj } from '../types.js';
import type { OpenebsCollected } from './analyze.js';
import { DISKPOOL_API, ENGINE_LABEL, OPENEBS_NAMESPACE, OPENEBS_RELEASE, ref } from './constants.js';
import { parseOpenebsInstall, parseOpenebsUninstall, type OpenebsInstallOptions, type OpenebsUninstallOptions } from './options.js';
import { OPENEBS_PROVISIONERS, type OpenebsInstallFacts, type OpenebsUninstallFacts } from './plan.js';

/** Pods in their init containers for over two minutes: the Calico checksum-offload symptom. */
const STUCK_MS = 120_000;

/** Each gathering's Helm workdir (a private kubeconfig may be in it), removed by `release`. */
const workdirs = new WeakMap<object, HelmWorkdir>();

async function helmFor(ctx: Context, kube: KubeClient, dryRun: boolean) {
  const workdir = new HelmWorkdir(dryRun);
  const helm = await prepareHelm({ ...(ctx.global.kubeconfig ? { kubeconfig: ctx.global.kubeconfig } : {}), ...(ctx.global.context ? { context: ctx.global.context } : {}) }, kube, workdir, ctx.signal);
  const release = await helmStatus(helm, OPENEBS_RELEASE, OPENEBS_NAMESPACE, { signal: ctx.signal });
  return { helm, workdir, ...(release ? { release } : {}) };
}

async function diskPools(kube: KubeClient): Promise<Obj[]> {
  if (!(await kube.serves(DISKPOOL_API, 'DiskPool'))) return [];
  return kube.list<Obj>(DISKPOOL_API, 'DiskPool', { namespace: OPENEBS_NAMESPACE });
}

async function preflight(ctx: Context, session: ClusterSession, nodes: string[]): Promise<void> {
  const report = await collectNodeReport(ctx, parseNodeRunOptions('check', { for: 'openebs-mayastor', ...(nodes.length ? { node: nodes } : {}) }), session);
  const lines = report.nodes.flatMap((n) => n.checks.filter((c) => c.status === 'error').map((c) => `${n.name}: ${c.message}${c.remedy ? ` (fix: ${c.remedy})` : ''}`));
  if (lines.length) {
    // The whole NodeCheckReport, as `nodes check --for openebs-mayastor -o json` prints it (schemas/node-check-report.schema.json).
    ctx.out(formatData(report, 'json'));
    throw new ChecksFailed(`preflight for Mayastor found problems:\n${lines.map((l) => `  - ${l}`).join('\n')}\nNothing was installed.`, {
      hint: 'k8s-storage nodes prepare --for openebs-mayastor sets HugePages and loads nvme_tcp (then restart the kubelet); CPU and kernel need you; or --skip-preflight',
    });
  }
}

export const openebsRuntime: BackendRuntime<OpenebsInstallOptions, OpenebsInstallFacts, OpenebsUninstallOptions, OpenebsUninstallFacts> = {
  parseInstall: parseOpenebsInstall,
  async gatherInstall(ctx, session, opts) {
    const kube = await session.kube();
    const [nodeObjs, snapshotCrd, felix, pods, pools, local] = await Promise.all([
      kube.list<Obj>('v1', 'Node'),
      kube.get(ref.snapshotCrd),
      kube.serves(ref.felix.apiVersion, 'FelixConfiguration').then((yes) => (yes ? kube.get<Obj>(ref.felix) : undefined)),
      kube.list<Obj>('v1', 'Pod', { namespace: OPENEBS_NAMESPACE }),
      diskPools(kube),
      session.microk8s().catch(() => undefined),
    ]);
    const { helm, release, workdir } = await helmFor(ctx, kube, opts.dryRun);
    const nodes = nodeObjs.map((n) => ({ name: n.metadata.name, labels: (n.metadata.labels ?? {}) as Record<string, string> }));
    const microk8s = opts.microk8s ?? (nodes.length ? nodes.some((n) => 'node.kubernetes.io/microk8s-controlplane' in n.labels || 'node.kubernetes.io/microk8s-worker' in n.labels) : local?.kind === 'running');
    if (opts.engine === 'mayastor' && !opts.skipPreflight && !opts.dryRun) await preflight(ctx, session, opts.disks.map((d) => d.node));
    const now = Date.now();
    const stuckInInit = pods
      .filter((p) => (p.status?.initContainerStatuses ?? []).some((c: any) => !c.state?.terminated) && now - Date.parse((p.metadata as { creationTimestamp?: string }).creationTimestamp ?? new Date(now).toISOString()) > STUCK_MS)
      .map((p) => p.metadata.name);
    const facts: OpenebsInstallFacts = {
      helm,
      ...(release ? { release } : {}),
      microk8s,
      nodes,
      snapshotCrdsExist: snapshotCrd !== undefined,
      ...(felix ? { felix } : {}),
      stuckInInit,
      diskPools: pools.map((p) => p.metadata.name),
    };
    workdirs.set(facts, workdir);
    return facts;
  },
  parseUninstall: parseOpenebsUninstall,
  async gatherUninstall(ctx, session, opts) {
    const kube = await session.kube();
    const [classes, claims, volumes, namespace, pools] = await Promise.all([
      kube.list<Obj>('storage.k8s.io/v1', 'StorageClass'),
      kube.list<Obj>('v1', 'PersistentVolumeClaim'),
      kube.list<Obj>('v1', 'PersistentVolume'),
      kube.get(ref.namespace),
      diskPools(kube),
    ]);
    const { helm, release, workdir } = await helmFor(ctx, kube, opts.dryRun);
    const ours = new Set(classes.filter((c) => OPENEBS_PROVISIONERS.includes(c.provisioner)).map((c) => c.metadata.name));
    const facts: OpenebsUninstallFacts = {
      helm,
      ...(release ? { release } : {}),
      namespaceExists: namespace !== undefined,
      classes: [...ours],
      claims: claims.filter((c) => ours.has(c.spec?.storageClassName)).map((c) => `${c.metadata.namespace}/${c.metadata.name}`),
      volumes: volumes.filter((v) => ours.has(v.spec?.storageClassName) || OPENEBS_PROVISIONERS.includes(v.spec?.csi?.driver)).map((v) => v.metadata.name),
      // Mayastor reports the space replicas take: a pool with used bytes is in use.
      diskPools: pools.map((p) => ({ name: p.metadata.name, inUse: Number(p.status?.used ?? 0) > 0 })),
    };
    workdirs.set(facts, workdir);
    return facts;
  },
  async release(facts) {
    await workdirs.get(facts)?.cleanup();
  },
  async reportInstall(ctx, _session, plan, _facts, opts) {
    ctx.log.success(`${plan.title}: ready, and class openebs-hostpath${opts.engine === 'mayastor' && opts.disks.length ? ' and openebs-single-replica' : ''} proven by a claim that bound.`);
  },
  async collect(session): Promise<OpenebsCollected> {
    const kube = await session.kube();
    // The node list status reads anyway, filtered here: one request fewer.
    const [all, pools] = await Promise.all([session.nodeObjects() as Promise<Obj[]>, diskPools(kube)]);
    const nodes = all.filter((n) => n.metadata.labels?.[ENGINE_LABEL.key] === ENGINE_LABEL.value);
    return { mayastorNodes: nodes.map((n) => ({ name: n.metadata.name, hugepages2Mi: String(n.status?.allocatable?.['hugepages-2Mi'] ?? '0') })), diskPools: pools };
  },
};
