/** Validates the CLI's JSON output against its JSON Schema in schemas/ (ajv, draft 2020-12). */
import ajv2020 from 'ajv/dist/2020.js';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'vitest';
import { REPO } from './run-cli.js';

// ajv is CommonJS: under NodeNext its default import is the module, whose default is the class.
const Ajv2020 = ajv2020.default;
export const SCHEMA_DIR = join(REPO, 'schemas');

/** Every schema file, by name (`status-report` for schemas/status-report.schema.json). */
export function outputSchemas(): Map<string, { $id: string; properties?: { kind?: { const?: string } } } & Record<string, unknown>> {
  const files = readdirSync(SCHEMA_DIR).filter((f) => f.endsWith('.schema.json'));
  return new Map(files.map((f) => [f.slice(0, -'.schema.json'.length), JSON.parse(readFileSync(join(SCHEMA_DIR, f), 'utf8'))]));
}

let ajv: InstanceType<typeof Ajv2020> | undefined;
/** One ajv with every schema loaded, so that one schema can $ref another (doctor embeds status and nodes). */
function loaded(): InstanceType<typeof Ajv2020> {
  if (!ajv) {
    ajv = new Ajv2020({ allErrors: true, strict: true, strictRequired: false });
    for (const schema of outputSchemas().values()) ajv.addSchema(schema);
  }
  return ajv;
}

/** Compiles a schema file (strict mode: unknown keywords and bad $refs fail). */
export function compileOutputSchema(name: string) {
  const schema = outputSchemas().get(name);
  if (!schema) throw new Error(`schemas/${name}.schema.json does not exist`);
  return loaded().getSchema(schema.$id)!;
}

/** Asserts that `doc` matches schemas/<name>.schema.json, listing every violation. */
export function expectOutputSchema(name: string, doc: unknown): void {
  const validate = compileOutputSchema(name);
  const ok = validate(doc);
  expect(ok ? [] : validate.errors!.map((e: { instancePath: string; message?: string; params: Record<string, unknown> }) => `${e.instancePath || '/'} ${e.message}${'additionalProperty' in e.params ? `: ${e.params.additionalProperty}` : ''}`), `${name} output`).toEqual([]);
}
