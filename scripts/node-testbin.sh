#!/usr/bin/env bash
# node-testbin.sh — build what a real Kubernetes node of the test cluster runs, from the Go
# module proxy, into a cache folder OUTSIDE the repository:
#   ${XDG_CACHE_HOME:-$HOME/.cache}/rosterhub/node-testbin/<k8s-version>/
#     kubelet, kube-proxy   (k8s.io/kubernetes, same wrapper module as k8s-testbin.sh)
#     coredns               (github.com/coredns/coredns)      cluster DNS for cluster.local
#     kube-router           (github.com/cloudnativelabs/kube-router/v2) NetworkPolicy firewall only
#     pause                 (a 30-line static Go program)     the Pod sandbox image's process
# containerd, runc and the CNI plugins come from Debian's packages (scripts/ensure-node-packages.sh).
#
# Usage:   BIN=$(scripts/node-testbin.sh | tail -1)
# Stdout:  only the absolute path of the folder (last line). Progress → stderr.
# Env:     K8S_VERSION (default 1.35.4, the control plane's), COREDNS_VERSION (1.15.0),
#          KUBE_ROUTER_VERSION (2.1.0), XDG_CACHE_HOME and the usual Go variables.
# Idempotent: a folder whose .stamp matches the versions is reused at once. A failed step
# fails the run naming the step; nothing half-built is published.
set -euo pipefail
source "$(dirname "$0")/k8s-wrapper.sh"

KV="${K8S_VERSION:-1.35.4}";                KV="${KV#v}"
COREDNS_V="${COREDNS_VERSION:-1.15.0}";      COREDNS_V="${COREDNS_V#v}"
KUBE_ROUTER_V="${KUBE_ROUTER_VERSION:-2.1.0}"; KUBE_ROUTER_V="${KUBE_ROUTER_V#v}"
BINS=(kubelet kube-proxy coredns kube-router pause)
KEY="k8s=v$KV coredns=v$COREDNS_V kube-router=v$KUBE_ROUTER_V pause=1"
TAG=node-testbin

exec 3>&1 1>&2
trap on_exit EXIT

use_cache_folder "$KV"

start_build
log "building $KEY into $OUT; cold ≈ 8 min on 2 cores (kubelet+kube-proxy ≈ 1.5 min with the control plane's Go cache warm)"

step "build kubelet and kube-proxy v$KV"
T1=$(date +%s)
kubernetes_wrapper "$WORK/k8s" "$KV" kubelet kube-proxy
go build -trimpath -tags=selinux,notest,grpcnotrace -ldflags "$KLDFLAGS" -o "$PARTIAL/" \
  k8s.io/kubernetes/cmd/kubelet k8s.io/kubernetes/cmd/kube-proxy
log "kubelet and kube-proxy built in $(($(date +%s) - T1)) s"

step "build CoreDNS v$COREDNS_V"
T1=$(date +%s)
plain_tool "$WORK/coredns" coredns "github.com/coredns/coredns@v$COREDNS_V" github.com/coredns/coredns
log "CoreDNS built in $(($(date +%s) - T1)) s"

step "build kube-router v$KUBE_ROUTER_V"
T1=$(date +%s)
plain_tool "$WORK/kube-router" kube-router \
  "github.com/cloudnativelabs/kube-router/v2/cmd/kube-router@v$KUBE_ROUTER_V" \
  github.com/cloudnativelabs/kube-router/v2/cmd/kube-router
log "kube-router built in $(($(date +%s) - T1)) s"

step "build pause"
mkdir -p "$WORK/pause"; cd "$WORK/pause"
go mod init rosterhub.local/node-testbin/pause
cat >main.go <<'EOF'
// pause: the process of a Pod's sandbox container. It holds the Pod's namespaces, reaps the
// zombies it inherits as PID 1, and exits on SIGINT or SIGTERM.
package main

import (
	"os"
	"os/signal"
	"syscall"
)

func main() {
	signals := make(chan os.Signal, 1)
	signal.Notify(signals, syscall.SIGINT, syscall.SIGTERM, syscall.SIGCHLD)
	for s := range signals {
		if s != syscall.SIGCHLD {
			os.Exit(0)
		}
		for {
			pid, err := syscall.Wait4(-1, nil, syscall.WNOHANG, nil)
			if pid <= 0 || err != nil {
				break
			}
		}
	}
}
EOF
go build -trimpath -ldflags "-s -w" -o "$PARTIAL/pause" .

step "check the built binaries' versions"
cd "$ROOT"
check kubelet     "v$KV"            "$PARTIAL/kubelet" --version
check kube-proxy  "v$KV"            "$PARTIAL/kube-proxy" --version
check coredns     "$COREDNS_V"      "$PARTIAL/coredns" -version
check kube-router "kube-router"     "$PARTIAL/kube-router" --version
publish
