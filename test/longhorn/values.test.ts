import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { UsageError } from '../../src/errors.js';
import { MICROK8S_KUBELET_ROOT_DIR } from '../../src/backends/longhorn/chart.js';
import {
  applySetFlags,
  buildLonghornValues,
  DEFAULT_INGRESS_CLASS,
  DEFAULT_UI_AUTH_SECRET,
  mergeValues,
  parseSetFlag,
  parseValuesYaml,
  renderLonghornValuesYaml,
  typedSetValue,
  validateLonghornInstallOptions,
  type LonghornInstallOptions,
} from '../../src/backends/longhorn/values.js';

describe('buildLonghornValues: kubelet root dir', () => {
  it('sets the MicroK8s kubelet root dir on MicroK8s', () => {
    const { values } = buildLonghornValues({ microk8s: true });
    expect(values.csi).toEqual({ kubeletRootDir: MICROK8S_KUBELET_ROOT_DIR });
    expect(values.csi?.kubeletRootDir).toBe('/var/snap/microk8s/common/var/lib/kubelet');
  });

  it('leaves auto-detection alone elsewhere', () => {
    const { values } = buildLonghornValues({ microk8s: false });
    expect(values).not.toHaveProperty('csi');
  });
});

describe('buildLonghornValues: replica count', () => {
  it.each([
    // nodeCount, requested, expected replicas, warns
    [1, undefined, 1, true],
    [1, 3, 1, true],
    [2, undefined, 2, true],
    [3, undefined, 3, false],
    [5, undefined, 3, false],
    [3, 2, 2, false],
    [3, 3, 3, false],
    [3, 5, 3, true],
    [5, 5, 5, false],
    [undefined, undefined, 3, false],
    [undefined, 7, 7, false],
  ] as const)('%s nodes, --replicas %s -> %s (warning: %s)', (nodeCount, replicas, expected, warns) => {
    const { values, warnings } = buildLonghornValues({ microk8s: true, nodeCount, replicas });
    expect(values.persistence.defaultClassReplicaCount).toBe(expected);
    // Both places agree, and the chart wants the setting as a string.
    expect(values.defaultSettings.defaultReplicaCount).toBe(String(expected));
    expect(warnings.some((w) => /Degraded/.test(w))).toBe(warns);
  });

  it('explains the cap in the warning', () => {
    const { warnings } = buildLonghornValues({ microk8s: true, nodeCount: 1, replicas: 3 });
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(/--replicas 3 is more than the 1 node/);
    expect(warnings[0]).toMatch(/Using 1/);
  });

  it('says a single replica has no redundancy on a one-node cluster', () => {
    const { warnings } = buildLonghornValues({ microk8s: true, nodeCount: 1 });
    expect(warnings.join('\n')).toMatch(/no redundancy/);
  });

  it('strict-local gets exactly one replica', () => {
    const { values } = buildLonghornValues({ microk8s: true, nodeCount: 3, dataLocality: 'strict-local' });
    expect(values.persistence.defaultClassReplicaCount).toBe(1);
    expect(values.persistence.defaultDataLocality).toBe('strict-local');
  });
});

