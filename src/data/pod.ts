/**
 * The short-lived data pod, as pure builders: a pod on a chosen node with chosen claims
 * mounted, whose container only sleeps, and the commands run in it through exec (tar,
 * the copy, the content manifest). Like the node agent's objects (src/nodes/daemonset.ts),
 * it carries the managed-by label and an expiry annotation, so a run killed too hard to
 * delete it is cleaned up by the next run; it also ends by itself (activeDeadlineSeconds).
 */
import { EXPIRES_ANNOTATION, MANAGED_BY_LABEL, NAME_LABEL, RUN_LABEL } from '../nodes/daemonset.js';
import type { KubeObject } from '../presets/types.js';

export const DATA_POD_APP = 'k8s-storage-data';
export const DATA_CONTAINER = 'data';
export const PURPOSE_LABEL = 'k8s-storage.io/purpose';
/** busybox has sh, tar with gzip, find, sort, sha256sum and head: all a data pod needs. */
export const DEFAULT_DATA_IMAGE = 'busybox:1.36';
export const DATA_POD_LABELS = { [NAME_LABEL]: DATA_POD_APP, [MANAGED_BY_LABEL]: 'k8s-storage' } as const;
export const DATA_POD_SELECTOR = Object.entries(DATA_POD_LABELS).map(([k, v]) => `${k}=${v}`).join(',');
/** Where claim N is mounted in the pod. */
export const mountPathOf = (alias: string) => `/volumes/${alias}`;

export interface PodClaim {
  claim: string;
  /** A short word for the mount: data, source, dest. */
  alias: string;
  readOnly?: boolean;
}

/** What the pod looks like, as plan data (a dry run prints it). */
export interface DataPodSpec {
  namespace: string;
  /** Why it runs, for its label and for messages: backup-data, restore-data, copy, verify. */
  purpose: string;
  image: string;
  claims: PodClaim[];
  /** Pin it to this node (the node a hostpath PV lives on, or where an RWO claim is in use). */
  node?: string;
  /** How long it may live; it ends by itself after that. */
  lifetimeSeconds: number;
}

export const dataPodName = (runId: string) => `${DATA_POD_APP}-${runId}`;

export function buildDataPod(spec: DataPodSpec, runId: string, nowMs: number): KubeObject {
  const expiresAt = new Date(nowMs + spec.lifetimeSeconds * 1000).toISOString();
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name: dataPodName(runId),
      namespace: spec.namespace,
      labels: { ...DATA_POD_LABELS, [RUN_LABEL]: runId, [PURPOSE_LABEL]: spec.purpose },
      annotations: { [EXPIRES_ANNOTATION]: expiresAt },
    },
    spec: {
      restartPolicy: 'Never',
      activeDeadlineSeconds: spec.lifetimeSeconds,
      terminationGracePeriodSeconds: 5,
      automountServiceAccountToken: false,
      ...(spec.node
        ? {
            affinity: { nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{ matchFields: [{ key: 'metadata.name', operator: 'In', values: [spec.node] }] }] } } },
            // The data decides the node: a control-plane taint must not keep the pod away from it.
            tolerations: [{ operator: 'Exists' }],
          }
        : {}),
      containers: [
        {
          name: DATA_CONTAINER,
          image: spec.image,
          command: ['sleep', String(spec.lifetimeSeconds)],
          // Root, so tar keeps owners and modes and can read every file.
          securityContext: { runAsUser: 0, runAsGroup: 0, allowPrivilegeEscalation: false },
          resources: { requests: { cpu: '50m', memory: '64Mi' } },
          volumeMounts: spec.claims.map((c) => ({ name: c.alias, mountPath: mountPathOf(c.alias), ...(c.readOnly ? { readOnly: true } : {}) })),
        },
      ],
      volumes: spec.claims.map((c) => ({ name: c.alias, persistentVolumeClaim: { claimName: c.claim, ...(c.readOnly ? { readOnly: true } : {}) } })),
    },
  };
}

// ---- what runs in the pod (argv, no shell strings on our side; `sh -c` scripts take their values as $1..) ----

/** A gzip tar of a mount on stdout, names relative to it. */
export const archiveCommand = (alias: string) => ['tar', '-czf', '-', '-C', mountPathOf(alias), '.'];

