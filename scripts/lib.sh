# Shared helpers for the project's shell scripts. Sourced, never run.
set -euo pipefail

REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
CACHE_ROOT="${XDG_CACHE_HOME:-$HOME/.cache}/rosterhub"
LOCAL_DIR="${RH_LOCAL_DIR:-$REPO_ROOT/.local}"

log() { printf '[rosterhub] %s\n' "$*" >&2; }
die() { printf '[rosterhub] error: %s\n' "$*" >&2; exit 1; }

# Runs a command as root, through sudo when we are not root.
as_root() {
  if [[ $(id -u) -eq 0 ]]; then "$@"; else sudo "$@"; fi
}

# Prints the PID and command line of whatever listens on TCP port $1 on loopback, or nothing.
port_owner() {
  local port=$1 inode pid
  inode=$(awk -v p="$(printf '%04X' "$port")" 'NR>1 { split($2, a, ":"); if (a[2] == p && $4 == "0A") { print $10; exit } }' /proc/net/tcp /proc/net/tcp6 2>/dev/null || true)
  [[ -z $inode ]] && return 0
  for pid in /proc/[0-9]*; do
    if ls -l "$pid/fd" 2>/dev/null | grep -q "socket:\[$inode\]"; then
      printf 'pid %s (%s)' "${pid#/proc/}" "$(tr '\0' ' ' <"$pid/cmdline" | cut -c1-80)"
      return 0
    fi
  done
  printf 'an unknown process'
}

# Waits until "$@" succeeds, up to $WAIT_SECONDS (default 30); returns 1 on timeout.
wait_until() {
  local deadline=$((SECONDS + ${WAIT_SECONDS:-30}))
  until "$@" >/dev/null 2>&1; do
    ((SECONDS >= deadline)) && return 1
    sleep 0.2
  done
}

# Installs Debian packages with apt-get, never starting the services they bring: policy-rc.d
# (exit 101) tells their maintainer scripts not to.
apt_install() {
  log "installing from Debian's packages: $*"
  command -v apt-get >/dev/null || die "apt-get not found: install $* by hand"
  local policy=/usr/sbin/policy-rc.d created_policy=0 status=0
  if [[ ! -e $policy ]]; then
    printf '#!/bin/sh\nexit 101\n' | as_root tee "$policy" >/dev/null
    as_root chmod +x "$policy"
    created_policy=1
  fi
  as_root env DEBIAN_FRONTEND=noninteractive apt-get update -qq >&2 || status=1
  if ((status == 0)); then
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$@" >&2 || status=2
  fi
  if ((created_policy)); then as_root rm -f "$policy"; fi
  case $status in
    1) die "apt-get update failed" ;;
    2) die "apt-get install $* failed" ;;
  esac
}