describe('buildLonghornValues: storage class and settings', () => {
  it.each([
    [true, true],
    [false, false],
    [undefined, true],
  ] as const)('defaultClass %s -> persistence.defaultClass %s', (defaultClass, expected) => {
    expect(buildLonghornValues({ microk8s: true, defaultClass }).values.persistence.defaultClass).toBe(expected);
  });

  it('writes the chosen data path, reclaim policy, fs type and locality', () => {
    const { values } = buildLonghornValues({
      microk8s: false,
      dataPath: '/mnt/disk1/longhorn/',
      reclaimPolicy: 'Retain',
      fsType: 'xfs',
      dataLocality: 'best-effort',
    });
    expect(values.persistence).toMatchObject({ reclaimPolicy: 'Retain', defaultFsType: 'xfs', defaultDataLocality: 'best-effort' });
    expect(values.defaultSettings.defaultDataPath).toBe('/mnt/disk1/longhorn/');
  });

  it('uses the chart defaults when nothing is chosen, and no data path', () => {
    const { values, warnings } = buildLonghornValues({ microk8s: true, nodeCount: 3 });
    expect(values.persistence).toEqual({
      defaultClass: true,
      defaultClassReplicaCount: 3,
      reclaimPolicy: 'Delete',
      defaultFsType: 'ext4',
      defaultDataLocality: 'disabled',
    });
    expect(values.defaultSettings).not.toHaveProperty('defaultDataPath');
    expect(warnings).toEqual([]);
  });

  it('keeps the deleting-confirmation flag false on install, as a string', () => {
    expect(buildLonghornValues({ microk8s: true }).values.defaultSettings.deletingConfirmationFlag).toBe('false');
  });

  it('puts the backup target under defaultBackupStore (not the pre-1.8 defaultSettings)', () => {
    const { values } = buildLonghornValues({
      microk8s: true,
      backupTarget: 's3://backups@us-east-1/',
      backupCredentialsSecret: 'minio-credentials',
    });
    expect(values.defaultBackupStore).toEqual({ backupTarget: 's3://backups@us-east-1/', backupTargetCredentialSecret: 'minio-credentials' });
    expect(values.defaultSettings).not.toHaveProperty('backupTarget');
  });

  it('an NFS target needs no credential secret', () => {
    const { values } = buildLonghornValues({ microk8s: true, backupTarget: 'nfs://192.168.1.100:/exports/backups' });
    expect(values.defaultBackupStore).toEqual({ backupTarget: 'nfs://192.168.1.100:/exports/backups' });
  });

  it.each([
    [true, { jobEnabled: false }],
    [false, undefined],
    [undefined, undefined],
  ] as const)('gitops %s -> preUpgradeChecker %j', (gitops, expected) => {
    expect(buildLonghornValues({ microk8s: true, gitops }).values.preUpgradeChecker).toEqual(expected);
  });
});

describe('buildLonghornValues: the UI', () => {
  it.each([
    ['port-forward', 'ClusterIP'],
    ['ingress', 'ClusterIP'],
    ['nodeport', 'NodePort'],
    ['loadbalancer', 'LoadBalancer'],
    [undefined, 'ClusterIP'],
  ] as const)('--ui %s -> service.ui.type %s', (ui, type) => {
    const host = ui === 'ingress' ? 'longhorn.example.com' : undefined;
    expect(buildLonghornValues({ microk8s: true, ui, host }).values.service.ui.type).toBe(type);
  });

  it.each(['nodeport', 'loadbalancer'] as const)('warns that the UI has no login with --ui %s', (ui) => {
    const { warnings, values } = buildLonghornValues({ microk8s: true, nodeCount: 3, ui });
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(/no authentication of its own/);
    expect(values).not.toHaveProperty('ingress');
  });

  it('port-forward is quiet and has no Ingress', () => {
    const { warnings, values } = buildLonghornValues({ microk8s: true, nodeCount: 3, ui: 'port-forward' });
    expect(warnings).toEqual([]);
    expect(values).not.toHaveProperty('ingress');
  });

  it('an Ingress always asks for a login, from the named secret', () => {
    const { values } = buildLonghornValues({ microk8s: true, ui: 'ingress', host: 'longhorn.example.com', authSecretName: 'ui-login' });
    expect(values.ingress).toEqual({
      enabled: true,
      host: 'longhorn.example.com',
      ingressClassName: DEFAULT_INGRESS_CLASS,
      annotations: {
        'nginx.ingress.kubernetes.io/auth-type': 'basic',
        'nginx.ingress.kubernetes.io/auth-secret': 'ui-login',
        'nginx.ingress.kubernetes.io/auth-realm': 'Longhorn UI',
      },
    });
  });

  it('the auth secret and ingress class have defaults', () => {
    const { values } = buildLonghornValues({ microk8s: true, ui: 'ingress', host: 'longhorn.example.com' });
    expect(values.ingress?.annotations['nginx.ingress.kubernetes.io/auth-secret']).toBe(DEFAULT_UI_AUTH_SECRET);
    expect(DEFAULT_UI_AUTH_SECRET).toBe('longhorn-ui-auth');
    expect(values.ingress?.ingressClassName).toBe('nginx');
  });

  it('warns about plain HTTP, and about a class that may ignore the auth annotations', () => {
    const nginx = buildLonghornValues({ microk8s: true, nodeCount: 3, ui: 'ingress', host: 'longhorn.example.com' }).warnings;
    expect(nginx).toHaveLength(1);
    expect(nginx[0]).toMatch(/plain HTTP/);
    const traefik = buildLonghornValues({ microk8s: true, nodeCount: 3, ui: 'ingress', host: 'longhorn.example.com', ingressClassName: 'public' }).warnings;
    expect(traefik.some((w) => /IngressClass "public"/.test(w) && /401/.test(w))).toBe(true);
  });
});

