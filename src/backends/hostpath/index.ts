/**
 * MicroK8s hostpath-storage: a directory on one node, for single-node clusters (seed 05.6).
 * Everything the rest of the code knows about it is this value; its IO is in runtime.ts.
 */
import { classesOf, workloadStatus } from '../analysis.js';
import type { Backend, BackendFinding } from '../types.js';
import { HOSTPATH_DEPLOYMENT, HOSTPATH_PROVISIONER } from './constants.js';
import { planHostpathInstall, planHostpathUninstall, type HostpathFacts, type HostpathInstallOptions, type HostpathUninstallFacts, type HostpathUninstallOptions } from './plan.js';
import { hostpath as hostpathPreset } from './preset.js';
import { diagnoseHostpath } from './diagnose.js';

export const hostpath: Backend<HostpathInstallOptions, HostpathFacts, HostpathUninstallOptions, HostpathUninstallFacts> = {
  id: 'hostpath',
  title: 'MicroK8s hostpath storage',
  provisioners: [HOSTPATH_PROVISIONER],
  presets: ['hostpath'],
  storageClassPresets: [hostpathPreset],
  capabilities: { accessModes: ['ReadWriteOnce'], expand: false, snapshot: false, csiSnapshots: false, restore: false, replicated: false, nodeBound: true },
  nodeTargets: [{ id: 'hostpath', description: 'free disk and the kubelet for hostpath volumes', title: 'hostpath storage', doctorOrder: 3 }],
  workloads: [{ ref: HOSTPATH_DEPLOYMENT, hint: 'kubectl -n kube-system describe deployment hostpath-provisioner; microk8s inspect' }],
  recommendedFor: 'single-node',
  install: {
    description: 'enable MicroK8s hostpath-storage (single-node clusters), wait for it and check it',
    options: [
      { flags: '--reclaim-policy <policy>', description: 'Delete or Retain for the microk8s-hostpath class (Retain keeps data when a claim is deleted)' },
      { flags: '--default-class', description: 'make microk8s-hostpath the default class (and the only one)', negatable: true, negatedDescription: 'do not make microk8s-hostpath the default class' },
      { flags: '--dir <path>', description: 'also create a class that keeps volumes under this host directory (pvDir); needs --name' },
      { flags: '--name <name>', description: 'name of the --dir class' },
      { flags: '--dry-run', description: 'print the plan and change nothing' },
    ],
    examples: ['k8s-storage install hostpath', 'k8s-storage install hostpath --reclaim-policy Retain --default-class', 'k8s-storage install hostpath --dir /mnt/ssd --name hostpath-ssd', 'k8s-storage install hostpath --dry-run -o json'],
  },
  uninstall: {
    description: 'disable MicroK8s hostpath-storage; the data stays on disk unless --destroy-data',
    options: [
      { flags: '--destroy-data', description: "also delete every hostpath volume's data (asks for confirmation)" },
      { flags: '--yes', description: 'confirm --destroy-data without a prompt (needed when stdin is not a terminal)' },
      { flags: '--dry-run', description: 'print the plan and change nothing' },
    ],
    examples: ['k8s-storage uninstall hostpath', 'k8s-storage uninstall hostpath --destroy-data', 'k8s-storage uninstall hostpath --destroy-data --yes   # in scripts'],
  },
  // Arrows, not the functions themselves: plan.ts may still be loading when the registry is (import cycle through manifests).
  planInstall: (facts, opts) => planHostpathInstall(facts, opts),
  planUninstall: (facts, opts) => planHostpathUninstall(facts, opts),
  diagnose: diagnoseHostpath,
  analyze(facts) {
    const status = workloadStatus('hostpath', HOSTPATH_PROVISIONER, hostpath.workloads, facts);
    const findings: BackendFinding[] = [];
    const classes = new Set(classesOf(facts, [HOSTPATH_PROVISIONER]).map((c) => c.metadata.name));
    const bound = facts.volumes.filter((v) => v.spec?.storageClassName && classes.has(v.spec.storageClassName));
    if (facts.nodes.length > 1 && bound.length > 0) {
      findings.push({
        severity: 'warning',
        message: `${bound.length} hostpath volume(s) on a ${facts.nodes.length}-node cluster: each lives on one node and is lost to pods moved elsewhere`,
        fix: 'k8s-storage install longhorn',
      });
    }
    return { ...(status ? { status } : {}), findings };
  },
  load: async () => (await import('./runtime.js')).hostpathRuntime,
};
