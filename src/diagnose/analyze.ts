/**
 * Why a claim is Pending or a pod is stuck in ContainerCreating, from objects already read
 * (pure: facts in, findings out). Each finding names the cause, quotes the evidence (an
 * event's own text where there is one) and gives the one command that fixes it. Event texts
 * are Kubernetes' and the drivers' (../shared/reference/day2.md): they are the only place
 * the cause is written, so this module reads them.
 */
import { API_VERSION } from '../documents.js';
import type { ObjectRef } from '../cluster/kube.js';
import type { BackendFinding, FindingSeverity, Obj } from '../backends/types.js';
import { accessModeReason, backendForProvisioner, type Day2Backend } from '../day2/backends.js';
import { isDefaultClass, workloadReadiness } from '../plan/expectations.js';
import { ACCESS_MODES } from '../presets/types.js';
import { workloadKey } from '../status/report.js';
import { pinnedNode } from '../backends/analysis.js';
import { byText } from '../sort.js';

export interface DiagnoseTarget {
  kind: 'pvc' | 'pod';
  namespace: string;
  name: string;
}

export interface DiagnoseFacts {
  target: DiagnoseTarget;
  /** The target pod (kind pod); undefined when it does not exist. */
  pod?: Obj;
  /** The claims concerned: the target claim, or every claim the target pod mounts. */
  claims: Obj[];
  /** Claim names the pod mounts that do not exist. */
  missingClaims: string[];
  classes: Obj[];
  /** PVs bound to the claims. */
  volumes: Obj[];
  /** Pods of the namespace that mount one of the claims (the target pod included). */
  pods: Obj[];
  /** Events of the namespace (the analysis picks those of the claims and pods). */
  events: Obj[];
  nodes: Obj[];
  /** Workloads of the backends behind the classes, keyed Kind/namespace/name; absent = missing. */
  workloads: Map<string, Obj>;
  /** Deployments and ReplicaSets of the namespace, to find a pod's Deployment. */
  deployments: Obj[];
  replicaSets: Obj[];
  /** What each concerned backend's runtime `collect` read, by backend id (Longhorn's volumes and nodes). */
  backendObjects: Record<string, unknown>;
}

/** A cause, in the shape every backend finding has, plus what it is about and its evidence. */
export interface DiagnoseFinding extends BackendFinding {
  /** Stable id of the cause, for scripts: `no-default-class`, `multi-attach`... */
  cause: string;
  /** `pvc/NAME` or `pod/NAME`. */
  object: string;
  /** The event or condition text the cause was read from. */
  evidence?: string;
}

export interface DiagnoseReport {
  apiVersion: typeof API_VERSION;
  schemaVersion: 1;
  kind: 'DiagnoseReport';
  target: DiagnoseTarget;
  claims: { name: string; phase: string; storageClass: string; volume?: string; accessModes: string[]; provisioner?: string }[];
  pods: { name: string; phase: string; node?: string; waiting?: string }[];
  findings: DiagnoseFinding[];
  /** No error or warning: a claim waiting for its first pod is healthy. */
  healthy: boolean;
}

type Event = Obj & { reason?: string; message?: string; type?: string; involvedObject?: { kind?: string; name?: string }; count?: number; lastTimestamp?: string; eventTime?: string };

const PROBLEM: Record<FindingSeverity, number> = { error: 0, warning: 1, info: 2 };
const LONG_MODE = new Map(Object.entries(ACCESS_MODES).map(([short, long]) => [long, short]));

function eventsOf(facts: DiagnoseFacts, kind: string, name: string): Event[] {
  const time = (e: Event) => e.lastTimestamp ?? e.eventTime ?? (e.metadata as any).creationTimestamp ?? '';
  return (facts.events as Event[]).filter((e) => e.involvedObject?.kind === kind && e.involvedObject?.name === name).sort((a, b) => byText(time(b), time(a)));
}

const latest = (events: Event[], reason: string) => events.find((e) => e.reason === reason);