describe('validateLonghornInstallOptions', () => {
  const base: LonghornInstallOptions = { microk8s: true };
  it.each([
    ['replicas 0', { replicas: 0 }, /--replicas: 0 must be a whole number from 1 to 20/],
    ['replicas 21', { replicas: 21 }, /--replicas: 21/],
    ['replicas 1.5', { replicas: 1.5 }, /--replicas: 1.5/],
    ['relative data path', { dataPath: 'data/longhorn' }, /--data-path: "data\/longhorn" must be an absolute path/],
    ['data path with ..', { dataPath: '/var/../etc' }, /must not contain '\.\.'/],
    ['ingress without host', { ui: 'ingress' }, /--host: required with --ui ingress/],
    ['host with capitals', { ui: 'ingress', host: 'Longhorn.Example.com' }, /must be lower case: longhorn.example.com/],
    ['host that is not a DNS name', { ui: 'ingress', host: 'longhorn_ui.example.com' }, /--host: "longhorn_ui.example.com" is not a valid name/],
    ['host that is an IP', { ui: 'ingress', host: '192.168.1.10' }, /IP address.*longhorn\.192\.168\.1\.10\.sslip\.io/],
    ['host with a port', { ui: 'ingress', host: 'longhorn.example.com:8080' }, /must not include a port/],
    ['host without ingress', { ui: 'nodeport', host: 'longhorn.example.com' }, /--host: only used with --ui ingress/],
    ['strict-local with 3 replicas', { dataLocality: 'strict-local', replicas: 3 }, /strict-local .* needs --replicas 1/],
    ['unknown ui', { ui: 'web' as never }, /--ui: "web" is not one of/],
    ['unknown fs type', { fsType: 'btrfs' as never }, /--fs-type: "btrfs"/],
    ['bad backup target', { backupTarget: 'nfs://nas/exports' }, /--backup-target: .*':' between the NFS server and the export path: nfs:\/\/nas:\/exports/],
    ['s3 without credentials', { backupTarget: 's3://bucket@us-east-1/' }, /--backup-credentials-secret: a s3 backup target needs .*AWS_ACCESS_KEY_ID/],
    ['credentials without target', { backupCredentialsSecret: 'creds' }, /only used with --backup-target/],
    ['zero nodes', { nodeCount: 0 }, /node count: 0/],
  ] as const)('%s', (_name, extra, expected) => {
    const problems = validateLonghornInstallOptions({ ...base, ...extra });
    expect(problems.join('\n')).toMatch(expected);
  });

  it('reports every problem at once', () => {
    const problems = validateLonghornInstallOptions({ microk8s: true, replicas: 0, dataPath: 'x', ui: 'ingress', backupTarget: 'http://x' });
    expect(problems).toHaveLength(4);
  });

  it('accepts a complete, valid set of options', () => {
    expect(
      validateLonghornInstallOptions({
        microk8s: true,
        nodeCount: 3,
        replicas: 3,
        dataPath: '/var/lib/longhorn/',
        ui: 'ingress',
        host: 'longhorn.192.168.1.10.sslip.io',
        backupTarget: 'cifs://nas/backups',
        backupCredentialsSecret: 'cifs-secret',
      }),
    ).toEqual([]);
  });

  it('buildLonghornValues throws a UsageError carrying all problems', () => {
    const err = (() => {
      try {
        buildLonghornValues({ microk8s: true, replicas: 30, ui: 'ingress' });
      } catch (e) {
        return e;
      }
      return undefined;
    })();
    expect(err).toBeInstanceOf(UsageError);
    expect((err as UsageError).problems).toHaveLength(2);
  });
});

