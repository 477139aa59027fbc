/**
 * The seed's resilience test as data (pure): which nodes, which steps, which objects. A claim
 * of the class; a pod writes a random file and prints its checksum; the pod is deleted; a new
 * pod (on another node when the backend's data follows pods: replicated or shared storage)
 * reads the file back and prints the checksum it finds. RWX classes add two pods on two
 * nodes that each write a file and wait to see the other's. Every object carries
 * app.kubernetes.io/managed-by=k8s-storage and the run's label, and an expiry after which a
 * later run may delete it as a leftover.
 */
import type { API_VERSION } from '../documents.js';
import type { BackendCapabilities, Obj } from '../backends/types.js';
import type { KubeObject } from '../presets/types.js';
import { EXPIRES_ANNOTATION, MANAGED_BY_LABEL, NAME_LABEL, RUN_LABEL } from '../nodes/daemonset.js';

export const VERIFY_APP = 'k8s-storage-verify';
export const VERIFY_SELECTOR = `${NAME_LABEL}=${VERIFY_APP},${MANAGED_BY_LABEL}=k8s-storage`;
export const VERIFY_MOUNT = '/data';
export const VERIFY_CONTAINER = 'verify';
const LINE = 'k8s-storage-verify:';

export type VerifyStepId = 'claim' | 'write' | 'delete-writer' | 'read' | 'rwx';

export interface VerifyStep {
  id: VerifyStepId;
  title: string;
}

export interface VerifyPlan {
  runId: string;
  namespace: string;
  storageClass: string;
  /** other-node: the data must follow the pod; same-node: it cannot (hostpath). */
  mode: 'other-node' | 'same-node';
  writerNode: string;
  readerNode: string;
  rwx?: { nodes: [string, string] };
  /** Said before the test starts (hostpath's lesson, a single node...). */
  notes: string[];
  steps: VerifyStep[];
  /** rwx: the ReadWriteMany claim, then its two pods. */
  objects: { claim: KubeObject; writer: KubeObject; reader: KubeObject; rwx: KubeObject[] };
}

export interface VerifyInput {
  runId: string;
  namespace: string;
  storageClass: Obj;
  capabilities?: BackendCapabilities;
  /** Nodes pods can run on (Ready, schedulable), in a stable order. */
  nodes: string[];
  size: string;
  image: string;
  /** Milliseconds since the epoch at which the objects count as leftovers. */
  expiresAt: string;
}

const WRITE_SCRIPT = [
  'set -e',
  `head -c 4194304 /dev/urandom > ${VERIFY_MOUNT}/k8s-storage-verify.bin`,
  `sum=$(sha256sum ${VERIFY_MOUNT}/k8s-storage-verify.bin | cut -d' ' -f1)`,
  `echo "$sum" > ${VERIFY_MOUNT}/k8s-storage-verify.sha256`,
  'sync',
  `echo "${LINE} wrote $sum"`,
].join('\n');

const READ_SCRIPT = [
  `got=$(sha256sum ${VERIFY_MOUNT}/k8s-storage-verify.bin 2>/dev/null | cut -d' ' -f1)`,
  `echo "${LINE} read \${got:-none}"`,
].join('\n');

/** Each pod writes its own file, then waits up to 60 s for the other pod's file. */
const RWX_SCRIPT = [
  `echo "$ME" > ${VERIFY_MOUNT}/k8s-storage-verify-rwx-$ME`,
  'i=0',
  'while [ $i -lt 60 ]; do',
  `  if [ -f ${VERIFY_MOUNT}/k8s-storage-verify-rwx-$OTHER ]; then echo "${LINE} saw $OTHER"; exit 0; fi`,
  '  sleep 1; i=$((i+1))',
  'done',
  `echo "${LINE} never saw $OTHER"`,
  'exit 1',
].join('\n');

