#!/usr/bin/env bash
# Runs a command with the local PostgreSQL and Redis up and DATABASE_URL / REDIS_URL exported.
# Several runs may overlap (two terminals, parallel checks): each holds a lease, and the last
# one to finish stops the services if a with-services run started them. Services started by
# hand (`make services-start`) are left running.
source "$(dirname "$0")/lib.sh"
services="$REPO_ROOT/scripts/services.sh"
leases="$LOCAL_DIR/leases"
marker="$LOCAL_DIR/services-started-by-run"
mkdir -p "$leases"
exec {lock}>"$LOCAL_DIR/services.lock"

flock "$lock"
for s in postgres redis; do
  if ! "$services" is-up "$s"; then
    "$services" start "$s"
    touch "$marker"
  fi
done
touch "$leases/$$"
flock -u "$lock"

release() {
  flock "$lock"
  rm -f "$leases/$$"
  for lease in "$leases"/*; do
    [[ -e $lease ]] && ! kill -0 "${lease##*/}" 2>/dev/null && rm -f "$lease"
  done
  if [[ -z $(ls -A "$leases") && -e $marker ]]; then
    "$services" stop
    rm -f "$marker"
  fi
  flock -u "$lock"
}
trap release EXIT

while IFS= read -r line; do export "${line?}"; done < <("$services" env)

# The command runs in the background so that this shell can forward SIGTERM/SIGINT to it and
# still release the services afterwards.
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
