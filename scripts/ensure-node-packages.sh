#!/usr/bin/env bash
# Installs what a real Kubernetes node and daemonless image builds need from Debian's packages:
# containerd and runc (the container runtime), the CNI plugins (bridge, host-local, loopback,
# portmap in /usr/lib/cni), buildah and skopeo (images without a Docker engine), debootstrap
# (base images from Debian's packages), conntrack, socat, ipset and iptables (kube-proxy,
# kube-router, the API server's in-cluster address) and nftables (to remove the tables they
# leave). Idempotent: installs only what is missing.
source "$(dirname "$0")/lib.sh"

declare -A probe=(
  [containerd]=/usr/bin/containerd
  [runc]=/usr/sbin/runc
  [containernetworking-plugins]=/usr/lib/cni/bridge
  [buildah]=/usr/bin/buildah
  [skopeo]=/usr/bin/skopeo
  [debootstrap]=/usr/sbin/debootstrap
  [conntrack]=/usr/sbin/conntrack
  [socat]=/usr/bin/socat
  [ipset]=/usr/sbin/ipset
  [iptables]=/usr/sbin/iptables
  [nftables]=/usr/sbin/nft
)
missing=()
for package in "${!probe[@]}"; do
  [[ -x ${probe[$package]} ]] || missing+=("$package")
done
((${#missing[@]} == 0)) && exit 0
apt_install "${missing[@]}"
for package in "${missing[@]}"; do
  [[ -x ${probe[$package]} ]] || die "$package is installed but ${probe[$package]} is missing"
done
