/** `install hostpath` and `uninstall hostpath`. */
import { ClusterSession } from '../cluster/session.js';
import type { Context } from '../context.js';
import { UsageError } from '../errors.js';
import { reclaimPolicy } from '../options/index.js';
import { LONGHORN_CLASS_CONFIGMAP } from '../plan/default-class.js';
import { HOSTPATH_CLASS, HOSTPATH_PROVISIONER, planHostpathInstall, planHostpathUninstall } from '../plan/hostpath.js';
import { confirmDestruction } from '../output/confirm.js';
import type { StorageClassObject } from '../presets/types.js';
import { runPlan } from './run-plan.js';

export async function installHostpath(ctx: Context, opts: Record<string, any>): Promise<void> {
  const problems: string[] = [];
  if (opts.dir !== undefined && opts.name === undefined) problems.push('--dir makes a StorageClass next to microk8s-hostpath: name it with --name, for example --name hostpath-ssd');
  const reclaim = reclaimPolicy('--reclaim-policy', opts.reclaimPolicy, problems);
  if (problems.length) throw new UsageError(problems);
  if (reclaim) opts.reclaimPolicy = reclaim;
  const session = new ClusterSession(ctx);
  const microk8s = await session.requireMicrok8s();
  const kube = await session.kube();
  const [nodes, classes, longhornClassConfigMap] = await Promise.all([session.nodes(), kube.list<StorageClassObject>('storage.k8s.io/v1', 'StorageClass'), kube.get(LONGHORN_CLASS_CONFIGMAP)]);
  const plan = planHostpathInstall(
    { microk8s, nodeCount: nodes.length, classes, ...(longhornClassConfigMap ? { longhornClassConfigMap } : {}) },
    { ...(opts.reclaimPolicy ? { reclaimPolicy: opts.reclaimPolicy } : {}), ...(opts.defaultClass !== undefined ? { defaultClass: opts.defaultClass } : {}), ...(opts.dir ? { dir: opts.dir, name: opts.name } : {}) },
  );
  const done = await runPlan(ctx, session, plan, opts);
  if (done) ctx.log.success(`hostpath storage is ready: StorageClass ${HOSTPATH_CLASS}${opts.name ? ` and ${opts.name}` : ''}. Try: k8s-storage apply pvc data --size 1Gi --storage-class ${opts.name ?? HOSTPATH_CLASS}`);
}

export async function uninstallHostpath(ctx: Context, opts: Record<string, any>): Promise<void> {
  const session = new ClusterSession(ctx);
  const microk8s = await session.requireMicrok8s();
  const kube = await session.kube();
  const [classes, claims, volumes, provisioner] = await Promise.all([
    kube.list<StorageClassObject>('storage.k8s.io/v1', 'StorageClass'),
    kube.list<any>('v1', 'PersistentVolumeClaim'),
    kube.list<any>('v1', 'PersistentVolume'),
    kube.get({ apiVersion: 'apps/v1', kind: 'Deployment', name: 'hostpath-provisioner', namespace: 'kube-system' }),
  ]);
  const hostpathClasses = new Set(classes.filter((c) => c.provisioner === HOSTPATH_PROVISIONER).map((c) => c.metadata.name));
  const hostpathVolumes = new Set(volumes.filter((v) => v.metadata.annotations?.['pv.kubernetes.io/provisioned-by'] === HOSTPATH_PROVISIONER || hostpathClasses.has(v.spec?.storageClassName)).map((v) => v.metadata.name));
  const affected = claims.filter((c) => hostpathClasses.has(c.spec?.storageClassName) || hostpathVolumes.has(c.spec?.volumeName)).map((c) => `${c.metadata.namespace}/${c.metadata.name}`);
  const plan = planHostpathUninstall({ microk8s, claims: affected, classExists: hostpathClasses.has(HOSTPATH_CLASS), provisionerExists: provisioner !== undefined }, { destroyData: opts.destroyData === true });
  if (opts.destroyData && plan.steps.length && !opts.dryRun) {
    if (affected.length) ctx.log.warn(`these ${affected.length} claims lose their data: ${affected.join(', ')}`);
    await confirmDestruction(ctx, `This deletes every hostpath volume's data under /var/snap/microk8s/common/default-storage`, { yes: opts.yes, flag: 'uninstall hostpath --destroy-data' });
  }
  const done = await runPlan(ctx, session, plan, opts);
  if (done && plan.steps.length) ctx.log.success(opts.destroyData ? 'hostpath storage removed, and its data deleted.' : 'hostpath storage removed; the data is still on disk.');
}
