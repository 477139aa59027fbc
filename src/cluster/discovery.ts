/**
 * Which resource (plural name, namespaced or not) serves a kind. Built-in kinds come from
 * a table: they are the same on every supported cluster, so they cost no request. Other
 * group versions (custom resources: Longhorn, snapshots) are read from the server once per
 * run, and kept on disk for DISCOVERY_TTL_MS like kubectl's ~/.kube/cache/discovery, in
 * ~/.kube/cache/k8s-storage/discovery/<host_port>/<group>_<version>.json. Only what the
 * server serves is cached: a cached answer is dropped when a request to it answers 404
 * (the CRD went away), and "not served" is always asked again (it may have been installed),
 * with one request per run for every group (GET /apis, the group list) instead of one
 * probe per absent group version.
 */
import { mkdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { ApiStatusError, type ApiTransport } from './http.js';

export const DISCOVERY_TTL_MS = 5 * 60_000;

export interface ApiResource {
  name: string;
  namespaced: boolean;
}

interface ResourceList {
  resources: { name: string; kind: string; namespaced: boolean }[];
}

interface ApiGroupList {
  groups: { versions: { groupVersion: string }[] }[];
}

// kind -> [plural, namespaced], per group version. Only what k8s-storage addresses.
const BUILTIN: Record<string, Record<string, [string, boolean]>> = {
  v1: {
    Namespace: ['namespaces', false],
    Node: ['nodes', false],
    PersistentVolume: ['persistentvolumes', false],
    PersistentVolumeClaim: ['persistentvolumeclaims', true],
    Pod: ['pods', true],
    ConfigMap: ['configmaps', true],
    Secret: ['secrets', true],
    Service: ['services', true],
    ServiceAccount: ['serviceaccounts', true],
    Event: ['events', true],
    Endpoints: ['endpoints', true],
  },
  'apps/v1': { Deployment: ['deployments', true], DaemonSet: ['daemonsets', true], StatefulSet: ['statefulsets', true], ReplicaSet: ['replicasets', true] },
  'storage.k8s.io/v1': { StorageClass: ['storageclasses', false], CSIDriver: ['csidrivers', false], CSINode: ['csinodes', false], VolumeAttachment: ['volumeattachments', false] },
  'batch/v1': { Job: ['jobs', true], CronJob: ['cronjobs', true] },
  'rbac.authorization.k8s.io/v1': { Role: ['roles', true], RoleBinding: ['rolebindings', true], ClusterRole: ['clusterroles', false], ClusterRoleBinding: ['clusterrolebindings', false] },
  'apiextensions.k8s.io/v1': { CustomResourceDefinition: ['customresourcedefinitions', false] },
  'policy/v1': { PodDisruptionBudget: ['poddisruptionbudgets', true] },
  'networking.k8s.io/v1': { Ingress: ['ingresses', true], NetworkPolicy: ['networkpolicies', true] },
  'scheduling.k8s.io/v1': { PriorityClass: ['priorityclasses', false] },
};

export const groupVersionPath = (apiVersion: string) => (apiVersion.includes('/') ? `/apis/${apiVersion}` : `/api/${apiVersion}`);

export class Discovery {
  /** Per group version, the one read of this run (shared by concurrent lookups). */
  private readonly lists = new Map<string, Promise<ResourceList | undefined>>();
  /** Group versions whose answer came from the disk cache (a 404 later means it is stale). */
  private readonly fromDisk = new Set<string>();
  /** Group versions the server answered 404 for, or did not list, in this run. */
  private readonly missing = new Set<string>();
  /** The group versions the server lists (GET /apis), read at most once per run; undefined when it could not say. */
  private served: Promise<Set<string> | undefined> | undefined;
  private readonly dir: string | undefined;

  constructor(
    private readonly http: ApiTransport,
    server: string,
    cacheRoot: string | undefined = join(homedir(), '.kube', 'cache', 'k8s-storage', 'discovery'),
  ) {
    const u = new URL(server);
    this.dir = cacheRoot && join(cacheRoot, `${u.hostname}_${u.port || (u.protocol === 'http:' ? '80' : '443')}${u.pathname}`.replace(/[^\w.-]/g, '_'));
  }

  /** The resource serving a kind, or undefined when the server does not serve it. */
  async resource(apiVersion: string, kind: string): Promise<ApiResource | undefined> {
    const builtin = BUILTIN[apiVersion]?.[kind];
    if (builtin) return { name: builtin[0], namespaced: builtin[1] };
    let found = await this.find(apiVersion, kind);
    if (!found && this.fromDisk.has(apiVersion)) {
      // The cache predates a change (a CRD updated with a new kind): ask the server.
      this.invalidate(apiVersion);
      found = await this.find(apiVersion, kind);
    }
    return found;
  }

  private async find(apiVersion: string, kind: string): Promise<ApiResource | undefined> {
    const list = await this.groupVersion(apiVersion);
    const r = list?.resources.find((x) => x.kind === kind && !x.name.includes('/'));
    return r ? { name: r.name, namespaced: r.namespaced } : undefined;
  }

  /** Whether an answer for this group version came from the disk cache (so a 404 may mean it is stale). */
  cached(apiVersion: string): boolean {
    return this.fromDisk.has(apiVersion);
  }

  /** Forgets a group version, here and on disk: the next lookup asks the server. */
  invalidate(apiVersion: string): void {
    this.lists.delete(apiVersion);
    this.served = undefined;
    this.fromDisk.delete(apiVersion);
    const file = this.file(apiVersion);
    if (file) rmSync(file, { force: true });
  }

  /**
   * Forgets the group versions the server did not serve: a step that ran a tool or applied
   * objects may have installed their CRDs (an addon, a chart), and the checks after it must see them.
   */
  forgetMissing(): void {
    for (const apiVersion of this.missing) this.lists.delete(apiVersion);
    this.missing.clear();
    this.served = undefined;
  }

  /** Every group version the server serves, from one GET /apis per run (shared by concurrent lookups). */
  private servedGroupVersions(): Promise<Set<string> | undefined> {
    this.served ??= this.http.request<ApiGroupList>('GET', '/apis').then(
      (list) => new Set(list.groups.flatMap((g) => g.versions.map((v) => v.groupVersion))),
      // Not allowed or not answered: each group version is then asked for itself.
      () => undefined,
    );
    return this.served;
  }

  private file(apiVersion: string): string | undefined {
    return this.dir && join(this.dir, `${apiVersion.replace('/', '_')}.json`);
  }

  private groupVersion(apiVersion: string): Promise<ResourceList | undefined> {
    let p = this.lists.get(apiVersion);
    if (!p) {
      p = this.read(apiVersion);
      this.lists.set(apiVersion, p);
      // A failed read is not an answer: the next lookup tries again.
      p.catch(() => this.lists.delete(apiVersion));
    }
    return p;
  }

  private async read(apiVersion: string): Promise<ResourceList | undefined> {
    const file = this.file(apiVersion);
    if (file) {
      try {
        if (Date.now() - statSync(file).mtimeMs < DISCOVERY_TTL_MS) {
          const list = JSON.parse(readFileSync(file, 'utf8')) as ResourceList;
          this.fromDisk.add(apiVersion);
          return list;
        }
      } catch {
        // No cache, or unreadable: ask the server.
      }
    }
    // A group version the server does not list is not served: no need to ask for it.
    if (apiVersion.includes('/') && (await this.servedGroupVersions())?.has(apiVersion) === false) {
      this.missing.add(apiVersion);
      return undefined;
    }
    let list: ResourceList;
    try {
      list = await this.http.request<ResourceList>('GET', groupVersionPath(apiVersion));
    } catch (err) {
      if (err instanceof ApiStatusError && err.status === 404) {
        this.missing.add(apiVersion);
        return undefined;
      }
      throw err;
    }
    if (file) {
      try {
        mkdirSync(this.dir!, { recursive: true });
        const tmp = `${file}.${process.pid}.tmp`;
        writeFileSync(tmp, JSON.stringify({ resources: list.resources.map((r) => ({ name: r.name, kind: r.kind, namespaced: r.namespaced })) }));
        renameSync(tmp, file);
      } catch {
        // A read-only HOME works, just without the cache.
      }
    }
    return list;
  }
}
