/**
 * What every -o json|yaml document of k8s-storage's own starts with, as Kubernetes objects
 * do: apiVersion and kind (schemas/<kind>.schema.json describes each). Kubernetes objects we
 * print (render, apply) keep their own.
 */
export const API_VERSION = 'k8s-storage.io/v1' as const;

/** A list of rows, shaped like a Kubernetes List: `{apiVersion, kind, items}`. */
export function listDocument<T>(kind: string, items: readonly T[]): { apiVersion: typeof API_VERSION; kind: string; items: readonly T[] } {
  return { apiVersion: API_VERSION, kind, items };
}