/** Extracts exactly `bytes` bytes of stdin (see src/cluster/exec.ts: stdin is never half-closed). */
export const extractCommand = (alias: string, bytes: number) => ['sh', '-c', 'head -c "$1" | tar -xzf - -C "$2"', 'sh', String(bytes), mountPathOf(alias)];

/** Empties a mount (its lost+found stays: ext4 wants it). */
export const emptyCommand = (alias: string) => ['sh', '-c', 'cd "$1" && find . -mindepth 1 -maxdepth 1 ! -name lost+found -exec rm -rf {} +', 'sh', mountPathOf(alias)];

/** rsync -a when the image has it (rsync --delete makes a rerun exact), else a tar pipe. */
export const copyCommand = (from: string, to: string) => [
  'sh',
  '-c',
  'if command -v rsync >/dev/null 2>&1; then exec rsync -a --delete "$1"/ "$2"/; fi; cd "$1" && tar -cf - . | tar -xf - -C "$2"',
  'sh',
  mountPathOf(from),
  mountPathOf(to),
];

/**
 * One line per entry, sorted by name (tab-separated: kind, size, sha256 or link target, name):
 * what `verify` compares between two claims.
 */
export const manifestCommand = (alias: string) => [
  'sh',
  '-c',
  [
    'cd "$1" || exit 1',
    'find . -mindepth 1 ! -path ./lost+found ! -path "./lost+found/*" | LC_ALL=C sort | while IFS= read -r f; do',
    '  if [ -L "$f" ]; then printf "l\\t0\\t%s\\t%s\\n" "$(readlink "$f")" "$f"',
    '  elif [ -d "$f" ]; then printf "d\\t0\\t-\\t%s\\n" "$f"',
    '  elif [ -f "$f" ]; then s=$(wc -c < "$f") && h=$(sha256sum < "$f") && printf "f\\t%s\\t%s\\t%s\\n" $s "${h%% *}" "$f" || exit 1',
    '  fi',
    'done',
  ].join('\n'),
  'sh',
  mountPathOf(alias),
];

export interface ContentSummary {
  files: number;
  dirs: number;
  links: number;
  bytes: number;
  /** sha256 over the whole manifest: equal for equal trees (names, sizes, contents, link targets). */
  checksum: string;
}

export interface ManifestEntry {
  kind: 'f' | 'd' | 'l';
  size: number;
  hash: string;
  name: string;
}

export function parseManifest(text: string): ManifestEntry[] {
  return text
    .split('\n')
    .filter((l) => l.length > 0)
    .map((l) => {
      const [kind, size, hash, ...rest] = l.split('\t');
      return { kind: kind as ManifestEntry['kind'], size: Number(size), hash: hash ?? '', name: rest.join('\t') };
    });
}

export function summarize(entries: ManifestEntry[], sha256: (s: string) => string): ContentSummary {
  return {
    files: entries.filter((e) => e.kind === 'f').length,
    dirs: entries.filter((e) => e.kind === 'd').length,
    links: entries.filter((e) => e.kind === 'l').length,
    bytes: entries.reduce((n, e) => n + (e.kind === 'f' ? e.size : 0), 0),
    checksum: sha256(entries.map((e) => `${e.kind}\t${e.size}\t${e.hash}\t${e.name}`).join('\n')),
  };
}

/** Up to `limit` differences between two manifests, in the user's words (empty when equal). */
export function compareManifests(source: ManifestEntry[], dest: ManifestEntry[], limit = 5): string[] {
  const key = (e: ManifestEntry) => `${e.kind}\t${e.size}\t${e.hash}`;
  const d = new Map(dest.map((e) => [e.name, e]));
  const s = new Map(source.map((e) => [e.name, e]));
  const out: string[] = [];
  for (const e of source) {
    const other = d.get(e.name);
    if (!other) out.push(`${e.name} is missing from the copy`);
    else if (key(other) !== key(e)) out.push(`${e.name} differs (${e.kind === 'f' ? `${e.size} bytes vs ${other.size}` : 'type or link target'})`);
  }
  for (const e of dest) if (!s.has(e.name)) out.push(`${e.name} is in the copy only`);
  return out.slice(0, limit).concat(out.length > limit ? [`... and ${out.length - limit} more`] : []);
}
