#!/usr/bin/env bash
# Makes Node.js 24 available and prints the folder that holds its `node` binary (last line of
# stdout). Uses the machine's node when it is already 24 or newer; otherwise installs the `node@24`
# package from the npm registry (it carries the binary) into a cache outside the repository.
source "$(dirname "$0")/lib.sh"

NODE_MAJOR=24
if command -v node >/dev/null && [[ $(node -p 'process.versions.node.split(".")[0]') -ge $NODE_MAJOR ]]; then
  dirname "$(command -v node)"
  exit 0
fi

prefix="$CACHE_ROOT/node-$NODE_MAJOR"
if [[ ! -x $prefix/bin/node ]] || [[ $("$prefix/bin/node" -p 'process.versions.node.split(".")[0]') -lt $NODE_MAJOR ]]; then
  command -v npm >/dev/null || die "npm is needed to install Node.js $NODE_MAJOR from the npm registry, and none is on PATH"
  log "installing Node.js $NODE_MAJOR from the npm registry into $prefix"
  npm install --global --no-audit --no-fund --prefix "$prefix" "node@$NODE_MAJOR" >&2 \
    || die "npm could not install node@$NODE_MAJOR into $prefix"
  [[ -x $prefix/bin/node ]] || die "node@$NODE_MAJOR installed but $prefix/bin/node is missing"
fi
echo "$prefix/bin"