export function planVerify(input: VerifyInput): VerifyPlan {
  const caps = input.capabilities;
  const className = input.storageClass.metadata.name;
  // The resilience test uses the usual mode (RWO); a class that serves RWX gets a second,
  // ReadWriteMany claim for the cross-pod check (Longhorn serves it another way: its share manager).
  const modes: string[] = ['ReadWriteOnce'];
  const servesRwx = caps?.accessModes.includes('ReadWriteMany') === true;
  const follows = caps ? caps.replicated && !caps.nodeBound : false;
  const notes: string[] = [];
  const [first, second] = [input.nodes[0] ?? '', input.nodes[1]];
  let mode: VerifyPlan['mode'] = 'same-node';
  if (caps?.nodeBound) {
    notes.push(`class ${className} keeps each volume in a directory on one node: the data cannot follow a pod to another node, so this tests the same node only (use a replicated class such as Longhorn for data that survives a node)`);
  } else if (!caps) {
    notes.push(`k8s-storage does not know provisioner ${input.storageClass.provisioner}: the reader runs on the writer's node`);
  } else if (follows && !second) {
    notes.push('the cluster has one node: the reader runs on the same node, so this does not show that the data survives the loss of a node');
  } else if (follows) mode = 'other-node';
  const readerNode = mode === 'other-node' ? second! : first;
  const rwx = servesRwx && second ? { nodes: [first, second] as [string, string] } : undefined;
  if (servesRwx && !second) notes.push('ReadWriteMany needs two nodes to check: skipped');

  const name = (suffix: string) => `${VERIFY_APP}-${input.runId}${suffix}`;
  const labels = { [NAME_LABEL]: VERIFY_APP, [MANAGED_BY_LABEL]: 'k8s-storage', [RUN_LABEL]: input.runId };
  const metadata = (n: string, role: string) => ({ name: n, namespace: input.namespace, labels: { ...labels, 'k8s-storage.io/role': role }, annotations: { [EXPIRES_ANNOTATION]: input.expiresAt } });
  const claimName = name('');
  const makeClaim = (n: string, mode: string): KubeObject => ({
    apiVersion: 'v1',
    kind: 'PersistentVolumeClaim',
    metadata: metadata(n, 'claim'),
    spec: { accessModes: [mode], storageClassName: className, resources: { requests: { storage: input.size } } },
  });
  const claim = makeClaim(claimName, modes[0]!);
  const pod = (suffix: string, role: string, node: string, script: string, env: Record<string, string> = {}, onClaim = claimName): KubeObject => ({
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: metadata(name(suffix), role),
    spec: {
      restartPolicy: 'Never',
      terminationGracePeriodSeconds: 1,
      automountServiceAccountToken: false,
      enableServiceLinks: false,
      affinity: { nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{ matchExpressions: [{ key: 'kubernetes.io/hostname', operator: 'In', values: [node] }] }] } } },
      containers: [
        {
          name: VERIFY_CONTAINER,
          image: input.image,
          imagePullPolicy: 'IfNotPresent',
          command: ['sh', '-c', script],
          ...(Object.keys(env).length ? { env: Object.entries(env).map(([k, v]) => ({ name: k, value: v })) } : {}),
          resources: { requests: { cpu: '10m', memory: '16Mi' }, limits: { memory: '64Mi' } },
          volumeMounts: [{ name: 'data', mountPath: VERIFY_MOUNT }],
        },
      ],
      volumes: [{ name: 'data', persistentVolumeClaim: { claimName: onClaim } }],
    },
  });
  const steps: VerifyStep[] = [
    { id: 'claim', title: `create claim ${claimName} (${input.size}, ${className}, ${modes[0]})` },
    { id: 'write', title: `write 4 MiB and its checksum from a pod on ${first}` },
    { id: 'delete-writer', title: 'delete the writer pod' },
    { id: 'read', title: `read the file back from a new pod on ${readerNode}${mode === 'other-node' ? ' (another node)' : ''}` },
    ...(rwx ? [{ id: 'rwx' as const, title: `two pods on ${rwx.nodes[0]} and ${rwx.nodes[1]} see each other's writes (a ReadWriteMany claim)` }] : []),
  ];
  return {
    runId: input.runId,
    namespace: input.namespace,
    storageClass: className,
    mode,
    writerNode: first,
    readerNode,
    ...(rwx ? { rwx } : {}),
    notes,
    steps,
    objects: {
      claim,
      writer: pod('-write', 'write', first, WRITE_SCRIPT),
      reader: pod('-read', 'read', readerNode, READ_SCRIPT),
      rwx: rwx
        ? [
            makeClaim(name('-rwx'), 'ReadWriteMany'),
            pod('-rwx-a', 'rwx', rwx.nodes[0], RWX_SCRIPT, { ME: 'a', OTHER: 'b' }, name('-rwx')),
            pod('-rwx-b', 'rwx', rwx.nodes[1], RWX_SCRIPT, { ME: 'b', OTHER: 'a' }, name('-rwx')),
          ]
        : [],
    },
  };
}

/** The checksum a writer or reader printed; undefined when the line is missing. */
export function checksumFromLog(log: string, verb: 'wrote' | 'read'): string | undefined {
  const m = new RegExp(`^${LINE} ${verb} (\\S+)$`, 'm').exec(log);
  return m ? m[1] : undefined;
}

export function sawOther(log: string): boolean {
  return new RegExp(`^${LINE} saw \\S+$`, 'm').test(log);
}

export interface VerifyStepResult {
  id: VerifyStepId;
  title: string;
  status: 'ok' | 'failed' | 'skipped' | 'interrupted';
  ms: number;
  detail?: string;
}

export interface VerifyReport {
  apiVersion: typeof API_VERSION;
  schemaVersion: 1;
  kind: 'VerifyReport';
  storageClass: string;
  namespace: string;
  runId: string;
  mode: VerifyPlan['mode'];
  writerNode: string;
  readerNode: string;
  notes: string[];
  steps: VerifyStepResult[];
  cleanup: { deleted: string[]; failed: string[]; kept: boolean };
  passed: boolean;
}
