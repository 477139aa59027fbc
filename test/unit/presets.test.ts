import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { describe, expect, it } from 'vitest';
import { UsageError } from '../../src/errors.js';
import { buildApp } from '../../src/manifests/app.js';
import { buildStorageClass } from '../../src/manifests/storageclass.js';
import { schemaProblems } from '../../src/manifests/validate.js';
import { APP_PRESETS } from '../../src/presets/apps.js';
import { appKitFacts, fromTemplateIndex, loadTemplate, TEMPLATE_INDEX, templateIndex } from '../../src/presets/registry.js';
import { STORAGE_CLASS_PRESETS } from '../../src/backends/index.js';
import { REPO } from '../helpers/run-cli.js';
import { expectAllSchemaValid, schemaErrors } from '../helpers/schema.js';

const templateFiles = (kind: string) => readdirSync(join(REPO, 'templates', kind)).map((f) => f.replace(/\.yaml$/, '')).sort();

/** Options that satisfy each preset's required flags. */
const REQUIRED: Record<string, Record<string, string>> = { nfs: { server: '10.0.0.5', share: '/exports/k8s' } };

describe('presets come from templates/', () => {
  it('every StorageClass template has a typed preset and every preset a template', () => {
    expect(STORAGE_CLASS_PRESETS.map((p) => p.name).sort()).toEqual(templateFiles('storageclass'));
  });

  it('every app template has a typed kit and every kit a template', () => {
    expect(APP_PRESETS.map((p) => p.name).sort()).toEqual(templateFiles('app'));
  });

  it.each(templateFiles('storageclass').map((n) => [n]))('templates/storageclass/%s.yaml is a valid StorageClass on its own, with the preset provisioner', async (name) => {
    const [sc, ...rest] = loadTemplate('storageclass', name);
    expect(rest).toEqual([]);
    expect(await schemaErrors(sc!)).toBeUndefined();
    expect(sc!.provisioner).toBe(STORAGE_CLASS_PRESETS.find((p) => p.name === name)!.provisioner);
  });

  it.each(templateFiles('app').map((n) => [n]))('templates/app/%s.yaml is valid Kubernetes YAML on its own', async (name) => {
    await expectAllSchemaValid(loadTemplate('app', name));
  });
});

