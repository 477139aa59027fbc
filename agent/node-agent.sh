#!/bin/sh
# k8s-storage node agent: checks (and, with "prepare", fixes) a node's host for
# Longhorn, NFS, hostpath, Ceph and OpenEBS storage, then prints ONE JSON document on stdout.
#
#   node-agent.sh check   --for TARGET [--data-path PATH] [--min-disk-gib N] [--min-mem-gib N]
#   node-agent.sh prepare --for TARGET [same options]
#   TARGET: longhorn|nfs|hostpath|ceph|openebs|openebs-mayastor
#   node-agent.sh du PATH...   (bytes used under each directory, for `k8s-storage usage`)
#
# Exit status: 0 no error finding, 3 at least one error finding (after prepare: in the
# re-check), 2 bad arguments (one line on stderr, no JSON), 1 internal failure.
#
# Portable POSIX sh (dash, busybox ash): no bash-isms, no "local", no jq/python.
# Runs on the host, either directly or from a privileged pod as
#   nsenter --target 1 --mount --uts --ipc --net --pid -- sh -s -- ARGS < node-agent.sh
# In that mode the script itself arrives on stdin: every command it runs gets its stdin
# from /dev/null (see the last line) so that no child can swallow the rest of the script.
#
# Test hooks: AGENT_ROOT (default empty) prefixes every file read or written; commands
# are looked up on PATH, never through an absolute path.
# Full documentation of the JSON document: agent/README.md.

SCHEMA_VERSION=1
MODULES_CONF=/etc/modules-load.d/k8s-storage.conf
MICROK8S_KUBELET_DIR=/var/snap/microk8s/common/var/lib/kubelet
DEFAULT_KUBELET_DIR=/var/lib/kubelet
MICROK8S_HOSTPATH_DIR=/var/snap/microk8s/common/default-storage
LONGHORN_DATA_DIR=/var/lib/longhorn
ROOK_DATA_DIR=/var/lib/rook
OPENEBS_LOCAL_DIR=/var/openebs/local
HUGEPAGES_CONF=/etc/sysctl.d/20-k8s-storage-hugepages.conf
HUGEPAGES_SYS=/sys/kernel/mm/hugepages/hugepages-2048kB/nr_hugepages
# Mayastor's io-engine: 1024 x 2 MiB HugePages, kernel 5.15+, 2 dedicated cores, 1 GiB.
MAYASTOR_HUGEPAGES=1024
MAYASTOR_MIN_KERNEL=5.15
# Rook's chart defaults: mon 1 GiB + mgr 0.5 GiB per node, 4 GiB per OSD (Rook warns below 2).
CEPH_BASE_MIB=1536
CEPH_OSD_MIB=4096
CEPH_OSD_MIN_MIB=2048
USAGE='usage: node-agent.sh check|prepare --for longhorn|nfs|hostpath|ceph|openebs|openebs-mayastor [--data-path PATH] [--min-disk-gib N] [--min-mem-gib N] | du PATH...'

LC_ALL=C
export LC_ALL
TAB=$(printf '\t')
CR=$(printf '\r')

# ---------------------------------------------------------------------------------------
# Output helpers
# ---------------------------------------------------------------------------------------

log() {
  printf 'node-agent: %s\n' "$*" >&2
}

usage_error() {
  printf 'node-agent: %s (%s)\n' "$1" "$USAGE" >&2
  exit 2
}

internal_error() {
  printf 'node-agent: internal error: %s\n' "$1" >&2
  exit 1
}

# jstr VALUE: sets _J to VALUE as a quoted JSON string. The common case (nothing to
# escape) costs no fork.
jstr() {
  case $1 in
    *[[:cntrl:]\"\\]*)
      _J=$(printf '%s' "$1" \
        | tr -d '\000-\010\013\014\016-\037\177' \
        | sed -e 's/\\/\\\\/g' -e 's/"/\\"/g' -e "s/$TAB/\\\\t/g" -e "s/$CR/\\\\r/g" \
        | awk 'NR > 1 { printf "%s", "\\n" } { printf "%s", $0 }')
      _J="\"$_J\""
      ;;
    *)
      _J="\"$1\""
      ;;
  esac
}

# jargv ARG...: sets _A to a JSON array of strings.
jargv() {
  _A=
  for _a in "$@"; do
    jstr "$_a"
    _A="${_A:+$_A,}$_J"
  done
  _A="[$_A]"
}

# finding ID STATUS MESSAGE REMEDY: appends one entry to the "checks" array.
finding() {
  _fr=$4
  [ "$2" = ok ] && _fr=
  jstr "$1"; _f="{\"id\":$_J"
  jstr "$2"; _f="$_f,\"status\":$_J"
  jstr "$3"; _f="$_f,\"message\":$_J"
  jstr "$_fr"; _f="$_f,\"remedy\":$_J}"
  CHECKS="${CHECKS:+$CHECKS,}$_f"
  case $2 in
    ok) N_OK=$((N_OK + 1)) ;;
    warning) N_WARN=$((N_WARN + 1)) ;;
    error) N_ERR=$((N_ERR + 1)) ;;
    *) internal_error "bad status $2 for $1" ;;
  esac
}

# record_action DESCRIPTION EXIT_CODE OUTPUT ARGV...: appends one entry to "actions".
record_action() {
  _rd=$1 _rc=$2 _ro=$3
  shift 3
  jargv "$@"
  _x="{\"description\":"
  jstr "$_rd"; _x="$_x$_J,\"command\":$_A,\"exitCode\":$_rc"
  jstr "$_ro"; _x="$_x,\"output\":$_J}"
  ACTIONS="${ACTIONS:+$ACTIONS,}$_x"
}

# act DESCRIPTION ARGV...: runs a command (stdout+stderr captured, never on our stdout),
# records it as an action. Returns the command's exit status; output in ACT_OUT.
act() {
  _d=$1
  shift
  log "$_d: $*"
  ACT_OUT=$("$@" 2>&1)
  _st=$?
  _tail=$(printf '%s\n' "$ACT_OUT" | tail -n 20)
  record_action "$_d" "$_st" "$_tail" "$@"
  [ "$_st" -eq 0 ] || log "failed (exit $_st): $*"
  return "$_st"
}

has_cmd() {
  command -v "$1" >/dev/null 2>&1
}

# True for targets that cannot work without the packages the agent installs (longhorn, nfs):
# for them an unknown distribution is an error, for the others a warning.
packages_essential() {
  case $TARGET in
    longhorn | nfs) return 0 ;;
  esac
  return 1
}

# word_in WORD LIST...: true when WORD is one of LIST.
word_in() {
  _w=$1
  shift
  for _i in "$@"; do
    [ "$_i" = "$_w" ] && return 0
  done
  return 1
}

# kib_to_gib KIB: prints KIB as GiB with one decimal.
kib_to_gib() {
  awk -v k="$1" 'BEGIN { printf "%.1f", k / 1048576 }'
}

# ---------------------------------------------------------------------------------------
# Arguments
# ---------------------------------------------------------------------------------------

