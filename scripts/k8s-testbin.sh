#!/usr/bin/env bash
# k8s-testbin.sh — build a real Kubernetes control plane for the integration tests:
#   kube-apiserver, kube-controller-manager, kube-scheduler (k8s.io/kubernetes),
#   etcd (go.etcd.io/etcd/server/v3) and kwok (sigs.k8s.io/kwok/cmd/kwok),
# all from the Go module proxy, into a cache folder OUTSIDE the repository:
#   ${XDG_CACHE_HOME:-$HOME/.cache}/rosterhub/k8s-testbin/<k8s-version>/
# plus kwok-stages.yaml there (kwok's default node/pod stages; pass it as kwok --config).
#
# Usage:   BIN=$(scripts/k8s-testbin.sh | tail -1)
# Stdout:  only the absolute path of the binary folder (last line). Progress → stderr.
# Env:     K8S_VERSION (default 1.35.4), ETCD_VERSION (3.6.16), KWOK_VERSION (0.8.0),
#          KUBEBUILDER_ASSETS  use that folder as is (must hold all five binaries),
#          XDG_CACHE_HOME, and the usual Go variables (GOPROXY, GOMODCACHE, GOCACHE…).
#
# Idempotent: a folder whose .stamp matches the requested versions is reused at once.
# Measured on 2 cores: cold build ≈ 8 min (Go caches ≈ 4.7 GB under $HOME), warm GOCACHE
# rebuild ≈ 1–2 min; the folder is ≈ 340 MB.
#
# Why wrapper modules: k8s.io/kubernetes requires its staging modules (k8s.io/api, …)
# at v0.0.0 and maps them with `replace … => ./staging/src/…`, so
# `go install k8s.io/kubernetes/cmd/kube-apiserver@vX` is refused. The wrapper module
# replaces each staging module with its published v0.<minor>.<patch> tag instead; the
# list is read from the downloaded k8s.io/kubernetes go.mod. etcd's server module has
# `replace ../api` lines too. Each tool gets its own module so MVS never mixes the
# etcd, kwok and k8s dependency graphs.
set -euo pipefail

KV="${K8S_VERSION:-1.35.4}";    KV="${KV#v}"
ETCD_V="${ETCD_VERSION:-3.6.16}"; ETCD_V="${ETCD_V#v}"
KWOK_V="${KWOK_VERSION:-0.8.0}";  KWOK_V="${KWOK_V#v}"
BINS=(kube-apiserver kube-controller-manager kube-scheduler etcd kwok)
KEY="k8s=v$KV etcd=v$ETCD_V kwok=v$KWOK_V"

# All ordinary stdout goes to stderr; the result path is written to fd 3 only.
exec 3>&1 1>&2

STEP="start"
WORK=""
log() { printf '[k8s-testbin] %s\n' "$*" >&2; }
die() { printf '[k8s-testbin] ERROR (step: %s): %s\n' "$STEP" "$*" >&2; exit 1; }
step() { STEP="$*"; log "==> $STEP"; }
on_exit() {
  local rc=$?
  if [[ -n "$WORK" && -d "$WORK" && -z "${K8S_TESTBIN_KEEP_WORK:-}" ]]; then rm -rf "$WORK"; fi
  if [[ -n "${PARTIAL:-}" && -d "$PARTIAL" ]]; then rm -rf "$PARTIAL"; fi
  if ((rc != 0)); then
    printf '[k8s-testbin] FAILED in step "%s" (exit %d). See the messages above.\n' "$STEP" "$rc" >&2
  fi
}
trap on_exit EXIT

