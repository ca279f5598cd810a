#!/usr/bin/env bash
# Local PostgreSQL and Redis servers on loopback, with their data under .local/ (git-ignored).
#   services.sh start [postgres|redis]...   start (idempotent) and wait until ready
#   services.sh stop  [postgres|redis]...   stop what is running
#   services.sh status                      one line per service
#   services.sh env                         the DATABASE_URL / REDIS_URL lines to export
# While a service runs, $LOCAL_DIR/services.env holds those lines: the admin commands run from
# the checkout read it when DATABASE_URL / REDIS_URL are not set (cli/local-services.ts).
# Ports: RH_PG_PORT (default 55432), RH_REDIS_PORT (default 56379). RH_PG_FAST=1 turns off
# fsync for throw-away test data. No system service is touched.
source "$(dirname "$0")/lib.sh"

PG_PORT=${RH_PG_PORT:-55432}
REDIS_PORT=${RH_REDIS_PORT:-56379}
PG_USER=rosterhub
PG_DB=rosterhub
REDIS_DIR="$LOCAL_DIR/redis"

pg_bindir() { ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1; }

# PostgreSQL refuses to run as root, so as root the server runs as the `postgres` system user.
# That user must be able to reach the data folder; when the checkout is private (e.g. under
# /root), the folder is linked to one under /var/tmp instead.
pg_run_as() {
  if [[ $(id -u) -eq 0 ]]; then runuser -u postgres -- "$@"; else "$@"; fi
}

pg_home() {
  local home="$LOCAL_DIR/postgres"
  if [[ $(id -u) -eq 0 ]]; then
    id postgres >/dev/null 2>&1 || die "running as root, but there is no 'postgres' system user to run PostgreSQL as"
    mkdir -p "$LOCAL_DIR"
    if [[ ! -e $home ]] && ! runuser -u postgres -- test -x "$LOCAL_DIR"; then
      local alt="/var/tmp/rosterhub-$(printf '%s' "$REPO_ROOT" | md5sum | cut -c1-12)/postgres"
      mkdir -p "$alt"
      ln -s "$alt" "$home"
      log "the postgres user cannot reach $LOCAL_DIR; PostgreSQL data lives in $alt (linked from $home)"
    fi
    mkdir -p "$home"
    chown -R postgres: "$(readlink -f "$home")"
  else
    mkdir -p "$home"
  fi
  echo "$home"
}

pg_ready() { "$(pg_bindir)/pg_isready" -q -h 127.0.0.1 -p "$PG_PORT"; }

pg_start() {
  local bin home data
  bin=$(pg_bindir)
  [[ -n $bin ]] || die "PostgreSQL is not installed (run scripts/ensure-system-packages.sh)"
  home=$(pg_home)
  data="$home/data"
  if pg_run_as "$bin/pg_ctl" -D "$data" status >/dev/null 2>&1; then
    pg_ready || die "PostgreSQL in $data is running but does not answer on 127.0.0.1:$PG_PORT (started with another port? run 'make services-stop')"
    return 0
  fi
  local owner
  owner=$(port_owner "$PG_PORT")
  [[ -z $owner ]] || die "cannot start PostgreSQL: port $PG_PORT is taken by $owner (set RH_PG_PORT to another port)"
  if [[ ! -f $data/PG_VERSION ]]; then
    log "initdb: creating a PostgreSQL cluster in $data"
    rm -rf "$data"
    pg_run_as "$bin/initdb" -D "$data" -U "$PG_USER" --auth=trust --encoding=UTF8 --locale=C.UTF-8 \
      >"$home/initdb.log" 2>&1 || { cat "$home/initdb.log" >&2; die "initdb failed in $data (log above)"; }
  fi
  mkdir -p "$home/run"
  [[ $(id -u) -eq 0 ]] && chown postgres: "$home/run"
  local opts="-p $PG_PORT -c listen_addresses=127.0.0.1 -k $home/run -c max_connections=200"
  if [[ ${RH_PG_FAST:-0} == 1 ]]; then opts+=" -c fsync=off -c synchronous_commit=off -c full_page_writes=off"; fi
  log "starting PostgreSQL on 127.0.0.1:$PG_PORT"
  pg_run_as setsid "$bin/pg_ctl" -D "$data" -l "$home/server.log" -o "$opts" -w -t 60 start >/dev/null \
    || { tail -20 "$home/server.log" >&2; die "PostgreSQL did not start (log: $home/server.log)"; }
  WAIT_SECONDS=30 wait_until pg_ready || die "PostgreSQL started but is not accepting connections on port $PG_PORT"
  if ! "$bin/psql" -h 127.0.0.1 -p "$PG_PORT" -U "$PG_USER" -d postgres -tAc "select 1 from pg_database where datname='$PG_DB'" | grep -q 1; then
    "$bin/createdb" -h 127.0.0.1 -p "$PG_PORT" -U "$PG_USER" "$PG_DB" || die "could not create database $PG_DB"
  fi
}

