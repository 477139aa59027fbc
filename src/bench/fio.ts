/**
 * fio for `bench` (pure): the job text of each profile, the objects that run it, the
 * figures read from fio's own JSON (--output-format=json), and ratios between two classes.
 *
 * The default profile is kubestr's four jobs (4K random read/write IOPS, 128K random
 * read/write bandwidth, iodepth 64, direct I/O) without `gtod_reduce=1`, which disables
 * every latency measurement, and with `stonewall`, so each job runs alone instead of all
 * four at once and each figure is that of one kind of I/O.
 */
import type { KubeObject } from '../presets/types.js';
import { EXPIRES_ANNOTATION, MANAGED_BY_LABEL, NAME_LABEL, RUN_LABEL } from '../nodes/daemonset.js';

export type BenchProfile = 'default' | 'quick' | 'randrw';
export const BENCH_PROFILES: readonly BenchProfile[] = ['default', 'quick', 'randrw'];
export const BENCH_APP = 'k8s-storage-bench';
export const BENCH_SELECTOR = `${NAME_LABEL}=${BENCH_APP},${MANAGED_BY_LABEL}=k8s-storage`;
export const BENCH_IMAGE = 'ghcr.io/kastenhq/kubestr:latest';
export const BENCH_CONTAINER = 'fio';
export const RAMP_SECONDS = 2;
const JOB_FILE = 'k8s-storage.fio';

interface JobSpec {
  name: string;
  bs: string;
  rw: 'randread' | 'randwrite' | 'randrw';
  extra?: string[];
}

const JOBS: Record<BenchProfile, JobSpec[]> = {
  default: [
    { name: 'read_iops', bs: '4K', rw: 'randread' },
    { name: 'write_iops', bs: '4K', rw: 'randwrite' },
    { name: 'read_bw', bs: '128K', rw: 'randread' },
    { name: 'write_bw', bs: '128K', rw: 'randwrite' },
  ],
  quick: [
    { name: 'read_iops', bs: '4K', rw: 'randread' },
    { name: 'write_iops', bs: '4K', rw: 'randwrite' },
  ],
  randrw: [{ name: 'rand_readwrite', bs: '4K', rw: 'randrw', extra: ['rwmixread=75'] }],
};

/** Each job lays out its own file: together they must fit the claim with room to spare. */
export function fileSizeFor(profile: BenchProfile, claimBytes: number): string {
  const perJob = Math.floor((claimBytes * 0.8) / JOBS[profile].length / 2 ** 20);
  return `${Math.max(16, Math.min(perJob, 2048))}M`;
}

export function fioJobText(profile: BenchProfile, runtimeSeconds: number, fileSize: string): string {
  const lines = ['[global]', 'randrepeat=0', 'verify=0', 'ioengine=libaio', 'direct=1', 'iodepth=64', `size=${fileSize}`, 'time_based', `ramp_time=${RAMP_SECONDS}s`, `runtime=${runtimeSeconds}s`, 'stonewall'];
  for (const j of JOBS[profile]) lines.push(`[${j.name}]`, `bs=${j.bs}`, `readwrite=${j.rw}`, ...(j.extra ?? []));
  return `${lines.join('\n')}\n`;
}

/** How long fio runs, without laying out files: each job's ramp and runtime, one after the other. */
export function expectedSeconds(profile: BenchProfile, runtimeSeconds: number): number {
  return JOBS[profile].length * (runtimeSeconds + RAMP_SECONDS);
}

export interface BenchObjectsInput {
  runId: string;
  namespace: string;
  storageClass: string;
  size: string;
  image: string;
  jobText: string;
  /** Seconds after which the Job is stopped by Kubernetes even if nobody is watching. */
  deadlineSeconds: number;
  expiresAt: string;
}

export function buildBenchObjects(input: BenchObjectsInput): { configMap: KubeObject; claim: KubeObject; job: KubeObject } {
  const name = `${BENCH_APP}-${input.runId}`;
  const labels = { [NAME_LABEL]: BENCH_APP, [MANAGED_BY_LABEL]: 'k8s-storage', [RUN_LABEL]: input.runId };
  const metadata = { name, namespace: input.namespace, labels, annotations: { [EXPIRES_ANNOTATION]: input.expiresAt } };
  return {
    configMap: { apiVersion: 'v1', kind: 'ConfigMap', metadata, data: { [JOB_FILE]: input.jobText } },
    claim: { apiVersion: 'v1', kind: 'PersistentVolumeClaim', metadata, spec: { accessModes: ['ReadWriteOnce'], storageClassName: input.storageClass, resources: { requests: { storage: input.size } } } },
    job: {
      apiVersion: 'batch/v1',
      kind: 'Job',
      metadata,
      spec: {
        backoffLimit: 0,
        activeDeadlineSeconds: input.deadlineSeconds,
        // A run killed too hard to clean up still loses its Job (the claim stays, with its expiry).
        ttlSecondsAfterFinished: 3600,
        template: {
          metadata: { labels },
          spec: {
            restartPolicy: 'Never',
            automountServiceAccountToken: false,
            containers: [
              {
                name: BENCH_CONTAINER,
                image: input.image,
                imagePullPolicy: 'IfNotPresent',
                command: ['fio', '--directory', '/dataset', `/etc/fio-config/${JOB_FILE}`, '--output-format=json'],
                volumeMounts: [
                  { name: 'data', mountPath: '/dataset' },
                  { name: 'config', mountPath: '/etc/fio-config', readOnly: true },
                ],
              },
            ],
            volumes: [
              { name: 'data', persistentVolumeClaim: { claimName: name } },
              { name: 'config', configMap: { name } },
            ],
          },
        },
      },
    },
  };
}