const classOf = (facts: DiagnoseFacts, claim: Obj) => facts.classes.find((c) => c.metadata.name === claim.spec?.storageClassName);
const defaultClasses = (facts: DiagnoseFacts) => facts.classes.filter(isDefaultClass);
const mountsClaim = (pod: Obj, claim: string) => (pod.spec?.volumes ?? []).some((v: any) => v?.persistentVolumeClaim?.claimName === claim);
const podNode = (pod: Obj): string | undefined => pod.spec?.nodeName;
const isMicrok8s = (node: Obj) => Object.keys(node.metadata.labels ?? {}).some((l) => l.startsWith('node.kubernetes.io/microk8s-'));
const nodeReady = (node: Obj) => (node.status?.conditions ?? []).some((c: any) => c.type === 'Ready' && c.status === 'True');
const nodeCondition = (node: Obj, type: string) => (node.status?.conditions ?? []).find((c: any) => c.type === type && c.status === 'True');

export { pinnedNode };

/** The Deployment that owns a pod through its ReplicaSet. */
function deploymentOf(facts: DiagnoseFacts, pod: Obj): Obj | undefined {
  const rsRef = ((pod.metadata as any).ownerReferences ?? []).find((o: any) => o.kind === 'ReplicaSet');
  if (!rsRef) return undefined;
  const rs = facts.replicaSets.find((r) => r.metadata.name === rsRef.name);
  const depName = ((rs?.metadata as any)?.ownerReferences ?? []).find((o: any) => o.kind === 'Deployment')?.name ?? rsRef.name.replace(/-[a-z0-9]+$/, '');
  return facts.deployments.find((d) => d.metadata.name === depName);
}

function claimSize(claim: Obj): string {
  return claim.spec?.resources?.requests?.storage ?? '1Gi';
}

/** The other class an operator can recreate the claim on: the default first, then any that serves the mode. */
function classServing(facts: DiagnoseFacts, modes: string[], except?: string): string | undefined {
  const candidates = [...defaultClasses(facts), ...facts.classes].filter((c) => c.metadata.name !== except);
  return candidates.find((c) => {
    const b = backendForProvisioner(c.provisioner);
    return b !== undefined && modes.every((m) => b.capabilities.accessModes.includes(m as never));
  })?.metadata.name;
}

function recreateClaim(claim: Obj, opts: { storageClass: string; accessModes?: string[] }): string {
  const ns = claim.metadata.namespace;
  const modes = (opts.accessModes ?? claim.spec?.accessModes ?? []).map((m: string) => ` --access-mode ${LONG_MODE.get(m as never) ?? m}`).join('');
  return `kubectl delete pvc ${claim.metadata.name} -n ${ns} && k8s-storage apply pvc ${claim.metadata.name} -n ${ns} --size ${claimSize(claim)}${modes} --storage-class ${opts.storageClass}`;
}

function backendWorkloadProblem(facts: DiagnoseFacts, backend: Day2Backend): { ref: ObjectRef; why: string } | undefined {
  for (const ref of backend.workloads) {
    const obj = facts.workloads.get(workloadKey(ref));
    const verdict = workloadReadiness(obj);
    if (verdict !== true) return { ref, why: verdict };
  }
  return undefined;
}

