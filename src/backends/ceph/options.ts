/** `install|uninstall ceph` flags -> typed options, every problem at once, before the cluster is read. */
import { existsSync } from 'node:fs';
import { duration } from '../../options/index.js';
import { UsageError } from '../../errors.js';
import { DEFAULT_ROOK_VERSION, FIRST_ROOK_WITHOUT_KUBELET_DIR, MICROK8S_KUBELET_DIR } from './constants.js';

export interface CephInstallOptions {
  form: 'external' | 'in-cluster';
  rookVersion: string;
  cephConf?: string;
  keyring?: string;
  rbdPool?: string;
  test: boolean;
  cephfs: boolean;
  objectStore: boolean;
  skipPreflight: boolean;
  timeout: string;
  timeoutMs: number;
  dryRun: boolean;
}

export interface CephUninstallOptions {
  form: 'external' | 'in-cluster';
  destroyData: boolean;
  /** --yes-really-destroy-data: the typed confirmation, for scripts. */
  confirmed: boolean;
  timeout: string;
  timeoutMs: number;
  dryRun: boolean;
}

export const DEFAULT_CEPH_TIMEOUT = '15m';

/** Problems with --rook-version: not a version, or one whose chart cannot take the MicroK8s kubelet dir. */
export function rookVersionProblems(version: string): string[] {
  const m = /^v?(\d+)\.(\d+)(?:\.(\d+))?$/.exec(version);
  if (!m) return [`--rook-version: "${version}" is not a Rook version such as ${DEFAULT_ROOK_VERSION}`];
  const [major, minor] = [Number(m[1]), Number(m[2])];
  const f = FIRST_ROOK_WITHOUT_KUBELET_DIR;
  if (major > f.major || (major === f.major && minor >= f.minor)) {
    return [
      `--rook-version ${version}: Rook v${f.major}.${f.minor} removed csi.kubeletDirPath from the rook-ceph chart (its CSI drivers moved to the ceph-csi-operator), so microk8s enable rook-ceph would leave the drivers without the MicroK8s kubelet dir ${MICROK8S_KUBELET_DIR} and every mount would fail; use ${DEFAULT_ROOK_VERSION} (the default) or another v1.18/v1.19 release`,
    ];
  }
  return [];
}

const normalizeVersion = (v: string) => (v.startsWith('v') ? v : `v${v}`);

function timeoutOf(raw: Record<string, unknown>, problems: string[]): { timeout: string; timeoutMs: number } {
  const timeout = String(raw.timeout ?? DEFAULT_CEPH_TIMEOUT);
  return { timeout, timeoutMs: duration('--timeout', timeout, problems) ?? 0 };
}

export function parseCephInstall(raw: Record<string, unknown>): CephInstallOptions {
  const problems: string[] = [];
  const form = raw.inCluster === true ? 'in-cluster' : 'external';
  const rookVersion = normalizeVersion(String(raw.rookVersion ?? DEFAULT_ROOK_VERSION));
  problems.push(...rookVersionProblems(String(raw.rookVersion ?? DEFAULT_ROOK_VERSION)));
  const externalOnly = (['cephConf', 'keyring', 'rbdPool'] as const).filter((k) => raw[k] !== undefined);
  const inClusterOnly = (['testCluster', 'cephfs', 'objectStore', 'skipPreflight'] as const).filter((k) => raw[k] === true);
  const flag = (k: string) => `--${k.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`;
  if (form === 'in-cluster' && externalOnly.length) problems.push(`${externalOnly.map(flag).join(', ')}: only for an external Ceph (without --in-cluster)`);
  if (form === 'external' && inClusterOnly.length) {
    problems.push(`${inClusterOnly.map(flag).join(', ')}: only with --in-cluster (an external Ceph makes its own pools: microceph enable rgw for S3, ceph fs new for CephFS)`);
  }
  for (const k of ['cephConf', 'keyring'] as const) {
    const file = raw[k];
    if (file !== undefined && !existsSync(String(file))) problems.push(`${flag(k)}: ${String(file)} does not exist`);
  }
  if (raw.rbdPool !== undefined && !/^[A-Za-z0-9][A-Za-z0-9_.-]*$/.test(String(raw.rbdPool))) problems.push(`--rbd-pool: "${String(raw.rbdPool)}" is not a Ceph pool name`);
  const t = timeoutOf(raw, problems);
  if (problems.length) throw new UsageError(problems);
  return {
    form,
    rookVersion,
    ...(raw.cephConf !== undefined ? { cephConf: String(raw.cephConf) } : {}),
    ...(raw.keyring !== undefined ? { keyring: String(raw.keyring) } : {}),
    ...(raw.rbdPool !== undefined ? { rbdPool: String(raw.rbdPool) } : {}),
    test: raw.testCluster === true,
    cephfs: raw.cephfs === true,
    objectStore: raw.objectStore === true,
    skipPreflight: raw.skipPreflight === true,
    ...t,
    dryRun: raw.dryRun === true,
  };
}

export function parseCephUninstall(raw: Record<string, unknown>): CephUninstallOptions {
  const problems: string[] = [];
  const form = raw.inCluster === true ? 'in-cluster' : 'external';
  if (form === 'external' && raw.destroyData === true) {
    problems.push("--destroy-data: an external Ceph cluster's data is not this cluster's to destroy; uninstall ceph only disconnects it (remove the data on the Ceph cluster itself)");
  }
  if (raw.yesReallyDestroyData === true && raw.destroyData !== true) problems.push('--yes-really-destroy-data: only with --destroy-data');
  const t = timeoutOf(raw, problems);
  if (problems.length) throw new UsageError(problems);
  return { form, destroyData: raw.destroyData === true, confirmed: raw.yesReallyDestroyData === true, ...t, dryRun: raw.dryRun === true };
}
