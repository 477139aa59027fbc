import { describe, expect, it } from 'vitest';
import type { Microk8sState } from '../../src/cluster/microk8s.js';
import { planApply } from '../../src/plan/apply.js';
import { planDefaultClass } from '../../src/plan/default-class.js';
import { judge, workloadReadiness } from '../../src/plan/expectations.js';
import { planHostpathInstall, planHostpathUninstall } from '../../src/backends/hostpath/plan.js';
import type { Plan, Step } from '../../src/plan/types.js';

const running = (hostpath: 'enabled' | 'disabled'): Extract<Microk8sState, { kind: 'running' }> => ({
  kind: 'running',
  highAvailability: false,
  datastoreNodes: [],
  addons: { 'hostpath-storage': { name: 'hostpath-storage', status: hostpath } },
});
const sc = (name: string, provisioner: string, isDefault = false, extra: Record<string, unknown> = {}) => ({
  apiVersion: 'storage.k8s.io/v1',
  kind: 'StorageClass',
  metadata: { name, annotations: { 'storageclass.kubernetes.io/is-default-class': String(isDefault) } },
  provisioner,
  ...extra,
});
const titles = (p: Plan) => p.steps.map((s) => s.title);
const runArgs = (p: Plan) => p.steps.filter((s): s is Extract<Step, { kind: 'run' }> => s.kind === 'run').map((s) => s.command.args);

describe('planHostpathInstall', () => {
  it('fresh single-node cluster: enable with default-class true, wait, verify', () => {
    const p = planHostpathInstall({ microk8s: running('disabled'), nodeCount: 1, classes: [] }, {});
    expect(runArgs(p)).toEqual([['enable', 'hostpath-storage', '--default-class', 'true']]);
    expect(p.steps.map((s) => s.kind)).toEqual(['run', 'wait', 'verify']);
    expect(p.warnings).toEqual([]);
    const enable = p.steps[0] as Extract<Step, { kind: 'run' }>;
    expect(enable.verify?.map((v) => v.type)).toEqual(['exists', 'exists']);
  });

  it('passes --reclaim-policy and verifies the class has it', () => {
    const p = planHostpathInstall({ microk8s: running('disabled'), nodeCount: 1, classes: [] }, { reclaimPolicy: 'Retain' });
    expect(runArgs(p)[0]).toEqual(['enable', 'hostpath-storage', '--default-class', 'true', '--reclaim-policy', 'Retain']);
    expect(JSON.stringify(p.steps.at(-1))).toContain('"reclaimPolicy":"Retain"');
  });

  it('multi-node: warns with the seed\'s reason and suggests Longhorn', () => {
    const p = planHostpathInstall({ microk8s: running('disabled'), nodeCount: 3, classes: [] }, {});
    expect(p.warnings[0]).toMatch(/3 nodes: a hostpath volume lives on the node that created it.*k8s-storage install longhorn/);
  });

  it('another default class exists: hostpath does not become a second default unless asked', () => {
    const classes = [sc('longhorn', 'driver.longhorn.io', true)];
    const p = planHostpathInstall({ microk8s: running('disabled'), nodeCount: 1, classes }, {});
    expect(runArgs(p)[0]).toContain('false');
    expect(p.notes.join(' ')).toContain('Keeping longhorn as the default');
    expect(titles(p)).not.toContain('Stop StorageClass longhorn being a default');
  });

  it('--default-class takes the default from the others, so exactly one remains', () => {
    const classes = [sc('longhorn', 'driver.longhorn.io', true), sc('nfs', 'nfs.csi.k8s.io', true)];
    const p = planHostpathInstall({ microk8s: running('disabled'), nodeCount: 1, classes }, { defaultClass: true });
    expect(titles(p)).toEqual(expect.arrayContaining(['Stop StorageClass longhorn being a default', 'Stop StorageClass nfs being a default']));
    const verify = p.steps.at(-1) as Extract<Step, { kind: 'verify' }>;
    expect(verify.expect.filter((e) => e.type === 'default-class')).toEqual([
      { type: 'default-class', name: 'longhorn', isDefault: false },
      { type: 'default-class', name: 'nfs', isDefault: false },
      { type: 'default-class', name: 'microk8s-hostpath', isDefault: true },
    ]);
  });

  it('already set up: no enable, nothing but a wait and a check (reruns converge)', () => {
    const p = planHostpathInstall({ microk8s: running('enabled'), nodeCount: 1, classes: [sc('microk8s-hostpath', 'microk8s.io/hostpath', true, { reclaimPolicy: 'Delete' })] }, {});
    expect(p.steps.map((s) => s.kind)).toEqual(['wait', 'verify']);
    expect(p.notes).toContain('The hostpath-storage addon is already enabled.');
  });

  it('already enabled with another reclaim policy: replaces the class (the field is immutable)', () => {
    const p = planHostpathInstall({ microk8s: running('enabled'), nodeCount: 1, classes: [sc('microk8s-hostpath', 'microk8s.io/hostpath', true, { reclaimPolicy: 'Delete' })] }, { reclaimPolicy: 'Retain' });
    expect(p.steps.map((s) => s.kind)).toEqual(['delete', 'apply', 'wait', 'verify']);
    expect((p.steps[1] as Extract<Step, { kind: 'apply' }>).objects[0]).toMatchObject({ reclaimPolicy: 'Retain', provisioner: 'microk8s.io/hostpath', volumeBindingMode: 'WaitForFirstConsumer' });
  });

  it('--dir adds a pvDir class and notes the versions that ignore pvDir', () => {
    const p = planHostpathInstall({ microk8s: running('disabled'), nodeCount: 1, classes: [] }, { dir: '/mnt/ssd', name: 'hostpath-ssd' });
    const apply = p.steps.find((s) => s.kind === 'apply') as Extract<Step, { kind: 'apply' }>;
    expect(apply.objects[0]).toMatchObject({ metadata: { name: 'hostpath-ssd' }, parameters: { pvDir: '/mnt/ssd' } });
    expect(p.notes.join(' ')).toMatch(/1\.24, 1\.26\) ignore pvDir/);
  });

  it('--no-default-class on a default hostpath class clears only its flag', () => {
    const classes = [sc('microk8s-hostpath', 'microk8s.io/hostpath', true)];
    const p = planHostpathInstall({ microk8s: running('enabled'), nodeCount: 1, classes }, { defaultClass: false });
    expect(titles(p)).toContain('Stop StorageClass microk8s-hostpath being a default');
  });
});