/** One fio job's figures, for the direction(s) it measured. */
export interface FioJobResult {
  name: string;
  rw: string;
  bs: string;
  direction: 'read' | 'write';
  iops: number;
  /** Bytes per second (fio's bw_bytes). */
  bandwidthBytes: number;
  /** Completion latency percentiles, nanoseconds; absent when fio measured none (gtod_reduce). */
  clatP50Ns?: number;
  clatP99Ns?: number;
  clatMeanNs?: number;
  runtimeMs: number;
  error: number;
}

export interface FioResult {
  fioVersion: string;
  jobs: FioJobResult[];
}

const dirOf = (rw: string): ('read' | 'write')[] => (rw.includes('rw') || rw === 'readwrite' ? ['read', 'write'] : rw.includes('write') ? ['write'] : ['read']);

/**
 * Reads fio's JSON. The log may carry other lines around it (warnings from the image), so
 * the document is the text from the first `{` line to the last `}` line.
 */
export function parseFioOutput(text: string): FioResult {
  const lines = text.split('\n');
  const start = lines.findIndex((l) => l.startsWith('{'));
  const end = lines.findLastIndex((l) => l.startsWith('}'));
  if (start < 0 || end < start) throw new Error(`fio printed no JSON: ${text.trim().split('\n').slice(-3).join(' / ').slice(0, 300) || 'no output'}`);
  const doc = JSON.parse(lines.slice(start, end + 1).join('\n')) as { 'fio version'?: string; jobs?: any[] };
  const jobs: FioJobResult[] = [];
  for (const j of doc.jobs ?? []) {
    const opts = j['job options'] ?? {};
    const rw: string = opts.rw ?? opts.readwrite ?? '';
    for (const direction of dirOf(rw)) {
      const d = j[direction] ?? {};
      const clat = d.clat_ns ?? {};
      const pct = clat.percentile ?? {};
      jobs.push({
        name: j.jobname,
        rw,
        bs: opts.bs ?? '',
        direction,
        iops: Number(d.iops ?? 0),
        bandwidthBytes: Number(d.bw_bytes ?? (d.bw ?? 0) * 1024),
        ...(clat.N > 0 && pct['50.000000'] !== undefined ? { clatP50Ns: pct['50.000000'] } : {}),
        ...(clat.N > 0 && pct['99.000000'] !== undefined ? { clatP99Ns: pct['99.000000'] } : {}),
        ...(clat.N > 0 ? { clatMeanNs: clat.mean } : {}),
        runtimeMs: Number(d.runtime ?? 0),
        error: Number(j.error ?? 0),
      });
    }
  }
  if (!jobs.length) throw new Error('fio printed JSON without jobs');
  return { fioVersion: doc['fio version'] ?? '', jobs };
}

export interface BenchRatio {
  job: string;
  direction: 'read' | 'write';
  /** second / first; > 1 means the second class is higher (better for IOPS and bandwidth, worse for latency). */
  iops?: number;
  bandwidth?: number;
  clatP99?: number;
}

const ratio = (b: number | undefined, a: number | undefined) => (a && b !== undefined ? Math.round((b / a) * 100) / 100 : undefined);

export function compareResults(first: FioResult, second: FioResult): BenchRatio[] {
  return first.jobs.flatMap((a) => {
    const b = second.jobs.find((x) => x.name === a.name && x.direction === a.direction);
    if (!b) return [];
    const r: BenchRatio = { job: a.name, direction: a.direction };
    const iops = ratio(b.iops, a.iops);
    const bw = ratio(b.bandwidthBytes, a.bandwidthBytes);
    const lat = ratio(b.clatP99Ns, a.clatP99Ns);
    if (iops !== undefined) r.iops = iops;
    if (bw !== undefined) r.bandwidth = bw;
    if (lat !== undefined) r.clatP99 = lat;
    return [r];
  });
}
