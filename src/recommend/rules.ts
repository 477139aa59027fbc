/**
 * The seed's comparison of storage systems (21.7, "Choisir la bonne solution") as rules: a
 * cluster's shape and needs in, ranked candidates out, each with its reasons in the cluster's
 * own numbers and the commands to run. Pure: `recommend` gathers the shape (from the cluster
 * or from flags) and prints what this returns. Facts behind the numbers: reference/backends.md.
 */

export const NEEDS = ['rwx', 'object', 'ha', 'iops'] as const;
export type Need = (typeof NEEDS)[number];

export interface NodeShape {
  name: string;
  /** Memory free for storage, GiB (the agent's MemAvailable, or allocatable with --skip-nodes). */
  memoryGiB: number;
  /** Free disk where volumes would live, GiB. */
  diskGiB: number;
  /** Disks with no partitions and no filesystem (Ceph OSDs, Mayastor DiskPools); undefined: not known. */
  rawDisks?: number;
  /** Kubernetes arch names: amd64, arm64, ... */
  arch: string;
  /** x86-64 SSE4.2 (Mayastor); undefined: not known. */
  sse42?: boolean;
  cpuCores?: number;
}

export interface ClusterShape {
  nodes: NodeShape[];
  needs: readonly Need[];
  /** An NFS server that already exists (the seed's case for NFS). */
  nas?: { server: string; share: string };
  /** Backend ids already installed (from the classes' provisioners and the running workloads). */
  installed: readonly string[];
}

export type CandidateId = 'hostpath' | 'longhorn' | 'ceph' | 'openebs' | 'openebs-mayastor' | 'nfs' | 'nfs-in-cluster' | 'glusterfs';

export type Verdict = 'recommended' | 'suitable' | 'poor-fit' | 'unsuitable';

export interface Candidate {
  rank: number;
  id: CandidateId;
  title: string;
  verdict: Verdict;
  /** 0..100; ties keep the order of CANDIDATES. */
  score: number;
  reasons: string[];
  /** What to run, in order (empty when unsuitable). */
  commands: string[];
  installed: boolean;
}

// Minimums, from the seed and the charts (reference/backends.md).
export const LONGHORN_MIN_MEMORY_GIB = 2;
export const LONGHORN_MIN_DISK_GIB = 10;
/** The seed's Longhorn range, and where it sends clusters beyond it. */
export const LONGHORN_MAX_NODES = 20;
export const CEPH_SEED_NODES = 10;
/** mon 1 GiB + mgr 0.5 GiB per node, 4 GiB per OSD (rook-ceph-cluster defaults). */
export const CEPH_BASE_GIB = 1.5;
export const CEPH_OSD_GIB = 4;
/** Mayastor io-engine: 2 GiB of HugePages + 1 GiB, 2 dedicated cores. */
export const MAYASTOR_MEMORY_GIB = 3;

const gib = (n: number) => `${Number.isInteger(n) ? n : n.toFixed(1)} GiB`;
const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;

interface Draft {
  id: CandidateId;
  title: string;
  score: number;
  /** A hard impossibility: listed last, with no commands. */
  unsuitable?: boolean;
  reasons: string[];
  commands: string[];
}

/** The nodes below a minimum, as "node-2 (1.5 GiB)" for the reasons. */
function below(nodes: NodeShape[], value: (n: NodeShape) => number, min: number): string[] {
  return nodes.filter((n) => value(n) < min).map((n) => `${n.name} (${gib(Math.round(value(n) * 10) / 10)})`);
}

function needsNotServed(needs: readonly Need[], serves: readonly Need[], title: string): string[] {
  const words: Record<Need, string> = { rwx: 'ReadWriteMany volumes', object: 'object storage (S3)', ha: 'data that survives a node', iops: 'the highest IOPS' };
  return needs.filter((n) => !serves.includes(n)).map((n) => `${title} does not give ${words[n]} (--need ${n})`);
}

