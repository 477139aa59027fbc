/**
 * Independent schema check for tests: whatever our own validator says, every rendered
 * object must pass kubernetes-models' OpenAPI validation for its apiVersion and kind.
 */
import { expect } from 'vitest';

export async function schemaErrors(obj: { apiVersion: string; kind: string }): Promise<string | undefined> {
  // "v1" -> kubernetes-models/v1/Kind; "apps/v1" -> kubernetes-models/apps/v1/Kind
  const mod = await import(`kubernetes-models/${obj.apiVersion}/${obj.kind}`);
  const Model = mod[obj.kind];
  try {
    new Model(obj).validate();
    return undefined;
  } catch (err) {
    return (err as Error).message;
  }
}

export async function expectAllSchemaValid(objects: { apiVersion: string; kind: string }[]): Promise<void> {
  const errors: string[] = [];
  for (const o of objects) {
    const e = await schemaErrors(o);
    if (e) errors.push(`${o.kind}: ${e}`);
  }
  expect(errors, 'schema violations').toEqual([]);
}
