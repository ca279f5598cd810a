#!/usr/bin/env bash
# Installs PostgreSQL >= 15 and Redis >= 7 from Debian's packages when they are missing.
# Installing never starts or enables the system services: the project runs its own servers.
source "$(dirname "$0")/lib.sh"

pg_bindir() { ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1; }

missing=()
pgbin=$(pg_bindir)
if [[ -z $pgbin ]] || [[ $(basename "$(dirname "$pgbin")") -lt 15 ]]; then missing+=(postgresql postgresql-contrib); fi
if ! command -v redis-server >/dev/null; then missing+=(redis-server); fi
((${#missing[@]} == 0)) && exit 0

log "installing from Debian's packages: ${missing[*]}"
command -v apt-get >/dev/null || die "apt-get not found: install ${missing[*]} by hand"
# policy-rc.d (exit 101) tells the packages' maintainer scripts not to start their services.
policy=/usr/sbin/policy-rc.d
created_policy=0
if [[ ! -e $policy ]]; then
  printf '#!/bin/sh\nexit 101\n' | as_root tee "$policy" >/dev/null
  as_root chmod +x "$policy"
  created_policy=1
fi
cleanup() { if ((created_policy)); then as_root rm -f "$policy"; fi; }
trap cleanup EXIT
as_root env DEBIAN_FRONTEND=noninteractive apt-get update -qq >&2 || die "apt-get update failed"
as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >&2 \
  || die "apt-get install ${missing[*]} failed"

version=$(redis-server --version | sed -n 's/.*v=\([0-9]*\)\..*/\1/p')
[[ ${version:-0} -ge 7 ]] || die "redis-server $version is installed; RosterHub needs Redis 7 or newer"