function hostpath(c: ClusterShape): Draft {
  const n = c.nodes.length;
  const d: Draft = { id: 'hostpath', title: 'MicroK8s hostpath-storage', score: 0, reasons: [], commands: ['k8s-storage install hostpath'] };
  if (n === 1) {
    d.score = 80;
    d.reasons.push('1 node: replication is impossible, and hostpath is the simplest storage there is (the seed: local storage is fine on a single node)');
  } else {
    d.score = 10;
    d.reasons.push(`${n} nodes: a hostpath volume stays on the node that made it; a pod moved to another node loses its data`);
  }
  // On one node every pod shares the node's disk, so ReadWriteMany works; across nodes it cannot.
  const unmet = needsNotServed(c.needs, n === 1 ? ['rwx'] : [], 'hostpath');
  if (unmet.length) {
    d.score = Math.min(d.score, 5);
    d.reasons.push(...unmet);
  }
  return d;
}

function longhorn(c: ClusterShape): Draft {
  const n = c.nodes.length;
  const d: Draft = { id: 'longhorn', title: 'Longhorn', score: 0, reasons: [], commands: ['k8s-storage nodes prepare --for longhorn'] };
  const lowMem = below(c.nodes, (x) => x.memoryGiB, LONGHORN_MIN_MEMORY_GIB);
  const lowDisk = below(c.nodes, (x) => x.diskGiB, LONGHORN_MIN_DISK_GIB);
  if (n === 1) {
    d.score = 45;
    d.reasons.push('1 node: Longhorn only with 1 replica, so no replication; its snapshots and backups may still be worth it');
    d.commands.push('k8s-storage install longhorn --replicas 1');
  } else if (n === 2) {
    d.score = 85;
    d.reasons.push('2 nodes: Longhorn with 2 replicas (3 would leave every volume Degraded); Ceph needs 3 monitors');
    d.commands.push('k8s-storage install longhorn --replicas 2');
  } else if (n <= LONGHORN_MAX_NODES) {
    d.score = n >= CEPH_SEED_NODES ? 75 : 90;
    d.reasons.push(`${n} nodes: within the seed's 3-${LONGHORN_MAX_NODES} node range for Longhorn, with its default of 3 replicas`);
    d.commands.push('k8s-storage install longhorn');
  } else {
    d.score = 55;
    d.reasons.push(`${n} nodes: beyond the seed's 3-${LONGHORN_MAX_NODES} node range for Longhorn; Ceph scales further`);
    d.commands.push('k8s-storage install longhorn');
  }
  if (lowMem.length || lowDisk.length) {
    d.score = Math.min(d.score, 30);
    if (lowMem.length) d.reasons.push(`below Longhorn's ${gib(LONGHORN_MIN_MEMORY_GIB)} of free memory per node: ${lowMem.join(', ')}`);
    if (lowDisk.length) d.reasons.push(`below Longhorn's ${gib(LONGHORN_MIN_DISK_GIB)} of free disk per node: ${lowDisk.join(', ')}`);
  } else if (n > 1) {
    d.reasons.push(`every node has >= ${gib(LONGHORN_MIN_MEMORY_GIB)} free memory and >= ${gib(LONGHORN_MIN_DISK_GIB)} free disk (the seed's minimum)`);
  }
  if (c.needs.includes('rwx')) d.reasons.push('ReadWriteMany through its share-manager (NFS): every node needs the NFS client, which nodes prepare installs');
  if (c.needs.includes('ha') && n === 1) {
    d.score = Math.min(d.score, 20);
    d.reasons.push('--need ha: one node cannot keep data through the loss of a node');
  }
  const unmet = needsNotServed(c.needs, ['rwx', 'ha'], 'Longhorn');
  if (unmet.length) {
    d.score = Math.min(d.score, c.needs.includes('object') ? 20 : 60);
    d.reasons.push(...unmet);
  }
  return d;
}

/** Nodes that could each run a mon and an OSD: a raw disk and the memory for both. */
function cephNodes(c: ClusterShape): { ready: NodeShape[]; noDisk: NodeShape[]; lowMemory: NodeShape[]; disksKnown: boolean } {
  const disksKnown = c.nodes.every((x) => x.rawDisks !== undefined);
  const noDisk = c.nodes.filter((x) => (x.rawDisks ?? 0) < 1);
  const lowMemory = c.nodes.filter((x) => (x.rawDisks ?? 0) >= 1 && x.memoryGiB < CEPH_BASE_GIB + CEPH_OSD_GIB * (x.rawDisks ?? 1));
  const ready = c.nodes.filter((x) => !noDisk.includes(x) && !lowMemory.includes(x));
  return { ready, noDisk, lowMemory, disksKnown };
}

