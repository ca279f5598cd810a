#!/usr/bin/env bash
# Installs PostgreSQL >= 15, Redis >= 7 and PgBouncer from Debian's packages when they are missing.
# Installing never starts or enables the system services: the project runs its own servers.
source "$(dirname "$0")/lib.sh"

pg_bindir() { ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1; }

missing=()
pgbin=$(pg_bindir)
if [[ -z $pgbin ]] || [[ $(basename "$(dirname "$pgbin")") -lt 15 ]]; then missing+=(postgresql postgresql-contrib); fi
if ! command -v redis-server >/dev/null; then missing+=(redis-server); fi
# the tests run the API and the worker behind a real PgBouncer in transaction mode
if ! command -v pgbouncer >/dev/null && [[ ! -x /usr/sbin/pgbouncer ]]; then missing+=(pgbouncer); fi
((${#missing[@]} == 0)) && exit 0

apt_install "${missing[@]}"

version=$(redis-server --version | sed -n 's/.*v=\([0-9]*\)\..*/\1/p')
[[ ${version:-0} -ge 7 ]] || die "redis-server $version is installed; RosterHub needs Redis 7 or newer"