pg_stop() {
  local bin data
  bin=$(pg_bindir)
  data="$LOCAL_DIR/postgres/data"
  [[ -n $bin && -f $data/PG_VERSION ]] || return 0
  if pg_run_as "$bin/pg_ctl" -D "$data" status >/dev/null 2>&1; then
    log "stopping PostgreSQL"
    pg_run_as "$bin/pg_ctl" -D "$data" -m fast -w stop >/dev/null || die "PostgreSQL did not stop"
  fi
}

redis_ready() { [[ $(redis-cli -h 127.0.0.1 -p "$REDIS_PORT" ping 2>/dev/null) == PONG ]]; }
redis_running() { [[ -f $REDIS_DIR/redis.pid ]] && kill -0 "$(cat "$REDIS_DIR/redis.pid")" 2>/dev/null; }

redis_start() {
  command -v redis-server >/dev/null || die "redis-server is not installed (run scripts/ensure-system-packages.sh)"
  mkdir -p "$REDIS_DIR"
  if redis_running; then
    redis_ready || die "Redis (pid $(cat "$REDIS_DIR/redis.pid")) is running but does not answer on 127.0.0.1:$REDIS_PORT"
    return 0
  fi
  local owner
  owner=$(port_owner "$REDIS_PORT")
  [[ -z $owner ]] || die "cannot start Redis: port $REDIS_PORT is taken by $owner (set RH_REDIS_PORT to another port)"
  log "starting Redis on 127.0.0.1:$REDIS_PORT"
  # noeviction + AOF: BullMQ's queues must never be evicted or lost on restart.
  setsid redis-server --bind 127.0.0.1 --port "$REDIS_PORT" --dir "$REDIS_DIR" --daemonize yes \
    --pidfile "$REDIS_DIR/redis.pid" --logfile "$REDIS_DIR/redis.log" \
    --appendonly yes --save '' --maxmemory-policy noeviction \
    || die "redis-server failed to start (log: $REDIS_DIR/redis.log)"
  WAIT_SECONDS=20 wait_until redis_ready || { tail -20 "$REDIS_DIR/redis.log" >&2; die "Redis did not become ready on port $REDIS_PORT"; }
}

redis_stop() {
  redis_running || return 0
  log "stopping Redis"
  redis-cli -h 127.0.0.1 -p "$REDIS_PORT" shutdown nosave >/dev/null 2>&1 || kill "$(cat "$REDIS_DIR/redis.pid")"
  WAIT_SECONDS=10 wait_until bash -c "! kill -0 $(cat "$REDIS_DIR/redis.pid" 2>/dev/null || echo 0)" || true
  rm -f "$REDIS_DIR/redis.pid"
}

print_env() {
  echo "DATABASE_URL=postgres://$PG_USER@127.0.0.1:$PG_PORT/$PG_DB"
  echo "REDIS_URL=redis://127.0.0.1:$REDIS_PORT"
}

cmd=${1:-status}
shift || true
services=("$@")
((${#services[@]})) || services=(postgres redis)
case $cmd in
  start)
    for s in "${services[@]}"; do case $s in postgres) pg_start ;; redis) redis_start ;; *) die "unknown service '$s'" ;; esac; done
    print_env >"$LOCAL_DIR/services.env" ;;
  stop)
    for s in "${services[@]}"; do case $s in postgres) pg_stop ;; redis) redis_stop ;; *) die "unknown service '$s'" ;; esac; done
    pg_ready || redis_ready || rm -f "$LOCAL_DIR/services.env" ;;
  status)
    if pg_ready; then echo "postgres: up on 127.0.0.1:$PG_PORT"; else echo "postgres: down"; fi
    if redis_ready; then echo "redis: up on 127.0.0.1:$REDIS_PORT"; else echo "redis: down"; fi ;;
  is-up)
    case ${services[0]} in postgres) pg_ready ;; redis) redis_ready ;; *) die "unknown service '${services[0]}'" ;; esac ;;
  env) print_env ;;
  *) die "usage: services.sh start|stop|status|env [postgres|redis]..." ;;
esac
