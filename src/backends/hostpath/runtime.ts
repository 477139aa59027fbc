/** What `install hostpath` and `uninstall hostpath` read and say: the IO half of the hostpath backend. */
import type { ClusterSession } from '../../cluster/session.js';
import type { Context } from '../../context.js';
import { UsageError } from '../../errors.js';
import { reclaimPolicy } from '../../options/index.js';
import { confirmDestruction } from '../../output/confirm.js';
import { readClassSources } from '../../plan/default-class.js';
import type { StorageClassObject } from '../../presets/types.js';
import type { BackendRuntime } from '../types.js';
import { HOSTPATH_CLASS, HOSTPATH_DATA_DIR, HOSTPATH_DEPLOYMENT, HOSTPATH_PROVISIONER, type HostpathFacts, type HostpathInstallOptions, type HostpathUninstallFacts, type HostpathUninstallOptions } from './plan.js';

export const hostpathRuntime: BackendRuntime<HostpathInstallOptions, HostpathFacts, HostpathUninstallOptions, HostpathUninstallFacts> = {
  parseInstall(raw) {
    const problems: string[] = [];
    if (raw.dir !== undefined && raw.name === undefined) problems.push('--dir makes a StorageClass next to microk8s-hostpath: name it with --name, for example --name hostpath-ssd');
    const policy = reclaimPolicy('--reclaim-policy', raw.reclaimPolicy, problems);
    if (problems.length) throw new UsageError(problems);
    return {
      ...(policy ? { reclaimPolicy: policy } : {}),
      ...(typeof raw.defaultClass === 'boolean' ? { defaultClass: raw.defaultClass } : {}),
      ...(raw.dir !== undefined ? { dir: String(raw.dir), name: String(raw.name) } : {}),
    };
  },

  async gatherInstall(_ctx, session) {
    // `microk8s status` (a second or so on a real node) runs beside the client load and the reads.
    const reads = session.kube().then((kube) => Promise.all([session.nodes(), kube.list<StorageClassObject>('storage.k8s.io/v1', 'StorageClass'), readClassSources(kube)]));
    reads.catch(() => {});
    const microk8s = await session.requireMicrok8s();
    const [nodes, classes, sources] = await reads;
    return { microk8s, nodeCount: nodes.length, classes, ...sources };
  },

  async reportInstall(ctx, _session, plan, _facts, opts) {
    ctx.log.success(`hostpath storage is ready: StorageClass ${HOSTPATH_CLASS}${opts.name ? ` and ${opts.name}` : ''}. Try: k8s-storage apply pvc data --size 1Gi --storage-class ${opts.name ?? HOSTPATH_CLASS}`);
  },

  parseUninstall(raw) {
    return { destroyData: raw.destroyData === true, yes: raw.yes === true };
  },

  async gatherUninstall(_ctx, session) {
    const reads = session.kube().then((kube) =>
      Promise.all([
      kube.list<StorageClassObject>('storage.k8s.io/v1', 'StorageClass'),
      kube.list<any>('v1', 'PersistentVolumeClaim'),
      kube.list<any>('v1', 'PersistentVolume'),
      kube.get(HOSTPATH_DEPLOYMENT),
    ]),
    );
    reads.catch(() => {});
    const microk8s = await session.requireMicrok8s();
    const [classes, claims, volumes, provisioner] = await reads;
    const hostpathClasses = new Set(classes.filter((c) => c.provisioner === HOSTPATH_PROVISIONER).map((c) => c.metadata.name));
    const hostpathVolumes = new Set(volumes.filter((v) => v.metadata.annotations?.['pv.kubernetes.io/provisioned-by'] === HOSTPATH_PROVISIONER || hostpathClasses.has(v.spec?.storageClassName)).map((v) => v.metadata.name));
    const claimNames = claims.filter((c) => hostpathClasses.has(c.spec?.storageClassName) || hostpathVolumes.has(c.spec?.volumeName)).map((c) => `${c.metadata.namespace}/${c.metadata.name}`);
    return { microk8s, claims: claimNames, classExists: hostpathClasses.has(HOSTPATH_CLASS), provisionerExists: provisioner !== undefined };
  },

  async confirmUninstall(ctx, plan, facts, opts) {
    if (!opts.destroyData || !plan.steps.length) return;
    if (facts.claims.length) ctx.log.warn(`these ${facts.claims.length} claims lose their data: ${facts.claims.join(', ')}`);
    await confirmDestruction(ctx, `This deletes every hostpath volume's data under ${HOSTPATH_DATA_DIR}`, { yes: opts.yes, flag: 'uninstall hostpath --destroy-data' });
  },

  async reportUninstall(ctx, _session, plan, _facts, opts) {
    if (plan.steps.length) ctx.log.success(opts.destroyData ? 'hostpath storage removed, and its data deleted.' : 'hostpath storage removed; the data is still on disk.');
  },
};
