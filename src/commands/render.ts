/** `render pvc|storageclass|app`: build, validate against the schema, print. No cluster. */
import { outputFormat, type Context } from '../context.js';
import { ClusterError } from '../errors.js';
import { buildApp } from '../manifests/app.js';
import { buildPvc } from '../manifests/pvc.js';
import { buildStorageClass } from '../manifests/storageclass.js';
import { schemaProblems } from '../manifests/validate.js';
import { formatObjects } from '../output/print.js';
import type { KubeObject } from '../presets/types.js';

/** A preset that renders an invalid object is our bug: say so rather than print it. */
export async function assertSchemaValid(objects: readonly KubeObject[]): Promise<void> {
  const problems = await schemaProblems(objects);
  if (problems.length) {
    throw new ClusterError(`k8s-storage rendered an object the Kubernetes schema rejects (this is a bug; please report it):\n  ${problems.join('\n  ')}`);
  }
}

async function print(ctx: Context, objects: KubeObject[]): Promise<void> {
  const format = outputFormat(ctx, ['yaml', 'json', 'name'] as const, 'yaml');
  await assertSchemaValid(objects);
  ctx.out(formatObjects(objects, format));
}

export async function renderPvc(ctx: Context, name: string, opts: Record<string, any>): Promise<void> {
  await print(ctx, [buildPvc({ ...opts, name })]);
}

export async function renderStorageClass(ctx: Context, preset: string, opts: Record<string, any>): Promise<void> {
  await print(ctx, [buildStorageClass({ ...opts, preset })]);
}

export async function renderApp(ctx: Context, preset: string, opts: Record<string, any>): Promise<void> {
  const password = opts.passwordStdin ? (await ctx.readStdin()).replace(/\r?\n$/, '') : undefined;
  const app = buildApp({ ...opts, preset, ...(password !== undefined ? { password } : {}) });
  await print(ctx, app.objects);
  if (app.generatedPassword && app.secretName) {
    const ns = opts.namespace ? ` -n ${opts.namespace}` : '';
    ctx.log.info(`Generated a password into Secret ${app.secretName}; once applied, read it with: kubectl get secret ${app.secretName}${ns} -o jsonpath='{.data.password}' | base64 -d`);
  }
}