function claimFindings(facts: DiagnoseFacts, claim: Obj): DiagnoseFinding[] {
  const found: DiagnoseFinding[] = [];
  const object = `pvc/${claim.metadata.name}`;
  const ns = claim.metadata.namespace;
  const add = (f: Omit<DiagnoseFinding, 'object'>) => found.push({ object, ...f });
  const events = eventsOf(facts, 'PersistentVolumeClaim', claim.metadata.name);
  const phase = claim.status?.phase ?? 'Pending';
  const className: string | undefined = claim.spec?.storageClassName;
  const sc = classOf(facts, claim);
  const backend = backendForProvisioner(sc?.provisioner);
  const users = facts.pods.filter((p) => mountsClaim(p, claim.metadata.name));

  if (phase === 'Lost' || latest(events, 'ClaimLost')) {
    add({ cause: 'claim-lost', severity: 'error', message: `claim ${claim.metadata.name} has lost its PersistentVolume ${claim.spec?.volumeName ?? ''}: the data on it is gone`.trim(), evidence: latest(events, 'ClaimLost')?.message, fix: `k8s-storage backup list --pvc ${claim.metadata.name} -n ${ns}` });
    return found;
  }

  if (phase === 'Pending') {
    if (className === undefined || className === '') {
      const defaults = defaultClasses(facts);
      if (className === '' || defaults.length === 0) {
        const some = facts.classes[0]?.metadata.name;
        add({
          cause: 'no-default-class',
          severity: 'error',
          message: className === ''
            ? `claim ${claim.metadata.name} asks for no class (storageClassName: ""), so only a PersistentVolume made by hand can bind it, and none matches`
            : `claim ${claim.metadata.name} names no StorageClass and the cluster has no default class, so nothing provisions it`,
          evidence: latest(events, 'FailedBinding')?.message,
          fix: some ? (className === '' ? recreateClaim(claim, { storageClass: some }) : `k8s-storage default-class ${some}`) : 'k8s-storage install hostpath',
        });
        return found;
      }
    } else if (!sc) {
      const preset = ['longhorn', 'microk8s-hostpath'].includes(className) ? (className === 'longhorn' ? 'k8s-storage install longhorn' : 'k8s-storage install hostpath') : undefined;
      const other = classServing(facts, claim.spec?.accessModes ?? []);
      add({
        cause: 'class-missing',
        severity: 'error',
        message: `claim ${claim.metadata.name} names StorageClass "${className}", which does not exist`,
        evidence: latest(events, 'ProvisioningFailed')?.message,
        fix: preset ?? (other ? recreateClaim(claim, { storageClass: other }) : `k8s-storage apply storageclass hostpath --name ${className}`),
      });
      return found;
    }

    const effective = sc ?? defaultClasses(facts)[0];
    const effectiveBackend = backendForProvisioner(effective?.provisioner);
    // An access mode the backend cannot serve: the provisioner refuses it, forever.
    if (effective && effectiveBackend) {
      const refused = (claim.spec?.accessModes ?? []).filter((m: string) => !effectiveBackend.capabilities.accessModes.includes(m as never));
      if (refused.length > 0) {
        const other = classServing(facts, claim.spec?.accessModes ?? [], effective.metadata.name);
        add({
          cause: 'access-mode',
          severity: 'error',
          message: `claim ${claim.metadata.name} asks for ${refused.join(', ')}, which class ${effective.metadata.name} (${effective.provisioner}) cannot serve: ${accessModeReason(effective.provisioner) ?? ''}`.trimEnd(),
          evidence: latest(events, 'ProvisioningFailed')?.message,
          fix: other ? recreateClaim(claim, { storageClass: other }) : 'k8s-storage install longhorn',
        });
        return found;
      }
      const down = backendWorkloadProblem(facts, effectiveBackend);
      if (down) {
        add({
          cause: 'provisioner-not-ready',
          severity: 'error',
          message: `the provisioner of class ${effective.metadata.name} (${effective.provisioner}) is not running: ${down.ref.kind} ${down.ref.name} in ${down.ref.namespace}: ${down.why}`,
          evidence: latest(events, 'ExternalProvisioning')?.message,
          fix: facts.workloads.has(workloadKey(down.ref))
            ? `kubectl -n ${down.ref.namespace} describe ${down.ref.kind.toLowerCase()} ${down.ref.name}`
            : (effectiveBackend.installCommand ?? `kubectl -n ${down.ref.namespace} get ${down.ref.kind.toLowerCase()} ${down.ref.name}`),
        });
        return found;
      }
    } else if (effective) {
      const waiting = latest(events, 'ExternalProvisioning');
      if (waiting && !latest(events, 'Provisioning')) {
        add({
          cause: 'provisioner-not-ready',
          severity: 'error',
          message: `nothing answers for provisioner "${effective.provisioner}" of class ${effective.metadata.name}: its driver is not installed, not running, or the name is misspelled`,
          evidence: waiting.message,
          fix: 'kubectl get csidrivers',
        });
        return found;
      }
    }

    const failed = latest(events, 'ProvisioningFailed');
    if (failed && /insufficient storage|not enough (free )?(space|storage)|no space left/i.test(failed.message ?? '')) {
      add({ cause: 'not-enough-space', severity: 'error', message: `no room for the ${claimSize(claim)} of claim ${claim.metadata.name}: the provisioner says so`, evidence: failed.message, fix: 'k8s-storage usage --sort used -A' });
    } else if (failed) {
      const dep = effectiveBackend?.workloads.find((w) => w.kind === 'Deployment');
      add({
        cause: 'provisioning-failed',
        severity: 'error',
        message: `the provisioner failed to create the volume of claim ${claim.metadata.name}: ${failed.message ?? ''}`.trimEnd(),
        evidence: failed.message,
        fix: dep ? `kubectl -n ${dep.namespace} logs deploy/${dep.name}` : `kubectl -n ${ns} describe pvc ${claim.metadata.name}`,
      });
    }

    if (effective?.volumeBindingMode === 'WaitForFirstConsumer' && users.length === 0 && found.length === 0) {
      add({
        cause: 'waiting-for-first-consumer',
        severity: 'info',
        message: `claim ${claim.metadata.name} waits for a pod: class ${effective.metadata.name} binds on first use (WaitForFirstConsumer), so Pending is normal until a pod mounts it`,
        evidence: latest(events, 'WaitForFirstConsumer')?.message,
      });
    }
  }

  const pv = facts.volumes.find((v) => v.metadata.name === claim.spec?.volumeName);
  const pinned = pinnedNode(pv);
  if (pinned) {
    const node = facts.nodes.find((n) => n.metadata.name === pinned);
    if (!node || !nodeReady(node)) {
      add({
        cause: 'volume-node-down',
        severity: 'error',
        message: `the data of claim ${claim.metadata.name} lives on node ${pinned} (${pv?.spec?.hostPath?.path ?? 'a local volume'}), which is ${node ? 'not Ready' : 'gone'}: no pod can use it elsewhere`,
        fix: node ? `kubectl describe node ${pinned}` : `k8s-storage backup list --pvc ${claim.metadata.name} -n ${ns}`,
      });
    } else if (nodeCondition(node, 'DiskPressure')) {
      add({ cause: 'not-enough-space', severity: 'error', message: `node ${pinned}, which holds the data of claim ${claim.metadata.name}, is low on disk (DiskPressure)`, evidence: nodeCondition(node, 'DiskPressure')?.message, fix: 'k8s-storage usage --sort used -A' });
    }
  }

  // The backend's own causes (Longhorn: degraded, faulted, no disk space), through its Backend value.
  if (backend?.backend.diagnose) {
    for (const d of backend.backend.diagnose({ claim, ...(pv ? { volume: pv } : {}), ...(sc ? { storageClass: sc } : {}), objects: facts.backendObjects[backend.id] })) found.push({ object, ...d });
  }
  return found;
}

