#!/bin/sh
# k8s-storage node agent: checks (and, with "prepare", fixes) a node's host for
# Longhorn, NFS and hostpath storage, then prints ONE JSON document on stdout.
#
#   node-agent.sh check   --for longhorn|nfs|hostpath [--data-path PATH] [--min-disk-gib N] [--min-mem-gib N]
#   node-agent.sh prepare --for longhorn|nfs|hostpath [same options]
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
USAGE='usage: node-agent.sh check|prepare --for longhorn|nfs|hostpath [--data-path PATH] [--min-disk-gib N] [--min-mem-gib N] | du PATH...'

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
  TARGET='' DATA_PATH='' MIN_DISK_GIB=10 MIN_MEM_GIB=2
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
      --min-mem-gib) check_uint "$_opt" "$_val"; MIN_MEM_GIB=$_val ;;
    esac
  done
  case $TARGET in
    longhorn | nfs | hostpath) ;;
    '') usage_error "--for is required" ;;
    *) usage_error "unknown target '$TARGET' (expected longhorn, nfs or hostpath)" ;;
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
  esac
}

target_modules() {
  case $TARGET in
    longhorn) echo iscsi_tcp dm_crypt nfs ;;
    nfs) echo nfs ;;
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
    _st=error
    [ "$TARGET" = hostpath ] && _st=warning
    finding os "$_st" "no /etc/os-release: cannot identify the distribution or its package manager" \
      "install the storage prerequisites manually (NFS v4 client, open-iscsi, cryptsetup, device-mapper)"
    return
  fi
  _name=$OS_PRETTY
  [ -n "$_name" ] || _name="$OS_ID $OS_VERSION_ID"
  if [ -n "$PM" ]; then
    finding os ok "$_name (ID=$OS_ID${OS_ID_LIKE:+, ID_LIKE=$OS_ID_LIKE}), package manager $PM" ""
  else
    _st=error
    [ "$TARGET" = hostpath ] && _st=warning
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
  case $_kb in
    '' | *[!0-9]*)
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

check_memory() {
  _sev=warning
  [ "$TARGET" = longhorn ] && _sev=error
  _mi="$AGENT_ROOT/proc/meminfo"
  _kb=
  if [ -r "$_mi" ]; then
    _kb=$(awk '
      /^MemAvailable:/ { avail = $2; has = 1 }
      /^MemFree:/ { free = $2 } /^Buffers:/ { buf = $2 } /^Cached:/ { cached = $2 }
      END { if (has) print avail; else if (free != "") print free + buf + cached }
    ' "$_mi")
  fi
  case $_kb in
    '' | *[!0-9]*)
      finding memory warning "cannot read available memory from /proc/meminfo" "check available memory with: free -g"
      return
      ;;
  esac
  _need=$((MIN_MEM_GIB * 1048576))
  _gib=$(kib_to_gib "$_kb")
  if [ "$_kb" -ge "$_need" ]; then
    finding memory ok "$_gib GiB of memory available (minimum $MIN_MEM_GIB GiB)" ""
  else
    finding memory "$_sev" "only $_gib GiB of memory available, below the minimum of $MIN_MEM_GIB GiB" \
      "free memory or add RAM to this node (at least $MIN_MEM_GIB GiB available)"
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
  check_os
  check_packages
  if [ "$TARGET" = longhorn ]; then
    check_iscsid
    check_multipathd
  fi
  check_modules
  [ "$TARGET" = hostpath ] || check_nfs_v4
  check_kernel
  [ "$TARGET" = longhorn ] && check_mount_propagation
  check_disk
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

  # 4. Mount propagation (Longhorn only). The kubelet must be restarted to see it; the
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
  _o="$_o,\"checks\":[$CHECKS],\"actions\":[$ACTIONS]"
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

  ACTIONS='' REBOOT_REQUIRED=false KUBELET_RESTART_REQUIRED=false
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