have_all() { # $1 = folder; true when every binary is there and executable
  local b
  for b in "${BINS[@]}"; do [[ -x "$1/$b" ]] || return 1; done
  [[ -f "$1/kwok-stages.yaml" ]]
}

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
CACHE="${XDG_CACHE_HOME:-$HOME/.cache}"
[[ "$CACHE" == /* ]] || CACHE="$HOME/.cache"   # XDG spec: ignore relative paths
ROOT="$CACHE/rosterhub/k8s-testbin"
OUT="$ROOT/$KV"
stamped() { [[ -f "$OUT/.stamp" && "$(head -n1 "$OUT/.stamp")" == "$KEY" ]] && have_all "$OUT"; }
if stamped; then
  log "up to date ($KEY): $OUT"
  printf '%s\n' "$OUT" >&3
  exit 0
fi

# --- 3. Build. ----------------------------------------------------------------------------
step "check prerequisites"
command -v go >/dev/null || die "go is not on PATH (Go >= 1.24 is needed; this project's machines have Go 1.26)"
GOV="$(go env GOVERSION)"
log "go: $GOV ($(command -v go)); GOMODCACHE=$(go env GOMODCACHE) GOCACHE=$(go env GOCACHE) GOPROXY=$(go env GOPROXY)"
mkdir -p "$ROOT"

# One build per version at a time (CI and a developer may start it together).
STEP="wait for lock $ROOT/.lock-$KV"
exec 9>"$ROOT/.lock-$KV"
if command -v flock >/dev/null; then
  flock -n 9 || { log "another build of $KV is running; waiting for it"; flock 9; }
fi
if stamped; then
  log "built meanwhile by another run ($KEY): $OUT"
  printf '%s\n' "$OUT" >&3
  exit 0
fi

export CGO_ENABLED=0 GOFLAGS=-mod=mod GOWORK=off
T0=$(date +%s)
WORK="$(mktemp -d "${TMPDIR:-/tmp}/k8s-testbin.XXXXXX")"
PARTIAL="$ROOT/.partial-$KV.$$"
rm -rf "$PARTIAL"; mkdir -p "$PARTIAL"
log "building $KEY into $OUT (wrapper modules in $WORK); a cold build takes ~8 min on 2 cores"

# 3a. Kubernetes ---------------------------------------------------------------------------
MINOR="${KV#1.}"; MINOR="${MINOR%%.*}"
STAGING_V="v0.${KV#1.}"                       # 1.35.4 → v0.35.4

step "download k8s.io/kubernetes@v$KV"
KK_JSON="$(go mod download -json "k8s.io/kubernetes@v$KV")" ||
  die "go mod download k8s.io/kubernetes@v$KV failed: $KK_JSON (served: $(go list -m -versions k8s.io/kubernetes 2>&1 | tr ' ' '\n' | grep -E "^v1\.$MINOR\." | tr '\n' ' '))"
KK_MOD="$(sed -n 's/^[[:space:]]*"GoMod": "\(.*\)",\{0,1\}$/\1/p' <<<"$KK_JSON")"
KK_INFO="$(sed -n 's/^[[:space:]]*"Info": "\(.*\)",\{0,1\}$/\1/p' <<<"$KK_JSON")"
[[ -f "$KK_MOD" ]] || die "no go.mod for k8s.io/kubernetes@v$KV in: $KK_JSON"

step "derive the staging replace list from $KK_MOD"
# Both forms: a `replace ( … )` block line and a single-line `replace a => ./staging/…`.
mapfile -t STAGING < <(awk '
  $1 == "replace" && $3 == "=>" && $4 ~ /^\.\/staging\// { print $2; next }
  $2 == "=>" && $3 ~ /^\.\/staging\// { print $1 }' "$KK_MOD" | sort -u)
((${#STAGING[@]} >= 20)) || die "found only ${#STAGING[@]} staging replaces in $KK_MOD; its format changed?"
KK_GO="$(awk '$1 == "go" { print $2; exit }' "$KK_MOD")"
mapfile -t KK_GODEBUG < <(awk '$1 == "godebug" && $2 != "(" { print $2 }' "$KK_MOD")
log "${#STAGING[@]} staging modules → $STAGING_V; k8s go line: $KK_GO; godebug: ${KK_GODEBUG[*]:-none}"

step "create the kubernetes wrapper module"
mkdir -p "$WORK/k8s"; cd "$WORK/k8s"
go mod init rosterhub.local/k8s-testbin/kubernetes
args=(-go="$KK_GO")
for g in "${KK_GODEBUG[@]}"; do args+=(-godebug="$g"); done
for m in "${STAGING[@]}"; do args+=(-replace="$m=$m@$STAGING_V"); done
go mod edit "${args[@]}"

step "resolve k8s.io/kubernetes@v$KV and its staging modules ($STAGING_V)"
go get -tool \
  "k8s.io/kubernetes/cmd/kube-apiserver@v$KV" \
  "k8s.io/kubernetes/cmd/kube-controller-manager@v$KV" \
  "k8s.io/kubernetes/cmd/kube-scheduler@v$KV"

# Same ldflags as hack/lib/version.sh, so `--version` and /version report the real version.
# buildDate = the release's commit time from the proxy's .info (reproducible).
BUILD_DATE="$(sed -n 's/.*"Time":"\([^"]*\)".*/\1/p' "$KK_INFO" 2>/dev/null || true)"
BUILD_DATE="${BUILD_DATE:-1970-01-01T00:00:00Z}"
V=k8s.io/component-base/version
KLDFLAGS="-s -w -X $V.gitVersion=v$KV -X $V.gitMajor=1 -X $V.gitMinor=$MINOR -X $V.gitTreeState=clean -X $V.buildDate=$BUILD_DATE"

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
mkdir -p "$WORK/etcd"; cd "$WORK/etcd"
go mod init rosterhub.local/k8s-testbin/etcd
go get -tool "go.etcd.io/etcd/server/v3@v$ETCD_V"
go build -trimpath -ldflags "-s -w" -o "$PARTIAL/etcd" go.etcd.io/etcd/server/v3
log "etcd built in $(($(date +%s) - T1)) s"

# 3c. kwok ---------------------------------------------------------------------------------
step "build kwok v$KWOK_V (sigs.k8s.io/kwok/cmd/kwok, wrapper module)"
T1=$(date +%s)
mkdir -p "$WORK/kwok"; cd "$WORK/kwok"
go mod init rosterhub.local/k8s-testbin/kwok
go get -tool "sigs.k8s.io/kwok/cmd/kwok@v$KWOK_V"
go build -trimpath -ldflags "-s -w" -o "$PARTIAL/kwok" sigs.k8s.io/kwok/cmd/kwok
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
check() { # name, expected substring, command…
  local name="$1" want="$2" out; shift 2
  out="$("$@" 2>&1)" || die "$name: '$*' failed: $out"
  grep -qF -- "$want" <<<"$out" || die "$name reports '$out', expected it to contain '$want'"
  printf '%s\n' "$out" | sed "s/^/[k8s-testbin]   $name: /" >&2
}
check kube-apiserver          "v$KV"    "$PARTIAL/kube-apiserver" --version
check kube-controller-manager "v$KV"    "$PARTIAL/kube-controller-manager" --version
check kube-scheduler          "v$KV"    "$PARTIAL/kube-scheduler" --version
check etcd                    "$ETCD_V" "$PARTIAL/etcd" --version
check kwok                    "$KWOK_V" "$PARTIAL/kwok" --version

step "stamp and publish $OUT"
{
  printf '%s\n' "$KEY"
  printf 'go=%s built=%s seconds=%s host=%s\n' "$GOV" "$(date -u +%Y-%m-%dT%H:%M:%SZ)" "$(($(date +%s) - T0))" "$(uname -m)"
} >"$PARTIAL/.stamp"
rm -rf "$OUT"
mv "$PARTIAL" "$OUT"
PARTIAL=""
log "done in $(($(date +%s) - T0)) s: $(du -sh "$OUT" | cut -f1) in $OUT"
STEP="done"
printf '%s\n' "$OUT" >&3