const MULTIPATH_FIX = `printf 'blacklist {\\n    devnode "^sd[a-z0-9]+"\\n}\\n' | sudo tee -a /etc/multipath.conf && sudo systemctl restart multipathd.service`;

const claimsOf = (facts: DiagnoseFacts, pod: Obj) => facts.claims.filter((c) => mountsClaim(pod, c.metadata.name));

/** The causes the backends of the pod's claims name for its failure (hostpath: pinned node; NFS: access denied). */
function backendPodCauses(facts: DiagnoseFacts, pod: Obj, claims: Obj[], stage: 'scheduling' | 'mount', text: string, object: string): DiagnoseFinding[] {
  const deployment = deploymentOf(facts, pod);
  return claims.flatMap((claim) => {
    const sc = classOf(facts, claim);
    const backend = backendForProvisioner(sc?.provisioner);
    if (!backend?.backend.diagnose) return [];
    const pv = facts.volumes.find((v) => v.metadata.name === claim.spec?.volumeName);
    const failure = { pod, stage, text, nodes: facts.nodes, ...(deployment ? { deployment } : {}) };
    return backend.backend.diagnose({ claim, ...(pv ? { volume: pv } : {}), ...(sc ? { storageClass: sc } : {}), objects: facts.backendObjects[backend.id], pod: failure }).map((d) => ({ object, evidence: text, ...d }));
  });
}

