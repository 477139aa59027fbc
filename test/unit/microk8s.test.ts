import { describe, expect, it } from 'vitest';
import { addonCommandProblem, microk8sCommands, parseMicrok8sStatus } from '../../src/cluster/microk8s.js';

const result = (stdout: string, exitCode = 0, stderr = '', notFound = false) => ({ stdout, stderr, exitCode, notFound });

const RUNNING = `microk8s:
  running: True
high-availability:
  enabled: False
  nodes:
    - address: 127.0.0.1:19001
      role: voter
addons:
  - name: hostpath-storage
    repository: core
    description: Storage class; allocates storage from host directory
    version: 1.5.0
    status: enabled
  - name: dns
    repository: core
    description: CoreDNS
    version: 3.9
    status: enabled
  - name: nfs
    repository: community
    description: NFS
    version:
    status: disabled
`;

describe('microk8s status --format yaml', () => {
  it('reads Python-style booleans, numeric and empty versions', () => {
    const s = parseMicrok8sStatus(result(RUNNING));
    expect(s).toEqual({
      kind: 'running',
      highAvailability: false,
      datastoreNodes: [{ address: '127.0.0.1:19001', role: 'voter' }],
      addons: {
        'hostpath-storage': { name: 'hostpath-storage', status: 'enabled', repository: 'core', version: '1.5.0' },
        dns: { name: 'dns', status: 'enabled', repository: 'core', version: '3.9' },
        nfs: { name: 'nfs', status: 'disabled', repository: 'community' },
      },
    });
  });

  it.each([
    ['not running: no addons, a message under high-availability', result('microk8s:\n  running: False\nhigh-availability:\n  enabled: False\n  message: microk8s is not running\n', 1), 'not-ready'],
    ['stopped on purpose (exit 0!)', result('microk8s is not running, try microk8s start\n', 0), 'stopped'],
    ['API not ready', result('microk8s is not running. Use microk8s inspect for a deeper inspection.\n', 1), 'not-ready'],
    ['worker node (exit 0)', result('This MicroK8s deployment is acting as a node in a cluster.\nPlease use the control plane node.\n', 0), 'worker'],
    ['user not in the group', result('', 1, 'Insufficient permissions to access MicroK8s.\nYou can either try again with sudo or add the user to the microk8s group:\n'), 'no-permission'],
    ['strict confinement', result('Elevated permissions are needed for this command. Please use sudo.\n', 1), 'needs-sudo'],
    ['not installed', result('', 127, '', true), 'not-installed'],
  ])('%s', (_what, r, kind) => {
    expect(parseMicrok8sStatus(r).kind).toBe(kind);
  });

  it('garbage output is a clear error, not a crash', () => {
    expect(() => parseMicrok8sStatus(result('{{{not yaml', 0))).toThrow(/could not read the output of "microk8s status --format yaml"/);
  });
});

describe('microk8s commands are data', () => {
  it('enable passes flags, never addon:args', () => {
    expect(microk8sCommands.enable('hostpath-storage', { 'reclaim-policy': 'Retain', 'default-class': 'false' })).toEqual({ file: 'microk8s', args: ['enable', 'hostpath-storage', '--reclaim-policy', 'Retain', '--default-class', 'false'] });
  });
  it('disable with an argument and an answer for the prompt', () => {
    expect(microk8sCommands.disable('hostpath-storage', 'destroy-storage')).toEqual({ file: 'microk8s', args: ['disable', 'hostpath-storage:destroy-storage'] });
    expect(microk8sCommands.disable('hostpath-storage', undefined, 'n')).toEqual({ file: 'microk8s', args: ['disable', 'hostpath-storage'], stdin: 'n\n' });
  });
  it('recognises addon errors whatever the exit code', () => {
    expect(addonCommandProblem(result('', 1, 'Addon nfs was not found in any repository\nTo use the community maintained flavor enable the respective repository:\n\n    microk8s enable community\n'), 'nfs')?.hint).toBe('microk8s enable community');
    expect(addonCommandProblem(result('', 1, 'microk8s is not running, try microk8s start\n'), 'x')?.hint).toBe('microk8s start');
    expect(addonCommandProblem(result('Addon core/hostpath-storage is already enabled\n'), 'hostpath-storage')).toBeUndefined();
  });
});
