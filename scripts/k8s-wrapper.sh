# Shared steps of the scripts that build Kubernetes test binaries from the Go module proxy
# (k8s-testbin.sh: the control plane; node-testbin.sh: a real node). Sourced, never run.
# The sourcing script sets TAG (log prefix and cache folder name), BINS (what it publishes) and
# KEY (the version key stamped into .stamp), sends stdout to fd 3, then calls use_cache_folder.
#
# Why wrapper modules: k8s.io/kubernetes requires its staging modules (k8s.io/api, …) at
# v0.0.0 and maps them with `replace … => ./staging/src/…`, so
# `go install k8s.io/kubernetes/cmd/kube-apiserver@vX` is refused. A wrapper module replaces
# each staging module with its published v0.<minor>.<patch> tag instead; the list is read from
# the downloaded k8s.io/kubernetes go.mod. Each tool gets its own module so MVS never mixes
# dependency graphs.

STEP="start"
WORK=""
PARTIAL=""
log() { printf '[%s] %s\n' "$TAG" "$*" >&2; }
die() { printf '[%s] ERROR (step: %s): %s\n' "$TAG" "$STEP" "$*" >&2; exit 1; }
step() { STEP="$*"; log "==> $STEP"; }
on_exit() {
  local rc=$?
  if [[ -n "$WORK" && -d "$WORK" && -z "${K8S_TESTBIN_KEEP_WORK:-}" ]]; then rm -rf "$WORK"; fi
  if [[ -n "$PARTIAL" && -d "$PARTIAL" ]]; then rm -rf "$PARTIAL"; fi
  if ((rc != 0)); then
    printf '[%s] FAILED in step "%s" (exit %d). See the messages above.\n' "$TAG" "$STEP" "$rc" >&2
  fi
}

have_all() { # $1 = folder; true when every binary of BINS is there and executable
  local b
  for b in "${BINS[@]}"; do [[ -x "$1/$b" ]] || return 1; done
  [[ -z "${EXTRA_FILE:-}" || -f "$1/$EXTRA_FILE" ]]
}
stamped() { [[ -f "$OUT/.stamp" && "$(head -n1 "$OUT/.stamp")" == "$KEY" ]] && have_all "$OUT"; }