describe('planHostpathUninstall', () => {
  const facts = { microk8s: running('enabled'), claims: ['shop/db'], classExists: true, provisionerExists: true };

  it('keeps the data by answering the addon\'s prompt "n" and accepting its exit 1', () => {
    const p = planHostpathUninstall(facts, { destroyData: false });
    const run = p.steps[0] as Extract<Step, { kind: 'run' }>;
    expect(run.command).toEqual({ file: 'microk8s', args: ['disable', 'hostpath-storage'], stdin: 'n\n' });
    expect(run.okExitCodes).toEqual([1]);
    expect(run.verify?.every((v) => v.type === 'absent')).toBe(true);
    expect(p.notes.join(' ')).toContain('shop/db');
  });

  it('--destroy-data uses destroy-storage and warns about the claims', () => {
    const p = planHostpathUninstall(facts, { destroyData: true });
    expect((p.steps[0] as Extract<Step, { kind: 'run' }>).command.args).toEqual(['disable', 'hostpath-storage:destroy-storage']);
    expect(p.warnings.join(' ')).toContain('shop/db');
  });

  it('already disabled: nothing to do', () => {
    const p = planHostpathUninstall({ microk8s: running('disabled'), claims: [], classExists: false, provisionerExists: false }, { destroyData: false });
    expect(p.steps).toEqual([]);
  });
});