check_uint() {
  case $2 in
    '' | *[!0-9]*) usage_error "$1 needs a whole number of GiB, got '$2'" ;;
  esac
  [ ${#2} -le 6 ] || usage_error "$1 is too large: $2"
}

parse_args() {
  [ $# -gt 0 ] || usage_error "missing command"
  case $1 in
    check | prepare) MODE=$1 ;;
    du)
      MODE=du
      shift
      for _p in "$@"; do
        case $_p in
          /*) ;;
          *) usage_error "du needs absolute paths, got '$_p'" ;;
        esac
        case $_p in
          *[[:cntrl:]]*) usage_error "a du path contains control characters" ;;
        esac
      done
      DU_PATHS_GIVEN=$#
      return 0
      ;;
    -h | --help | help)
      printf '%s\n' "$USAGE"
      exit 0
      ;;
    *) usage_error "unknown command '$1'" ;;
  esac
  shift
  TARGET='' DATA_PATH='' MIN_DISK_GIB=10 MIN_MEM_GIB=2 MIN_MEM_SET=''
  while [ $# -gt 0 ]; do
    case $1 in
      --for | --data-path | --min-disk-gib | --min-mem-gib)
        [ $# -ge 2 ] || usage_error "$1 needs a value"
        _opt=$1 _val=$2
        shift 2
        ;;
      --for=* | --data-path=* | --min-disk-gib=* | --min-mem-gib=*)
        _opt=${1%%=*} _val=${1#*=}
        shift
        ;;
      -h | --help)
        printf '%s\n' "$USAGE"
        exit 0
        ;;
      *) usage_error "unknown argument '$1'" ;;
    esac
    case $_opt in
      --for) TARGET=$_val ;;
      --data-path) DATA_PATH=$_val ;;
      --min-disk-gib) check_uint "$_opt" "$_val"; MIN_DISK_GIB=$_val ;;
      --min-mem-gib) check_uint "$_opt" "$_val"; MIN_MEM_GIB=$_val MIN_MEM_SET=1 ;;
    esac
  done
  case $TARGET in
    longhorn | nfs | hostpath | ceph | openebs | openebs-mayastor) ;;
    '') usage_error "--for is required" ;;
    *) usage_error "unknown target '$TARGET' (expected longhorn, nfs, hostpath, ceph, openebs or openebs-mayastor)" ;;
  esac
  if [ -n "$DATA_PATH" ]; then
    case $DATA_PATH in
      /*) ;;
      *) usage_error "--data-path must be an absolute path, got '$DATA_PATH'" ;;
    esac
    case $DATA_PATH in
      *[[:cntrl:]]*) usage_error "--data-path contains control characters" ;;
    esac
    while :; do
      case $DATA_PATH in
        / | *[!/]) break ;;
        *) DATA_PATH=${DATA_PATH%/} ;;
      esac
    done
  fi
}

# ---------------------------------------------------------------------------------------
# Host facts
# ---------------------------------------------------------------------------------------

unquote() {
  _u=$1
  case $_u in
    \"*\") _u=${_u#\"}; _u=${_u%\"} ;;
    \'*\') _u=${_u#\'}; _u=${_u%\'} ;;
  esac
}

read_os_release() {
  OS_ID='' OS_VERSION_ID='' OS_PRETTY='' OS_ID_LIKE='' OS_FILE=''
  for _f in "$AGENT_ROOT/etc/os-release" "$AGENT_ROOT/usr/lib/os-release"; do
    if [ -r "$_f" ]; then
      OS_FILE=$_f
      break
    fi
  done
  [ -n "$OS_FILE" ] || return 1
  while IFS= read -r _line || [ -n "$_line" ]; do
    case $_line in
      ID=*) unquote "${_line#ID=}"; OS_ID=$_u ;;
      VERSION_ID=*) unquote "${_line#VERSION_ID=}"; OS_VERSION_ID=$_u ;;
      PRETTY_NAME=*) unquote "${_line#PRETTY_NAME=}"; OS_PRETTY=$_u ;;
      ID_LIKE=*) unquote "${_line#ID_LIKE=}"; OS_ID_LIKE=$_u ;;
    esac
  done <"$OS_FILE"
  return 0
}

# Sets PM to apt|dnf|yum|zypper|pacman, or empty when the distribution is unknown.
detect_pm() {
  PM=
  for _t in $OS_ID $OS_ID_LIKE; do
    case $_t in
      debian | ubuntu | raspbian | linuxmint | pop | elementary | kali | neon | zorin)
        PM=apt
        ;;
      rhel | centos | rocky | almalinux | fedora | ol | amzn | scientific | cloudlinux | eurolinux | circle | navy)
        if has_cmd dnf; then
          PM=dnf
        elif has_cmd yum; then
          PM=yum
        else
          PM=dnf
        fi
        ;;
      sles | sled | suse | opensuse | opensuse-* | sle-micro | sl-micro)
        PM=zypper
        ;;
      arch | manjaro | endeavouros | garuda | artix)
        PM=pacman
        ;;
    esac
    [ -n "$PM" ] && return 0
  done
  return 1
}

detect_node() {
  NODE=$(hostname 2>/dev/null)
  if [ -z "$NODE" ] && [ -r "$AGENT_ROOT/etc/hostname" ]; then
    NODE=$(awk 'NF { print $1; exit }' "$AGENT_ROOT/etc/hostname")
  fi
  [ -n "$NODE" ] || NODE=$(uname -n 2>/dev/null)
}

detect_kubelet_dir() {
  if [ -d "$AGENT_ROOT$MICROK8S_KUBELET_DIR" ]; then
    MICROK8S=true
    KUBELET_DIR=$MICROK8S_KUBELET_DIR
  elif [ -d "$AGENT_ROOT$DEFAULT_KUBELET_DIR" ]; then
    MICROK8S=false
    KUBELET_DIR=$DEFAULT_KUBELET_DIR
  else
    MICROK8S=false
    KUBELET_DIR=
  fi
}

# Packages the target needs with the detected package manager.
required_packages() {
  case $TARGET in
    longhorn)
      case $PM in
        apt) echo nfs-common open-iscsi cryptsetup dmsetup ;;
        dnf | yum) echo nfs-utils iscsi-initiator-utils cryptsetup device-mapper ;;
        zypper) echo nfs-client open-iscsi cryptsetup device-mapper ;;
        pacman) echo nfs-utils open-iscsi cryptsetup device-mapper ;;
      esac
      ;;
    nfs)
      case $PM in
        apt) echo nfs-common ;;
        dnf | yum) echo nfs-utils ;;
        zypper) echo nfs-client ;;
        pacman) echo nfs-utils ;;
      esac
      ;;
    ceph) echo lvm2 ;;
  esac
}

target_modules() {
  case $TARGET in
    longhorn) echo iscsi_tcp dm_crypt nfs ;;
    nfs) echo nfs ;;
    ceph) echo rbd ;;
    openebs-mayastor) echo nvme_tcp ;;
  esac
}

pkg_installed() {
  case $PM in
    apt)
      _s=$(dpkg-query -W -f='${Status}' "$1" 2>/dev/null)
      case $_s in
        *"install ok installed"*) return 0 ;;
      esac
      return 1
      ;;
    dnf | yum | zypper) rpm -q "$1" >/dev/null 2>&1 ;;
    pacman) pacman -Q "$1" >/dev/null 2>&1 ;;
    *) return 1 ;;
  esac
}

# The command an operator would type to install PKGS (one line, for remedies).
install_hint() {
  case $PM in
    apt) printf 'apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends %s' "$*" ;;
    dnf) printf 'dnf install -y %s' "$*" ;;
    yum) printf 'yum install -y %s' "$*" ;;
    zypper) printf 'zypper --non-interactive install --no-recommends %s' "$*" ;;
    pacman) printf 'pacman -S --needed --noconfirm %s' "$*" ;;
  esac
}

unit_active() {
  systemctl is-active "$1" >/dev/null 2>&1
}

iscsid_active() {
  unit_active iscsid || unit_active iscsid.socket
}

# True when /etc/multipath.conf has devnode "^sd[a-z0-9]+" inside a blacklist { } section
# (blacklist_exceptions does not count).
multipath_blacklisted() {
  [ -r "$AGENT_ROOT/etc/multipath.conf" ] || return 1
  awk '
    { sub(/[#!].*/, "") }
    depth == 0 && /^[ \t]*blacklist[ \t]*(\{|$)/ { inbl = 1 }
    inbl && /devnode[ \t]+"\^sd\[a-z0-9\]\+"/ { found = 1 }
    {
      n = split($0, ch, "")
      for (i = 1; i <= n; i++) {
        if (ch[i] == "{") depth++
        else if (ch[i] == "}") { depth--; if (depth <= 0) { depth = 0; inbl = 0 } }
      }
    }
    END { exit found ? 0 : 1 }
  ' "$AGENT_ROOT/etc/multipath.conf"
}