# use_cache_folder VERSION — sets ROOT (rosterhub/$TAG under the XDG cache) and OUT
# (ROOT/VERSION); when OUT is stamped with KEY and complete, prints it and exits 0.
use_cache_folder() {
  local cache="${XDG_CACHE_HOME:-$HOME/.cache}"
  [[ "$cache" == /* ]] || cache="$HOME/.cache"   # XDG spec: ignore relative paths
  ROOT="$cache/rosterhub/$TAG"
  OUT="$ROOT/$1"
  if stamped; then
    log "up to date ($KEY): $OUT"
    printf '%s\n' "$OUT" >&3
    exit 0
  fi
}

# Checks Go, takes the per-version build lock, and makes WORK and PARTIAL. Exits 0 (printing
# OUT) when another run finished the same build while this one waited for the lock.
start_build() {
  step "check prerequisites"
  command -v go >/dev/null || die "go is not on PATH (Go >= 1.24 is needed; this project's machines have Go 1.26)"
  GOV="$(go env GOVERSION)"
  log "go: $GOV ($(command -v go)); GOMODCACHE=$(go env GOMODCACHE) GOCACHE=$(go env GOCACHE) GOPROXY=$(go env GOPROXY)"
  mkdir -p "$ROOT"
  STEP="wait for lock $ROOT/.lock-${OUT##*/}"
  exec 9>"$ROOT/.lock-${OUT##*/}"
  if command -v flock >/dev/null; then
    flock -n 9 || { log "another build of ${OUT##*/} is running; waiting for it"; flock 9; }
  fi
  if stamped; then
    log "built meanwhile by another run ($KEY): $OUT"
    printf '%s\n' "$OUT" >&3
    exit 0
  fi
  export CGO_ENABLED=0 GOFLAGS=-mod=mod GOWORK=off
  T0=$(date +%s)
  WORK="$(mktemp -d "${TMPDIR:-/tmp}/$TAG.XXXXXX")"
  PARTIAL="$ROOT/.partial-${OUT##*/}.$$"
  rm -rf "$PARTIAL"; mkdir -p "$PARTIAL"
}

# kubernetes_wrapper DIR VERSION CMD… — a wrapper module in DIR that resolves
# k8s.io/kubernetes/cmd/CMD@vVERSION with every staging module at its published tag. Sets
# KLDFLAGS: the ldflags of hack/lib/version.sh, so `--version` and /version report VERSION.
kubernetes_wrapper() {
  local dir="$1" kv="$2"; shift 2
  local minor="${kv#1.}"; minor="${minor%%.*}"
  local staging_v="v0.${kv#1.}" json mod info go_line m g c
  step "download k8s.io/kubernetes@v$kv"
  json="$(go mod download -json "k8s.io/kubernetes@v$kv")" ||
    die "go mod download k8s.io/kubernetes@v$kv failed: $json (served: $(go list -m -versions k8s.io/kubernetes 2>&1 | tr ' ' '\n' | grep -E "^v1\.$minor\." | tr '\n' ' '))"
  mod="$(sed -n 's/^[[:space:]]*"GoMod": "\(.*\)",\{0,1\}$/\1/p' <<<"$json")"
  info="$(sed -n 's/^[[:space:]]*"Info": "\(.*\)",\{0,1\}$/\1/p' <<<"$json")"
  [[ -f "$mod" ]] || die "no go.mod for k8s.io/kubernetes@v$kv in: $json"

  step "derive the staging replace list from $mod"
  # Both forms: a `replace ( … )` block line and a single-line `replace a => ./staging/…`.
  local staging=() godebug=()
  mapfile -t staging < <(awk '
    $1 == "replace" && $3 == "=>" && $4 ~ /^\.\/staging\// { print $2; next }
    $2 == "=>" && $3 ~ /^\.\/staging\// { print $1 }' "$mod" | sort -u)
  ((${#staging[@]} >= 20)) || die "found only ${#staging[@]} staging replaces in $mod; its format changed?"
  go_line="$(awk '$1 == "go" { print $2; exit }' "$mod")"
  mapfile -t godebug < <(awk '$1 == "godebug" && $2 != "(" { print $2 }' "$mod")
  log "${#staging[@]} staging modules → $staging_v; k8s go line: $go_line; godebug: ${godebug[*]:-none}"

  step "create the kubernetes wrapper module"
  mkdir -p "$dir"; cd "$dir"
  go mod init "rosterhub.local/$TAG/kubernetes"
  local args=(-go="$go_line")
  for g in "${godebug[@]}"; do args+=(-godebug="$g"); done
  for m in "${staging[@]}"; do args+=(-replace="$m=$m@$staging_v"); done
  go mod edit "${args[@]}"

  step "resolve k8s.io/kubernetes@v$kv and its staging modules ($staging_v)"
  local tools=()
  for c in "$@"; do tools+=("k8s.io/kubernetes/cmd/$c@v$kv"); done
  go get -tool "${tools[@]}"

  # buildDate = the release's commit time from the proxy's .info (reproducible).
  local build_date v=k8s.io/component-base/version
  build_date="$(sed -n 's/.*"Time":"\([^"]*\)".*/\1/p' "$info" 2>/dev/null || true)"
  build_date="${build_date:-1970-01-01T00:00:00Z}"
  KLDFLAGS="-s -w -X $v.gitVersion=v$kv -X $v.gitMajor=1 -X $v.gitMinor=$minor -X $v.gitTreeState=clean -X $v.buildDate=$build_date"
}

# plain_tool DIR NAME MODULE_PATH@VERSION PACKAGE — builds PACKAGE into PARTIAL/NAME from a
# wrapper module of its own in DIR.
plain_tool() {
  local dir="$1" name="$2" at="$3" pkg="$4"
  mkdir -p "$dir"; cd "$dir"
  go mod init "rosterhub.local/$TAG/$name"
  go get -tool "$at"
  go build -trimpath -ldflags "-s -w" -o "$PARTIAL/$name" "$pkg"
}

check() { # name, expected substring, command…
  local name="$1" want="$2" out; shift 2
  out="$("$@" 2>&1)" || die "$name: '$*' failed: $out"
  grep -qF -- "$want" <<<"$out" || die "$name reports '$out', expected it to contain '$want'"
  printf '%s\n' "$out" | head -n 3 | sed "s/^/[$TAG]   $name: /" >&2
}

publish() {
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
}
