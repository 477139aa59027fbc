/**
 * The single-node path of seed 05.6: MicroK8s's hostpath-storage addon, set up and checked,
 * and taken down without losing data unless the operator asks for it.
 */
import { microk8sCommands, type Microk8sState } from '../../cluster/microk8s.js';
import type { ObjectRef } from '../../cluster/kube.js';
import { buildStorageClass } from '../../manifests/storageclass.js';
import type { KubeObject, StorageClassObject } from '../../presets/types.js';
import { defaultClassExpectations, defaultClassSteps, type DefaultClassFacts } from '../../plan/default-class.js';
import { isDefaultClass } from '../../plan/expectations.js';
import { emptyPlan, type ObjectExpectation, type Plan } from '../../plan/types.js';

import { HOSTPATH_ADDON, HOSTPATH_CLASS, HOSTPATH_DATA_DIR, HOSTPATH_DEPLOYMENT, HOSTPATH_PROVISIONER } from './constants.js';

export { HOSTPATH_ADDON, HOSTPATH_CLASS, HOSTPATH_DATA_DIR, HOSTPATH_DEPLOYMENT, HOSTPATH_PROVISIONER };
const classRef = (name: string): ObjectRef => ({ apiVersion: 'storage.k8s.io/v1', kind: 'StorageClass', name });

export const MULTI_NODE_WARNING = (nodes: number) =>
  `this cluster has ${nodes} nodes: a hostpath volume lives on the node that created it, so a pod moved to another node cannot reach its data. ` +
  'Use it for scratch data only, and for real data install replicated storage: k8s-storage install longhorn';

export interface HostpathFacts extends DefaultClassFacts {
  microk8s: Extract<Microk8sState, { kind: 'running' }>;
  nodeCount: number;
}

export interface HostpathInstallOptions {
  reclaimPolicy?: 'Delete' | 'Retain';
  /** true/false from --default-class/--no-default-class; undefined lets the planner decide. */
  defaultClass?: boolean;
  dir?: string;
  name?: string;
}

export function planHostpathInstall(facts: HostpathFacts, opts: HostpathInstallOptions): Plan {
  const plan = emptyPlan('install MicroK8s hostpath storage');
  if (facts.nodeCount > 1) plan.warnings.push(MULTI_NODE_WARNING(facts.nodeCount));

  // Build the --dir class first: it validates the flags before anything runs.
  const dirClass = opts.dir ? buildStorageClass({ preset: 'hostpath', dir: opts.dir, name: opts.name, ...(opts.reclaimPolicy ? { reclaimPolicy: opts.reclaimPolicy } : {}) }) : undefined;

  const otherDefaults = facts.classes.filter((c) => isDefaultClass(c) && c.metadata.name !== HOSTPATH_CLASS).map((c) => c.metadata.name);
  const makeDefault = opts.defaultClass ?? otherDefaults.length === 0;
  if (opts.defaultClass === undefined && otherDefaults.length > 0) {
    plan.notes.push(`Keeping ${otherDefaults.join(', ')} as the default StorageClass; pass --default-class to make ${HOSTPATH_CLASS} the default instead.`);
  }

  const enabled = facts.microk8s.addons[HOSTPATH_ADDON]?.status === 'enabled';
  const existing = facts.classes.find((c) => c.metadata.name === HOSTPATH_CLASS) as StorageClassObject | undefined;
  const classFields: Record<string, unknown> = { provisioner: HOSTPATH_PROVISIONER, ...(opts.reclaimPolicy ? { reclaimPolicy: opts.reclaimPolicy } : {}) };

  if (!enabled) {
    const flags: Record<string, string> = { 'default-class': String(makeDefault) };
    if (opts.reclaimPolicy) flags['reclaim-policy'] = opts.reclaimPolicy;
    plan.steps.push({
      kind: 'run',
      title: `Enable the MicroK8s ${HOSTPATH_ADDON} addon`,
      command: microk8sCommands.enable(HOSTPATH_ADDON, flags),
      // `microk8s enable` exits 0 on some failures: the objects it makes are the proof.
      verify: [{ type: 'exists', ref: classRef(HOSTPATH_CLASS), fields: classFields }, { type: 'exists', ref: HOSTPATH_DEPLOYMENT }],
      timeoutMs: 300_000,
    });
  } else {
    plan.notes.push(`The ${HOSTPATH_ADDON} addon is already enabled.`);
    if (!existing || (opts.reclaimPolicy && existing.reclaimPolicy !== opts.reclaimPolicy)) {
      // reclaimPolicy is immutable on a StorageClass: replace the class. Existing volumes
      // keep the policy they were created with.
      const replacement = buildStorageClass({ preset: 'hostpath', ...(opts.reclaimPolicy ? { reclaimPolicy: opts.reclaimPolicy } : existing?.reclaimPolicy ? { reclaimPolicy: existing.reclaimPolicy } : {}), default: makeDefault });
      if (existing) plan.steps.push({ kind: 'delete', title: `Remove StorageClass ${HOSTPATH_CLASS} to change its reclaim policy (volumes keep theirs)`, refs: [classRef(HOSTPATH_CLASS)] });
      plan.steps.push({ kind: 'apply', title: `Create StorageClass ${HOSTPATH_CLASS}${opts.reclaimPolicy ? ` with reclaimPolicy ${opts.reclaimPolicy}` : ''}`, objects: [replacement] });
    }
  }

  plan.steps.push({
    kind: 'wait',
    title: 'Wait for the hostpath-provisioner to be ready',
    until: { type: 'ready', ref: HOSTPATH_DEPLOYMENT },
    timeoutMs: 180_000,
    hint: 'kubectl -n kube-system describe deployment hostpath-provisioner; microk8s inspect',
  });

  const expect: ObjectExpectation[] = [{ type: 'exists', ref: classRef(HOSTPATH_CLASS), fields: classFields }];
  if (dirClass) {
    plan.steps.push({ kind: 'apply', title: `Create StorageClass ${dirClass.metadata.name} for volumes under ${opts.dir}`, objects: [dirClass] });
    expect.push({ type: 'exists', ref: classRef(dirClass.metadata.name), fields: { provisioner: HOSTPATH_PROVISIONER, parameters: { pvDir: opts.dir } } });
    plan.notes.push(`Some MicroK8s versions (1.24, 1.26) ignore pvDir: after the first volume of ${dirClass.metadata.name} binds, check that its directory is under ${opts.dir}.`);
  }

  // The addon's --default-class flag touches only its own class. When hostpath becomes the
  // default, other defaults stop being one (exactly one default must remain); when asked
  // not to be the default, only hostpath's own flag changes.
  const hostpathAfter: KubeObject = existing ?? { apiVersion: 'storage.k8s.io/v1', kind: 'StorageClass', metadata: { name: HOSTPATH_CLASS, annotations: { 'storageclass.kubernetes.io/is-default-class': String(makeDefault) } } };
  const classesAfter = [...facts.classes.filter((c) => c.metadata.name !== HOSTPATH_CLASS), hostpathAfter];
  if (makeDefault) {
    plan.steps.push(...defaultClassSteps(HOSTPATH_CLASS, { ...facts, classes: classesAfter }));
    expect.push(...defaultClassExpectations(HOSTPATH_CLASS, classesAfter));
  } else if (opts.defaultClass === false) {
    plan.steps.push(...defaultClassSteps(undefined, { ...facts, classes: [hostpathAfter] }));
    expect.push({ type: 'default-class', name: HOSTPATH_CLASS, isDefault: false });
  }
  plan.steps.push({ kind: 'verify', title: 'Check the StorageClasses', expect });
  return plan;
}