module_in_proc() {
  [ -r "$AGENT_ROOT/proc/modules" ] || return 1
  awk -v m="$1" '$1 == m { found = 1 } END { exit found ? 0 : 1 }' "$AGENT_ROOT/proc/modules"
}

module_builtin() {
  _mb="$AGENT_ROOT/lib/modules/$KERNEL/modules.builtin"
  [ -r "$_mb" ] || return 1
  awk -v m="$1" '
    { n = $0; sub(/.*\//, "", n); sub(/\.ko.*$/, "", n); gsub(/-/, "_", n); if (n == m) found = 1 }
    END { exit found ? 0 : 1 }
  ' "$_mb"
}

module_loaded() {
  module_in_proc "$1" || module_builtin "$1"
}

# module_persisted MODULE: true when a modules-load.d file (the ones systemd-modules-load
# reads at boot, except the volatile /run) lists MODULE; sets PERSISTED_IN to that file.
module_persisted() {
  PERSISTED_IN=''
  _pm=$1
  set --
  for _f in "$AGENT_ROOT"/etc/modules-load.d/*.conf "$AGENT_ROOT"/usr/lib/modules-load.d/*.conf "$AGENT_ROOT"/lib/modules-load.d/*.conf; do
    [ -f "$_f" ] && [ -r "$_f" ] && set -- "$@" "$_f"
  done
  [ $# -gt 0 ] || return 1
  PERSISTED_IN=$(awk -v m="$_pm" '
    { l = $0; sub(/[#;].*/, "", l); gsub(/[ \t\r]/, "", l); gsub(/-/, "_", l)
      if (l == m) { print FILENAME; exit } }
  ' "$@")
  [ -n "$PERSISTED_IN" ]
}

# Sets ROOT_PROPAGATION to shared|private|unknown for the mount at "/".
root_propagation() {
  ROOT_PROPAGATION=unknown
  for _f in "$AGENT_ROOT/proc/self/mountinfo" "$AGENT_ROOT/proc/1/mountinfo"; do
    [ -r "$_f" ] || continue
    ROOT_PROPAGATION=$(awk '
      $5 == "/" {
        s = 0
        for (i = 7; i <= NF && $i != "-"; i++) if ($i ~ /^shared:/) s = 1
        last = s; found = 1
      }
      END { if (!found) print "unknown"; else if (last) print "shared"; else print "private" }
    ' "$_f")
    return 0
  done
}

# kernel_at_least RELEASE MAJOR.MINOR: true when RELEASE (uname -r) is that version or newer.
kernel_at_least() {
  awk -v r="$1" -v m="$2" 'BEGIN {
    split(r, a, /[^0-9]+/); split(m, b, ".")
    if (a[1] + 0 != b[1] + 0) exit (a[1] + 0 > b[1] + 0) ? 0 : 1
    exit (a[2] + 0 >= b[2] + 0) ? 0 : 1
  }'
}

# Known-bad kernels for Longhorn: 5.15.0-94 up to 5.15.0-99 (any suffix) and 6.5.6.
kernel_known_bad() {
  case $1 in
    5.15.0-9[4-9] | 5.15.0-9[4-9][!0-9]*) return 0 ;;
    6.5.6 | 6.5.6[!0-9]*) return 0 ;;
  esac
  return 1
}

# ---------------------------------------------------------------------------------------
# Checks
# ---------------------------------------------------------------------------------------

check_os() {
  if [ -z "$OS_FILE" ]; then
    _st=warning
    packages_essential && _st=error
    finding os "$_st" "no /etc/os-release: cannot identify the distribution or its package manager" \
      "install the storage prerequisites manually (NFS v4 client, open-iscsi, cryptsetup, device-mapper)"
    return
  fi
  _name=$OS_PRETTY
  [ -n "$_name" ] || _name="$OS_ID $OS_VERSION_ID"
  if [ -n "$PM" ]; then
    finding os ok "$_name (ID=$OS_ID${OS_ID_LIKE:+, ID_LIKE=$OS_ID_LIKE}), package manager $PM" ""
  else
    _st=warning
    packages_essential && _st=error
    finding os "$_st" "$_name (ID=$OS_ID${OS_ID_LIKE:+, ID_LIKE=$OS_ID_LIKE}): unsupported distribution, no known package manager" \
      "install the storage prerequisites manually (NFS v4 client, open-iscsi with iscsid, cryptsetup, device-mapper); prepare cannot install packages here"
  fi
}

check_packages() {
  [ -n "$PM" ] || return 0
  for _p in $(required_packages); do
    if pkg_installed "$_p"; then
      finding "package:$_p" ok "$_p is installed" ""
    elif [ "$PM" = pacman ] && [ -n "$PACMAN_DB_STALE" ]; then
      finding "package:$_p" error "$_p is not installed: pacman could not install it from the local package database (stale sync database; the agent never runs a full upgrade)" \
        "run 'pacman -Syu' yourself (a full system upgrade), then rerun prepare"
    elif [ "$_p" = lvm2 ]; then
      finding "package:$_p" warning "$_p is not installed: Rook needs it for encrypted OSDs, a metadata device or more than one OSD per device" "$(install_hint "$_p")"
    else
      finding "package:$_p" error "$_p is not installed" "$(install_hint "$_p")"
    fi
  done
}