describe('mergeValues (Helm rules for -f files)', () => {
  const ours = buildLonghornValues({ microk8s: true, nodeCount: 3, ui: 'ingress', host: 'longhorn.example.com' }).values;

  it('merges maps key by key: the user overrides one key and keeps ours', () => {
    const merged = mergeValues(ours, { persistence: { reclaimPolicy: 'Retain' } });
    expect(merged.persistence).toMatchObject({ reclaimPolicy: 'Retain', defaultClassReplicaCount: 3, defaultClass: true });
    expect(merged.csi).toEqual({ kubeletRootDir: MICROK8S_KUBELET_ROOT_DIR });
  });

  it('adds annotations without losing the auth ones', () => {
    const merged = mergeValues(ours, { ingress: { annotations: { 'cert-manager.io/cluster-issuer': 'letsencrypt' } } });
    expect(Object.keys((merged.ingress as { annotations: object }).annotations)).toEqual([
      'nginx.ingress.kubernetes.io/auth-type',
      'nginx.ingress.kubernetes.io/auth-secret',
      'nginx.ingress.kubernetes.io/auth-realm',
      'cert-manager.io/cluster-issuer',
    ]);
  });

  it('replaces lists instead of merging them', () => {
    const merged = mergeValues({ longhornManager: { tolerations: [{ key: 'a' }, { key: 'b' }] } }, { longhornManager: { tolerations: [{ key: 'c' }] } });
    expect(merged).toEqual({ longhornManager: { tolerations: [{ key: 'c' }] } });
  });

  it('replaces a map with a scalar and a scalar with a map', () => {
    expect(mergeValues({ a: { b: 1 } }, { a: 'x' })).toEqual({ a: 'x' });
    expect(mergeValues({ a: 'x' }, { a: { b: 1 } })).toEqual({ a: { b: 1 } });
  });

  it('a null deletes the value and stays as a tombstone so Helm drops the chart default too', () => {
    const merged = mergeValues(ours, { csi: null, persistence: { defaultClass: null } });
    expect(merged.csi).toBeNull();
    expect((merged.persistence as Record<string, unknown>).defaultClass).toBeNull();
    expect(renderLonghornValuesYaml(merged)).toMatch(/^csi: null$/m);
  });

  it('later overlays win, and the inputs are not modified', () => {
    const a = { x: { y: 1 } };
    const merged = mergeValues(a, { x: { y: 2 } }, { x: { y: 3, z: 4 } });
    expect(merged).toEqual({ x: { y: 3, z: 4 } });
    expect(a).toEqual({ x: { y: 1 } });
    (merged.x as Record<string, number>).y = 9;
    expect(a.x.y).toBe(1);
  });

  it('refuses a top-level list', () => {
    expect(() => mergeValues({}, [] as unknown as object)).toThrow(TypeError);
  });
});

