/**
 * Presets are discovered from templates/: a preset ships when its template does, so
 * `presets`, help and rendering cannot drift from what is in the package.
 */
import { parseAllDocuments } from 'yaml';
import { readAsset } from '../assets.js';
import { UsageError } from '../errors.js';
import { APP_PRESETS } from './apps.js';
import { BACKENDS, presetsOf } from '../backends/index.js';
import type { Backend } from '../backends/types.js';
import { templateNames, type TemplateKind } from './templates.js';
import type { AppKitFacts, AppPreset, KubeObject, StorageClassPreset } from './types.js';

export function loadTemplate(kind: TemplateKind, name: string): KubeObject[] {
  const path = `templates/${kind}/${name}.yaml`;
  const text = readAsset(path);
  return parsedAtBuild(path, text) ?? parseTemplate(path, text);
}

function parseTemplate(path: string, text: string): KubeObject[] {
  return parseAllDocuments(text).map((doc) => {
    if (doc.errors.length) throw new Error(`${path}: ${doc.errors[0]!.message}`);
    return doc.toJS() as KubeObject;
  });
}

/**
 * The templates parsed at build time (scripts/build.mjs writes TEMPLATE_INDEX from
 * templateIndex()): parsing YAML was half of `render app`'s 110 ms, JSON.parse of the same
 * objects takes a fraction of a millisecond. An entry is used only for the very text it was
 * parsed from (same length and hash), so a template edited since is parsed afresh.
 */
export const TEMPLATE_INDEX = 'dist/templates.json';
export type TemplateIndex = Record<string, { hash: string; json: string }>;
let index: TemplateIndex | null | undefined;

function parsedAtBuild(path: string, text: string): KubeObject[] | undefined {
  if (index === undefined) {
    try {
      index = JSON.parse(readAsset(TEMPLATE_INDEX)) as TemplateIndex;
    } catch {
      index = null; // not built (tests from src/ before a build): parse the YAML
    }
  }
  return index ? fromTemplateIndex(index, path, text) : undefined;
}

/** The objects `index` holds for the template at `path`, if they were parsed from this very `text`. */
export function fromTemplateIndex(index: TemplateIndex, path: string, text: string): KubeObject[] | undefined {
  const entry = index[path];
  return entry && entry.hash === textHash(text) ? (JSON.parse(entry.json) as KubeObject[]) : undefined;
}

/** Length and 32-bit FNV-1a of a template's text: enough to tell an edited template (node:crypto would cost `render` its start-up time). */
function textHash(text: string): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193);
  return `${text.length}:${(h >>> 0).toString(16)}`;
}

/** Every shipped template, parsed, for TEMPLATE_INDEX. */
export function templateIndex(): TemplateIndex {
  const out: TemplateIndex = {};
  for (const kind of ['app', 'storageclass'] as const) {
    for (const name of templateNames(kind)) {
      const path = `templates/${kind}/${name}.yaml`;
      const text = readAsset(path);
      out[path] = { hash: textHash(text), json: JSON.stringify(parseTemplate(path, text)) };
    }
  }
  return out;
}

function shipped<P extends { name: string }>(kind: TemplateKind, defs: readonly P[]): P[] {
  const names = new Set(templateNames(kind));
  return defs.filter((d) => names.has(d.name));
}

/** The StorageClass presets of these backends (the registry's by default) whose template ships. */
export function storageClassPresets(backends: readonly Backend[] = BACKENDS): StorageClassPreset[] {
  return shipped('storageclass', presetsOf(backends));
}

export function appPresets(): AppPreset[] {
  return shipped('app', APP_PRESETS);
}

function unknownPreset(kind: string, name: string, known: string[]): UsageError {
  return new UsageError(`unknown ${kind} preset "${name}"; choose one of: ${[...known].sort().join(', ')}`, { hint: 'k8s-storage presets' });
}

export function storageClassPreset(name: string): StorageClassPreset {
  const all = storageClassPresets();
  const found = all.find((p) => p.name === name);
  if (!found) throw unknownPreset('storageclass', name, all.map((p) => p.name));
  return found;
}

export function appPreset(name: string): AppPreset {
  const all = appPresets();
  const found = all.find((p) => p.name === name);
  if (!found) throw unknownPreset('app', name, all.map((p) => p.name));
  return found;
}

interface Container {
  image: string;
  ports?: { containerPort: number }[];
  volumeMounts?: { name: string; mountPath: string }[];
  env?: { valueFrom?: { secretKeyRef?: { key: string } } }[];
}

/** Reads an app kit's image, size, mount path, port and credential keys off its template. */
export function appKitFacts(name: string): AppKitFacts {
  const objects = loadTemplate('app', name);
  const pvc = objects.find((o) => o.kind === 'PersistentVolumeClaim') as { spec: { resources: { requests: { storage: string } } } } | undefined;
  const deployment = objects.find((o) => o.kind === 'Deployment') as { spec: { template: { spec: { containers: Container[] } } } } | undefined;
  const container = deployment?.spec.template.spec.containers[0];
  if (!pvc || !container) throw new Error(`templates/app/${name}.yaml needs a PersistentVolumeClaim and a Deployment`);
  const port = container.ports?.[0]?.containerPort;
  return {
    image: container.image,
    defaultSize: pvc.spec.resources.requests.storage,
    mountPath: container.volumeMounts?.find((m) => m.name === 'data')?.mountPath ?? '',
    ...(port === undefined ? {} : { port }),
    secretKeys: (container.env ?? []).flatMap((e) => (e.valueFrom?.secretKeyRef ? [e.valueFrom.secretKeyRef.key] : [])),
  };
}