check_iscsid() {
  if ! has_cmd systemctl; then
    finding service:iscsid warning "systemctl not found: cannot verify that iscsid is running" \
      "make sure iscsid runs and starts at boot with your init system"
    return
  fi
  if unit_active iscsid; then
    finding service:iscsid ok "iscsid is active" ""
  elif unit_active iscsid.socket; then
    finding service:iscsid ok "iscsid.socket is active (iscsid starts on demand)" ""
  else
    finding service:iscsid error "iscsid is not active: Longhorn attaches volumes over iSCSI" \
      "systemctl enable --now iscsid"
  fi
}

check_multipathd() {
  if ! has_cmd systemctl; then
    finding service:multipathd ok "systemctl not found: multipathd assumed not running" ""
    return
  fi
  if ! unit_active multipathd; then
    finding service:multipathd ok "multipathd is not active" ""
  elif multipath_blacklisted; then
    finding service:multipathd ok "multipathd is active and /etc/multipath.conf blacklists devnode \"^sd[a-z0-9]+\"" ""
  else
    finding service:multipathd warning "multipathd is active and may grab Longhorn's block devices (no devnode \"^sd[a-z0-9]+\" blacklist in /etc/multipath.conf)" \
      "add 'blacklist { devnode \"^sd[a-z0-9]+\" }' to /etc/multipath.conf, then systemctl restart multipathd"
  fi
}

# shellcheck disable=SC2086 # MODPROBE_FAILED is a list of module names
check_modules() {
  for _m in $(target_modules); do
    if module_builtin "$_m"; then
      finding "module:$_m" ok "$_m is built into kernel $KERNEL" ""
    elif module_in_proc "$_m"; then
      if module_persisted "$_m"; then
        finding "module:$_m" ok "$_m is loaded and listed in ${PERSISTED_IN#"$AGENT_ROOT"} (loaded at boot)" ""
      else
        finding "module:$_m" warning "$_m is loaded but not listed in any modules-load.d file: it will be missing after a reboot" \
          "echo $_m >> $MODULES_CONF (prepare writes this file)"
      fi
    elif word_in "$_m" $MODPROBE_FAILED; then
      finding "module:$_m" error "$_m is not loaded and 'modprobe $_m' failed: the module may be missing for kernel $KERNEL" \
        "install the kernel's extra modules (Ubuntu: apt-get install linux-modules-extra-$KERNEL) or reboot into the installed kernel, then rerun prepare"
    else
      finding "module:$_m" error "$_m is not loaded" \
        "modprobe $_m && echo $_m >> $MODULES_CONF"
    fi
  done
}

check_nfs_v4() {
  _cfg="$AGENT_ROOT/boot/config-$KERNEL"
  if [ ! -r "$_cfg" ]; then
    finding nfs-v4 warning "cannot verify NFS v4 client support: /boot/config-$KERNEL not found" \
      "check that the kernel has CONFIG_NFS_V4 (e.g. zcat /proc/config.gz | grep NFS_V4, or modprobe nfsv4)"
    return
  fi
  _v=$(awk -F= '
    /^CONFIG_NFS_V4=/ { v4 = $2 } /^CONFIG_NFS_V4_1=/ { v41 = $2 } /^CONFIG_NFS_V4_2=/ { v42 = $2 }
    END { printf "%s %s %s", (v4 == "" ? "n" : v4), (v41 == "" ? "n" : v41), (v42 == "" ? "n" : v42) }
  ' "$_cfg")
  # shellcheck disable=SC2086 # three words: V4, V4_1, V4_2
  set -- $_v
  case $1 in
    y | m)
      finding nfs-v4 ok "kernel $KERNEL has NFS v4 client support (CONFIG_NFS_V4=$1, CONFIG_NFS_V4_1=$2, CONFIG_NFS_V4_2=$3)" ""
      ;;
    *)
      finding nfs-v4 error "kernel $KERNEL has no NFS v4 client (CONFIG_NFS_V4 is not set): RWX volumes cannot be mounted" \
        "boot a kernel built with CONFIG_NFS_V4=y or m"
      ;;
  esac
}

check_kernel() {
  if [ -z "$KERNEL" ]; then
    finding kernel warning "cannot read the kernel release (uname -r failed)" "check uname -r on the node"
    return
  fi
  if [ "$TARGET" = openebs-mayastor ]; then
    if kernel_at_least "$KERNEL" "$MAYASTOR_MIN_KERNEL"; then
      finding kernel ok "kernel $KERNEL is $MAYASTOR_MIN_KERNEL or newer (Mayastor's minimum)" ""
    else
      finding kernel error "kernel $KERNEL is older than $MAYASTOR_MIN_KERNEL: Mayastor's io-engine needs $MAYASTOR_MIN_KERNEL or newer with nvme-tcp" \
        "upgrade the kernel to $MAYASTOR_MIN_KERNEL or newer (Ubuntu 22.04+: apt-get install linux-generic), then reboot"
      REBOOT_REQUIRED=true
    fi
    return
  fi
  if [ "$TARGET" = ceph ] && ! kernel_at_least "$KERNEL" 4.17; then
    finding kernel warning "kernel $KERNEL is older than 4.17: CephFS quotas are not enforced by older kernel clients" \
      "upgrade the kernel to 4.17 or newer if you use CephFS"
    return
  fi
  case $TARGET in
    ceph | openebs)
      finding kernel ok "kernel $KERNEL" ""
      return
      ;;
  esac
  if kernel_known_bad "$KERNEL"; then
    if [ "$TARGET" = longhorn ]; then
      finding kernel error "kernel $KERNEL is a known-bad kernel for Longhorn (5.15.0-94 up to 5.15.0-99, 6.5.6)" \
        "upgrade the kernel to a release outside 5.15.0-94..99 and 6.5.6, then reboot"
      REBOOT_REQUIRED=true
    else
      finding kernel warning "kernel $KERNEL is a known-bad kernel for Longhorn (5.15.0-94 up to 5.15.0-99, 6.5.6)" \
        "upgrade the kernel before installing Longhorn on this node"
    fi
  else
    finding kernel ok "kernel $KERNEL is not a known-bad kernel" ""
  fi
}

check_mount_propagation() {
  root_propagation
  _restart="systemctl restart kubelet"
  [ "$MICROK8S" = true ] && _restart="systemctl restart snap.microk8s.daemon-kubelite"
  case $ROOT_PROPAGATION in
    shared) finding mount-propagation ok "/ is a shared mount (bidirectional mount propagation works)" "" ;;
    private)
      finding mount-propagation error "/ is not a shared mount: Longhorn's CSI plugin needs bidirectional mount propagation" \
        "mount --make-rshared / && $_restart"
      ;;
    *)
      finding mount-propagation warning "cannot read the mount table (/proc/self/mountinfo) to verify mount propagation" \
        "check that / is shared: findmnt -o TARGET,PROPAGATION /"
      ;;
  esac
}