describe('planDefaultClass', () => {
  it('one default afterwards, whatever there was', () => {
    const p = planDefaultClass('nfs', { classes: [sc('a', 'x', true), sc('b', 'y', true), sc('nfs', 'nfs.csi.k8s.io', false)] });
    expect(titles(p)).toEqual(['Stop StorageClass a being a default', 'Stop StorageClass b being a default', 'Make StorageClass nfs the default', 'Check that exactly one class is the default']);
  });

  it('already the only default: nothing to do', () => {
    expect(planDefaultClass('a', { classes: [sc('a', 'x', true), sc('b', 'y')] }).steps).toEqual([]);
  });

  it('unknown class: usage error listing the classes', () => {
    expect(() => planDefaultClass('nope', { classes: [sc('a', 'x')] })).toThrow('StorageClass "nope" does not exist; the cluster has: a');
  });

  it('Longhorn\'s class is changed at its source ConfigMap too, or Longhorn would undo it', () => {
    const cm = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'longhorn-storageclass', namespace: 'longhorn-system' }, data: { 'storageclass.yaml': 'kind: StorageClass\nmetadata:\n  name: longhorn\n  annotations:\n    storageclass.kubernetes.io/is-default-class: "true"\n' } };
    const p = planDefaultClass('microk8s-hostpath', { classes: [sc('longhorn', 'driver.longhorn.io', true), sc('microk8s-hostpath', 'microk8s.io/hostpath')], longhornClassConfigMap: cm });
    const patch = p.steps.find((s) => s.kind === 'patch' && s.ref.kind === 'ConfigMap') as Extract<Step, { kind: 'patch' }>;
    expect((patch.patch as any).data['storageclass.yaml']).toContain('storageclass.kubernetes.io/is-default-class: "false"');
  });
});

describe('planApply', () => {
  const pvc = (name: string, className?: string) => ({ apiVersion: 'v1', kind: 'PersistentVolumeClaim', metadata: { name }, spec: { ...(className ? { storageClassName: className } : {}), accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } } } });
  const base = { existingSecrets: new Set<string>(), missingNamespaces: [] as string[], defaultNamespace: 'team' };
  const opts = { wait: true, timeoutMs: 60_000, forceConflicts: false };

  it('applies into the default namespace and waits for Bound on an Immediate class', () => {
    const p = planApply([pvc('data', 'longhorn')], { ...base, classes: [sc('longhorn', 'driver.longhorn.io', false, { volumeBindingMode: 'Immediate' }) as any] }, opts);
    expect((p.steps[0] as Extract<Step, { kind: 'apply' }>).objects[0]!.metadata.namespace).toBe('team');
    expect(p.steps[1]).toMatchObject({ kind: 'wait', until: { type: 'pvc-bound', ref: { name: 'data', namespace: 'team' } } });
  });

  it('creates a missing namespace first, as helm --create-namespace does', () => {
    const p = planApply([pvc('data', 'a')], { ...base, missingNamespaces: ['team'], classes: [sc('a', 'x') as any] }, { ...opts, wait: false });
    expect((p.steps[0] as Extract<Step, { kind: 'apply' }>).objects).toEqual([{ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'team' } }]);
    expect(p.steps[1]!.title).toBe('Apply PersistentVolumeClaim/data');
  });

  it('does not wait forever on WaitForFirstConsumer without a pod: says why', () => {
    const p = planApply([pvc('data', 'microk8s-hostpath')], { ...base, classes: [sc('microk8s-hostpath', 'microk8s.io/hostpath', true, { volumeBindingMode: 'WaitForFirstConsumer' }) as any] }, opts);
    expect(p.steps.map((s) => s.kind)).toEqual(['apply']);
    expect(p.notes.join(' ')).toMatch(/binds only when a pod uses the claim \(WaitForFirstConsumer\).*Not waiting/);
  });

  it('waits on WaitForFirstConsumer when the applied workload mounts the claim', () => {
    const deploy = { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'db' }, spec: { template: { spec: { volumes: [{ name: 'data', persistentVolumeClaim: { claimName: 'data' } }] } } } };
    const p = planApply([pvc('data', 'microk8s-hostpath'), deploy], { ...base, classes: [sc('microk8s-hostpath', 'microk8s.io/hostpath', true, { volumeBindingMode: 'WaitForFirstConsumer' }) as any] }, opts);
    expect(p.steps.map((s) => s.kind)).toEqual(['apply', 'wait']);
  });

  it('keeps an existing Secret: a new password would lock the app out of its data', () => {
    const secret = { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'db-credentials' }, stringData: { password: 'x' } };
    const p = planApply([secret, pvc('data', 'a')], { ...base, existingSecrets: new Set(['team/db-credentials']), classes: [sc('a', 'x') as any] }, { ...opts, wait: false });
    expect((p.steps[0] as Extract<Step, { kind: 'apply' }>).objects.map((o) => o.kind)).toEqual(['PersistentVolumeClaim']);
    expect(p.notes[0]).toContain('Secret db-credentials already exists: keeping its password');
  });

  it('a claim with no class on a cluster with no default warns it will stay Pending', () => {
    const p = planApply([pvc('data')], { ...base, classes: [sc('a', 'x')] as any }, opts);
    expect(p.warnings[0]).toMatch(/no default class: it will stay Pending. Fix with: k8s-storage default-class NAME/);
  });

  it('a StatefulSet\'s first claim is waited for under its generated name', () => {
    const sts = { apiVersion: 'apps/v1', kind: 'StatefulSet', metadata: { name: 'redis' }, spec: { volumeClaimTemplates: [{ metadata: { name: 'data' }, spec: { storageClassName: 'a' } }] } };
    const p = planApply([sts], { ...base, classes: [sc('a', 'x') as any] }, opts);
    expect(p.steps[1]).toMatchObject({ kind: 'wait', until: { ref: { name: 'data-redis-0' } } });
  });
});

