/** Runs the real, built CLI as a child process with an isolated HOME and no kubeconfig. */
import { execa } from 'execa';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { cliInvocation } from './sandbox.mjs';

export const REPO = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const BIN = join(REPO, 'bin', 'k8s-storage.cjs');

export interface CliResult {
  exitCode: number;
  stdout: string;
  stderr: string;
}

const isolatedHome = mkdtempSync(join(tmpdir(), 'k8s-storage-home-'));

export async function runCli(args: string[], opts: { input?: string; env?: Record<string, string> } = {}): Promise<CliResult> {
  const { file, args: argv } = cliInvocation(args);
  const r = await execa(file, argv, {
    reject: false,
    input: opts.input ?? '',
    extendEnv: false,
    env: { PATH: `${dirname(process.execPath)}:/usr/bin:/bin`, HOME: isolatedHome, NO_COLOR: '1', ...opts.env },
  });
  return { exitCode: r.exitCode ?? -1, stdout: r.stdout, stderr: r.stderr };
}
