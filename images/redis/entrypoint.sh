#!/bin/bash
# As the official redis image's entrypoint: `-flag` or `*.conf` arguments go to redis-server,
# which runs as user redis, with protected mode off (the image's compiled-in default) unless set.
set -Eeuo pipefail

if [[ ${1:0:1} == '-' || ${1} == *.conf ]]; then set -- redis-server "$@"; fi
if [[ $1 == redis-server ]]; then
  if [[ $(id -u) == 0 ]]; then
    chown -R redis:redis .
    exec setpriv --reuid=redis --regid=redis --init-groups "${BASH_SOURCE[0]}" "$@"
  fi
  if [[ " $* " != *' --protected-mode '* ]]; then set -- "$@" --protected-mode no; fi
fi
exec "$@"
