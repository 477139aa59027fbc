/**
 * Longhorn: replicated block storage for clusters of several nodes, installed with its Helm
 * chart. Everything the rest of the code knows about it is this value; its IO is in
 * runtime.ts, its own commands (ui, snapshot, backup, schedule, render longhorn-values) in cli.ts.
 */
import { workloadStatus } from '../analysis.js';
import type { Backend } from '../types.js';
import type { LonghornInstallGathered, LonghornInstallOptions } from './commands/install.js';
import type { LonghornUninstallCliOptions, LonghornUninstallGathered } from './commands/uninstall.js';
import { registerLonghornCommands } from './cli.js';
import { diagnoseLonghorn } from './diagnose.js';
import { LONGHORN_INSTALL, LONGHORN_UNINSTALL } from './options.js';
import { formatLonghornSection } from './output.js';
import { LONGHORN_CHART, LONGHORN_PROVISIONER as PROVISIONER } from './chart.js';
import { planLonghornInstall, planLonghornUninstall } from './plan.js';
import { LONGHORN_CLASS, LONGHORN_WORKLOADS } from './workloads.js';
import { longhorn as longhornPreset } from './preset.js';
import { analyzeLonghorn, type LonghornObjects, type LonghornStatus } from './status.js';

declare module '../types.js' {
  interface BackendObjectsMap {
    /** What collectLonghorn read; absent when the cluster does not serve longhorn.io. */
    longhorn: LonghornObjects;
  }
  interface BackendDetailsMap {
    /** The LONGHORN section of `status` (only when Longhorn is installed). */
    longhorn: LonghornStatus;
  }
}

export const longhorn: Backend<LonghornInstallOptions, LonghornInstallGathered, LonghornUninstallCliOptions, LonghornUninstallGathered> = {
  id: 'longhorn',
  title: 'Longhorn',
  provisioners: [PROVISIONER],
  presets: ['longhorn'],
  storageClassPresets: [longhornPreset],
  capabilities: { accessModes: ['ReadWriteOnce', 'ReadOnlyMany', 'ReadWriteMany', 'ReadWriteOncePod'], expand: true, snapshot: true, csiSnapshots: true, restore: true, replicated: true, nodeBound: false },
  // parameters.type: snap (in the cluster, next to the data) or bak (a backup on the backup target): reference/day2.md.
  volumeSnapshotClasses: [
    { name: 'longhorn-snapshot', driver: PROVISIONER, parameters: { type: 'snap' }, description: 'a Longhorn snapshot, kept on the nodes next to the data' },
    { name: 'longhorn-backup', driver: PROVISIONER, parameters: { type: 'bak' }, description: 'a Longhorn backup, uploaded to the backup target' },
  ],
  nodeTargets: [{ id: 'longhorn', description: 'open-iscsi with iscsid, nfs-common, the iscsi_tcp and dm_crypt modules, disk at the data path, memory', title: 'Longhorn', doctorOrder: 1 }],
  workloads: LONGHORN_WORKLOADS.map((w) => ({ ref: w.ref, hint: w.hint })),
  recommendedFor: 'several-nodes',
  classSource: { className: LONGHORN_CLASS, configMap: { apiVersion: 'v1', kind: 'ConfigMap', name: 'longhorn-storageclass', namespace: LONGHORN_CHART.namespace }, key: 'storageclass.yaml' },
  install: LONGHORN_INSTALL,
  uninstall: LONGHORN_UNINSTALL,
  planInstall: (g) => {
    const { plan } = planLonghornInstall(g.facts, g.request);
    if (g.defaultNote) plan.notes.unshift(g.defaultNote);
    return plan;
  },
  planUninstall: (facts, opts) => planLonghornUninstall(facts, opts),
  analyze(facts) {
    const status = workloadStatus('longhorn', PROVISIONER, longhorn.workloads, facts);
    const objects = facts.extra.longhorn as LonghornObjects | undefined;
    const details = objects ? analyzeLonghorn(objects, { classes: facts.classes }) : undefined;
    return { ...(status ? { status } : {}), findings: (details?.warnings ?? []).map((message) => ({ severity: 'warning' as const, message })), ...(details ? { details } : {}) };
  },
  statusSection: (details, table) => formatLonghornSection(details as LonghornStatus, table),
  diagnose: diagnoseLonghorn,
  commands: {
    topLevel: ['ui', 'snapshot', 'backup', 'schedule'],
    register: registerLonghornCommands,
  },
  load: async () => (await import('./runtime.js')).longhornRuntime,
};
