#!/bin/sh
S=$FAKE_STATE
name=${0##*/}
{ printf '%s' "$name"; for a in "$@"; do printf '\t%s' "$a"; done; printf '\n'; } >>"$S/log"
# The agent must give every child /dev/null as stdin; record any call that got something else.
# shellcheck disable=SC3013 # -ef: supported by dash, bash and busybox test
[ /proc/$$/fd/0 -ef /dev/null ] || printf "%s\n" "$name" >>"$S/stdin-not-devnull"
# FAKE_SLURP_STDIN: behave like a child that reads its stdin to the end.
[ -n "$FAKE_SLURP_STDIN" ] && cat >/dev/null
has() { [ -f "$S/$2" ] && grep -qxF -- "$1" "$S/$2"; }
add() { has "$1" "$2" || printf '%s\n' "$1" >>"$S/$2"; }
# install_after_verb VERB ARGS...: installs the non-option words after VERB, all or nothing.
install_after_verb() {
  verb=$1; shift; seen=; pkgs=
  for a in "$@"; do
    if [ -z "$seen" ]; then [ "$a" = "$verb" ] && seen=1; continue; fi
    case $a in -*) ;; *) pkgs="$pkgs $a" ;; esac
  done
  [ -n "$seen" ] || exit 0
  for p in $pkgs; do
    if has "$p" unavailable; then echo "E: Unable to locate package $p / No match for argument: $p" >&2; exit 100; fi
  done
  for p in $pkgs; do echo "Installing $p"; add "$p" installed; done
  exit 0
}
last() { for a in "$@"; do l=$a; done; printf '%s' "$l"; }
case $name in
  dpkg-query)
    p=$(last "$@")
    if has "$p" installed; then printf 'install ok installed'; exit 0; fi
    if has "$p" config-files; then printf 'deinstall ok config-files'; exit 0; fi
    echo "dpkg-query: no packages found matching $p" >&2; exit 1 ;;
  rpm)
    [ "$1" = -q ] || exit 0
    shift; rc=0
    for p in "$@"; do
      if has "$p" installed; then echo "$p-1.0-1.x86_64"; else echo "package $p is not installed"; rc=1; fi
    done
    exit $rc ;;
  pacman)
    case $1 in
      -Q)
        shift; rc=0
        for p in "$@"; do
          if has "$p" installed; then echo "$p 1.0-1"; else echo "error: package '$p' was not found" >&2; rc=1; fi
        done
        exit $rc ;;
      -S)
        if [ -f "$S/pacman-stale-db" ]; then
          for a in "$@"; do case $a in -*) ;; *) echo "error: target not found: $a" >&2 ;; esac; done
          exit 1
        fi
        install_after_verb -S "$@" ;;
    esac
    exit 0 ;;
  apt-get)
    printf '%s\n' "${DEBIAN_FRONTEND-<unset>}" >>"$S/apt-env"
    case $1 in
      update) echo "Reading package lists... Done"; exit 0 ;;
    esac
    install_after_verb install "$@" ;;
  dnf | yum) install_after_verb install "$@" ;;
  zypper) install_after_verb install "$@" ;;
  systemctl)
    case $1 in
      is-active)
        u=$(last "$@")
        if has "$u" active; then echo active; exit 0; fi
        echo inactive; exit 3 ;;
      enable)
        now=; units=
        for a in "$@"; do case $a in enable) ;; --now) now=1 ;; -*) ;; *) units="$units $a" ;; esac; done
        for u in $units; do
          if has "$u" systemctl-fail; then echo "Failed to enable unit: Unit file $u.service does not exist." >&2; exit 1; fi
          [ -n "$now" ] && add "$u" active
        done
        exit 0 ;;
    esac
    exit 0 ;;
  modprobe)
    m=$(last "$@")
    if has "$m" modprobe-fail; then
      echo "modprobe: FATAL: Module $m not found in directory /lib/modules/$(cat "$S/kernel")" >&2; exit 1
    fi
    grep -q "^$m " "$AGENT_ROOT/proc/modules" 2>/dev/null || printf '%s 16384 0 - Live 0x0000000000000000\n' "$m" >>"$AGENT_ROOT/proc/modules"
    exit 0 ;;
  uname)
    case $1 in
      -r) cat "$S/kernel" ;;
      -n) cat "$S/hostname" 2>/dev/null || echo localhost ;;
      -m) cat "$S/machine" 2>/dev/null || echo x86_64 ;;
      *) echo Linux ;;
    esac
    exit 0 ;;
  df)
    [ -f "$S/df-avail" ] || { echo "df: cannot read table of mounted file systems" >&2; exit 1; }
    echo "Filesystem     1024-blocks      Used Available Capacity Mounted on"
    echo "/dev/vda1        209715200   1048576 $(cat "$S/df-avail")      1% $(last "$@")"
    exit 0 ;;
  blkid)
    # blkid -p -o value -s TYPE DEVICE: state file blkid-types holds "NAME TYPE" lines; exit 2 = no signature.
    [ -f "$S/blkid-fail" ] && { echo "blkid: error: $(last "$@"): Permission denied" >&2; exit 4; }
    n=$(last "$@"); n=${n##*/}
    t=$(awk -v n="$n" '$1 == n { print $2; exit }' "$S/blkid-types" 2>/dev/null)
    [ -n "$t" ] || exit 2
    echo "$t"; exit 0 ;;
  hostname)
    [ -f "$S/hostname" ] || exit 1
    cat "$S/hostname"; exit 0 ;;
  mount)
    case " $* " in
      *" --make-rshared / "*)
        f=$AGENT_ROOT/proc/self/mountinfo
        sed 's#^\([0-9]* [0-9]* [0-9:]* [^ ]* / [^ ]*\) -#\1 shared:1 -#' "$f" >"$f.new" && mv "$f.new" "$f"
        exit 0 ;;
    esac
    exit 0 ;;
  *) exit 0 ;;
esac
