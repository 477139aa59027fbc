/** Validates the CLI's JSON output against its JSON Schema in schemas/ (ajv, draft 2020-12). */
import ajv2020 from 'ajv/dist/2020.js';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'vitest';
import { REPO } from './run-cli.js';

// ajv is CommonJS: under NodeNext its default import is the module, whose default is the class.
const Ajv2020 = ajv2020.default;
const ajv = new Ajv2020({ allErrors: true, strict: true, strictRequired: false });

/** Asserts that `doc` matches schemas/<name>.schema.json, listing every violation. */
export function expectOutputSchema(name: string, doc: unknown): void {
  const schema = JSON.parse(readFileSync(join(REPO, 'schemas', `${name}.schema.json`), 'utf8'));
  const validate = ajv.getSchema(schema.$id) ?? ajv.compile(schema);
  const ok = validate(doc);
  expect(ok ? [] : validate.errors!.map((e: { instancePath: string; message?: string }) => `${e.instancePath || '/'} ${e.message}`), `${name} output`).toEqual([]);
}
