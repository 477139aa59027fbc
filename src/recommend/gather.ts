/**
 * The cluster's shape for `recommend`: node count, free memory and disk, raw disks and CPU from
 * the node agent (`--for ceph` measures all of them), or node capacity only with --skip-nodes
 * (and for nodes whose agent did not report); what is installed from the classes.
 */
import { ClusterSession } from '../cluster/session.js';
import type { Context } from '../context.js';
import { ClusterError } from '../errors.js';
import { quantityToBytes } from '../manifests/quantity.js';
import { parseNodeRunOptions } from '../nodes/options.js';
import type { KubeObject } from '../presets/types.js';
import { collectNodeReport } from '../commands/nodes.js';
import { installedCandidates } from './installed.js';
import type { RecommendOptions } from './options.js';
import type { ClusterShape, NodeShape } from './rules.js';

const GIB = 1024 ** 3;
type NodeObject = KubeObject & { status?: { allocatable?: Record<string, string>; nodeInfo?: { architecture?: string } } };

const ARCH: Record<string, string> = { x86_64: 'amd64', aarch64: 'arm64', armv7l: 'arm' };

function fromCapacity(n: NodeObject): NodeShape {
  const a = n.status?.allocatable ?? {};
  return {
    name: n.metadata.name,
    memoryGiB: (quantityToBytes(a.memory ?? '0') ?? 0) / GIB,
    diskGiB: (quantityToBytes(a['ephemeral-storage'] ?? '0') ?? 0) / GIB,
    arch: n.status?.nodeInfo?.architecture ?? 'amd64',
    ...(a.cpu ? { cpuCores: Math.floor(quantityToBytes(a.cpu) ?? 0) } : {}),
  };
}

export async function gatherClusterShape(ctx: Context, opts: RecommendOptions): Promise<ClusterShape> {
  const session = new ClusterSession(ctx);
  const kube = await session.kube();
  const [nodes, classes] = await Promise.all([kube.list<NodeObject>('v1', 'Node'), kube.list<KubeObject & { provisioner?: string }>('storage.k8s.io/v1', 'StorageClass')]);
  let shapes = nodes.map(fromCapacity);
  if (!opts.skipNodes && nodes.length) {
    const report = await collectNodeReport(ctx, parseNodeRunOptions('check', { for: 'ceph' }), session);
    shapes = shapes.map((s) => {
      const r = report.nodes.find((n) => n.name === s.name);
      if (!r || !r.reported) {
        ctx.log.warn(`node ${s.name}: no agent report (${r && !r.reported ? r.reason : 'not run'}); using its allocatable capacity, raw disks unknown`);
        return s;
      }
      const f = r.facts;
      return {
        ...s,
        ...(f?.memAvailableKiB != null ? { memoryGiB: f.memAvailableKiB / 1024 ** 2 } : {}),
        ...(f?.diskFreeKiB != null ? { diskGiB: f.diskFreeKiB / 1024 ** 2 } : {}),
        ...(r.disks ? { rawDisks: r.disks.filter((d) => d.raw).length } : {}),
        ...(f?.arch ? { arch: ARCH[f.arch] ?? f.arch } : {}),
        ...(f?.sse42 != null ? { sse42: f.sse42 } : {}),
        ...(f?.cpuCores != null ? { cpuCores: f.cpuCores } : {}),
      };
    });
  }
  if (!shapes.length) throw new ClusterError('the cluster has no nodes to recommend storage for.', { hint: 'kubectl get nodes; or describe a cluster offline: k8s-storage recommend --nodes 3 --memory-gib 8 --disk-gib 100' });
  return { nodes: shapes, needs: opts.needs, installed: installedCandidates(classes), ...(opts.nas ? { nas: opts.nas } : {}) };
}
