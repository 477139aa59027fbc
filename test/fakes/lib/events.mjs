// Scripted events, shaped as the real controllers write them (core/v1 Event with
// involvedObject, source, first/lastTimestamp, count), for tests of `diagnose`.
//
//   scriptEvent(api, pvc, { reason: 'ProvisioningFailed', message: '...', component: 'driver.longhorn.io_csi-provisioner' })
//
// Texts to script are in ../shared/reference/day2.md ("exact events").

import { randomUUID } from 'node:crypto';

const COMPONENTS = /** @type {Record<string, string>} */ ({
  WaitForFirstConsumer: 'persistentvolume-controller',
  ExternalProvisioning: 'persistentvolume-controller',
  FailedBinding: 'persistentvolume-controller',
  ClaimLost: 'persistentvolume-controller',
  FailedScheduling: 'default-scheduler',
  FailedAttachVolume: 'attachdetach-controller',
  FailedMount: 'kubelet',
});

/**
 * Put one Event about `obj` in the store.
 * @param {{store: {put(o: any): any}}} api @param {any} obj
 * @param {{reason: string, message: string, type?: 'Normal'|'Warning', component?: string, count?: number, at?: Date}} ev
 */
export function scriptEvent(api, obj, ev) {
  const at = (ev.at ?? new Date()).toISOString().replace(/\.\d{3}Z$/, 'Z');
  const ns = obj.metadata.namespace ?? 'default';
  const suffix = randomUUID().replace(/-/g, '').slice(0, 16);
  return api.store.put({
    apiVersion: 'v1',
    kind: 'Event',
    metadata: { name: `${obj.metadata.name}.${suffix}`, namespace: ns },
    involvedObject: { apiVersion: obj.apiVersion, kind: obj.kind, name: obj.metadata.name, namespace: ns, uid: obj.metadata.uid, resourceVersion: obj.metadata.resourceVersion },
    reason: ev.reason,
    message: ev.message,
    type: ev.type ?? (ev.reason === 'WaitForFirstConsumer' ? 'Normal' : 'Warning'),
    source: { component: ev.component ?? COMPONENTS[ev.reason] ?? 'kubelet' },
    firstTimestamp: at,
    lastTimestamp: at,
    count: ev.count ?? 1,
    reportingComponent: '',
    reportingInstance: '',
  });
}
