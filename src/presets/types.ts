/**
 * Typed presets. A StorageClass preset knows its backend (provisioner, parameters, what
 * it can serve); an app preset knows how a database or app keeps its data. Both start
 * from a template in templates/, which is where the list of presets comes from.
 */

export const ACCESS_MODES = {
  RWO: 'ReadWriteOnce',
  ROX: 'ReadOnlyMany',
  RWX: 'ReadWriteMany',
  RWOP: 'ReadWriteOncePod',
} as const;
export type AccessModeShort = keyof typeof ACCESS_MODES;
export type AccessMode = (typeof ACCESS_MODES)[AccessModeShort];

export type VolumeMode = 'Filesystem' | 'Block';
export type ReclaimPolicy = 'Delete' | 'Retain';
export type BindingMode = 'Immediate' | 'WaitForFirstConsumer';

/** A flag that only one preset takes (`--replicas` for longhorn, `--server` for nfs). */
export interface PresetFlag {
  /** Commander flag syntax, e.g. `--replicas <n>`. */
  readonly flags: string;
  /** camelCase option key commander derives from the flag, e.g. `replicas`. */
  readonly key: string;
  readonly description: string;
  readonly required?: boolean;
  readonly choices?: readonly string[];
  /** Shown as the default in help and `presets`; applied by the preset itself. */
  readonly defaultValue?: string;
}

export interface StorageBackendCapabilities {
  readonly accessModes: readonly AccessMode[];
  /** Block-mode access modes when they differ (ceph-rbd serves RWX only as raw blocks). */
  readonly blockAccessModes?: readonly AccessMode[];
  readonly volumeModes: readonly VolumeMode[];
  readonly expansion: boolean;
  readonly snapshots: boolean;
  /** Why an access mode outside `accessModes` is refused, in the user's words. */
  readonly accessModeReason: string;
}

export interface StorageClassPreset {
  readonly kind: 'storageclass';
  readonly name: string;
  readonly description: string;
  readonly provisioner: string;
  /** The class name this backend usually has on a cluster (also the default `--name`). */
  readonly defaultClassName: string;
  readonly bindingMode: BindingMode;
  readonly capabilities: StorageBackendCapabilities;
  readonly flags: readonly PresetFlag[];
  /** Checks the preset's own flags; every problem is returned. */
  validate(opts: Record<string, unknown>): string[];
  /** Adds the preset's flags to the StorageClass the template produced. */
  apply(sc: StorageClassObject, opts: Record<string, unknown>): void;
}

/** An app kit's typed part; what it runs (image, mount path, port, size) is read from its template. */
export interface AppPreset {
  readonly kind: 'app';
  readonly name: string;
  readonly description: string;
  readonly flags: readonly PresetFlag[];
}

/** What an app kit's template says about it, for `presets` and help. */
export interface AppKitFacts {
  readonly image: string;
  readonly defaultSize: string;
  readonly mountPath: string;
  readonly port?: number;
  /** Keys of the credentials Secret the kit reads; empty when the app needs none. */
  readonly secretKeys: readonly string[];
}

export interface ObjectMeta {
  name: string;
  namespace?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
}

export interface KubeObject {
  apiVersion: string;
  kind: string;
  metadata: ObjectMeta;
  [field: string]: unknown;
}

export interface StorageClassObject extends KubeObject {
  kind: 'StorageClass';
  provisioner: string;
  parameters?: Record<string, string>;
  reclaimPolicy?: ReclaimPolicy;
  volumeBindingMode?: BindingMode;
  allowVolumeExpansion?: boolean;
  mountOptions?: string[];
}