function mountFinding(facts: DiagnoseFacts, pod: Obj, event: Event, object: string): DiagnoseFinding {
  const text = event.message ?? '';
  const node = podNode(pod);
  const nodeObj = facts.nodes.find((n) => n.metadata.name === node);
  const onNode = node ? ` --node ${node}` : '';
  const base = { object, evidence: text, severity: 'error' as const };
  if (/Initiatorname required/i.test(text)) {
    return { ...base, cause: 'iscsi', message: `the iSCSI initiator on node ${node ?? '?'} has no InitiatorName, so Longhorn cannot attach the volume`, fix: `echo "InitiatorName=$(/sbin/iscsi-iname)" | sudo tee /etc/iscsi/initiatorname.iscsi && sudo systemctl restart iscsid` };
  }
  if (/iscsiadm|iSCSI daemon|iscsi_tcp|iSCSI driver tcp/i.test(text)) {
    return { ...base, cause: 'iscsi', message: `node ${node ?? '?'} cannot attach the Longhorn volume: open-iscsi is missing, iscsid is not running or iscsi_tcp is not loaded`, fix: `k8s-storage nodes prepare --for longhorn${onNode}` };
  }
  if (/already mounted or mount point busy/i.test(text) && /\/dev\/longhorn\//.test(text)) {
    return { ...base, cause: 'multipathd', message: `multipathd on node ${node ?? '?'} holds the Longhorn device, so it cannot be mounted`, fix: MULTIPATH_FIX };
  }
  if (/not found in the list of registered CSI drivers/i.test(text) && nodeObj && isMicrok8s(nodeObj)) {
    const driver = /driver name (\S+) not found/.exec(text)?.[1] ?? 'the CSI driver';
    return {
      ...base,
      cause: 'kubelet-dir',
      message: `${driver} never registered with the kubelet on MicroK8s node ${node}: the driver was installed for /var/lib/kubelet, while MicroK8s' kubelet lives in /var/snap/microk8s/common/var/lib/kubelet`,
      fix: driver === 'driver.longhorn.io' ? 'k8s-storage install longhorn' : `k8s-storage doctor`,
    };
  }
  const named = backendPodCauses(facts, pod, claimsOf(facts, pod), 'mount', text, object);
  if (named.length) return named[0]!;
  return { ...base, cause: 'mount-failed', message: `the volume cannot be mounted on node ${node ?? '?'}: ${text}`, fix: `kubectl -n ${pod.metadata.namespace} describe pod ${pod.metadata.name}` };
}

function podFindings(facts: DiagnoseFacts, pod: Obj): DiagnoseFinding[] {
  const found: DiagnoseFinding[] = [];
  const object = `pod/${pod.metadata.name}`;
  const ns = pod.metadata.namespace;
  const events = eventsOf(facts, 'Pod', pod.metadata.name);
  const running = pod.status?.phase === 'Running' || pod.status?.phase === 'Succeeded';
  if (running) return found;
  const claims = claimsOf(facts, pod);

  const scheduling = latest(events, 'FailedScheduling');
  if (scheduling && !podNode(pod)) {
    const text = scheduling.message ?? '';
    const named = backendPodCauses(facts, pod, claims, 'scheduling', text, object);
    if (named.length) {
      found.push(...named);
    } else if (/did not have enough free storage/.test(text)) {
      found.push({ object, cause: 'not-enough-space', severity: 'error', message: `no node has room for the volumes of pod ${pod.metadata.name}`, evidence: text, fix: 'k8s-storage usage --sort used -A' });
    } else if (!/unbound immediate PersistentVolumeClaims|didn't find available persistent volumes/.test(text)) {
      found.push({ object, cause: 'unschedulable', severity: 'error', message: `pod ${pod.metadata.name} cannot be scheduled`, evidence: text, fix: `kubectl -n ${ns} describe pod ${pod.metadata.name}` });
    }
  }

  const attach = latest(events, 'FailedAttachVolume');
  if (attach && /Multi-Attach error/.test(attach.message ?? '')) {
    const dep = deploymentOf(facts, pod);
    const rwo = claims.some((c) => (c.spec?.accessModes ?? []).some((m: string) => m === 'ReadWriteOnce' || m === 'ReadWriteOncePod'));
    const rolling = dep && (dep.spec?.strategy?.type ?? 'RollingUpdate') === 'RollingUpdate';
    found.push({
      object,
      cause: 'multi-attach',
      severity: 'error',
      message: rolling && rwo
        ? `Deployment ${dep!.metadata.name} rolls out with RollingUpdate, so its new pod needs the ReadWriteOnce volume while the old pod still holds it on another node`
        : `the ReadWriteOnce volume of pod ${pod.metadata.name} is still attached to another node`,
      evidence: attach.message,
      fix: rolling && rwo
        ? `kubectl -n ${ns} patch deployment ${dep!.metadata.name} -p '{"spec":{"strategy":{"type":"Recreate","rollingUpdate":null}}}'`
        : `kubectl -n ${ns} get pods -o wide`,
    });
  } else if (attach) {
    found.push(mountFinding(facts, pod, attach, object));
  }

  const mount = latest(events, 'FailedMount');
  // "Unable to attach or mount volumes: ... timed out" follows an attach failure: the attach is the cause.
  if (mount && !attach) found.push(mountFinding(facts, pod, mount, object));
  return found;
}

