/** What to run when there is no Ceph to connect: MicroCeph on one node or several (reference/backends.md). */

export function microcephAdvice(): string {
  return [
    'Bootstrap MicroCeph first. On one node:',
    '  sudo snap install microceph && sudo snap refresh --hold microceph',
    '  sudo microceph cluster bootstrap',
    '  sudo microceph disk add /dev/DISK --wipe          # a raw disk; --wipe destroys its data',
    '  sudo microceph disk add loop,4G,3                 # or, for tests only: 3 loop files of 4 GiB (not for production)',
    '  sudo microceph.ceph config set global osd_pool_default_size 2   # single node only (as MicroK8s CI does),',
    '  sudo microceph.ceph config set mgr mgr_standby_modules false',
    '  sudo microceph.ceph config set osd osd_crush_chooseleaf_type 0',
    'On several nodes (three OSDs form a minimal cluster):',
    '  sudo microceph cluster bootstrap                  # on the first node',
    '  sudo microceph cluster add NODE                   # on the first node, once per other node: prints a token',
    '  sudo microceph cluster join TOKEN                 # on that node',
    '  sudo microceph disk add /dev/DISK --wipe          # on every node, per raw disk',
    'Check: sudo microceph status, sudo microceph disk list, sudo ceph status.',
  ].join('\n');
}
