import { describe, expect, it } from 'vitest';
import { planNodePrepare } from '../../src/nodes/prepare-plan.js';
import type { NodeResult } from '../../src/nodes/types.js';
import { agentReport, checksWith, LONGHORN_CHECK_IDS, type Finding } from '../helpers/agent-report.js';

const node = (pm: string | null, findings: Record<string, Finding>, target: 'longhorn' | 'nfs' = 'longhorn'): NodeResult => {
  const r = agentReport('n1', { target, checks: checksWith(LONGHORN_CHECK_IDS, findings) });
  return { ...r, os: { ...r.os, packageManager: pm }, name: 'n1', reported: true, status: 'error' };
};
const err = (m: string): Finding => ['error', m, 'fix it'];

describe('prepare --dry-run planning', () => {
  it.each([
    ['dnf installs with dnf, no index refresh', node('dnf', { 'package:iscsi-initiator-utils': err('missing') }), [['dnf', 'install', '-y', 'iscsi-initiator-utils']]],
    ['zypper', node('zypper', { 'package:open-iscsi': err('missing') }), [['zypper', '--non-interactive', 'install', '--no-recommends', 'open-iscsi']]],
    ['pacman', node('pacman', { 'package:open-iscsi': err('missing') }), [['pacman', '-S', '--needed', '--noconfirm', 'open-iscsi']]],
    ['a loaded module missing at boot is only persisted', node('apt', { 'module:dm_crypt': ['warning', 'not persisted', 'echo dm_crypt >> ...'] }), [['write', '/etc/modules-load.d/k8s-storage.conf', 'dm_crypt', 'iscsi_tcp', 'nfs']]],
    ['a private / is made shared', node('apt', { 'mount-propagation': err('/ is not a shared mount') }), [['mount', '--make-rshared', '/']]],
    ['nfs: iscsid is not its business', node('apt', { 'service:iscsid': err('inactive') }, 'nfs'), []],
  ])('%s', (_name, n, commands) => {
    expect(planNodePrepare(n).changes.map((c) => c.command)).toEqual(commands);
  });

  it('what prepare cannot fix is left to the operator, with its remedy; a made-shared / needs a kubelet restart', () => {
    const plan = planNodePrepare(node('apt', { kernel: err('known-bad kernel'), disk: ['warning', 'low disk', 'free space'], 'mount-propagation': err('private') }));
    expect(plan.manual.map((f) => [f.id, f.remedy])).toEqual([['kernel', 'fix it'], ['disk', 'free space']]);
    expect(plan.kubeletRestartRequired).toBe(true);
  });

  it('a node that did not report has no plan', () => {
    const plan = planNodePrepare({ name: 'n3', reported: false, status: 'error', reason: 'timed out', checks: [], summary: { ok: 0, warning: 0, error: 1 } });
    expect(plan).toMatchObject({ name: 'n3', reported: false, reason: 'timed out', changes: [] });
  });
});