export interface HostpathUninstallFacts {
  microk8s: Extract<Microk8sState, { kind: 'running' }>;
  /** PVCs whose volumes hostpath provisioned, as namespace/name. */
  claims: string[];
  classExists: boolean;
  provisionerExists: boolean;
}

export interface HostpathUninstallOptions {
  destroyData: boolean;
  /** Confirms --destroy-data without a prompt. */
  yes?: boolean;
}

export function planHostpathUninstall(facts: HostpathUninstallFacts, opts: HostpathUninstallOptions): Plan {
  const plan = emptyPlan('uninstall MicroK8s hostpath storage');
  const enabled = facts.microk8s.addons[HOSTPATH_ADDON]?.status === 'enabled';
  if (!enabled && !facts.classExists && !facts.provisionerExists) {
    plan.notes.push(`The ${HOSTPATH_ADDON} addon is already disabled.`);
    return plan;
  }
  const gone: ObjectExpectation[] = [
    { type: 'absent', ref: HOSTPATH_DEPLOYMENT },
    { type: 'absent', ref: classRef(HOSTPATH_CLASS) },
  ];
  if (opts.destroyData) {
    plan.steps.push({ kind: 'run', title: `Disable ${HOSTPATH_ADDON} and delete the data in ${HOSTPATH_DATA_DIR}`, command: microk8sCommands.disable(HOSTPATH_ADDON, 'destroy-storage'), verify: gone, timeoutMs: 300_000 });
    if (facts.claims.length) plan.warnings.push(`these PVCs will point at deleted data; delete them when their apps are gone: ${facts.claims.join(', ')}`);
  } else {
    // The addon asks whether to remove the data; we answer no. It then exits 1 although
    // it did remove the addon, so the state check, not the exit code, decides.
    plan.steps.push({ kind: 'run', title: `Disable ${HOSTPATH_ADDON}, keeping the data in ${HOSTPATH_DATA_DIR}`, command: microk8sCommands.disable(HOSTPATH_ADDON, undefined, 'n'), okExitCodes: [1], verify: gone, timeoutMs: 300_000 });
    if (facts.claims.length) plan.notes.push(`These PVCs keep their data on disk (${HOSTPATH_DATA_DIR}) but no new hostpath volume can be provisioned: ${facts.claims.join(', ')}`);
  }
  return plan;
}
