#!/usr/bin/env bash
# Runs a command with the local PostgreSQL and Redis up and DATABASE_URL / REDIS_URL exported.
# Stops, on exit (also on failure, Ctrl-C or SIGTERM), only the services this script started.
source "$(dirname "$0")/lib.sh"
services="$REPO_ROOT/scripts/services.sh"

started=()
for s in postgres redis; do
  if ! "$services" is-up "$s"; then
    "$services" start "$s"
    started+=("$s")
  fi
done
stop_started() { ((${#started[@]} == 0)) || "$services" stop "${started[@]}"; }
trap stop_started EXIT

while IFS= read -r line; do export "${line?}"; done < <("$services" env)

# The command runs in the background so that this shell can forward SIGTERM/SIGINT to it and
# still stop the services afterwards.
"$@" &
child=$!
forward() { kill -s "$1" "$child" 2>/dev/null || true; }
trap 'forward TERM' TERM
trap 'forward INT' INT
status=0
while true; do
  wait "$child" && status=0 || status=$?
  kill -0 "$child" 2>/dev/null || break
done
exit "$status"
