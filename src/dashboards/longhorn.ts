/**
 * A Grafana dashboard for Longhorn, written here from the metric names longhorn-manager
 * exports (Longhorn docs, monitoring/metrics.md; ../shared/reference/day2.md): volume
 * robustness and state, capacity and usage per node and disk, IOPS, throughput, latency and
 * the last backup. Pure data: `dashboards longhorn > longhorn.json`, then Grafana's Import.
 */

interface Target {
  expr: string;
  legendFormat?: string;
  instant?: boolean;
  format?: 'time_series' | 'table';
}

interface PanelSpec {
  title: string;
  type: 'stat' | 'timeseries' | 'table' | 'bargauge';
  unit: string;
  targets: Target[];
  w: number;
  h: number;
  description?: string;
  thresholds?: { color: string; value: number | null }[];
}

const DS = { type: 'prometheus', uid: '${datasource}' };
const VOL = 'volume=~"$volume"';
const NODE = 'node=~"$node"';

const PANELS: PanelSpec[] = [
  { title: 'Volumes by robustness', type: 'stat', unit: 'none', w: 8, h: 5, targets: [{ expr: 'sum by (state) (longhorn_volume_robustness == 1)', legendFormat: '{{state}}', instant: true }], description: 'healthy, degraded (a replica missing or rebuilding), faulted (no healthy replica: data unavailable)' },
  { title: 'Degraded or faulted volumes', type: 'table', unit: 'none', w: 8, h: 5, targets: [{ expr: `longhorn_volume_robustness{state=~"degraded|faulted",${VOL}} == 1`, instant: true, format: 'table' }] },
  { title: 'Nodes', type: 'stat', unit: 'none', w: 8, h: 5, targets: [{ expr: 'longhorn_node_count_total', legendFormat: 'nodes', instant: true }, { expr: 'sum(longhorn_node_status{condition="ready"})', legendFormat: 'ready', instant: true }, { expr: 'sum(longhorn_node_status{condition="schedulable"})', legendFormat: 'schedulable', instant: true }] },
  { title: 'Disk usage per node and disk', type: 'bargauge', unit: 'percentunit', w: 12, h: 8, targets: [{ expr: `longhorn_disk_usage_bytes{${NODE}} / longhorn_disk_capacity_bytes{${NODE}}`, legendFormat: '{{node}} {{disk}}', instant: true }], thresholds: [{ color: 'green', value: null }, { color: 'yellow', value: 0.7 }, { color: 'red', value: 0.8 }], description: 'red above 80% used, the seed\'s "alert under 20% free"' },
  { title: 'Disk capacity, usage and reservation per node', type: 'timeseries', unit: 'bytes', w: 12, h: 8, targets: [{ expr: `sum by (node) (longhorn_disk_capacity_bytes{${NODE}})`, legendFormat: '{{node}} capacity' }, { expr: `sum by (node) (longhorn_disk_usage_bytes{${NODE}})`, legendFormat: '{{node}} used' }, { expr: `longhorn_node_storage_reservation_bytes{${NODE}}`, legendFormat: '{{node}} reserved' }] },
  { title: 'IOPS per volume', type: 'timeseries', unit: 'iops', w: 8, h: 8, targets: [{ expr: `longhorn_volume_read_iops{${VOL}}`, legendFormat: '{{volume}} read' }, { expr: `longhorn_volume_write_iops{${VOL}}`, legendFormat: '{{volume}} write' }] },
  { title: 'Throughput per volume', type: 'timeseries', unit: 'Bps', w: 8, h: 8, targets: [{ expr: `longhorn_volume_read_throughput{${VOL}}`, legendFormat: '{{volume}} read' }, { expr: `longhorn_volume_write_throughput{${VOL}}`, legendFormat: '{{volume}} write' }] },
  { title: 'Latency per volume', type: 'timeseries', unit: 'ns', w: 8, h: 8, targets: [{ expr: `longhorn_volume_read_latency{${VOL}}`, legendFormat: '{{volume}} read' }, { expr: `longhorn_volume_write_latency{${VOL}}`, legendFormat: '{{volume}} write' }] },
  { title: 'Time since the last backup', type: 'table', unit: 's', w: 12, h: 8, targets: [{ expr: `time() - (longhorn_volume_last_backup_at{${VOL}} > 0)`, instant: true, format: 'table' }, { expr: `longhorn_volume_last_backup_at{${VOL}} == 0`, instant: true, format: 'table' }], description: 'volumes whose last_backup_at is 0 have never been backed up' },
  { title: 'Backups by state', type: 'stat', unit: 'none', w: 6, h: 8, targets: [{ expr: 'count by (state) (longhorn_backup_state)', legendFormat: 'state {{state}}', instant: true }], description: '0 New, 1 Pending, 2 InProgress, 3 Completed, 4 Error, 5 Unknown' },
  { title: 'Volumes read-only', type: 'stat', unit: 'none', w: 6, h: 8, targets: [{ expr: `sum(longhorn_volume_file_system_read_only{${VOL}})`, legendFormat: 'read-only', instant: true }], thresholds: [{ color: 'green', value: null }, { color: 'red', value: 1 }] },
];