describe('parseValuesYaml (-f files)', () => {
  it('reads a mapping, YAML 1.1 booleans included as Helm reads them', () => {
    expect(parseValuesYaml('persistence:\n  defaultClass: no\nservice:\n  ui:\n    type: NodePort\n', 'my.yaml')).toEqual({
      values: { persistence: { defaultClass: false }, service: { ui: { type: 'NodePort' } } },
      problems: [],
    });
  });

  it.each([
    ['an empty file', '', { values: {}, problems: [] }],
    ['only comments', '# nothing\n', { values: {}, problems: [] }],
  ])('%s is an empty values document', (_name, text, expected) => {
    expect(parseValuesYaml(text, 'my.yaml')).toEqual(expected);
  });

  it.each([
    ['a list at the top', '- a\n- b\n', /my.yaml: the top level must be a mapping/],
    ['a scalar at the top', 'hello\n', /my.yaml: the top level must be a mapping/],
    ['broken YAML', 'a: [1, 2\n', /my.yaml: .*line/],
    ['two documents', 'a: 1\n---\nb: 2\n', /my.yaml: holds 2 YAML documents/],
  ])('%s is a problem', (_name, text, expected) => {
    const { problems } = parseValuesYaml(text, 'my.yaml');
    expect(problems.join('\n')).toMatch(expected);
  });
});