check_disk() {
  _sev=warning
  [ "$TARGET" = longhorn ] && _sev=error
  _p=$EFFECTIVE_DATA_PATH
  while [ "$_p" != / ] && [ ! -e "$AGENT_ROOT$_p" ]; do
    _p=${_p%/*}
    [ -n "$_p" ] || _p=/
  done
  _where=$_p
  [ "$_p" = "$EFFECTIVE_DATA_PATH" ] || _where="$_p (nearest existing parent of $EFFECTIVE_DATA_PATH)"
  _kb=$(df -Pk "$AGENT_ROOT$_p" 2>/dev/null | awk 'NR == 2 { print $4 }')
  DISK_KB=$_kb
  case $_kb in
    '' | *[!0-9]*)
      DISK_KB=
      finding disk warning "cannot determine the free space at $_where (df -Pk failed)" \
        "check free space with: df -h $_p"
      return
      ;;
  esac
  _need=$((MIN_DISK_GIB * 1048576))
  _gib=$(kib_to_gib "$_kb")
  if [ "$_kb" -ge "$_need" ]; then
    finding disk ok "$_gib GiB free at $_where; minimum $MIN_DISK_GIB GiB" ""
  else
    finding disk "$_sev" "only $_gib GiB free at $_where; minimum $MIN_DISK_GIB GiB" \
      "free space on the filesystem holding $EFFECTIVE_DATA_PATH or use a larger disk (--data-path)"
  fi
}

# Sets MEM_KB to MemAvailable (else MemFree+Buffers+Cached), empty when unreadable.
read_mem_available() {
  MEM_KB=
  _mi="$AGENT_ROOT/proc/meminfo"
  [ -r "$_mi" ] || return 0
  MEM_KB=$(awk '
    /^MemAvailable:/ { avail = $2; has = 1 }
    /^MemFree:/ { free = $2 } /^Buffers:/ { buf = $2 } /^Cached:/ { cached = $2 }
    END { if (has) print avail; else if (free != "") print free + buf + cached }
  ' "$_mi")
  case $MEM_KB in
    '' | *[!0-9]*) MEM_KB= ;;
  esac
}

check_memory() {
  _sev=warning
  case $TARGET in
    longhorn | openebs-mayastor) _sev=error ;;
  esac
  read_mem_available
  if [ -z "$MEM_KB" ]; then
    finding memory warning "cannot read available memory from /proc/meminfo" "check available memory with: free -g"
    return
  fi
  _kb=$MEM_KB
  _gib=$(kib_to_gib "$_kb")
  if [ "$TARGET" = ceph ] && [ -z "$MIN_MEM_SET" ]; then
    # One OSD per raw disk (at least one): mon + mgr + 4 GiB each; Rook warns below 2 GiB each.
    _osds=$RAW_COUNT
    [ "$_osds" -gt 0 ] || _osds=1
    _want=$(((CEPH_BASE_MIB + CEPH_OSD_MIB * _osds) * 1024))
    _floor=$(((CEPH_BASE_MIB + CEPH_OSD_MIN_MIB * _osds) * 1024))
    _what="a mon (1 GiB), a mgr (0.5 GiB) and $_osds OSD(s) at 4 GiB each"
    if [ "$_kb" -ge "$_want" ]; then
      finding memory ok "$_gib GiB of memory available, enough for $_what ($(kib_to_gib "$_want") GiB)" ""
    elif [ "$_kb" -ge "$_floor" ]; then
      finding memory warning "$_gib GiB of memory available; $_what need $(kib_to_gib "$_want") GiB (OSDs run below their 4 GiB target)" \
        "add RAM, or give Ceph fewer disks on this node (osd_memory_target follows the 4 GiB limit)"
    else
      finding memory error "only $_gib GiB of memory available; $_what need $(kib_to_gib "$_want") GiB, and Rook refuses OSDs below 2 GiB each ($(kib_to_gib "$_floor") GiB)" \
        "add RAM to this node or use fewer raw disks for Ceph on it"
    fi
    return
  fi
  _min=$MIN_MEM_GIB
  [ "$TARGET" = openebs-mayastor ] && [ -z "$MIN_MEM_SET" ] && _min=1
  _need=$((_min * 1048576))
  if [ "$_kb" -ge "$_need" ]; then
    finding memory ok "$_gib GiB of memory available (minimum $_min GiB)" ""
  else
    finding memory "$_sev" "only $_gib GiB of memory available, below the minimum of $_min GiB" \
      "free memory or add RAM to this node (at least $_min GiB available)"
  fi
}

# ---------------------------------------------------------------------------------------
# Block devices (Ceph OSDs, Mayastor DiskPools): raw = no partitions, no filesystem or
# partition-table signature, not held (LVM, device-mapper), not mounted, writable.
# ---------------------------------------------------------------------------------------

# disk_signature NAME: prints the filesystem/partition-table type of /dev/NAME, "" when none,
# "?" when it cannot be told. Reads udev's database, else asks blkid (low-level probe).
disk_signature() {
  _dev=$(cat "$AGENT_ROOT/sys/block/$1/dev" 2>/dev/null)
  _db="$AGENT_ROOT/run/udev/data/b$_dev"
  if [ -n "$_dev" ] && [ -r "$_db" ]; then
    awk -F= '/^E:ID_FS_TYPE=./ { print $2; exit } /^E:ID_PART_TABLE_TYPE=./ { print $2; exit }' "$_db"
    return 0
  fi
  if has_cmd blkid; then
    _t=$(blkid -p -o value -s TYPE "$AGENT_ROOT/dev/$1" 2>/dev/null)
    _rc=$?
    if [ "$_rc" -eq 0 ]; then
      [ -n "$_t" ] && printf '%s' "$_t" || printf '%s' '?'
    elif [ "$_rc" -ne 2 ]; then
      printf '%s' '?'
    fi
    # exit 2: blkid found no signature at all
    return 0
  fi
  printf '%s' '?'
}

disk_mounted() {
  for _f in "$AGENT_ROOT/proc/self/mountinfo" "$AGENT_ROOT/proc/1/mountinfo"; do
    [ -r "$_f" ] || continue
    awk -v d="/dev/$1" '{ for (i = 7; i <= NF; i++) if ($i == "-") { if ($(i + 2) == d) f = 1; break } } END { exit f ? 0 : 1 }' "$_f"
    return $?
  done
  return 1
}

# Fills DISKS (JSON array), RAW_COUNT, RAW_LIST ("sdb 100.0 GiB, ...") and OTHER_LIST.
scan_disks() {
  DISKS='' RAW_COUNT=0 RAW_LIST='' OTHER_LIST='' DISKS_SCANNED=''
  [ -d "$AGENT_ROOT/sys/block" ] || return 0
  DISKS_SCANNED=1
  for _b in "$AGENT_ROOT"/sys/block/*; do
    [ -d "$_b" ] || continue
    _n=${_b##*/}
    case $_n in
      loop* | ram* | zram* | dm-* | sr* | fd* | md* | nbd* | rbd* | drbd*) continue ;;
    esac
    _sectors=$(cat "$_b/size" 2>/dev/null)
    case $_sectors in
      '' | *[!0-9]* | 0) continue ;;
    esac
    _bytes=$(awk -v s="$_sectors" 'BEGIN { printf "%.0f", s * 512 }')
    _size=$(awk -v s="$_sectors" 'BEGIN { printf "%.1f", s * 512 / 1073741824 }')
    _why=
    _parts=
    for _p in "$_b"/"$_n"*; do
      [ -f "$_p/partition" ] && _parts="$_parts ${_p##*/}"
    done
    _held=
    for _h in "$_b"/holders/*; do
      [ -e "$_h" ] && _held="$_held ${_h##*/}"
    done
    if [ "$(cat "$_b/ro" 2>/dev/null)" = 1 ]; then
      _why="read-only"
    elif [ -n "$_parts" ]; then
      _why="has partitions:$_parts"
    elif [ -n "$_held" ]; then
      _why="in use by$_held"
    elif disk_mounted "$_n"; then
      _why="mounted"
    else
      _sig=$(disk_signature "$_n")
      case $_sig in
        '') ;;
        '?') _why="cannot tell whether it holds a filesystem (no udev data, no blkid)" ;;
        *) _why="has a $_sig signature" ;;
      esac
    fi
    _raw=false
    if [ -z "$_why" ]; then
      _raw=true
      RAW_COUNT=$((RAW_COUNT + 1))
      RAW_LIST="${RAW_LIST:+$RAW_LIST, }/dev/$_n ($_size GiB)"
    else
      OTHER_LIST="${OTHER_LIST:+$OTHER_LIST; }/dev/$_n: $_why"
    fi
    jstr "$_n"; _d="{\"name\":$_J"
    jstr "/dev/$_n"; _d="$_d,\"path\":$_J,\"sizeBytes\":$_bytes,\"raw\":$_raw"
    jstr "$_why"; _d="$_d,\"reason\":$_J}"
    DISKS="${DISKS:+$DISKS,}$_d"
  done
}