export function longhornDashboard(): Record<string, unknown> {
  let x = 0;
  let y = 0;
  let rowHeight = 0;
  const panels = PANELS.map((p, i) => {
    if (x + p.w > 24) {
      x = 0;
      y += rowHeight;
      rowHeight = 0;
    }
    const gridPos = { x, y, w: p.w, h: p.h };
    x += p.w;
    rowHeight = Math.max(rowHeight, p.h);
    return {
      id: i + 1,
      title: p.title,
      type: p.type,
      datasource: DS,
      gridPos,
      ...(p.description ? { description: p.description } : {}),
      fieldConfig: { defaults: { unit: p.unit, ...(p.thresholds ? { thresholds: { mode: 'absolute', steps: p.thresholds } } : {}) }, overrides: [] },
      options: {},
      targets: p.targets.map((t, j) => ({ refId: String.fromCharCode(65 + j), datasource: DS, expr: t.expr, ...(t.legendFormat ? { legendFormat: t.legendFormat } : {}), ...(t.instant ? { instant: true, range: false } : {}), ...(t.format ? { format: t.format } : {}) })),
    };
  });
  const variable = (name: string, label: string, query: string) => ({
    name,
    label,
    type: 'query',
    datasource: DS,
    definition: query,
    query: { query, refId: `${name}-var` },
    includeAll: true,
    multi: true,
    allValue: '.*',
    current: { text: 'All', value: '$__all' },
    refresh: 2,
    sort: 1,
  });
  return {
    title: 'Longhorn (k8s-storage)',
    uid: 'k8s-storage-longhorn',
    description: 'Longhorn volumes, nodes, disks and backups. Generated by k8s-storage dashboards longhorn.',
    tags: ['longhorn', 'storage', 'k8s-storage'],
    timezone: 'browser',
    schemaVersion: 39,
    version: 1,
    editable: true,
    refresh: '30s',
    time: { from: 'now-6h', to: 'now' },
    templating: {
      list: [
        { name: 'datasource', label: 'Prometheus', type: 'datasource', query: 'prometheus', current: {}, refresh: 1 },
        variable('node', 'Node', 'label_values(longhorn_node_status, node)'),
        variable('volume', 'Volume', 'label_values(longhorn_volume_robustness, volume)'),
      ],
    },
    annotations: { list: [] },
    panels,
  };
}

/** Every metric the dashboard queries, for its test and the README. */
export function longhornDashboardMetrics(): string[] {
  const names = new Set<string>();
  for (const p of PANELS) for (const t of p.targets) for (const m of t.expr.matchAll(/longhorn_[a-z_]+/g)) names.add(m[0]);
  return [...names].sort();
}
