/** `bench` as tables: per class, each fio job's IOPS, bandwidth and latency; then the ratios. */
import type { BenchRatio } from '../bench/fio.js';
import type { BenchRun } from '../commands/bench.js';
import { formatBytes } from '../usage/report.js';
import { tablePrinter, type TableOptions } from './print.js';

const us = (ns: number | undefined) => (ns === undefined ? '-' : ns >= 1e6 ? `${Math.round(ns / 1e5) / 10}ms` : `${Math.round(ns / 100) / 10}µs`);

export function formatBenchReport(report: { runs: BenchRun[]; compare?: { first: string; second: string; ratios: BenchRatio[] } }, table: TableOptions = {}): string {
  const formatTable = tablePrinter(table);
  const parts = report.runs.map((r) => {
    const rows = r.result.jobs.map((j) => [j.name, j.direction, j.bs, String(Math.round(j.iops)), `${formatBytes(j.bandwidthBytes)}/s`, us(j.clatP50Ns), us(j.clatP99Ns)]);
    return `${r.storageClass} (${r.profile}, ${r.size}, ${r.result.fioVersion}, ${r.seconds}s)\n${formatTable(['job', 'dir', 'bs', 'iops', 'bandwidth', 'lat p50', 'lat p99'], rows)}`;
  });
  if (report.compare) {
    const x = (v: number | undefined) => (v === undefined ? '-' : `${v}x`);
    const rows = report.compare.ratios.map((r) => [r.job, r.direction, x(r.iops), x(r.bandwidth), x(r.clatP99)]);
    parts.push(`${report.compare.second} / ${report.compare.first} (iops and bandwidth: higher is faster; latency: lower is faster)\n${formatTable(['job', 'dir', 'iops', 'bandwidth', 'lat p99'], rows)}`);
  }
  return parts.join('\n');
}
