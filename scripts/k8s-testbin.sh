#!/usr/bin/env bash
# k8s-testbin.sh — build a real Kubernetes control plane for the integration tests:
#   kube-apiserver, kube-controller-manager, kube-scheduler (k8s.io/kubernetes),
#   etcd (go.etcd.io/etcd/server/v3) and kwok (sigs.k8s.io/kwok/cmd/kwok),
# all from the Go module proxy, into a cache folder OUTSIDE the repository:
#   ${XDG_CACHE_HOME:-$HOME/.cache}/rosterhub/k8s-testbin/<k8s-version>/
# plus kwok-stages.yaml there (kwok's default node/pod stages; pass it as kwok --config).
#
# Usage:   BIN=$(scripts/k8s-testbin.sh [--oldest] | tail -1)
#          --oldest: the oldest Kubernetes the chart supports (OLDEST_K8S_VERSION below; the
#          chart's kubeVersion follows it, a unit test checks), for the version-matrix tests.
# Stdout:  only the absolute path of the binary folder (last line). Progress → stderr.
# Env:     K8S_VERSION (default 1.35.4), ETCD_VERSION (3.6.16), KWOK_VERSION (0.8.0),
#          KUBEBUILDER_ASSETS  use that folder as is (must hold all five binaries),
#          XDG_CACHE_HOME, and the usual Go variables (GOPROXY, GOMODCACHE, GOCACHE…).
#
# Idempotent: a folder whose .stamp matches the requested versions is reused at once.
# Measured on 2 cores: cold build ≈ 8 min (Go caches ≈ 4.7 GB under $HOME), warm GOCACHE
# rebuild ≈ 1–2 min; the folder is ≈ 340 MB.
#
# The shared steps (wrapper modules, lock, stamp, publish) are in k8s-wrapper.sh.
set -euo pipefail
source "$(dirname "$0")/k8s-wrapper.sh"

# The oldest minor AKS or EKS still supports (EKS extended support), at a patch whose staging
# modules the Go module proxy serves whole.
OLDEST_K8S_VERSION=1.33.13
if [[ "${1:-}" == "--oldest" ]]; then K8S_VERSION="$OLDEST_K8S_VERSION"; shift; fi
[[ $# -eq 0 ]] || { echo "usage: $0 [--oldest]" >&2; exit 2; }
KV="${K8S_VERSION:-1.35.4}";    KV="${KV#v}"
ETCD_V="${ETCD_VERSION:-3.6.16}"; ETCD_V="${ETCD_V#v}"
KWOK_V="${KWOK_VERSION:-0.8.0}";  KWOK_V="${KWOK_V#v}"
BINS=(kube-apiserver kube-controller-manager kube-scheduler etcd kwok)
KEY="k8s=v$KV etcd=v$ETCD_V kwok=v$KWOK_V"

TAG=k8s-testbin
EXTRA_FILE=kwok-stages.yaml
# All ordinary stdout goes to stderr; the result path is written to fd 3 only.
exec 3>&1 1>&2
trap on_exit EXIT

# --- 1. Prebuilt binaries from KUBEBUILDER_ASSETS: build nothing. -----------------------
if [[ -n "${KUBEBUILDER_ASSETS:-}" ]]; then
  STEP="use KUBEBUILDER_ASSETS"
  [[ -d "$KUBEBUILDER_ASSETS" ]] || die "KUBEBUILDER_ASSETS=$KUBEBUILDER_ASSETS is not a folder"
  dir="$(cd "$KUBEBUILDER_ASSETS" && pwd -P)"
  missing=()
  for b in "${BINS[@]}"; do [[ -x "$dir/$b" ]] || missing+=("$b"); done
  ((${#missing[@]} == 0)) ||
    die "KUBEBUILDER_ASSETS=$dir lacks: ${missing[*]} (needs ${BINS[*]}; unset KUBEBUILDER_ASSETS to build them)"
  log "KUBEBUILDER_ASSETS is set: using $dir as is, building nothing"
  printf '%s\n' "$dir" >&3
  exit 0
fi

# --- 2. Fast path: stamped folder for exactly these versions. ---------------------------
use_cache_folder "$KV"

# --- 3. Build. ----------------------------------------------------------------------------
start_build
log "building $KEY into $OUT (wrapper modules in $WORK); a cold build takes ~8 min on 2 cores"

# 3a. Kubernetes ---------------------------------------------------------------------------
kubernetes_wrapper "$WORK/k8s" "$KV" kube-apiserver kube-controller-manager kube-scheduler

step "build kube-apiserver, kube-controller-manager, kube-scheduler v$KV (the long step)"
T1=$(date +%s)
go build -trimpath -tags=selinux,notest,grpcnotrace -ldflags "$KLDFLAGS" -o "$PARTIAL/" \
  k8s.io/kubernetes/cmd/kube-apiserver \
  k8s.io/kubernetes/cmd/kube-controller-manager \
  k8s.io/kubernetes/cmd/kube-scheduler
log "kubernetes binaries built in $(($(date +%s) - T1)) s"

# 3b. etcd ---------------------------------------------------------------------------------
step "build etcd v$ETCD_V (go.etcd.io/etcd/server/v3, wrapper module)"
T1=$(date +%s)
plain_tool "$WORK/etcd" etcd "go.etcd.io/etcd/server/v3@v$ETCD_V" go.etcd.io/etcd/server/v3
log "etcd built in $(($(date +%s) - T1)) s"

# 3c. kwok ---------------------------------------------------------------------------------
step "build kwok v$KWOK_V (sigs.k8s.io/kwok/cmd/kwok, wrapper module)"
T1=$(date +%s)
plain_tool "$WORK/kwok" kwok "sigs.k8s.io/kwok/cmd/kwok@v$KWOK_V" sigs.k8s.io/kwok/cmd/kwok
# kwok >= 0.8 has no built-in stages ("no stages found" without --config): ship kwokctl's
# defaults (node-initialize + node-heartbeat + the "fast" pod stages) from the module as
# kwok-stages.yaml; run `kwok --config=$BIN/kwok-stages.yaml …`.
KWOK_DIR="$(go list -m -f '{{.Dir}}' sigs.k8s.io/kwok)"
S="$KWOK_DIR/kustomize/stage"
for f in node/fast/node-initialize.yaml node/heartbeat/node-heartbeat.yaml \
         pod/fast/pod-ready.yaml pod/fast/pod-complete.yaml pod/fast/pod-delete.yaml; do
  [[ -f "$S/$f" ]] || die "kwok stage $S/$f is missing"
  printf -- '---\n# from sigs.k8s.io/kwok@v%s kustomize/stage/%s\n' "$KWOK_V" "$f"
  cat "$S/$f"
done >"$PARTIAL/kwok-stages.yaml"
log "kwok built in $(($(date +%s) - T1)) s"

# 3d. Check versions, stamp, publish --------------------------------------------------------
step "check the built binaries' versions"
cd "$ROOT"
check kube-apiserver          "v$KV"    "$PARTIAL/kube-apiserver" --version
check kube-controller-manager "v$KV"    "$PARTIAL/kube-controller-manager" --version
check kube-scheduler          "v$KV"    "$PARTIAL/kube-scheduler" --version
check etcd                    "$ETCD_V" "$PARTIAL/etcd" --version
check kwok                    "$KWOK_V" "$PARTIAL/kwok" --version

publish
