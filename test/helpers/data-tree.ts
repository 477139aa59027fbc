/**
 * Test data for day-2 commands: claims with their PV and class in the fake API server, and
 * real directory trees (the PV contents the fake pod runtime works on) with a manifest that
 * proves two trees equal (names, types, sizes, sha256, link targets).
 */
import { createHash, randomBytes } from 'node:crypto';
import { lstatSync, mkdirSync, readdirSync, readFileSync, readlinkSync, symlinkSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';

type Api = { store: { put(o: any): void } };

export interface SeedClaim {
  namespace?: string;
  name: string;
  pv?: string;
  className?: string;
  provisioner?: string;
  size?: string;
  /** Pin the PV to this node (hostpath). */
  node?: string;
  bound?: boolean;
  accessModes?: string[];
}

/** A StorageClass, a bound claim and its PV, as a provisioner would have left them. */
export function seedClaim(api: Api, c: SeedClaim): { pv: string } {
  const namespace = c.namespace ?? 'default';
  const pv = c.pv ?? `pvc-${c.name}-0001`;
  const provisioner = c.provisioner ?? 'microk8s.io/hostpath';
  const className = c.className ?? (provisioner === 'microk8s.io/hostpath' ? 'microk8s-hostpath' : provisioner === 'driver.longhorn.io' ? 'longhorn' : 'other');
  const size = c.size ?? '1Gi';
  const bound = c.bound ?? true;
  const accessModes = c.accessModes ?? ['ReadWriteOnce'];
  api.store.put({
    apiVersion: 'storage.k8s.io/v1',
    kind: 'StorageClass',
    metadata: { name: className },
    provisioner,
    reclaimPolicy: 'Delete',
    volumeBindingMode: provisioner === 'microk8s.io/hostpath' ? 'WaitForFirstConsumer' : 'Immediate',
    ...(provisioner === 'driver.longhorn.io' ? { allowVolumeExpansion: true } : {}),
  });
  api.store.put({
    apiVersion: 'v1',
    kind: 'PersistentVolumeClaim',
    metadata: { name: c.name, namespace, annotations: bound ? { 'volume.kubernetes.io/storage-provisioner': provisioner } : {} },
    spec: { storageClassName: className, accessModes, resources: { requests: { storage: size } }, ...(bound ? { volumeName: pv } : {}) },
    status: bound ? { phase: 'Bound', accessModes, capacity: { storage: size } } : { phase: 'Pending' },
  });
  if (!bound) return { pv };
  const source = provisioner === 'microk8s.io/hostpath' ? { hostPath: { path: `/var/snap/microk8s/common/default-storage/${namespace}-${c.name}-${pv}`, type: 'DirectoryOrCreate' } } : { csi: { driver: provisioner, volumeHandle: pv, fsType: 'ext4' } };
  const node = c.node ?? (provisioner === 'microk8s.io/hostpath' ? 'node-1' : undefined);
  api.store.put({
    apiVersion: 'v1',
    kind: 'PersistentVolume',
    metadata: { name: pv, annotations: { 'pv.kubernetes.io/provisioned-by': provisioner } },
    spec: {
      capacity: { storage: size },
      accessModes,
      persistentVolumeReclaimPolicy: 'Delete',
      storageClassName: className,
      claimRef: { apiVersion: 'v1', kind: 'PersistentVolumeClaim', namespace, name: c.name },
      ...source,
      ...(node ? { nodeAffinity: { required: { nodeSelectorTerms: [{ matchExpressions: [{ key: 'kubernetes.io/hostname', operator: 'In', values: [node] }] }] } } } : {}),
    },
    status: { phase: 'Bound' },
  });
  return { pv };
}

/** A running pod that mounts a claim (an app using it). */
export function seedPodUsing(api: Api, o: { namespace?: string; name: string; claim: string; node?: string; owner?: { kind: string; name: string } }) {
  api.store.put({
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: o.name, namespace: o.namespace ?? 'default', ...(o.owner ? { ownerReferences: [{ apiVersion: 'apps/v1', kind: o.owner.kind, name: o.owner.name, uid: 'u1', controller: true }] } : {}) },
    spec: { nodeName: o.node ?? 'node-1', containers: [{ name: 'app', image: 'nginx', volumeMounts: [{ name: 'd', mountPath: '/data' }] }], volumes: [{ name: 'd', persistentVolumeClaim: { claimName: o.claim } }] },
    status: { phase: 'Running' },
  });
}

/** Empty files and dirs, symlinks, a large file, unicode and awkward names. */
export function makeTree(dir: string, largeBytes = 8 * 1024 * 1024): void {
  mkdirSync(join(dir, 'sub', 'deeper'), { recursive: true });
  mkdirSync(join(dir, 'empty-dir'), { recursive: true });
  writeFileSync(join(dir, 'empty.txt'), '');
  writeFileSync(join(dir, 'hello.txt'), 'hello\n');
  writeFileSync(join(dir, 'sub', 'deeper', 'large.bin'), randomBytes(largeBytes));
  writeFileSync(join(dir, 'sub', 'Ünïcødé – 日本語 ✓.txt'), 'unicode name\n');
  writeFileSync(join(dir, 'with space & quote\'s.txt'), 'awkward\n');
  writeFileSync(join(dir, `${'n'.repeat(120)}.txt`), 'a name longer than 100 bytes\n');
  symlinkSync('hello.txt', join(dir, 'link-to-hello'));
  symlinkSync('sub/deeper', join(dir, 'link-to-dir'));
  symlinkSync('/nonexistent/target', join(dir, 'dangling'));
}

/** Every entry: type, size, content hash or link target, sorted by path. */
export function treeManifest(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string) => {
    for (const name of readdirSync(d).sort()) {
      const p = join(d, name);
      const st = lstatSync(p);
      const rel = relative(dir, p);
      if (rel === 'lost+found') continue;
      if (st.isSymbolicLink()) out.push(`l ${rel} -> ${readlinkSync(p)}`);
      else if (st.isDirectory()) {
        out.push(`d ${rel}`);
        walk(p);
      } else out.push(`f ${rel} ${st.size} ${createHash('sha256').update(readFileSync(p)).digest('hex')}`);
    }
  };
  walk(dir);
  return out.sort();
}

export const sha256File = (path: string) => createHash('sha256').update(readFileSync(path)).digest('hex');
