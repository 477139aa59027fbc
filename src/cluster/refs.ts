/**
 * How objects are named, with no client behind it: what planners, printers and the
 * registry need from "the cluster" without loading ./kube.ts (and with it node:http and
 * node:https, about 3 ms of `render`'s start-up). ./kube.ts re-exports all of it.
 */
import type { KubeObject } from '../presets/types.js';

export const FIELD_MANAGER = 'k8s-storage';

export interface ObjectRef {
  apiVersion: string;
  kind: string;
  name: string;
  namespace?: string;
}

type Meta = { metadata?: { name?: string; namespace?: string } };

export const refOf = (o: KubeObject | ({ apiVersion?: string; kind?: string } & Meta)): ObjectRef => ({
  apiVersion: o.apiVersion!,
  kind: o.kind!,
  name: o.metadata!.name!,
  ...(o.metadata?.namespace ? { namespace: o.metadata.namespace } : {}),
});

export const describeRef = (r: ObjectRef) => `${r.kind}/${r.name}${r.namespace ? ` in ${r.namespace}` : ''}`;
