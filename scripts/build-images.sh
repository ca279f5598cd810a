#!/usr/bin/env bash
# Builds RosterHub's images without a Docker engine: buildah (from Debian's packages) runs the
# repository's own Dockerfile on a Node.js 24 base made here from Debian's packages and the npm
# registry's node@24, because base images cannot be pulled everywhere. With --test-images it also
# builds the test PostgreSQL, Redis and S3 (s3rver) images (images/postgres, images/redis,
# images/s3) and the real test node's pause image (the static pause of scripts/node-testbin.sh). With
# --archives DIR it writes each image as DIR/<name>.tar (docker-archive), which containerd
# imports without a registry.
#
# Usage: scripts/build-images.sh [--tag TAG]... [--test-images] [--archives DIR]
# Prints KEY=VALUE lines on stdout (RH_IMAGE_REPOSITORY, RH_VERSION, RH_OPERATOR_IMAGE,
# RH_POSTGRES_IMAGE, RH_REDIS_IMAGE); progress and timings go to stderr.
# Cold, 2 cores: Debian base ~75 s, Node base ~15 s, test images ~60 s, RosterHub images ~6 min;
# warm (every layer cached): seconds.
source "$(dirname "$0")/lib.sh"

tags=()
test_images=0
archives=''
while (($#)); do
  case $1 in
    --tag) tags+=("$2"); shift 2 ;;
    --test-images) test_images=1; shift ;;
    --archives) archives=$2; shift 2 ;;
    *) die "build-images: unknown argument $1 (usage: build-images.sh [--tag TAG]... [--test-images] [--archives DIR])" ;;
  esac
done

