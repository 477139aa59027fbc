/** The IO of the Ceph backend: what its planners read, the preflight, and what status/doctor collect. */
import { existsSync } from 'node:fs';
import type { KubeClient } from '../../cluster/kube.js';
import type { ClusterSession } from '../../cluster/session.js';
import { collectNodeReport } from '../../commands/nodes.js';
import type { Context } from '../../context.js';
import { formatData } from '../../output/print.js';
import { ChecksFailed } from '../../errors.js';
import { parseNodeRunOptions } from '../../nodes/options.js';
import type { BackendRuntime, Obj } from '../types.js';
import type { CephCollected } from './analyze.js';
import { confirmByName } from './confirm.js';
import { ADDON, CLUSTER_NAME, EXTERNAL_NAMESPACE, MICROCEPH_CONF, ref, ROOK_API, ROOK_NAMESPACE } from './constants.js';
import { parseCephInstall, parseCephUninstall, type CephInstallOptions, type CephUninstallOptions } from './options.js';
import { CEPH_PROVISIONERS, type CephInstallFacts, type CephUninstallFacts } from './plan.js';

/** Ceph v19 (squid) with Rook v1.18 (cluster-test.yaml of v1.18.7). */
const CEPH_IMAGE = 'quay.io/ceph/ceph:v19';

async function rookObjects(kube: KubeClient, kind: string, namespace?: string): Promise<Obj[]> {
  if (!(await kube.serves(ROOK_API, kind))) return [];
  return kube.list<Obj>(ROOK_API, kind, namespace ? { namespace } : {});
}

const tagOf = (image: string | undefined) => (image && image.includes(':') ? image.slice(image.lastIndexOf(':') + 1) : undefined);

async function common(session: ClusterSession) {
  const kube = await session.kube();
  const [m8s, operator, clusters, classes, nodes] = await Promise.all([
    session.requireMicrok8s(),
    kube.get<Obj>(ref.operator),
    rookObjects(kube, 'CephCluster'),
    kube.list<Obj>('storage.k8s.io/v1', 'StorageClass'),
    session.nodes(),
  ]);
  return {
    kube,
    addonEnabled: m8s.addons[ADDON]?.status === 'enabled',
    operator,
    externalCluster: clusters.find((c) => c.metadata.namespace === EXTERNAL_NAMESPACE),
    cluster: clusters.find((c) => c.metadata.namespace === ROOK_NAMESPACE && c.metadata.name === CLUSTER_NAME),
    classes,
    nodes: nodes.map((n) => n.name),
    root: process.getuid?.() === 0,
  };
}

/**
 * `nodes check --for ceph` before an in-cluster install: at least 3 nodes (1 with
 * --test-cluster), and on each a raw disk, the rbd module and the memory for its OSDs.
 */
async function preflight(ctx: Context, session: ClusterSession, opts: CephInstallOptions, nodeCount: number): Promise<void> {
  const report = await collectNodeReport(ctx, parseNodeRunOptions('check', { for: 'ceph' }), session);
  const lines: string[] = [];
  if (nodeCount < 3 && !opts.test) lines.push(`the cluster has ${nodeCount} node(s): Ceph needs 3 (3 monitors, OSDs on 3 nodes); a throw-away single-node cluster needs --test-cluster`);
  for (const n of report.nodes) {
    for (const c of n.checks.filter((x) => x.status === 'error')) lines.push(`${n.name}: ${c.message}${c.remedy ? ` (fix: ${c.remedy})` : ''}`);
  }
  for (const c of report.cluster.checks.filter((x) => x.status === 'error')) lines.push(c.message);
  if (lines.length) {
    // The whole NodeCheckReport, as `nodes check --for ceph -o json` prints it (schemas/node-check-report.schema.json).
    ctx.out(formatData(report, 'json'));
    throw new ChecksFailed(`preflight for an in-cluster Ceph found problems:\n${lines.map((l) => `  - ${l}`).join('\n')}\nNothing was installed.`, {
      hint: 'k8s-storage nodes prepare --for ceph fixes the rbd module and lvm2; raw disks and memory need you; or install anyway with --skip-preflight',
    });
  }
  const warnings = report.nodes.reduce((s, n) => s + n.summary.warning, 0);
  if (warnings) ctx.log.warn(`preflight: ${warnings} warning(s) for Ceph on the nodes; k8s-storage nodes check --for ceph shows them.`);
}

