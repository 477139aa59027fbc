/**
 * `render app PRESET`: an app kit's template, renamed and sized, as a Deployment or a
 * StatefulSet. Credentials come from a Secret: one rendered here with a generated
 * password, or one the user already has (--existing-secret).
 */
import { UsageError } from '../errors.js';
import { appPreset, loadTemplate } from '../presets/registry.js';
import type { KubeObject } from '../presets/types.js';
import { metadata, parseMetadataFlags, parseVolumeFlags, type MetadataFlags, type VolumeFlags } from './common.js';
import { dnsLabelProblems, objectNameProblems } from './names.js';
import { sizeProblems } from './quantity.js';

export interface AppOptions extends VolumeFlags, MetadataFlags {
  preset: string;
  name?: string;
  statefulset?: boolean;
  existingSecret?: string;
  /** The password to put in the rendered Secret (from --password-stdin); generated when absent. */
  password?: string;
  image?: string;
  mountPath?: string;
}

export interface RenderedApp {
  objects: KubeObject[];
  /** The Secret that holds the credentials, and whether we generated its password. */
  secretName?: string;
  generatedPassword: boolean;
}

type Obj = KubeObject & { spec?: any; stringData?: Record<string, string> };

export function generatePassword(): string {
  // Web Crypto (a global): node:crypto loaded at start-up would cost every `render` ~2 ms.
  return Buffer.from(globalThis.crypto.getRandomValues(new Uint8Array(18))).toString('base64url');
}

function podSpecOf(workload: Obj): any {
  return workload.spec.template.spec;
}

export function buildApp(opts: AppOptions): RenderedApp {
  const preset = appPreset(opts.preset);
  const name = opts.name ?? preset.name;
  const volume = parseVolumeFlags(opts);
  const meta = parseMetadataFlags(opts);
  const problems = [
    // Services need DNS-1123 labels, which is stricter than other object names.
    ...dnsLabelProblems('--name', name, 52),
    ...(opts.size !== undefined ? sizeProblems('--size', opts.size) : []),
    ...(opts.existingSecret !== undefined ? objectNameProblems('--existing-secret', opts.existingSecret) : []),
    ...(opts.mountPath !== undefined && !opts.mountPath.startsWith('/') ? [`--mount-path: "${opts.mountPath}" must be an absolute path`] : []),
    ...(opts.mountPath !== undefined && preset.name !== 'uploads' ? [`--mount-path is only for the uploads kit: ${preset.name} keeps its data where its image expects it`] : []),
    ...(opts.password !== undefined && opts.existingSecret !== undefined ? ['--password-stdin and --existing-secret both set the credentials: use one'] : []),
    ...(opts.password !== undefined && opts.password.length === 0 ? ['the password read from stdin is empty'] : []),
    ...volume.problems,
    ...meta.problems,
  ];
  if (problems.length) throw new UsageError(problems);

  const objects = loadTemplate('app', preset.name) as Obj[];
  const secret = objects.find((o) => o.kind === 'Secret');
  const pvc = objects.find((o) => o.kind === 'PersistentVolumeClaim')!;
  const workload = objects.find((o) => o.kind === 'Deployment')!;
  const service = objects.find((o) => o.kind === 'Service');
  const pod = podSpecOf(workload);
  const container = pod.containers[0];

  const secretName = secret ? (opts.existingSecret ?? `${name}-credentials`) : undefined;
  const claimName = `${name}-pvc`;
  const selector = { app: name };
  const kitLabels = { app: name, 'app.kubernetes.io/name': preset.name, 'app.kubernetes.io/instance': name, 'app.kubernetes.io/managed-by': 'k8s-storage' };

  // Names, selectors and references move together, so the kit stays wired after a rename.
  workload.metadata.name = name;
  workload.spec.selector.matchLabels = selector;
  workload.spec.template.metadata.labels = selector;
  if (service) {
    service.metadata.name = name;
    service.spec.selector = selector;
  }
  pvc.metadata.name = claimName;
  for (const env of container.env ?? []) if (env.valueFrom?.secretKeyRef) env.valueFrom.secretKeyRef.name = secretName;
  if (opts.image) container.image = opts.image;
  const dataMount = (container.volumeMounts as { name: string; mountPath: string }[]).find((m) => m.name === 'data')!;
  if (opts.mountPath) dataMount.mountPath = opts.mountPath;

  pvc.spec.accessModes = volume.accessModes;
  if (opts.size) pvc.spec.resources.requests.storage = opts.size;
  if (opts.storageClass !== undefined) pvc.spec.storageClassName = opts.storageClass;

  const generatedPassword = Boolean(secret) && !opts.existingSecret && opts.password === undefined;
  if (secret && secretName) {
    secret.metadata.name = secretName;
    secret.stringData = { ...secret.stringData, password: opts.password ?? generatePassword() };
  }

  let out: Obj[];
  if (opts.statefulset) {
    // One claim per replica, stable across rescheduling: the StatefulSet owns its PVCs.
    pod.volumes = (pod.volumes as { name: string }[]).filter((v) => v.name !== 'data');
    if (pod.volumes.length === 0) delete pod.volumes;
    const { strategy: _ignored, ...spec } = workload.spec;
    const statefulSet: Obj = {
      apiVersion: 'apps/v1',
      kind: 'StatefulSet',
      metadata: workload.metadata,
      spec: { serviceName: name, ...spec, volumeClaimTemplates: [{ metadata: { name: 'data' }, spec: pvc.spec }] },
    };
    if (service) service.spec.clusterIP = 'None';
    out = [...(secret && !opts.existingSecret ? [secret] : []), statefulSet, ...(service ? [service] : [])];
  } else {
    pod.volumes.find((v: { name: string }) => v.name === 'data').persistentVolumeClaim.claimName = claimName;
    out = [...(secret && !opts.existingSecret ? [secret] : []), pvc, workload, ...(service ? [service] : [])];
  }
  for (const o of out) o.metadata = metadata(o.metadata.name, meta, kitLabels);
  return { objects: out, ...(secretName ? { secretName } : {}), generatedPassword };
}