IMAGES_DIR=${RH_IMAGES_DIR:-$CACHE_ROOT/images}
DEBIAN_SUITE=bookworm
DEBIAN_MIRROR=${RH_DEBIAN_MIRROR:-http://deb.debian.org/debian}
DEBIAN_IMAGE=localhost/rosterhub-base/debian:$DEBIAN_SUITE
NPM_VERSION=11
REPOSITORY=localhost/rosterhub
OPERATOR_REPOSITORY=localhost/rosterhub-operator
POSTGRES_IMAGE=localhost/rosterhub-test/postgres:15-$DEBIAN_SUITE
REDIS_IMAGE=localhost/rosterhub-test/redis:7-$DEBIAN_SUITE
PAUSE_IMAGE=localhost/rosterhub-test/pause:3.10
S3_IMAGE=localhost/rosterhub-test/s3rver:3.7.1
((${#tags[@]})) || tags=("$(node -p 'require(process.argv[1]).version' "$REPO_ROOT/package.json")")

step_started=$SECONDS
step() {
  log "build-images: $* (previous step $((SECONDS - step_started)) s)"
  step_started=$SECONDS
}

scripts_dir=$(dirname "$0")
"$scripts_dir/ensure-node-packages.sh"
node_bin=$("$scripts_dir/ensure-node.sh" | tail -1)
node_version=$("$node_bin/node" -p 'process.versions.node')
NODE_IMAGE=localhost/rosterhub-base/node:$node_version

mkdir -p "$IMAGES_DIR"
# Own storage, so that nothing here touches a machine's other containers. runc, not crun:
# Debian's crun cannot run builds on cgroup v1 hybrid hierarchies.
buildah_() {
  buildah --root "$IMAGES_DIR/storage" --runroot "$IMAGES_DIR/run" --storage-driver overlay "$@"
}
has_image() { buildah_ inspect --type image "$1" >/dev/null 2>&1; }
bud() {
  buildah_ bud --quiet --pull-never --format docker --layers --network host --runtime /usr/sbin/runc "$@" >&2
}
work=$(mktemp -d "$IMAGES_DIR/work.XXXXXX")
# buildah leaves /etc/cni/net.d/cni.lock behind even with --network host; remove what it made
etc_cni_existed=0
[[ -e /etc/cni ]] && etc_cni_existed=1
cleanup() {
  rm -rf "$work"
  if ((etc_cni_existed == 0)); then rm -rf /etc/cni; fi
}
trap cleanup EXIT

if ! has_image "$DEBIAN_IMAGE"; then
  step "debootstrap a Debian $DEBIAN_SUITE minbase from $DEBIAN_MIRROR"
  rootfs=$work/rootfs
  debootstrap --variant=minbase --include=ca-certificates "$DEBIAN_SUITE" "$rootfs" "$DEBIAN_MIRROR" \
    >"$work/debootstrap.log" 2>&1 || die "debootstrap failed: $(tail -5 "$work/debootstrap.log")"
  # as in Debian's container images: maintainer scripts never start services, no apt caches
  printf '#!/bin/sh\nexit 101\n' >"$rootfs/usr/sbin/policy-rc.d"
  chmod +x "$rootfs/usr/sbin/policy-rc.d"
  rm -rf "$rootfs"/var/lib/apt/lists/* "$rootfs"/var/cache/apt/*.bin "$rootfs"/var/cache/apt/archives/*.deb
  step "commit $DEBIAN_IMAGE"
  container=$(buildah_ from scratch)
  buildah_ copy "$container" "$rootfs" / >/dev/null
  buildah_ config --env PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin --cmd bash "$container"
  buildah_ commit --quiet --rm "$container" "$DEBIAN_IMAGE" >/dev/null
  rm -rf "$rootfs"
fi

if ! has_image "$NODE_IMAGE"; then
  step "build $NODE_IMAGE (node $node_version, npm@$NPM_VERSION)"
  context=$work/node
  mkdir -p "$context"
  cp "$(readlink -f "$node_bin/node")" "$context/node"
  npm install --prefix "$work/npm" --no-audit --no-fund --no-save "npm@$NPM_VERSION" >&2 \
    || die "npm could not fetch npm@$NPM_VERSION from the registry"
  cp -a "$work/npm/node_modules/npm" "$context/npm"
  cp /etc/ssl/certs/ca-certificates.crt "$context/host-ca.crt"
  cp "$REPO_ROOT/images/node/Containerfile" "$context/"
  bud --build-arg "DEBIAN_IMAGE=$DEBIAN_IMAGE" -t "$NODE_IMAGE" -f "$context/Containerfile" "$context"
fi

if ((test_images)); then
  for image in "$POSTGRES_IMAGE:postgres" "$REDIS_IMAGE:redis"; do
    name=${image%:*}
    folder=${image##*:}
    # always built: the layer cache makes an unchanged image a no-op, a changed file a rebuild
    step "build $name from images/$folder"
    bud --build-arg "DEBIAN_IMAGE=$DEBIAN_IMAGE" -t "$name" "$REPO_ROOT/images/$folder"
  done
  step "build $S3_IMAGE from images/s3"
  bud --build-arg "NODE_IMAGE=$NODE_IMAGE" -t "$S3_IMAGE" "$REPO_ROOT/images/s3"
  if ! has_image "$PAUSE_IMAGE"; then
    step "build $PAUSE_IMAGE"
    pause=$("$scripts_dir/node-testbin.sh" | tail -1)/pause
    [[ -x $pause ]] || die "scripts/node-testbin.sh built no pause binary at $pause"
    container=$(buildah_ from scratch)
    buildah_ copy --chmod 0755 "$container" "$pause" /pause >/dev/null
    buildah_ config --entrypoint '["/pause"]' --user 65535:65535 "$container"
    buildah_ commit --quiet --rm "$container" "$PAUSE_IMAGE" >/dev/null
  fi
fi

# Debian's PostgreSQL client (15) instead of the PostgreSQL project's repository, which this
# kind of machine cannot reach; it dumps the test PostgreSQL 15.
for target in operator api; do
  repository=$REPOSITORY
  [[ $target == operator ]] && repository=$OPERATOR_REPOSITORY
  step "build the $target target as $repository:${tags[0]}"
  tag_args=()
  for tag in "${tags[@]}"; do tag_args+=(-t "$repository:$tag"); done
  bud --build-arg "NODE_IMAGE=$NODE_IMAGE" --build-arg PG_CLIENT_SOURCE=debian --build-arg PG_CLIENT_MAJOR=15 \
    --target "$target" "${tag_args[@]}" -f "$REPO_ROOT/Dockerfile" "$REPO_ROOT"
done

if [[ -n $archives ]]; then
  mkdir -p "$archives"
  images=()
  for tag in "${tags[@]}"; do images+=("$REPOSITORY:$tag" "$OPERATOR_REPOSITORY:$tag"); done
  ((test_images)) && images+=("$POSTGRES_IMAGE" "$REDIS_IMAGE" "$PAUSE_IMAGE" "$S3_IMAGE")
  # <file>.id holds the image id the archive was written from: an unchanged image is not
  # written again, so that whoever imports the archives can skip unchanged ones too
  for image in "${images[@]}"; do
    file=$archives/$(tr '/:' '__' <<<"$image").tar
    id=$(buildah_ inspect --type image --format '{{.FromImageID}}' "$image")
    [[ -f $file && -f $file.id && $(<"$file.id") == "$id" ]] && continue
    step "write $file"
    rm -f "$file" "$file.id"
    buildah_ push --quiet "$image" "docker-archive:$file:$image" >/dev/null
    echo "$id" >"$file.id"
  done
fi
step "done"

echo "RH_IMAGE_REPOSITORY=$REPOSITORY"
echo "RH_VERSION=${tags[0]}"
echo "RH_OPERATOR_IMAGE=$OPERATOR_REPOSITORY:${tags[0]}"
if ((test_images)); then
  echo "RH_POSTGRES_IMAGE=$POSTGRES_IMAGE"
  echo "RH_REDIS_IMAGE=$REDIS_IMAGE"
  echo "RH_PAUSE_IMAGE=$PAUSE_IMAGE"
  echo "RH_S3_IMAGE=$S3_IMAGE"
fi