check_raw_disks() {
  _sev=error _for="Ceph needs at least one raw disk per storage node for an OSD"
  if [ "$TARGET" = openebs-mayastor ]; then
    _sev=warning _for="a Mayastor DiskPool needs an unpartitioned, unformatted disk of 10 GB or more"
  fi
  if [ -z "$DISKS_SCANNED" ]; then
    finding raw-disks warning "cannot list block devices (/sys/block is not readable)" "list the disks with: lsblk -f"
  elif [ "$RAW_COUNT" -gt 0 ]; then
    finding raw-disks ok "$RAW_COUNT raw disk(s): $RAW_LIST" ""
  else
    finding raw-disks "$_sev" "no raw disk (no partitions, no filesystem): $_for${OTHER_LIST:+; seen: $OTHER_LIST}" \
      "attach an empty disk, or wipe one that holds nothing you need (wipefs -a /dev/DISK destroys its data)"
  fi
}

# Sets HP_NOW (2 MiB pages now, "" when unknown) and HP_PERSISTED (value set at boot, "" when none).
read_hugepages() {
  HP_NOW=$(cat "$AGENT_ROOT$HUGEPAGES_SYS" 2>/dev/null)
  case $HP_NOW in
    '' | *[!0-9]*)
      HP_NOW=$(awk '/^HugePages_Total:/ { t = $2 } /^Hugepagesize:/ { s = $2 } END { if (t != "" && s == 2048) print t }' "$AGENT_ROOT/proc/meminfo" 2>/dev/null)
      ;;
  esac
  case $HP_NOW in
    *[!0-9]*) HP_NOW= ;;
  esac
  set --
  for _f in "$AGENT_ROOT"/etc/sysctl.conf "$AGENT_ROOT"/etc/sysctl.d/*.conf; do
    [ -f "$_f" ] && [ -r "$_f" ] && set -- "$@" "$_f"
  done
  HP_PERSISTED=
  [ $# -gt 0 ] || return 0
  # The last setting read wins, as sysctl --system applies them (sysctl.d in name order, then sysctl.conf).
  HP_PERSISTED=$(awk '{ l = $0; sub(/[#;].*/, "", l); gsub(/[ \t\r]/, "", l)
      if (l ~ /^vm[.\/]nr_hugepages=/) { sub(/^[^=]*=/, "", l); v = l } } END { print v }' "$@")
  case $HP_PERSISTED in
    *[!0-9]*) HP_PERSISTED= ;;
  esac
}

check_hugepages() {
  read_hugepages
  _need=$MAYASTOR_HUGEPAGES
  if [ -z "$HP_NOW" ]; then
    finding hugepages error "cannot read the number of 2 MiB HugePages ($HUGEPAGES_SYS)" \
      "check the kernel supports HugePages: grep Huge /proc/meminfo"
  elif [ "$HP_NOW" -lt "$_need" ]; then
    finding hugepages error "$HP_NOW x 2 MiB HugePages reserved; Mayastor's io-engine needs $_need" \
      "k8s-storage nodes prepare --for openebs-mayastor (sets vm.nr_hugepages = $_need now and at boot), then restart the kubelet"
  elif [ -z "$HP_PERSISTED" ] || [ "$HP_PERSISTED" -lt "$_need" ] 2>/dev/null; then
    finding hugepages warning "$HP_NOW x 2 MiB HugePages reserved now, but not at boot (no vm.nr_hugepages >= $_need in /etc/sysctl.conf or /etc/sysctl.d)" \
      "echo 'vm.nr_hugepages = $_need' > $HUGEPAGES_CONF (prepare writes this file)"
  else
    finding hugepages ok "$HP_NOW x 2 MiB HugePages reserved, and $HP_PERSISTED at boot (Mayastor needs $_need)" ""
  fi
}

# Sets ARCH, CORES and SSE42 (true|false|"").
read_cpu() {
  ARCH=$(uname -m 2>/dev/null)
  CORES='' SSE42=''
  [ -r "$AGENT_ROOT/proc/cpuinfo" ] || return 0
  CORES=$(awk '/^processor[ \t]*:/ { n++ } END { print n + 0 }' "$AGENT_ROOT/proc/cpuinfo")
  if awk '/^flags[ \t]*:/ { if ((" " $0 " ") ~ / sse4_2 /) f = 1; exit } END { exit f ? 0 : 1 }' "$AGENT_ROOT/proc/cpuinfo"; then
    SSE42=true
  else
    SSE42=false
  fi
}

check_cpu() {
  read_cpu
  case $ARCH in
    x86_64 | amd64) ;;
    *)
      finding cpu error "CPU architecture ${ARCH:-unknown}: Mayastor's io-engine runs only on x86-64 (with SSE4.2)" \
        "use x86-64 nodes for Mayastor, or OpenEBS LocalPV hostpath (k8s-storage install openebs --engine hostpath)"
      return
      ;;
  esac
  if [ -z "$SSE42" ]; then
    finding cpu warning "cannot read /proc/cpuinfo to verify SSE4.2 and the core count" "grep -c sse4_2 /proc/cpuinfo"
  elif [ "$SSE42" != true ]; then
    finding cpu error "the CPU has no SSE4.2 (no sse4_2 flag in /proc/cpuinfo): Mayastor's io-engine needs it" \
      "use a CPU with SSE4.2 (on a VM, pass the host CPU model through, e.g. -cpu host)"
  elif [ "$CORES" -lt 3 ]; then
    finding cpu error "$CORES CPU core(s): Mayastor's io-engine takes 2 dedicated cores, leaving too little for the rest of the node" \
      "give this node at least 3 cores (4 or more recommended), or keep Mayastor off it (no openebs.io/engine=mayastor label)"
  else
    finding cpu ok "x86-64 with SSE4.2, $CORES cores (Mayastor's io-engine takes 2)" ""
  fi
}