describe('--set parsing', () => {
  it.each([
    ['a dotted path', 'a.b=c', { a: { b: 'c' } }],
    ['several assignments', 'a=1,b=2', { a: 1, b: 2 }],
    ['nested then sibling', 'a.b=1,a.c=2', { a: { b: 1, c: 2 } }],
    ['true', 'a=true', { a: true }],
    ['FALSE (case-insensitive)', 'a=FALSE', { a: false }],
    ['null', 'a=null', { a: null }],
    ['zero', 'a=0', { a: 0 }],
    ['a negative integer', 'a=-12', { a: -12 }],
    ['a leading zero stays a string', 'a=0755', { a: '0755' }],
    ['a decimal stays a string', 'a=1.5', { a: '1.5' }],
    ['an int64 beyond JavaScript numbers', 'a=9007199254740993', { a: 9007199254740993n }],
    ['beyond int64 stays a string', 'a=99999999999999999999', { a: '99999999999999999999' }],
    ['a quoted-looking value is a string', 'a="x"', { a: '"x"' }],
    ['an empty value', 'a=', { a: '' }],
    ['an escaped dot in a key', 'ingress.annotations.nginx\\.ingress\\.kubernetes\\.io/auth-type=basic', { ingress: { annotations: { 'nginx.ingress.kubernetes.io/auth-type': 'basic' } } }],
    ['an escaped comma in a value', 'a=x\\,y,b=z', { a: 'x,y', b: 'z' }],
    ['an = in a value', 'a=k=v', { a: 'k=v' }],
    ['a list', 'a={x,y,3}', { a: ['x', 'y', 3] }],
    ['an empty list', 'a={}', { a: [] }],
    ['a list then another key', 'a={x,y},b=1', { a: ['x', 'y'], b: 1 }],
    ['a list index', 'a[0]=x', { a: ['x'] }],
    ['a sparse list index', 'a[2]=x', { a: [null, null, 'x'] }],
    ['a map inside a list', 'a[0].b=x', { a: [{ b: 'x' }] }],
    ['a list inside a list', 'a[1][0]=x', { a: [null, ['x']] }],
    ['a path through a list', 'a.b[0].c=1', { a: { b: [{ c: 1 }] } }],
    ['a trailing comma', 'a=1,', { a: 1 }],
  ])('%s: %s', (_name, flag, expected) => {
    expect(parseSetFlag(flag)).toEqual({ values: expected, problems: [] });
  });

  it.each([
    ['no value', 'a.b', /key "b" has no value \(expected b=VALUE\)/],
    ['no value before a comma', 'a,b=1', /key "a" has no value before ','/],
    ['an empty key', '=x', /a key is empty/],
    ['an empty path segment', 'a..b=1', /a key is empty/],
    ['an unclosed list', 'a={x,y', /a list must end with '}'/],
    ['an unclosed index', 'a[0=x', /not closed with '\]'/],
    ['a non-numeric index', 'a[x]=1', /"x" is not a list index/],
    ['a negative index', 'a[-1]=1', /"-1" is not a list index/],
    ['an index above Helm\'s maximum', 'a[70000]=1', /above Helm's maximum of 65536/],
    ['an index without a value', 'a[0]', /a\[0\] has no value/],
    ['a lone trailing backslash', 'a=x\\', /lone backslash/],
    ['junk after a list', 'a={x}y', /unexpected "y" after '}'/],
  ])('%s: %s is a problem', (_name, flag, expected) => {
    const { problems } = parseSetFlag(flag);
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(new RegExp(`^--set "${flag.replace(/[\\[\]().*+?{}|^$]/g, '\\$&')}": `));
    expect(problems[0]).toMatch(expected);
  });

  it('types values like Helm', () => {
    expect([typedSetValue('True'), typedSetValue('nULL'), typedSetValue('+5'), typedSetValue('00'), typedSetValue('yes')]).toEqual([true, null, 5, '00', 'yes']);
  });
});

describe('applySetFlags', () => {
  const ours = buildLonghornValues({ microk8s: true, nodeCount: 3 }).values;

  it('overrides our values, in order, after the -f files', () => {
    const withFile = mergeValues(ours, { persistence: { reclaimPolicy: 'Retain' } });
    const { values, problems } = applySetFlags(withFile, ['persistence.reclaimPolicy=Delete,persistence.defaultClassReplicaCount=2', 'persistence.defaultClassReplicaCount=1']);
    expect(problems).toEqual([]);
    expect(values.persistence).toMatchObject({ reclaimPolicy: 'Delete', defaultClassReplicaCount: 1, defaultFsType: 'ext4' });
  });

  it('changes one item of an existing list, as Helm does', () => {
    const { values } = applySetFlags({ a: ['p', 'q', 'r'] }, ['a[1]=x']);
    expect(values).toEqual({ a: ['p', 'x', 'r'] });
  });

  it('a null from --set stays a tombstone', () => {
    const { values } = applySetFlags(ours, ['csi.kubeletRootDir=null']);
    expect(values.csi).toEqual({ kubeletRootDir: null });
  });

  it('collects the problems of every flag and leaves the input alone', () => {
    const { problems } = applySetFlags(ours, ['a.b', 'c=1', 'd[x]=2']);
    expect(problems).toHaveLength(2);
    expect(ours).not.toHaveProperty('c');
  });
});

describe('renderLonghornValuesYaml', () => {
  const { values } = buildLonghornValues({ microk8s: true, nodeCount: 3, ui: 'ingress', host: 'longhorn.example.com' });
  const text = renderLonghornValuesYaml(values, '1.12.1');

  it('starts with a header naming the writer and the chart version', () => {
    const header = text.split('\n').slice(0, 2);
    expect(header.every((l) => l.startsWith('#'))).toBe(true);
    expect(header[0]).toMatch(/k8s-storage/);
    expect(header[0]).toMatch(/longhorn\/longhorn 1\.12\.1/);
    expect(header[1]).toMatch(/--version 1\.12\.1/);
  });

  it('reads back as the same values, strings staying strings', () => {
    expect(parse(text)).toEqual(values);
    expect(text).toMatch(/defaultReplicaCount: "3"/);
    expect(text).toMatch(/deletingConfirmationFlag: "false"/);
  });

  it('quotes strings that YAML 1.1 (Helm) would read as booleans', () => {
    expect(renderLonghornValuesYaml({ a: 'on', b: 'y' })).toMatch(/a: "on"\nb: "y"/);
  });
});
