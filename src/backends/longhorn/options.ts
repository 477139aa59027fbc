/** Longhorn's command-line options as data: `install longhorn`, `uninstall longhorn` and `render longhorn-values` are declared from these. */
import { RECLAIM_POLICIES } from '../../options/index.js';
import type { CommandSpec, OptionSpec } from '../types.js';
import { DATA_LOCALITIES, FS_TYPES, UI_EXPOSURES } from './values.js';

const VALUES = 'Chart values:';
const UI = 'Longhorn UI:';

/** The values flags `install longhorn` and `render longhorn-values` share. */
export const LONGHORN_VALUE_OPTIONS: readonly OptionSpec[] = [
  { flags: '--replicas <n>', description: 'replicas per volume of the longhorn class (capped at the node count) [default: 3]', group: VALUES },
  { flags: '--default-class', description: 'make longhorn the default StorageClass (the others stop being one)', negatable: true, negatedDescription: 'do not make longhorn the default StorageClass', group: VALUES },
  { flags: '--data-path <path>', description: 'where Longhorn keeps volume data on every node [default: /var/lib/longhorn/]', group: VALUES },
  { flags: '--reclaim-policy <policy>', description: 'Delete or Retain for the longhorn class (Retain keeps the volume when its claim is deleted)', group: VALUES, complete: RECLAIM_POLICIES },
  { flags: '--fs-type <type>', description: 'ext4 or xfs [default: ext4]', group: VALUES, complete: FS_TYPES },
  { flags: '--data-locality <mode>', description: 'disabled, best-effort or strict-local (needs --replicas 1)', group: VALUES, complete: DATA_LOCALITIES },
  { flags: '--backup-target <url>', description: 's3://bucket@region/path/, nfs://host:/path, cifs://host/share, azblob://...', group: VALUES },
  { flags: '--backup-credentials-secret <name>', description: 'Secret in longhorn-system with the backup store credentials', group: VALUES },
  { flags: '-f, --values <file>', description: 'your own values file, merged over ours (yours win); repeatable', repeatable: true, group: VALUES, complete: 'files' },
  { flags: '--set <key=value>', description: 'a value in Helm --set syntax, applied last; repeatable', repeatable: true, group: VALUES },
  { flags: '--ui <mode>', description: 'how the UI is reached: port-forward, nodeport, loadbalancer or ingress [default: port-forward]', group: UI, complete: UI_EXPOSURES },
  { flags: '--host <name>', description: 'DNS name of the UI (with --ui ingress)', group: UI },
  { flags: '--ingress-class <name>', description: 'IngressClass of the UI Ingress [default: nginx]', group: UI },
  { flags: '--auth-secret <name>', description: 'Secret holding the UI login [default: longhorn-ui-auth]', group: UI },
];

export const LONGHORN_INSTALL: CommandSpec = {
  description: 'install Longhorn (replicated block storage) with Helm, then wait until volumes can be made',
  options: [
    { flags: '--version <version>', description: 'chart version [default: 1.12.1; on a rerun, the installed one]' },
    { flags: '--chart <ref>', description: 'chart to install: a local directory or .tgz (air-gapped), REPO/CHART, or oci:// [default: longhorn/longhorn from https://charts.longhorn.io]' },
    ...LONGHORN_VALUE_OPTIONS,
    { flags: '--monitoring', description: "turn on the chart's ServiceMonitor for the MicroK8s observability addon's Prometheus (label release: kube-prom-stack) and let that Prometheus through Longhorn's NetworkPolicy", group: VALUES },
    { flags: '--ui-user <name>', description: 'user of the UI login [default: admin]', group: UI },
    { flags: '--password-stdin', description: 'read the UI login password from stdin (default: a generated one, printed once)', group: UI },
    { flags: '--microk8s', description: 'treat the cluster as MicroK8s (default: detected from its nodes)', negatable: true, negatedDescription: 'treat the cluster as not MicroK8s (no MicroK8s kubelet path)' },
    { flags: '--timeout <duration>', description: 'how long Helm, and each wait for a Longhorn workload, may take', defaultValue: '10m' },
    { flags: '--no-wait', description: 'return once Helm has applied the chart, without waiting for Longhorn to be ready' },
    { flags: '--skip-preflight', description: "do not check the nodes for Longhorn's prerequisites first" },
    { flags: '--dry-run', description: 'print the Helm command, the values and the plan; change nothing (-o json for machines)' },
  ],
  notes:
    'The chart\'s own StorageClass "longhorn" is managed through the values: Longhorn resets hand edits to it.\n' +
    'Rerun install longhorn with other flags to change it (it upgrades in place), or add classes with\n' +
    '`k8s-storage apply storageclass longhorn --name NAME ...`. install longhorn touches no other class,\n' +
    'except that --default-class takes the default flag from the others.',
  examples: [
    'k8s-storage install longhorn',
    'k8s-storage install longhorn --replicas 2 --default-class --reclaim-policy Retain',
    'k8s-storage install longhorn --ui ingress --host longhorn.example.com',
    'printf %s "$PASSWORD" | k8s-storage install longhorn --ui ingress --host longhorn.example.com --password-stdin',
    'k8s-storage install longhorn --chart ./longhorn-1.12.1.tgz -f my-values.yaml   # air-gapped',
    'k8s-storage install longhorn --monitoring   # after microk8s enable observability',
    'k8s-storage install longhorn --dry-run -o json',
  ],
};

export const LONGHORN_UNINSTALL: CommandSpec = {
  description: 'remove Longhorn: refuses while it holds volumes unless --force; asks for confirmation',
  options: [
    { flags: '--force', description: 'uninstall even though Longhorn volumes or claims exist (their data is deleted)' },
    { flags: '--yes', description: 'confirm without a prompt (needed when stdin is not a terminal)' },
    { flags: '--timeout <duration>', description: 'how long helm uninstall, and each wait, may take', defaultValue: '10m' },
    { flags: '--dry-run', description: 'print the plan and change nothing' },
  ],
  notes:
    "Order: set Longhorn's deleting-confirmation-flag, helm uninstall (its uninstall job removes volumes and\n" +
    'custom resources), then delete the namespace. The CRDs are never deleted by hand.',
  examples: ['k8s-storage uninstall longhorn', 'k8s-storage uninstall longhorn --yes   # in scripts', 'k8s-storage uninstall longhorn --force --yes   # deletes every Longhorn volume', 'k8s-storage uninstall longhorn --dry-run'],
};