check_kubelet_dir() {
  if [ "$MICROK8S" = true ]; then
    finding kubelet-root-dir ok "MicroK8s detected: kubelet root dir is $MICROK8S_KUBELET_DIR; csi.kubeletRootDir must be set to $MICROK8S_KUBELET_DIR" ""
  elif [ -n "$KUBELET_DIR" ]; then
    finding kubelet-root-dir ok "kubelet root dir is $KUBELET_DIR" ""
  else
    finding kubelet-root-dir warning "no kubelet root dir found ($MICROK8S_KUBELET_DIR or $DEFAULT_KUBELET_DIR): this host does not look like a Kubernetes node" \
      "install MicroK8s (snap install microk8s --classic) or join this node to the cluster"
  fi
}

run_checks() {
  CHECKS='' N_OK=0 N_WARN=0 N_ERR=0
  scan_disks
  check_os
  [ "$TARGET" = openebs-mayastor ] && check_cpu
  check_packages
  if [ "$TARGET" = longhorn ]; then
    check_iscsid
    check_multipathd
  fi
  check_modules
  case $TARGET in
    longhorn | nfs) check_nfs_v4 ;;
  esac
  check_kernel
  [ "$TARGET" = longhorn ] && check_mount_propagation
  [ "$TARGET" = openebs-mayastor ] && check_hugepages
  case $TARGET in
    ceph | openebs-mayastor) check_raw_disks ;;
  esac
  [ "$TARGET" = openebs-mayastor ] || check_disk
  check_memory
  check_kubelet_dir
}

# ---------------------------------------------------------------------------------------
# Prepare
# ---------------------------------------------------------------------------------------

install_packages() {
  case $PM in
    apt)
      act "refresh the apt package index" apt-get update
      act "install missing packages: $*" env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "$@"
      ;;
    dnf) act "install missing packages: $*" dnf install -y "$@" ;;
    yum) act "install missing packages: $*" yum install -y "$@" ;;
    zypper) act "install missing packages: $*" zypper --non-interactive install --no-recommends "$@" ;;
    pacman)
      if ! act "install missing packages: $*" pacman -S --needed --noconfirm "$@"; then
        case $ACT_OUT in
          *"target not found"* | *"failed retrieving file"* | *"404"* | *"could not find"* | *"database file"*"does not exist"*)
            PACMAN_DB_STALE=1
            ;;
        esac
      fi
      ;;
  esac
}

write_modules_conf() {
  _file="$AGENT_ROOT$MODULES_CONF"
  _existing=
  if [ -r "$_file" ]; then
    _existing=$(awk '{ sub(/[#;].*/, ""); gsub(/[ \t\r]/, ""); if ($0 != "") print }' "$_file")
  fi
  # shellcheck disable=SC2086 # word splitting wanted: one module per word
  _list=$(printf '%s\n' $_existing "$@" | awk 'NF { gsub(/-/, "_"); print }' | sort -u)
  _content="# Kernel modules for k8s-storage (Longhorn/NFS), loaded at boot by systemd-modules-load.
# Written by the k8s-storage node agent; rerunning prepare keeps this file as it is.
$_list"
  if [ -r "$_file" ] && [ "$(cat "$_file")" = "$_content" ]; then
    return 0
  fi
  _modlist=$(printf '%s' "$_list" | tr '\n' ' ')
  log "writing $MODULES_CONF: $_modlist"
  if _err=$({ mkdir -p "${_file%/*}" && printf '%s\n' "$_content" >"$_file.tmp.$$" && mv -f "$_file.tmp.$$" "$_file"; } 2>&1); then
    record_action "persist kernel modules in $MODULES_CONF: ${_modlist% }" 0 ""
  else
    rm -f "$_file.tmp.$$" 2>/dev/null
    record_action "persist kernel modules in $MODULES_CONF: ${_modlist% }" 1 "$_err"
  fi
}

# write_file_atomic FILE CONTENT DESCRIPTION: writes FILE (under AGENT_ROOT) through a temp
# file and a rename, recorded as an action the agent does itself (command []).
write_file_atomic() {
  _file="$AGENT_ROOT$1"
  log "writing $1"
  if _err=$({ mkdir -p "${_file%/*}" && printf '%s\n' "$2" >"$_file.tmp.$$" && mv -f "$_file.tmp.$$" "$_file"; } 2>&1); then
    record_action "$3" 0 ""
    return 0
  fi
  rm -f "$_file.tmp.$$" 2>/dev/null
  record_action "$3" 1 "$_err"
  return 1
}

prepare_hugepages() {
  read_hugepages
  if [ -z "$HP_PERSISTED" ] || [ "$HP_PERSISTED" -lt "$MAYASTOR_HUGEPAGES" ] 2>/dev/null; then
    write_file_atomic "$HUGEPAGES_CONF" "# 2 MiB HugePages for OpenEBS Mayastor's io-engine. Written by the k8s-storage node agent.
vm.nr_hugepages = $MAYASTOR_HUGEPAGES" "reserve $MAYASTOR_HUGEPAGES x 2 MiB HugePages at boot in $HUGEPAGES_CONF"
  fi
  if [ -z "$HP_NOW" ] || [ "$HP_NOW" -lt "$MAYASTOR_HUGEPAGES" ]; then
    _sys="$AGENT_ROOT$HUGEPAGES_SYS"
    log "writing $MAYASTOR_HUGEPAGES to $HUGEPAGES_SYS"
    if _err=$({ printf '%s\n' "$MAYASTOR_HUGEPAGES" >"$_sys"; } 2>&1); then
      record_action "reserve $MAYASTOR_HUGEPAGES x 2 MiB HugePages now ($HUGEPAGES_SYS)" 0 ""
      KUBELET_RESTART_REQUIRED=true
    else
      record_action "reserve $MAYASTOR_HUGEPAGES x 2 MiB HugePages now ($HUGEPAGES_SYS)" 1 "$_err"
    fi
  fi
}