function ceph(c: ClusterShape): Draft {
  const n = c.nodes.length;
  const d: Draft = { id: 'ceph', title: 'Ceph (MicroCeph or Rook)', score: 0, reasons: [], commands: [] };
  const object = c.needs.includes('object');
  const { ready, noDisk, lowMemory, disksKnown } = cephNodes(c);
  if (n < 3) {
    d.score = object ? 30 : 15;
    d.reasons.push(`${plural(n, 'node')}: Ceph needs 3 monitors and 3 OSDs on 3 nodes to keep data through a node loss; here only as a throw-away test`);
    d.commands.push(n === 1 ? 'k8s-storage install ceph --in-cluster --test-cluster' : 'k8s-storage install ceph --in-cluster --test-cluster   # tests only');
    if (object) d.reasons.push('--need object: only Ceph serves S3 (RGW) here; add --object-store to the test cluster to try it');
    return d;
  }
  if (ready.length < 3) {
    d.score = object ? 35 : 10;
    if (!disksKnown) d.reasons.push('raw disks not known: run recommend against the cluster (the node agent counts them) or pass --raw-disks');
    if (noDisk.length && disksKnown) d.reasons.push(`no raw disk (no partitions, no filesystem) for an OSD on ${plural(noDisk.length, 'node')}: ${noDisk.map((x) => x.name).slice(0, 6).join(', ')}${noDisk.length > 6 ? ', ...' : ''}`);
    if (lowMemory.length) {
      d.reasons.push(`not enough free memory for a mon, a mgr and 4 GiB per OSD on ${lowMemory.map((x) => `${x.name} (${gib(x.memoryGiB)} of ${gib(CEPH_BASE_GIB + CEPH_OSD_GIB * (x.rawDisks ?? 1))})`).join(', ')}`);
    }
    d.reasons.push(`Ceph needs at least 3 such nodes; ${ready.length} qualify`);
    if (object) d.reasons.push('--need object: only Ceph serves S3 (RGW); MicroCeph on separate machines (microceph enable rgw) is the way without raw disks here');
  } else {
    const osds = ready.reduce((s, x) => s + (x.rawDisks ?? 0), 0);
    d.reasons.push(`${ready.length} of ${n} nodes have a raw disk and the memory for a mon, a mgr and 4 GiB per OSD (${plural(osds, 'OSD')} in all)`);
    if (n >= CEPH_SEED_NODES) {
      d.score = 92;
      d.reasons.push(`${n} nodes: the seed's case for Ceph (10+ nodes): excellent performance, block, file and object storage`);
    } else {
      d.score = 55;
      d.reasons.push(`${n} nodes: Ceph works, but the seed keeps it for 10+ nodes; it costs far more to run than Longhorn`);
    }
    if (object) {
      d.score = Math.max(d.score, 95);
      d.reasons.push('--need object: only Ceph serves S3 here (Rook CephObjectStore / RGW); the minio addon is deprecated');
    }
    if (c.needs.includes('rwx')) d.reasons.push('ReadWriteMany through CephFS (--cephfs)');
  }
  d.commands.push(
    'sudo snap install microceph && sudo snap refresh --hold microceph',
    'sudo microceph cluster bootstrap   # then on each other node: sudo microceph cluster add NODE (prints a token), sudo microceph cluster join TOKEN',
    'sudo microceph disk add /dev/DISK --wipe   # on each node, per raw disk (destroys its data)',
    ...(object ? ['sudo microceph enable rgw'] : []),
    'k8s-storage install ceph',
  );
  d.reasons.push(`or Rook's own CephCluster on the nodes' raw disks: k8s-storage nodes prepare --for ceph && k8s-storage install ceph --in-cluster${object ? ' --object-store' : ''}${c.needs.includes('rwx') ? ' --cephfs' : ''}`);
  return d;
}

