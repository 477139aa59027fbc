/** `version`: what is running, for bug reports and for scripts that check it. */
import { API_VERSION } from '../documents.js';
import { isSea } from 'node:sea';
import { outputFormat, type Context } from '../context.js';
import { formatData } from '../output/print.js';

declare const __VERSION__: string;
declare const __GIT_COMMIT__: string;

/** Node's architecture names in the words of release archives and `kubectl version`. */
const ARCH: Record<string, string> = { x64: 'amd64', arm64: 'arm64', arm: 'arm', ia32: '386', ppc64: 'ppc64le', s390x: 's390x' };

export interface VersionInfo {
  apiVersion: typeof API_VERSION;
  kind: 'Version';
  version: string;
  gitCommit: string;
  nodeVersion: string;
  platform: string;
  /** `single-executable` for the release binary, `node` for the npm package. */
  build: 'single-executable' | 'node';
}

export function versionInfo(): VersionInfo {
  return {
    apiVersion: API_VERSION,
    kind: 'Version',
    version: typeof __VERSION__ === 'string' ? __VERSION__ : '0.0.0-dev',
    gitCommit: typeof __GIT_COMMIT__ === 'string' ? __GIT_COMMIT__ : 'unknown',
    nodeVersion: process.version,
    platform: `${process.platform}/${ARCH[process.arch] ?? process.arch}`,
    build: isSea() ? 'single-executable' : 'node',
  };
}

export function version(ctx: Context): void {
  const format = outputFormat(ctx, ['text', 'json', 'yaml'] as const, 'text');
  const info = versionInfo();
  if (format === 'text') {
    ctx.out(`k8s-storage ${info.version} (commit ${info.gitCommit}, Node.js ${info.nodeVersion}, ${info.platform}, ${info.build})\n`);
  } else ctx.out(formatData(info, format));
}
