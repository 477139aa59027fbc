/** `install|uninstall openebs` flags -> typed options, every problem at once. */
import { duration } from '../../options/index.js';
import { UsageError } from '../../errors.js';
import { DEFAULT_BASE_PATH, OPENEBS_CHART_VERSION } from './constants.js';

export type Engine = 'hostpath' | 'mayastor';

export interface OpenebsInstallOptions {
  engine: Engine;
  basePath: string;
  /** --disk NODE=/dev/disk/by-id/...: one DiskPool per entry (mayastor). */
  disks: { node: string; device: string }[];
  version?: string;
  microk8s?: boolean;
  skipPreflight: boolean;
  timeout: string;
  timeoutMs: number;
  dryRun: boolean;
}

export interface OpenebsUninstallOptions {
  timeout: string;
  timeoutMs: number;
  dryRun: boolean;
}

export const DEFAULT_OPENEBS_TIMEOUT = '10m';

function timeoutOf(raw: Record<string, unknown>, problems: string[]) {
  const timeout = String(raw.timeout ?? DEFAULT_OPENEBS_TIMEOUT);
  return { timeout, timeoutMs: duration('--timeout', timeout, problems) ?? 0 };
}

export function parseOpenebsInstall(raw: Record<string, unknown>): OpenebsInstallOptions {
  const problems: string[] = [];
  const engine = String(raw.engine ?? 'hostpath').toLowerCase();
  if (engine !== 'hostpath' && engine !== 'mayastor') problems.push(`--engine: "${engine}" is not hostpath or mayastor`);
  const basePath = String(raw.basePath ?? DEFAULT_BASE_PATH);
  if (!basePath.startsWith('/')) problems.push(`--base-path: "${basePath}" must be an absolute path such as ${DEFAULT_BASE_PATH}`);
  const disks: { node: string; device: string }[] = [];
  const list = raw.disk === undefined ? [] : Array.isArray(raw.disk) ? raw.disk.map(String) : [String(raw.disk)];
  for (const d of list) {
    const i = d.indexOf('=');
    const node = i > 0 ? d.slice(0, i) : '';
    const device = i > 0 ? d.slice(i + 1) : '';
    if (!node || !device.startsWith('/dev/')) problems.push(`--disk: "${d}" is not NODE=/dev/disk/by-id/ID`);
    else if (disks.some((x) => x.node === node)) problems.push(`--disk: node ${node} is given twice (one DiskPool per node)`);
    else disks.push({ node, device });
  }
  if (engine === 'hostpath' && list.length) problems.push('--disk: DiskPools are for --engine mayastor');
  if (engine === 'mayastor' && raw.basePath !== undefined) problems.push('--base-path: for --engine hostpath (Mayastor keeps volumes in DiskPools: --disk)');
  if (raw.version !== undefined && !/^v?\d+\.\d+\.\d+$/.test(String(raw.version))) problems.push(`--version: "${String(raw.version)}" is not a chart version such as ${OPENEBS_CHART_VERSION}`);
  const t = timeoutOf(raw, problems);
  if (problems.length) throw new UsageError(problems);
  return {
    engine: engine as Engine,
    basePath,
    disks,
    ...(raw.version !== undefined ? { version: String(raw.version).replace(/^v/, '') } : {}),
    ...(typeof raw.microk8s === 'boolean' ? { microk8s: raw.microk8s } : {}),
    skipPreflight: raw.skipPreflight === true,
    ...t,
    dryRun: raw.dryRun === true,
  };
}

export function parseOpenebsUninstall(raw: Record<string, unknown>): OpenebsUninstallOptions {
  const problems: string[] = [];
  const t = timeoutOf(raw, problems);
  if (problems.length) throw new UsageError(problems);
  return { ...t, dryRun: raw.dryRun === true };
}

/** A device path that can change across reboots (/dev/sdb): DiskPools should name /dev/disk/by-id. */
export const unstableDevices = (disks: OpenebsInstallOptions['disks']) => disks.filter((d) => !d.device.startsWith('/dev/disk/by-'));
