#!/usr/bin/env bash
# Ensure a Redis image exists locally. Usage: redis-image.sh [IMAGE]
# Uses the image if present, else tries `docker pull`, else builds IMAGE from Debian's redis-server and
# redis-cli binaries plus the shared libraries they link (docker import; no registry needed).
# Prints the chosen image name as the last line of stdout.
set -euo pipefail

image="${1:-redis-stack-local/redis:7}"
log() { printf '[setup:image] %s\n' "$*" >&2; }

# This script's own builds carry a shell (the nodes' health checks run in /bin/sh, as in the official
# images); an older local build without one is rebuilt.
local_build_without_shell() {
  [[ "$image" == redis-stack-local/* ]] &&
    [ -z "$(docker image inspect -f '{{index .Config.Labels "redis-stack.shell"}}' "$image" 2>/dev/null)" ]
}

if docker image inspect "$image" >/dev/null 2>&1 && ! local_build_without_shell; then
  log "using existing image $image"
  echo "$image"; exit 0
fi

if [[ "$image" != redis-stack-local/* ]] && timeout 30 docker pull -q "$image" >/dev/null 2>&1; then
  log "pulled $image"
  echo "$image"; exit 0
fi
log "cannot pull $image here; building it from Debian's redis packages"

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work"
export DEBIAN_FRONTEND=noninteractive
# apt-get download + dpkg-deb -x: the binaries without installing a service that would take port 6379.
# The libraries Debian's redis links that a base system may lack come along too; ldd finds the rest.
packages="redis-server redis-tools libjemalloc2 liblzf1 libatomic1"
if ! apt-get download -qq $packages >/dev/null 2>&1; then
  apt-get update -qq
  apt-get download -qq $packages >/dev/null 2>&1
fi
mkdir -p pkg rootfs/usr/local/bin rootfs/data rootfs/tmp rootfs/etc rootfs/bin
for deb in ./*.deb; do dpkg-deb -x "$deb" pkg; done
# redis-server is a symlink to redis-check-rdb in Debian's package; resolve it into a real file.
for bin in redis-server redis-cli redis-benchmark; do
  src=$(readlink -f "pkg/usr/bin/$bin")
  cp "$src" "rootfs/usr/local/bin/$bin"
done
# A POSIX shell at /bin/sh, as the official images have (the health checks are shell lines): Debian's dash.
cp "$(readlink -f /bin/dash)" rootfs/bin/sh
# Copy every shared library the binaries need, at its path, plus the dynamic loader.
pkg_libs=$(find "$PWD/pkg" -name '*.so*' -printf '%h\n' | sort -u | paste -sd:)
for bin in rootfs/usr/local/bin/* rootfs/bin/sh; do
  LD_LIBRARY_PATH="$pkg_libs" ldd "$bin" | awk '/=>/ { print $3 } /^[ \t]*\// { print $1 }' | while read -r lib; do
    [ -n "$lib" ] && [ -e "$lib" ] || continue
    # Libraries from the extracted packages go where Debian would install them.
    dest="${lib#"$PWD/pkg"}"
    mkdir -p "rootfs$(dirname "$dest")"
    cp -L "$lib" "rootfs$dest"
  done
done
echo 'redis:x:999:999::/data:/usr/sbin/nologin' > rootfs/etc/passwd
echo 'root:x:0:0::/root:/bin/false' >> rootfs/etc/passwd
chmod 1777 rootfs/tmp
version=$(LD_LIBRARY_PATH="$pkg_libs" rootfs/usr/local/bin/redis-server --version | sed -n 's/.*v=\([0-9.]*\).*/\1/p')
tar -C rootfs -c . | docker import \
  --change 'WORKDIR /data' \
  --change 'VOLUME /data' \
  --change 'EXPOSE 6379' \
  --change 'CMD ["redis-server"]' \
  --change "LABEL org.opencontainers.image.version=$version" \
  --change "LABEL redis-stack.shell=dash" \
  - "$image" >/dev/null
log "built $image (Redis $version, $(docker image inspect -f '{{.Size}}' "$image" | awk '{printf "%.0f MB", $1/1e6}'))"
echo "$image"