describe('StorageClass presets', () => {
  it.each(STORAGE_CLASS_PRESETS.map((p) => [p.name]))('%s renders a schema-valid class with its defaults', async (name) => {
    const sc = buildStorageClass({ preset: name, ...REQUIRED[name] });
    expect(await schemaErrors(sc)).toBeUndefined();
    expect(await schemaProblems([sc])).toEqual([]);
  });

  it.each(STORAGE_CLASS_PRESETS.map((p) => [p.name]))('%s accepts every one of its own flags at once', async (name) => {
    const preset = STORAGE_CLASS_PRESETS.find((p) => p.name === name)!;
    const all: Record<string, string> = { ...REQUIRED[name] };
    for (const f of preset.flags) all[f.key] ??= f.choices?.[0] ?? (f.key === 'replicas' ? '1' : f.flags.includes('path') || f.key === 'dir' || f.key === 'share' ? '/srv/x' : f.key === 'staleReplicaTimeout' ? '30' : 'value-1');
    const sc = buildStorageClass({ preset: name, name: 'custom', default: true, reclaimPolicy: 'Retain', bindingMode: 'WaitForFirstConsumer', param: ['extra=1'], ...all });
    expect(await schemaErrors(sc)).toBeUndefined();
    expect(sc.metadata.annotations?.['storageclass.kubernetes.io/is-default-class']).toBe('true');
    expect(sc.reclaimPolicy).toBe('Retain');
    expect(sc.volumeBindingMode).toBe('WaitForFirstConsumer');
    expect(sc.parameters?.extra).toBe('1');
  });

  it.each([
    ['hostpath', { dir: '/mnt/ssd', name: 'hostpath-ssd' }, { pvDir: '/mnt/ssd' }],
    ['longhorn', { replicas: '2', dataLocality: 'best-effort', fsType: 'xfs' }, { numberOfReplicas: '2', dataLocality: 'best-effort', fsType: 'xfs', staleReplicaTimeout: '2880' }],
    ['longhorn', { dataLocality: 'strict-local' }, { numberOfReplicas: '1', dataLocality: 'strict-local' }],
    ['nfs', { server: 'nas.lan', share: '/volume1/k8s' }, { server: 'nas.lan', share: '/volume1/k8s' }],
    ['ceph-rbd', { clusterId: 'ceph', pool: 'fast' }, { clusterID: 'ceph', pool: 'fast', 'csi.storage.k8s.io/node-stage-secret-namespace': 'ceph' }],
    ['cephfs', { fsName: 'shared' }, { fsName: 'shared', clusterID: 'rook-ceph' }],
  ] as const)('%s with %j sets parameters %j', (preset, flags, expected) => {
    const sc = buildStorageClass({ preset, ...flags });
    expect(sc.parameters).toMatchObject(expected);
  });

  it('nfs puts mount options where the CSI driver reads them', () => {
    expect(buildStorageClass({ preset: 'nfs', server: 'nas', share: '/x', mountOptions: 'nfsvers=4.2, hard' }).mountOptions).toEqual(['nfsvers=4.2', 'hard']);
  });

  it('openebs-hostpath writes the base path into its cas config annotation', () => {
    const sc = buildStorageClass({ preset: 'openebs-hostpath', basePath: '/mnt/openebs' });
    expect(sc.metadata.annotations?.['cas.openebs.io/config']).toContain('value: "/mnt/openebs"');
    expect(sc.metadata.annotations?.['openebs.io/cas-type']).toBe('local');
  });

  it.each([
    [{ preset: 'nfs' }, ['--server is required', '--share is required']],
    [{ preset: 'longhorn', replicas: '0' }, ['--replicas: "0" must be a whole number from 1 to 20']],
    [{ preset: 'longhorn', replicas: '21' }, ['--replicas: "21" must be a whole number from 1 to 20']],
    [{ preset: 'longhorn', replicas: '2', dataLocality: 'strict-local' }, ['needs --replicas 1']],
    [{ preset: 'longhorn', fsType: 'btrfs' }, ['--fs-type: "btrfs" must be one of ext4, xfs']],
    [{ preset: 'hostpath', dir: 'relative/dir', name: 'x' }, ['must be an absolute path']],
    [{ preset: 'hostpath', dir: '/mnt/x' }, ['give it a name with --name']],
    [{ preset: 'hostpath', replicas: '2' }, ['--replicas is not a flag of the hostpath preset (it takes --dir)']],
    [{ preset: 'longhorn', reclaimPolicy: 'Recycle', bindingMode: 'Later' }, ['--reclaim-policy: "Recycle" must be one of Delete, Retain', '--binding-mode: "Later" must be one of Immediate, WaitForFirstConsumer']],
    [{ preset: 'longhorn', name: 'Bad Name' }, ['is not a valid name']],
    [{ preset: 'longhorn', param: ['oops'] }, ['--param: "oops" must be KEY=VALUE']],
  ] as const)('%j is refused with every problem', (opts, fragments) => {
    let err: unknown;
    try {
      buildStorageClass(opts as never);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(UsageError);
    const problems = (err as UsageError).problems;
    expect(problems).toHaveLength(fragments.length);
    fragments.forEach((f, i) => expect(problems[i]).toContain(f));
  });

  it('an unknown preset is answered with the list', () => {
    expect(() => buildStorageClass({ preset: 'glusterfs' })).toThrow(/unknown storageclass preset "glusterfs"; choose one of: ceph-rbd, cephfs, hostpath, longhorn, nfs, openebs-hostpath/);
  });
});

describe('app kits', () => {
  const kits = APP_PRESETS.map((p) => [p.name]);

  it.each(kits)('%s renders schema-valid objects as a Deployment', async (name) => {
    const app = buildApp({ preset: name });
    await expectAllSchemaValid(app.objects);
    expect(app.objects.map((o) => o.kind)).toContain('Deployment');
    expect(app.objects.map((o) => o.kind)).toContain('PersistentVolumeClaim');
  });

  it.each(kits)('%s renders schema-valid objects as a StatefulSet with volumeClaimTemplates', async (name) => {
    const app = buildApp({ preset: name, statefulset: true, name: 'db', namespace: 'apps', size: '3Gi', storageClass: 'longhorn' });
    await expectAllSchemaValid(app.objects);
    const sts = app.objects.find((o) => o.kind === 'StatefulSet') as any;
    expect(app.objects.map((o) => o.kind)).not.toContain('PersistentVolumeClaim');
    expect(sts.spec.volumeClaimTemplates[0].spec.resources.requests.storage).toBe('3Gi');
    expect(sts.spec.volumeClaimTemplates[0].spec.storageClassName).toBe('longhorn');
    expect(sts.spec.template.spec.volumes ?? []).not.toContainEqual(expect.objectContaining({ name: 'data' }));
    expect(sts.spec.serviceName).toBe('db');
    for (const o of app.objects) expect(o.metadata.namespace).toBe('apps');
  });

  it.each(kits)('%s is wired: the pod mounts the claim, the Service selects the pod, env reads the Secret', (name) => {
    const app = buildApp({ preset: name, name: 'shop-data' });
    const by = (kind: string) => app.objects.find((o) => o.kind === kind) as any;
    const deploy = by('Deployment');
    const pod = deploy.spec.template.spec;
    const facts = appKitFacts(name);
    expect(deploy.spec.selector.matchLabels).toEqual(pod.metadata?.labels ?? deploy.spec.template.metadata.labels);
    expect(pod.volumes.find((v: any) => v.name === 'data').persistentVolumeClaim.claimName).toBe(by('PersistentVolumeClaim').metadata.name);
    expect(pod.containers[0].volumeMounts.find((m: any) => m.name === 'data').mountPath).toBe(facts.mountPath);
    expect(deploy.spec.strategy).toEqual({ type: 'Recreate' });
    if (by('Service')) expect(by('Service').spec.selector).toEqual(deploy.spec.selector.matchLabels);
    for (const env of pod.containers[0].env ?? []) {
      expect(env.value ?? '').not.toMatch(/password|change-me/i);
      if (env.valueFrom?.secretKeyRef) expect(env.valueFrom.secretKeyRef.name).toBe('shop-data-credentials');
    }
    if (facts.secretKeys.length) {
      const secret = by('Secret');
      expect(secret.stringData.password).toMatch(/^[A-Za-z0-9_-]{24}$/);
      expect(secret.stringData.password).not.toBe('change-me');
      expect(app.generatedPassword).toBe(true);
    }
  });

  it('passwords are generated afresh each time', () => {
    const a = buildApp({ preset: 'postgres' }).objects.find((o) => o.kind === 'Secret') as any;
    const b = buildApp({ preset: 'postgres' }).objects.find((o) => o.kind === 'Secret') as any;
    expect(a.stringData.password).not.toBe(b.stringData.password);
  });

  it('--existing-secret renders no Secret and points the env at the named one', () => {
    const app = buildApp({ preset: 'mysql', existingSecret: 'prod-mysql' });
    expect(app.objects.map((o) => o.kind)).toEqual(['PersistentVolumeClaim', 'Deployment', 'Service']);
    const env = (app.objects[1] as any).spec.template.spec.containers[0].env;
    expect(env[0].valueFrom.secretKeyRef).toEqual({ name: 'prod-mysql', key: 'password' });
    expect(app.generatedPassword).toBe(false);
  });

  it('postgres keeps PGDATA in a subfolder of the mount', () => {
    const c = (buildApp({ preset: 'postgres' }).objects.find((o) => o.kind === 'Deployment') as any).spec.template.spec.containers[0];
    const pgdata = c.env.find((e: any) => e.name === 'PGDATA').value as string;
    expect(pgdata.startsWith(`${c.volumeMounts[0].mountPath}/`)).toBe(true);
  });

  it('redis runs with append-only persistence and a password from the Secret', () => {
    const c = (buildApp({ preset: 'redis' }).objects.find((o) => o.kind === 'Deployment') as any).spec.template.spec.containers[0];
    expect(c.command.join(' ')).toContain('--appendonly yes');
    expect(c.command).toContain('$(REDIS_PASSWORD)');
  });

  it('the uploads kit takes an image and a mount path and has no Secret', () => {
    const app = buildApp({ preset: 'uploads', image: 'ghcr.io/me/web:1', mountPath: '/srv/files', accessMode: ['RWX'], storageClass: 'longhorn' });
    expect(app.objects.map((o) => o.kind)).toEqual(['PersistentVolumeClaim', 'Deployment']);
    const c = (app.objects[1] as any).spec.template.spec.containers[0];
    expect(c.image).toBe('ghcr.io/me/web:1');
    expect(c.volumeMounts[0].mountPath).toBe('/srv/files');
    expect((app.objects[0] as any).spec.accessModes).toEqual(['ReadWriteMany']);
  });

  it.each([
    [{ preset: 'postgres', accessMode: ['RWX'], storageClass: 'microk8s-hostpath' }, 'cannot serve it'],
    [{ preset: 'postgres', size: '5GB' }, 'did you mean 5Gi?'],
    [{ preset: 'postgres', name: 'Billing_DB' }, 'did you mean "billing-db"?'],
    [{ preset: 'postgres', mountPath: '/data' }, 'only for the uploads kit'],
    [{ preset: 'postgres', password: 'x', existingSecret: 'y' }, 'use one'],
    [{ preset: 'cassandra' }, 'unknown app preset "cassandra"; choose one of: mariadb, mongodb, mysql, postgres, redis, uploads'],
  ] as const)('%j is refused: %s', (opts, fragment) => {
    expect(() => buildApp(opts as never)).toThrow(fragment);
  });
});

describe('templates parsed at build time (dist/templates.json)', () => {
  const root = REPO;
  const yamlOf = (path: string) => parseAllDocuments(readFileSync(join(root, path), 'utf8')).map((d) => d.toJS());

  it('holds every app and StorageClass template, each parsed as the YAML parser parses it', () => {
    const index = templateIndex();
    const paths = ['app', 'storageclass'].flatMap((kind) => readdirSync(join(root, 'templates', kind)).filter((f) => f.endsWith('.yaml')).map((f) => `templates/${kind}/${f}`));
    expect(Object.keys(index).sort()).toEqual(paths.sort());
    for (const path of paths) expect(fromTemplateIndex(index, path, readFileSync(join(root, path), 'utf8')), path).toEqual(yamlOf(path));
  });

  it('the built file is the current one, and loadTemplate serves fresh objects from it', () => {
    expect(JSON.parse(readFileSync(join(root, TEMPLATE_INDEX), 'utf8'))).toEqual(templateIndex());
    const a = loadTemplate('app', 'postgres');
    a[0]!.metadata.name = 'changed';
    expect(loadTemplate('app', 'postgres')).toEqual(yamlOf('templates/app/postgres.yaml'));
  });

  it('a template whose text changed since the build is not served from it (it is parsed afresh)', () => {
    const index = templateIndex();
    const path = 'templates/app/postgres.yaml';
    const text = readFileSync(join(root, path), 'utf8');
    expect(fromTemplateIndex(index, path, text)).toBeDefined();
    expect(fromTemplateIndex(index, path, text.replace('postgres', 'postgrez'))).toBeUndefined();
    expect(fromTemplateIndex(index, path, `${text} `)).toBeUndefined();
    expect(fromTemplateIndex(index, 'templates/app/nope.yaml', text)).toBeUndefined();
  });
});