do_prepare() {
  # 1. Exactly the missing packages, never a system upgrade.
  if [ -n "$PM" ]; then
    _missing=
    for _p in $(required_packages); do
      pkg_installed "$_p" || _missing="$_missing $_p"
    done
    # shellcheck disable=SC2086
    [ -z "$_missing" ] || install_packages $_missing
  fi

  # 2. iscsid (queried again: a package install may have started it).
  if [ "$TARGET" = longhorn ] && has_cmd systemctl && ! iscsid_active; then
    act "enable and start iscsid" systemctl enable --now iscsid
  fi

  # 3. Kernel modules: load what is missing, persist the target's list.
  _mods=$(target_modules)
  _persist=
  for _m in $_mods; do
    if ! module_loaded "$_m"; then
      if ! act "load kernel module $_m" modprobe "$_m"; then
        MODPROBE_FAILED="$MODPROBE_FAILED $_m"
        REBOOT_REQUIRED=true
      fi
    fi
    module_builtin "$_m" || module_persisted "$_m" || _persist=1
  done
  # shellcheck disable=SC2086
  [ -z "$_persist" ] || write_modules_conf $_mods

  # 4. HugePages (Mayastor): reserve them now and at boot. The kubelet reports HugePages
  #    capacity only from its start, so a change needs a kubelet restart (reported, not done).
  if [ "$TARGET" = openebs-mayastor ]; then
    prepare_hugepages
  fi

  # 5. Mount propagation (Longhorn only). The kubelet must be restarted to see it; the
  #    agent never restarts it, it only reports kubeletRestartRequired.
  if [ "$TARGET" = longhorn ]; then
    root_propagation
    if [ "$ROOT_PROPAGATION" = private ]; then
      if act "make / a shared mount (bidirectional mount propagation)" mount --make-rshared /; then
        KUBELET_RESTART_REQUIRED=true
      fi
    fi
  fi
}

# ---------------------------------------------------------------------------------------
# Report
# ---------------------------------------------------------------------------------------

emit_report() {
  _o='{"schemaVersion":'"$SCHEMA_VERSION"
  jstr "$NODE"; _o="$_o,\"node\":$_J"
  jstr "$MODE"; _o="$_o,\"mode\":$_J"
  jstr "$TARGET"; _o="$_o,\"target\":$_J"
  jstr "$OS_ID"; _os="{\"id\":$_J"
  jstr "$OS_VERSION_ID"; _os="$_os,\"versionId\":$_J"
  jstr "$OS_PRETTY"; _os="$_os,\"prettyName\":$_J"
  jstr "$OS_ID_LIKE"; _os="$_os,\"idLike\":$_J"
  if [ -n "$PM" ]; then
    jstr "$PM"; _os="$_os,\"packageManager\":$_J}"
  else
    _os="$_os,\"packageManager\":null}"
  fi
  _o="$_o,\"os\":$_os"
  jstr "$KERNEL"; _o="$_o,\"kernel\":$_J"
  _o="$_o,\"microk8s\":$MICROK8S"
  if [ -n "$KUBELET_DIR" ]; then
    jstr "$KUBELET_DIR"; _o="$_o,\"kubeletRootDir\":$_J"
  else
    _o="$_o,\"kubeletRootDir\":null"
  fi
  jstr "$EFFECTIVE_DATA_PATH"; _o="$_o,\"dataPath\":$_J"
  _o="$_o,\"checks\":[$CHECKS],\"actions\":[$ACTIONS],\"disks\":[$DISKS]"
  read_mem_available
  read_hugepages
  read_cpu
  _o="$_o,\"facts\":{\"memAvailableKiB\":${MEM_KB:-null},\"diskFreeKiB\":${DISK_KB:-null},\"hugepages2MiB\":${HP_NOW:-null},\"cpuCores\":${CORES:-null},\"sse42\":${SSE42:-null}"
  jstr "$ARCH"; _o="$_o,\"arch\":$_J}"
  _o="$_o,\"rebootRequired\":$REBOOT_REQUIRED,\"kubeletRestartRequired\":$KUBELET_RESTART_REQUIRED"
  _o="$_o,\"summary\":{\"ok\":$N_OK,\"warning\":$N_WARN,\"error\":$N_ERR}}"
  printf '%s\n' "$_o"
}

# du PATH...: one report whose "du" array has {path, bytes} per existing directory and
# {path, error} otherwise (a path of a volume on another node is simply "missing").
# Read-only: it changes nothing on the host.
run_du() {
  detect_node
  _items=''
  for _p in "$@"; do
    jstr "$_p"; _item="{\"path\":$_J"
    if [ ! -d "$AGENT_ROOT$_p" ]; then
      _item="$_item,\"error\":\"missing\"}"
    else
      _b=$(du -sb "$AGENT_ROOT$_p" 2>/dev/null | awk 'NR == 1 { print $1 }')
      if [ -z "$_b" ]; then
        _k=$(du -sk "$AGENT_ROOT$_p" 2>/dev/null | awk 'NR == 1 { print $1 }')
        [ -n "$_k" ] && _b=$((_k * 1024))
      fi
      case $_b in
        '' | *[!0-9]*) _item="$_item,\"error\":\"du failed\"}" ;;
        *) _item="$_item,\"bytes\":$_b}" ;;
      esac
    fi
    _items="$_items${_items:+,}$_item"
  done
  jstr "$NODE"
  printf '{"schemaVersion":%s,"node":%s,"mode":"du","checks":[],"actions":[],"du":[%s],"rebootRequired":false,"kubeletRestartRequired":false,"summary":{"ok":0,"warning":0,"error":0}}\n' "$SCHEMA_VERSION" "$_J" "$_items"
}

main() {
  parse_args "$@"
  if [ "$MODE" = du ]; then
    shift
    run_du "$@"
    return 0
  fi
  for _c in awk sed tr sort tail cat; do
    has_cmd "$_c" || internal_error "required command '$_c' not found on PATH"
  done
  while :; do
    case $AGENT_ROOT in
      */) AGENT_ROOT=${AGENT_ROOT%/} ;;
      *) break ;;
    esac
  done
  if [ -n "$AGENT_ROOT" ] && [ ! -d "$AGENT_ROOT" ]; then
    internal_error "AGENT_ROOT '$AGENT_ROOT' is not a directory"
  fi

  ACTIONS='' REBOOT_REQUIRED=false KUBELET_RESTART_REQUIRED=false DISK_KB=
  MODPROBE_FAILED='' PACMAN_DB_STALE=''
  read_os_release
  detect_pm
  detect_node
  KERNEL=$(uname -r 2>/dev/null)
  detect_kubelet_dir
  EFFECTIVE_DATA_PATH=$DATA_PATH
  if [ -z "$EFFECTIVE_DATA_PATH" ]; then
    case $TARGET in
      longhorn) EFFECTIVE_DATA_PATH=$LONGHORN_DATA_DIR ;;
      hostpath) EFFECTIVE_DATA_PATH=$MICROK8S_HOSTPATH_DIR ;;
      nfs) EFFECTIVE_DATA_PATH=${KUBELET_DIR:-$DEFAULT_KUBELET_DIR} ;;
      ceph) EFFECTIVE_DATA_PATH=$ROOK_DATA_DIR ;;
      openebs) EFFECTIVE_DATA_PATH=$OPENEBS_LOCAL_DIR ;;
      openebs-mayastor) EFFECTIVE_DATA_PATH=${KUBELET_DIR:-$DEFAULT_KUBELET_DIR} ;;
    esac
  fi

  if [ "$MODE" = prepare ]; then
    do_prepare
    # Facts a prepare may have changed.
    detect_kubelet_dir
  fi
  run_checks
  emit_report
  [ "$N_ERR" -eq 0 ] || return 3
  return 0
}

# stdin from /dev/null: under "sh -s" the script itself is stdin, no child may read it.
main "$@" </dev/null
exit $?