function openebsHostpath(c: ClusterShape): Draft {
  const n = c.nodes.length;
  const d: Draft = { id: 'openebs', title: 'OpenEBS LocalPV hostpath', score: 0, reasons: [], commands: ['k8s-storage install openebs'] };
  if (n === 1) {
    d.score = 60;
    d.reasons.push('1 node: local volumes like hostpath-storage, through the current OpenEBS 4.x chart (WaitForFirstConsumer, no expansion)');
  } else {
    d.score = 12;
    d.reasons.push(`${n} nodes: a LocalPV volume is bound to one node's disk, like hostpath`);
  }
  const unmet = needsNotServed(c.needs, [], 'OpenEBS LocalPV');
  if (unmet.length) {
    d.score = Math.min(d.score, 5);
    d.reasons.push(...unmet);
  }
  return d;
}

function mayastor(c: ClusterShape): Draft {
  const n = c.nodes.length;
  const d: Draft = { id: 'openebs-mayastor', title: 'OpenEBS Mayastor', score: 0, reasons: [], commands: [] };
  const notX86 = c.nodes.filter((x) => x.arch !== 'amd64' && x.arch !== 'x86_64');
  if (notX86.length) {
    d.unsuitable = true;
    d.reasons.push(`Mayastor's io-engine runs only on x86-64 with SSE4.2: ${notX86.map((x) => `${x.name} is ${x.arch}`).slice(0, 4).join(', ')}`);
    return d;
  }
  const noSse = c.nodes.filter((x) => x.sse42 === false);
  if (noSse.length) {
    d.unsuitable = true;
    d.reasons.push(`no SSE4.2 on ${noSse.map((x) => x.name).join(', ')}: Mayastor's io-engine needs it`);
    return d;
  }
  const lowMem = below(c.nodes, (x) => x.memoryGiB, MAYASTOR_MEMORY_GIB + 1);
  const noDisk = c.nodes.filter((x) => (x.rawDisks ?? 0) < 1);
  d.score = c.needs.includes('iops') ? 88 : 35;
  d.reasons.push(c.needs.includes('iops') ? '--need iops: Mayastor (NVMe over TCP) gives the highest IOPS on NVMe disks' : "the seed's \"advanced users\" choice: fast, but each node gives 2 cores and 2 GiB of HugePages to its io-engine");
  if (n < 3) {
    d.score = Math.min(d.score, c.needs.includes('ha') ? 15 : 40);
    d.reasons.push(`${plural(n, 'node')}: only 1 replica per volume (openebs-single-replica) until there are 3 io-engine nodes`);
  }
  if (lowMem.length) {
    d.score = Math.min(d.score, 25);
    d.reasons.push(`below ${gib(MAYASTOR_MEMORY_GIB + 1)} of free memory (2 GiB HugePages + 1 GiB io-engine + the rest of the node): ${lowMem.join(', ')}`);
  }
  if (c.nodes.some((x) => x.rawDisks === undefined)) {
    d.score = Math.min(d.score, 30);
    d.reasons.push('raw disks not known (--raw-disks): a DiskPool needs an unpartitioned, unformatted disk of 10 GB or more per node');
  } else if (noDisk.length) {
    d.score = Math.min(d.score, 30);
    d.reasons.push(`a DiskPool needs an unpartitioned, unformatted disk of 10 GB or more: none on ${noDisk.map((x) => x.name).slice(0, 6).join(', ')}${noDisk.length > 6 ? ', ...' : ''}`);
  }
  const unmet = needsNotServed(c.needs, ['iops', ...(n >= 3 ? (['ha'] as Need[]) : [])], 'Mayastor');
  if (unmet.length) {
    d.score = Math.min(d.score, 20);
    d.reasons.push(...unmet);
  }
  d.commands.push('k8s-storage nodes prepare --for openebs-mayastor   # sets 1024 x 2 MiB HugePages, then restart the kubelet: sudo snap restart microk8s.daemon-kubelite', 'k8s-storage install openebs --engine mayastor --disk NODE=/dev/disk/by-id/ID   # one --disk per node');
  return d;
}

