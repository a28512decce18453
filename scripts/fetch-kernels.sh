#!/usr/bin/env bash
# Fetch and unpack the Debian Linux source packages that the integration tests
# and benchmarks read, and install git send-email for the hook test.
# Idempotent: an unpacked tree is kept and reused.
#   scripts/fetch-kernels.sh [VERSION...]   (default: 6.12 6.1)
#   scripts/fetch-kernels.sh --unpack-only  (npm test's pretest: installs nothing,
#                                           unpacks what /usr/src has, names the rest)
# Trees land in $MNLINT_KERNEL_CACHE (default .cache/kernels, git-ignored).
set -euo pipefail
cd "$(dirname "$0")/.."
cache=${MNLINT_KERNEL_CACHE:-.cache/kernels}
unpack_only=0
if [ "${1:-}" = --unpack-only ]; then
  unpack_only=1
  shift
fi
versions=("$@")
[ ${#versions[@]} -gt 0 ] || versions=(6.12 6.1)
mkdir -p "$cache"
sudo_cmd=""
[ "$(id -u)" -eq 0 ] || sudo_cmd="sudo"
for v in "${versions[@]}"; do
  dest="$cache/linux-$v"
  if [ -f "$dest/.unpacked" ]; then
    echo "linux-$v: already unpacked in $dest"
    continue
  fi
  tarball="/usr/src/linux-source-$v.tar.xz"
  if [ ! -f "$tarball" ] && [ "$unpack_only" -eq 1 ]; then
    echo "linux-$v: $tarball missing (apt install linux-source-$v, then npm run fetch-kernels); its tests will be skipped"
    continue
  fi
  if [ ! -f "$tarball" ]; then
    echo "linux-$v: installing linux-source-$v with apt"
    $sudo_cmd apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq "linux-source-$v" >/dev/null
  fi
  [ -f "$tarball" ] || { echo "linux-$v: $tarball missing after install" >&2; exit 2; }
  echo "linux-$v: unpacking $tarball into $dest"
  rm -rf "$dest" "$dest.tmp"
  mkdir -p "$dest.tmp"
  tar -xJf "$tarball" -C "$dest.tmp" --strip-components=1
  mv "$dest.tmp" "$dest"
  touch "$dest/.unpacked"
done

# git send-email, for the sendemail-validate hook test (Debian package git-email)
if [ "$unpack_only" -eq 0 ] && [ $# -eq 0 ] && [ ! -x "$(git --exec-path)/git-send-email" ]; then
  echo "git-email: installing with apt"
  $sudo_cmd apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq git-email >/dev/null
fi

# public-inbox, whose own tools build the archive of the watch test
if [ "$unpack_only" -eq 0 ] && [ $# -eq 0 ] && ! command -v public-inbox-mda >/dev/null; then
  echo "public-inbox: installing with apt"
  $sudo_cmd apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq public-inbox >/dev/null
fi

# Chromium (the HTML page and mermaid test), the kernel's own build tools
# (the kbuild test), sparse (the kbuild benchmark's peer)
if [ "$unpack_only" -eq 0 ] && [ $# -eq 0 ]; then
  pkgs=()
  [ -x /usr/bin/chromium ] || pkgs+=(chromium)
  for p in make gcc flex bison bc sparse; do command -v "$p" >/dev/null || pkgs+=("$p"); done
  [ -f /usr/include/libelf.h ] || pkgs+=(libelf-dev)
  [ -f /usr/include/openssl/ssl.h ] || pkgs+=(libssl-dev)
  if [ ${#pkgs[@]} -gt 0 ]; then
    echo "${pkgs[*]}: installing with apt"
    $sudo_cmd apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq "${pkgs[@]}" >/dev/null
  fi
fi
