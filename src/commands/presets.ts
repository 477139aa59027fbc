/** `presets`: what ships, with defaults and capabilities, for people and for scripts. */
import { API_VERSION } from '../documents.js';
import { outputFormat, type Context } from '../context.js';
import { formatData, tablePrinter } from '../output/print.js';
import { appKitFacts, appPresets, storageClassPresets } from '../presets/registry.js';
import type { PresetFlag } from '../presets/types.js';

const SHORT: Record<string, string> = { ReadWriteOnce: 'RWO', ReadOnlyMany: 'ROX', ReadWriteMany: 'RWX', ReadWriteOncePod: 'RWOP' };

function flagDoc(f: PresetFlag) {
  return { flag: f.flags.split(' ')[0], description: f.description, required: f.required ?? false, ...(f.defaultValue !== undefined ? { default: f.defaultValue } : {}), ...(f.choices ? { choices: f.choices } : {}) };
}

export function presetCatalog(backends?: Context['backends']) {
  return {
    apiVersion: API_VERSION,
    kind: 'PresetCatalog',
    storageClasses: storageClassPresets(backends?.length ? backends : undefined).map((p) => ({
      name: p.name,
      description: p.description,
      provisioner: p.provisioner,
      defaultClassName: p.defaultClassName,
      volumeBindingMode: p.bindingMode,
      accessModes: [...p.capabilities.accessModes],
      volumeModes: [...p.capabilities.volumeModes],
      expansion: p.capabilities.expansion,
      snapshots: p.capabilities.snapshots,
      flags: p.flags.map(flagDoc),
    })),
    apps: appPresets().map((p) => ({ name: p.name, description: p.description, ...appKitFacts(p.name), flags: p.flags.map(flagDoc) })),
  };
}

export async function listPresets(ctx: Context): Promise<void> {
  const format = outputFormat(ctx, ['table', 'wide', 'json', 'yaml'] as const, 'table');
  const catalog = presetCatalog(ctx.backends);
  if (format === 'json' || format === 'yaml') return ctx.out(formatData(catalog, format));
  // -o wide: the class name each backend renders, its binding mode and volume modes.
  const wide = format === 'wide';
  const formatTable = tablePrinter(ctx.table);
  ctx.out('STORAGECLASS PRESETS\n');
  ctx.out(
    formatTable(
      ['name', 'provisioner', ...(wide ? ['class name', 'binding', 'volume modes'] : []), 'access modes', 'expand', 'snapshot', 'description'],
      catalog.storageClasses.map((s) => [
        s.name,
        s.provisioner,
        ...(wide ? [s.defaultClassName, s.volumeBindingMode, s.volumeModes.join(',')] : []),
        s.accessModes.map((m) => SHORT[m]).join(','),
        s.expansion ? 'yes' : 'no',
        s.snapshots ? 'yes' : 'no',
        s.description,
      ]),
    ),
  );
  ctx.out('\nAPP KITS\n');
  ctx.out(formatTable(['name', 'image', 'size', 'mount path', 'port', 'description'], catalog.apps.map((a) => [a.name, a.image, a.defaultSize, a.mountPath, a.port ? String(a.port) : '-', a.description])));
}