describe('readiness', () => {
  it.each([
    [{ kind: 'Deployment', metadata: { generation: 2 }, spec: { replicas: 1 }, status: { observedGeneration: 1, readyReplicas: 1, updatedReplicas: 1, availableReplicas: 1 } }, 'its controller has not seen the latest change yet'],
    [{ kind: 'Deployment', metadata: { generation: 1 }, spec: { replicas: 2 }, status: { observedGeneration: 1, readyReplicas: 1, updatedReplicas: 2, availableReplicas: 1 } }, '1/2 replicas ready'],
    [{ kind: 'Deployment', metadata: { generation: 1 }, spec: { replicas: 1 }, status: { observedGeneration: 1, readyReplicas: 1, updatedReplicas: 1, availableReplicas: 1 } }, true],
    [{ kind: 'DaemonSet', metadata: { generation: 1 }, status: { observedGeneration: 1, desiredNumberScheduled: 0 } }, 'no node runs it yet'],
    [{ kind: 'DaemonSet', metadata: { generation: 1 }, status: { observedGeneration: 1, desiredNumberScheduled: 3, numberReady: 2, updatedNumberScheduled: 3 } }, '2/3 pods ready'],
    [{ kind: 'DaemonSet', metadata: { generation: 1 }, status: { observedGeneration: 1, desiredNumberScheduled: 3, numberReady: 3, updatedNumberScheduled: 3 } }, true],
    [undefined, 'it does not exist yet'],
  ])('%j -> %j', (obj, verdict) => {
    expect(workloadReadiness(obj as never)).toBe(verdict);
  });

  it('exists with fields reports the first mismatch', () => {
    const ref = { apiVersion: 'storage.k8s.io/v1', kind: 'StorageClass', name: 'x' };
    expect(judge({ type: 'exists', ref, fields: { provisioner: 'a', reclaimPolicy: 'Retain' } }, { ...sc('x', 'a'), reclaimPolicy: 'Delete' } as never)).toBe('reclaimPolicy is "Delete", not "Retain"');
  });
});
