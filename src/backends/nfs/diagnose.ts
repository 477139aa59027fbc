/**
 * NFS's own cause for `diagnose pod` (pure): the server refused the node's mount ("access
 * denied by server"); the fix is the export line for every node's IP.
 */
import type { BackendDiagnoseInput, BackendDiagnosis } from '../types.js';

export function diagnoseNfs(input: BackendDiagnoseInput): BackendDiagnosis[] {
  const f = input.pod;
  if (!f || f.stage !== 'mount' || !/access denied by server/i.test(f.text)) return [];
  const ips = f.nodes.flatMap((n) => (n.status?.addresses ?? []).filter((a: any) => a.type === 'InternalIP').map((a: any) => a.address as string));
  const share = /mounting (\S+) failed|mount\.nfs: access denied by server while mounting (\S+)/.exec(f.text);
  const path = share?.[2] ?? share?.[1] ?? 'SERVER:/export';
  const exportPath = path.includes(':') ? path.slice(path.indexOf(':') + 1) : path;
  return [
    {
      cause: 'nfs-access-denied',
      severity: 'error',
      message: `the NFS server refused node ${f.pod.spec?.nodeName ?? '?'}: the export must allow every node's IP (the driver mounts from the host network), with no_root_squash`,
      fix: `echo '${exportPath} ${(ips.length ? ips : ['NODE_IP']).map((ip) => `${ip}(rw,sync,no_subtree_check,no_root_squash)`).join(' ')}' | sudo tee -a /etc/exports && sudo exportfs -ra   # on the NFS server`,
    },
  ];
}