async function claimsAndVolumes(kube: KubeClient, classes: string[]) {
  const [claims, volumes] = await Promise.all([kube.list<Obj>('v1', 'PersistentVolumeClaim'), kube.list<Obj>('v1', 'PersistentVolume')]);
  const set = new Set(classes);
  return {
    claims: claims.filter((c) => set.has(c.spec?.storageClassName)).map((c) => `${c.metadata.namespace}/${c.metadata.name}`),
    volumes: volumes.filter((v) => set.has(v.spec?.storageClassName) || CEPH_PROVISIONERS.includes(v.spec?.csi?.driver)).map((v) => v.metadata.name),
  };
}

export const cephRuntime: BackendRuntime<CephInstallOptions, CephInstallFacts, CephUninstallOptions, CephUninstallFacts> = {
  parseInstall: parseCephInstall,
  async gatherInstall(ctx, session, opts) {
    const c = await common(session);
    if (opts.form === 'in-cluster' && !opts.skipPreflight && !opts.dryRun && !c.cluster) await preflight(ctx, session, opts, c.nodes.length);
    const image = c.operator?.spec?.template?.spec?.containers?.[0]?.image as string | undefined;
    const operatorVersion = tagOf(image);
    return {
      addonEnabled: c.addonEnabled,
      operatorExists: c.operator !== undefined,
      ...(operatorVersion ? { operatorVersion } : {}),
      ...(c.externalCluster ? { externalCluster: c.externalCluster } : {}),
      ...(c.cluster ? { cluster: c.cluster } : {}),
      classes: c.classes,
      nodes: c.nodes,
      microcephFound: existsSync(MICROCEPH_CONF),
      root: c.root,
      cephImage: CEPH_IMAGE,
    };
  },
  parseUninstall: parseCephUninstall,
  async gatherUninstall(ctx, session, opts) {
    const c = await common(session);
    const classes = c.classes.filter((x) => CEPH_PROVISIONERS.includes(x.provisioner)).map((x) => x.metadata.name);
    const [data, pools, filesystems, objectStores] = await Promise.all([
      claimsAndVolumes(c.kube, classes),
      rookObjects(c.kube, 'CephBlockPool', ROOK_NAMESPACE),
      rookObjects(c.kube, 'CephFilesystem', ROOK_NAMESPACE),
      rookObjects(c.kube, 'CephObjectStore', ROOK_NAMESPACE),
    ]);
    return {
      addonEnabled: c.addonEnabled,
      operatorExists: c.operator !== undefined,
      ...(c.externalCluster ? { externalCluster: c.externalCluster } : {}),
      ...(c.cluster ? { cluster: c.cluster } : {}),
      classes,
      ...data,
      pools: pools.map((p) => p.metadata.name),
      filesystems: filesystems.map((p) => p.metadata.name),
      objectStores: objectStores.map((p) => p.metadata.name),
      nodes: c.nodes,
      root: c.root,
    };
  },
  /** After the planner's refusals (claims left): the typed confirmation before Rook wipes the disks. */
  async confirmUninstall(ctx, _plan, facts, opts) {
    if (opts.form === 'in-cluster' && opts.destroyData && facts.cluster) {
      await confirmByName(ctx, { name: CLUSTER_NAME, what: `--destroy-data wipes /var/lib/rook and every OSD disk of CephCluster ${CLUSTER_NAME} on ${facts.nodes.join(', ')}`, confirmed: opts.confirmed });
    }
  },
  async reportInstall(ctx, _session, plan) {
    ctx.log.success(`Ceph is ready: ${plan.title}; class ceph-rbd proven by a claim that bound. Try: k8s-storage apply pvc data --size 1Gi --storage-class ceph-rbd`);
  },
  async collect(session): Promise<CephCollected | undefined> {
    const kube = await session.kube();
    if (!(await kube.serves(ROOK_API, 'CephCluster'))) return undefined;
    const [clusters, osds] = await Promise.all([kube.list<Obj>(ROOK_API, 'CephCluster'), kube.list<Obj>('apps/v1', 'Deployment', { namespace: ROOK_NAMESPACE, labelSelector: 'app=rook-ceph-osd' })]);
    return { clusters, osds };
  },
};
