/**
 * What `status` and `doctor` say about NFS, from facts read once: the CSI driver's readiness
 * and classes, the in-cluster addon's server, and the seed's mistake (a class of
 * nfs.csi.k8s.io while no csi-driver-nfs runs: its claims stay Pending forever).
 */
import type { ObjectRef } from '../../cluster/kube.js';
import { workloadReadiness } from '../../plan/expectations.js';
import type { BackendAnalysis, BackendFinding, BackendStatus, ClusterFacts, Obj } from '../types.js';
import { NFS_CSI_PROVISIONER, NFS_SERVER_PROVISIONER } from './chart.js';
import { ADDON, NFS_CONTROLLER, NFS_NODE } from './plan.js';

export const workloadKey = (r: ObjectRef) => `${r.kind}/${r.namespace}/${r.name}`;

function lineFor(name: string, provisioner: string, refs: ObjectRef[], facts: ClusterFacts): BackendStatus | undefined {
  const classes = facts.classes.filter((c) => (c as Obj).provisioner === provisioner).map((c) => c.metadata.name);
  const found = refs.map((ref) => ({ ref, obj: facts.workloads.get(workloadKey(ref)) }));
  const installed = found.some((f) => f.obj);
  if (!installed && classes.length === 0) return undefined;
  const workloads = found
    .filter((f) => f.obj)
    .map((f) => {
      const verdict = workloadReadiness(f.obj as never);
      return { ref: `${f.ref.kind.toLowerCase()}/${f.ref.name} (${f.ref.namespace})`, ready: verdict === true ? 'ready' : verdict };
    });
  let problem: string | undefined;
  if (!installed) problem = `StorageClass ${classes.join(', ')} uses ${provisioner}, but its provisioner is not running: new claims will stay Pending`;
  else if (!found[0]?.obj) problem = `${found[0]?.ref.kind} ${found[0]?.ref.name} is missing`;
  else {
    const notReady = workloads.find((w) => w.ready !== 'ready');
    if (notReady) problem = `${notReady.ref}: ${notReady.ready}`;
  }
  return { name, provisioner, installed, healthy: installed && !problem, classes, workloads, ...(problem ? { problem } : {}) };
}

/** The command that installs the driver for an orphaned class, from the class's own parameters. */
function installFor(sc: Obj): string {
  const server = sc.parameters?.server;
  const share = sc.parameters?.share;
  return server && share ? `k8s-storage install nfs --name ${sc.metadata.name} --server ${server} --share ${share}` : `k8s-storage install nfs --name ${sc.metadata.name} --server HOST --share /export`;
}

export function analyzeNfs(facts: ClusterFacts): BackendAnalysis {
  const csi = lineFor('nfs', NFS_CSI_PROVISIONER, [NFS_CONTROLLER, NFS_NODE], facts);
  const inCluster = lineFor('nfs (in-cluster)', NFS_SERVER_PROVISIONER, [ADDON.statefulSet], facts);
  const findings: BackendFinding[] = [];
  const addonRuns = inCluster?.installed === true;

  if (csi && !csi.installed) {
    for (const name of csi.classes) {
      const sc = facts.classes.find((c) => c.metadata.name === name) as Obj;
      const pending = facts.claims.filter((c) => c.spec?.storageClassName === name && (c.status?.phase ?? 'Pending') === 'Pending').length;
      findings.push({
        severity: 'error',
        message:
          `StorageClass ${name} uses provisioner ${NFS_CSI_PROVISIONER}, but csi-driver-nfs is not installed: its claims stay Pending forever${pending ? ` (${pending} Pending now)` : ''}.` +
          (addonRuns
            ? ` The MicroK8s nfs addon that runs here is another thing: an NFS server with provisioner ${NFS_SERVER_PROVISIONER} and its own class ${ADDON.className}; it does not install csi-driver-nfs.`
            : ''),
        fix: addonRuns ? `${installFor(sc)}   (or use the addon's class: storageClassName: ${ADDON.className})` : installFor(sc),
      });
    }
  } else if (csi?.problem) {
    findings.push({ severity: 'warning', message: `csi-driver-nfs: ${csi.problem}`, fix: 'kubectl -n kube-system get pods -l app=csi-nfs-node -o wide; kubectl -n kube-system describe deployment csi-nfs-controller' });
  }
  if (inCluster && !inCluster.installed) {
    findings.push({ severity: 'error', message: `StorageClass ${inCluster.classes.join(', ')} uses ${NFS_SERVER_PROVISIONER}, but the in-cluster NFS server is not running: new claims stay Pending.`, fix: 'k8s-storage install nfs --in-cluster' });
  } else if (inCluster?.problem) {
    findings.push({ severity: 'warning', message: `in-cluster NFS server: ${inCluster.problem}`, fix: `kubectl -n ${ADDON.namespace} describe statefulset nfs-server-provisioner` });
  }
  if (addonRuns) {
    findings.push({ severity: 'info', message: `the in-cluster NFS server keeps all its volumes on one node (${ADDON.hostPath}); claim sizes are not enforced.` });
  }

  const status = csi ?? inCluster;
  const details = csi && inCluster ? { inCluster } : undefined;
  return { ...(status ? { status } : {}), findings, ...(details ? { details } : {}) };
}
