/**
 * `install longhorn --monitoring` (pure): the chart values that turn on Longhorn's
 * ServiceMonitor with the label the MicroK8s `observability` addon's Prometheus selects
 * (kube-prometheus-stack, release `kube-prom-stack`, only scrapes ServiceMonitors labelled
 * `release: <release>`), and a NetworkPolicy that admits that Prometheus to longhorn-manager's
 * metrics port. The chart's own `longhorn-manager` policy (networkPolicies.restrictInternalTraffic,
 * true by default in 1.12.1) admits only Longhorn's pods; policies add up, so a second one
 * opens the metrics port to Prometheus without turning the restriction off.
 */
import type { ObjectRef } from '../../cluster/kube.js';
import type { KubeObject } from '../../presets/types.js';

export const OBSERVABILITY_NAMESPACE = 'observability';
export const OBSERVABILITY_RELEASE = 'kube-prom-stack';
export const LONGHORN_SERVICE_MONITOR = 'longhorn-prometheus-servicemonitor';
export const PROMETHEUS_POLICY = 'longhorn-manager-prometheus';
export const LONGHORN_METRICS_PORT = 9500;
/** The group version of ServiceMonitor (the Prometheus operator's CRD, installed by the observability addon). */
export const SERVICE_MONITOR_API = 'monitoring.coreos.com/v1';
/** What the addon waits for (its readiness check): the addon is on when this StatefulSet exists. */
export const OBSERVABILITY_PROMETHEUS: ObjectRef = { apiVersion: 'apps/v1', kind: 'StatefulSet', name: 'prometheus-kube-prom-stack-kube-prome-prometheus', namespace: OBSERVABILITY_NAMESPACE };

export type MonitoringValues = {
  metrics: { serviceMonitor: { enabled: true; additionalLabels: Record<string, string> } };
};

export function monitoringValues(release = OBSERVABILITY_RELEASE): MonitoringValues {
  return { metrics: { serviceMonitor: { enabled: true, additionalLabels: { release } } } };
}

export function prometheusNetworkPolicy(longhornNamespace: string, prometheusNamespace = OBSERVABILITY_NAMESPACE): KubeObject {
  return {
    apiVersion: 'networking.k8s.io/v1',
    kind: 'NetworkPolicy',
    metadata: { name: PROMETHEUS_POLICY, namespace: longhornNamespace, labels: { 'app.kubernetes.io/managed-by': 'k8s-storage', 'app.kubernetes.io/name': PROMETHEUS_POLICY } },
    spec: {
      podSelector: { matchLabels: { app: 'longhorn-manager' } },
      policyTypes: ['Ingress'],
      ingress: [
        {
          from: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': prometheusNamespace } }, podSelector: { matchLabels: { 'app.kubernetes.io/name': 'prometheus' } } }],
          ports: [{ protocol: 'TCP', port: LONGHORN_METRICS_PORT }],
        },
      ],
    },
  } as KubeObject;
}

export interface MonitoringFacts {
  /** The observability addon's Prometheus runs (StatefulSet prometheus-kube-prom-stack-kube-prome-prometheus). */
  observability: boolean;
  /** Longhorn is installed. */
  longhorn: boolean;
  /** ServiceMonitor longhorn-prometheus-servicemonitor, when the cluster serves ServiceMonitors. */
  serviceMonitor?: { labels: Record<string, string> };
}

/** `status`'s warning: Longhorn runs, observability is on, and nothing scrapes Longhorn. */
export function monitoringWarning(f: MonitoringFacts): string | undefined {
  if (!f.longhorn || !f.observability) return undefined;
  if (!f.serviceMonitor) return `observability is enabled but Longhorn has no ServiceMonitor, so Prometheus does not scrape it: rerun k8s-storage install longhorn --monitoring`;
  if (f.serviceMonitor.labels.release !== OBSERVABILITY_RELEASE) return `ServiceMonitor ${LONGHORN_SERVICE_MONITOR} lacks the label release=${OBSERVABILITY_RELEASE}, so the observability addon's Prometheus ignores it: rerun k8s-storage install longhorn --monitoring`;
  return undefined;
}