export function diagnose(facts: DiagnoseFacts): DiagnoseReport {
  const findings: DiagnoseFinding[] = [];
  const { target } = facts;
  if (target.kind === 'pod' && !facts.pod) {
    findings.push({ object: `pod/${target.name}`, cause: 'not-found', severity: 'error', message: `pod ${target.name} does not exist in namespace ${target.namespace}`, fix: `kubectl get pods -n ${target.namespace}` });
  }
  if (target.kind === 'pvc' && facts.claims.length === 0) {
    findings.push({ object: `pvc/${target.name}`, cause: 'not-found', severity: 'error', message: `claim ${target.name} does not exist in namespace ${target.namespace}`, fix: `kubectl get pvc -n ${target.namespace}` });
  }
  for (const name of facts.missingClaims) {
    findings.push({ object: `pvc/${name}`, cause: 'claim-missing', severity: 'error', message: `pod ${target.name} mounts claim ${name}, which does not exist`, fix: `k8s-storage apply pvc ${name} -n ${target.namespace} --size 1Gi` });
  }
  for (const claim of facts.claims) findings.push(...claimFindings(facts, claim));
  const pods = target.kind === 'pod' ? (facts.pod ? [facts.pod] : []) : facts.pods;
  for (const pod of pods) findings.push(...podFindings(facts, pod));
  // One cause per object and cause id: the same event read through the pod and its claim counts once.
  const seen = new Set<string>();
  const unique = findings.filter((f) => {
    const key = `${f.object}\u0000${f.cause}\u0000${f.message}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
  unique.sort((a, b) => PROBLEM[a.severity] - PROBLEM[b.severity]);
  return {
    apiVersion: API_VERSION,
    schemaVersion: 1,
    kind: 'DiagnoseReport',
    target,
    claims: facts.claims.map((c) => ({
      name: c.metadata.name,
      phase: c.status?.phase ?? 'Pending',
      storageClass: c.spec?.storageClassName ?? '',
      ...(c.spec?.volumeName ? { volume: c.spec.volumeName } : {}),
      accessModes: c.spec?.accessModes ?? [],
      ...(classOf(facts, c)?.provisioner ? { provisioner: classOf(facts, c)!.provisioner } : {}),
    })),
    pods: pods.map((p) => {
      const waiting = (p.status?.containerStatuses ?? []).find((s: any) => s.state?.waiting)?.state?.waiting?.reason;
      return { name: p.metadata.name, phase: p.status?.phase ?? 'Pending', ...(podNode(p) ? { node: podNode(p) } : {}), ...(waiting ? { waiting } : {}) };
    }),
    findings: unique,
    healthy: unique.every((f) => f.severity === 'info'),
  };
}