function nfs(c: ClusterShape): Draft {
  const d: Draft = { id: 'nfs', title: 'NFS (csi-driver-nfs, an existing NAS)', score: 0, reasons: [], commands: [] };
  if (!c.nas) {
    d.unsuitable = true;
    d.reasons.push('no NFS server named (--nas SERVER:/EXPORT): csi-driver-nfs is a client to an existing NAS');
    return d;
  }
  const rwx = c.needs.includes('rwx');
  d.score = rwx ? 92 : 60;
  d.reasons.push(`the NAS ${c.nas.server}:${c.nas.share} exists: the seed's case for NFS, nothing to run on the nodes`);
  if (rwx) d.reasons.push('ReadWriteMany on every node, with no replication to manage');
  d.reasons.push('no HA: the NAS is the single point of failure; its exports must allow the node IPs (the driver uses the host network)');
  if (c.needs.includes('ha')) {
    d.score = Math.min(d.score, 25);
    d.reasons.push('--need ha: unless the NAS itself is highly available');
  }
  const unmet = needsNotServed(c.needs, ['rwx', 'ha'], 'NFS');
  if (unmet.length) {
    d.score = Math.min(d.score, 20);
    d.reasons.push(...unmet);
  }
  d.commands.push(`k8s-storage install nfs --server ${c.nas.server} --share ${c.nas.share}`);
  return d;
}

function nfsInCluster(c: ClusterShape): Draft {
  const d: Draft = { id: 'nfs-in-cluster', title: 'NFS server in the cluster (MicroK8s nfs addon)', score: 0, reasons: [], commands: ['k8s-storage nodes prepare --for nfs', 'k8s-storage install nfs --in-cluster'] };
  d.score = c.needs.includes('rwx') && !c.nas ? 25 : 12;
  d.reasons.push("for development only: the server keeps every volume on one node's disk, and claim sizes are not enforced");
  if (c.needs.includes('ha') || c.needs.includes('object') || c.needs.includes('iops')) {
    d.score = 3;
    d.reasons.push(...needsNotServed(c.needs, ['rwx'], 'the nfs addon'));
  }
  return d;
}

function glusterfs(): Draft {
  return {
    id: 'glusterfs',
    title: 'GlusterFS',
    score: 0,
    unsuitable: true,
    reasons: ['the in-tree glusterfs driver was removed in Kubernetes 1.26, and Heketi (its provisioner) was archived in 2023; k8s-storage install glusterfs explains the alternatives'],
    commands: [],
  };
}

const CANDIDATES: ((c: ClusterShape) => Draft)[] = [longhorn, hostpath, ceph, nfs, openebsHostpath, mayastor, nfsInCluster, glusterfs];

function verdictOf(d: Draft, rank: number): Verdict {
  if (d.unsuitable || d.score < 10) return 'unsuitable';
  if (rank === 1 && d.score >= 50) return 'recommended';
  return d.score >= 50 ? 'suitable' : 'poor-fit';
}

/** Ranked candidates, best first; unsuitable ones last and without commands. */
export function recommend(c: ClusterShape): Candidate[] {
  if (c.nodes.length === 0) throw new Error('recommend: a cluster has at least one node');
  const drafts = CANDIDATES.map((f) => f(c));
  // What already runs costs nothing more to adopt: a small nudge, never enough to beat a better fit.
  for (const d of drafts) if (!d.unsuitable && d.score >= 50 && c.installed.includes(d.id)) d.score = Math.min(100, d.score + 5);
  const order = drafts.map((d, i) => ({ d, i })).sort((a, b) => Number(a.d.unsuitable ?? false) - Number(b.d.unsuitable ?? false) || b.d.score - a.d.score || a.i - b.i);
  return order.map(({ d }, i) => {
    const installed = c.installed.includes(d.id);
    const verdict = verdictOf(d, i + 1);
    const reasons = installed ? [`already installed`, ...d.reasons] : d.reasons;
    return { rank: i + 1, id: d.id, title: d.title, verdict, score: d.unsuitable ? 0 : d.score, reasons, commands: verdict === 'unsuitable' ? [] : d.commands, installed };
  });
}
