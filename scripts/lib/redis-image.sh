#!/usr/bin/env bash
# Ensure a Redis image exists locally. Usage: redis-image.sh [IMAGE]
# Uses the image if present, else tries `docker pull`, else builds IMAGE from Debian's packages: the server
# and CLI binaries, a shell and `chown`, plus the shared libraries they link, nothing else (docker import; no
# registry needed).
# What a local build holds follows from its name (a suffix after the tag is allowed: `redis:7-ci-1`):
#   redis-stack-local/redis:7...    Redis 7.0 from this machine's Debian release (bookworm: 7.0.15)
#   redis-stack-local/redis:8...    Redis 8.0 from Debian trixie (8.0.2)
#   redis-stack-local/valkey:8...   Valkey 8.1 from Debian trixie (8.1.1): valkey-server and valkey-cli, no
#                                   redis-* names (the stack's serverCommand and cliCommand name them)
# Trixie's packages come through `debootstrap --download-only` (installed from Debian where missing), kept
# in a cache directory (REDIS_STACK_IMAGE_CACHE, default ~/.cache/redis-stack/images) so that a rebuild
# downloads nothing. Prints the chosen image name as the last line of stdout, and how long it took.
set -euo pipefail

image="${1:-redis-stack-local/redis:8}"
cache="${REDIS_STACK_IMAGE_CACHE:-$HOME/.cache/redis-stack/images}"
mirror="${REDIS_STACK_DEBIAN_MIRROR:-http://deb.debian.org/debian}"
log() { printf '[setup:image] %s\n' "$*" >&2; }
started=$SECONDS

# This script's own builds carry a shell (the nodes' health checks run in /bin/sh, as in the official
# images) and `chown` (the stack hands a data volume to the node's user with it), and their /data belongs
# to the user redis-server runs as (uid 999, as in the official images), so that a new volume does too.
# An older local build (without the label of this layout) is rebuilt.
LAYOUT=non-root-1
local_build_outdated() {
  [[ "$image" == redis-stack-local/* ]] &&
    [ "$(docker image inspect -f '{{index .Config.Labels "redis-stack.layout"}}' "$image" 2>/dev/null)" != "$LAYOUT" ]
}

if docker image inspect "$image" >/dev/null 2>&1 && ! local_build_outdated; then
  log "using existing image $image"
  echo "$image"; exit 0
fi

if [[ "$image" != redis-stack-local/* ]] && timeout 30 docker pull -q "$image" >/dev/null 2>&1; then
  log "pulled $image"
  echo "$image"; exit 0
fi

# What to build: the Debian release, the packages, the programs, and the upstream version it must be.
name="${image#redis-stack-local/}"
case "$name" in
  redis:8*) release=trixie packages="redis-server redis-tools" programs="redis-server redis-cli redis-benchmark" want=8.0 ;;
  valkey:8*) release=trixie packages="valkey-server valkey-tools" programs="valkey-server valkey-cli valkey-benchmark" want=8.1 ;;
  *) release=host packages="redis-server redis-tools libjemalloc2 liblzf1 libatomic1" programs="redis-server redis-cli redis-benchmark" want=7 ;;
esac
source_name=$([ "$release" = host ] && echo "this machine's release's" || echo "$release's")
if [[ "$image" == redis-stack-local/* ]]; then log "building $image from Debian $source_name packages"
else log "cannot pull $image here; building it from Debian $source_name packages"; fi

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work"
mkdir -p pkg
export DEBIAN_FRONTEND=noninteractive

# The packages of this machine's own release: apt-get download + dpkg-deb -x, the binaries without
# installing a service that would take port 6379. The libraries Debian's redis links that a base system
# may lack come along; ldd finds the rest on this machine, which runs the same release.
host_packages() {
  # shellcheck disable=SC2086 # a list of package names
  if ! apt-get download -qq $packages >/dev/null 2>&1; then
    apt-get update -qq
    apt-get download -qq $packages >/dev/null 2>&1
  fi
  for deb in ./*.deb; do dpkg-deb -x "$deb" pkg; done
}

# Trixie's packages: debootstrap resolves them and every package they depend on (with the minimal base
# system) and only downloads them, into the cache; the list it chose is kept next to them, so that a
# rebuild with every file still there asks nothing of the network. No chroot and no maintainer script
# runs (a postinst could start a redis-server on this machine's port 6379). All of them are unpacked:
# the libraries come from the same release as the binaries, never from this machine.
release_packages() {
  local debs="$cache/$release/debs" list="$cache/$release/packages.list" missing=1
  if [ -f "$list" ]; then
    missing=0
    while read -r deb; do [ -f "$debs/$deb" ] || missing=1; done <"$list"
  fi
  if [ "$missing" = 1 ]; then
    if ! command -v debootstrap >/dev/null 2>&1; then
      log "installing debootstrap (Debian's package)"
      apt-get install -y -qq debootstrap >/dev/null 2>&1 || { apt-get update -qq && apt-get install -y -qq debootstrap >/dev/null; }
    fi
    mkdir -p "$debs"
    log "downloading $release's packages with debootstrap into $debs"
    # Both servers at once: the two trixie images share one download.
    debootstrap --download-only --variant=minbase --include=redis-server,redis-tools,valkey-server,valkey-tools \
      --cache-dir="$debs" "$release" "$work/target" "$mirror" >"$work/debootstrap.log" 2>&1 ||
      { tail -n 20 "$work/debootstrap.log" >&2; exit 1; }
    (cd "$work/target/var/cache/apt/archives" && ls -- *.deb) >"$list.new"
    mv "$list.new" "$list"
  else
    log "$release's packages: from the cache $debs"
  fi
  while read -r deb; do dpkg-deb -x "$debs/$deb" pkg; done <"$list"
}

if [ "$release" = host ]; then host_packages; else release_packages; fi

# pkg/<path> of a file in the unpacked packages, its symlinks followed inside pkg (an absolute target
# means pkg's own file, never this machine's).
resolve_in_pkg() {
  local path="$1" target
  while [ -L "pkg$path" ]; do
    target=$(readlink "pkg$path")
    case "$target" in /*) path="$target" ;; *) path="$(dirname "$path")/$target" ;; esac
  done
  realpath -m "pkg$path"
}

mkdir -p rootfs/usr/local/bin rootfs/data rootfs/tmp rootfs/etc rootfs/bin
# The server is a symlink to its check-rdb program in Debian's packages; each program becomes a real file.
for program in $programs; do cp "$(resolve_in_pkg "/usr/bin/$program")" "rootfs/usr/local/bin/$program"; done
pkg_libs=$(find "$PWD/pkg" -name '*.so*' -printf '%h\n' | sort -u | paste -sd:)
if [ "$release" = host ]; then
  # A POSIX shell at /bin/sh, as the official images have (the health checks are shell lines): Debian's dash.
  cp "$(readlink -f /bin/dash)" rootfs/bin/sh
  cp "$(readlink -f "$(command -v chown)")" rootfs/bin/chown
  list_libraries() { LD_LIBRARY_PATH="$pkg_libs" ldd "$1"; }
  run_program() { LD_LIBRARY_PATH="$pkg_libs" "$@"; }
else
  cp "$(resolve_in_pkg /usr/bin/dash)" rootfs/bin/sh
  cp "$(resolve_in_pkg /usr/bin/chown)" rootfs/bin/chown
  # The release's own loader lists what its binaries link (this machine's ldd would mix in its own glibc).
  loader=$(resolve_in_pkg /usr/lib64/ld-linux-x86-64.so.2)
  list_libraries() { "$loader" --library-path "$pkg_libs" --list "$1"; }
  run_program() { "$loader" --library-path "$pkg_libs" "$@"; }
  # Merged /usr, as the release has it: the loader's path in the binaries is /lib64/ld-linux-x86-64.so.2,
  # a link in usr/lib64 to the loader in usr/lib/x86_64-linux-gnu.
  mkdir -p rootfs/usr
  cp -a pkg/usr/lib64 rootfs/usr/lib64
  ln -s usr/lib64 rootfs/lib64
  ln -s usr/lib rootfs/lib
fi
# Copy every shared library the binaries need, at its path, plus the dynamic loader.
for bin in rootfs/usr/local/bin/* rootfs/bin/sh rootfs/bin/chown; do
  list_libraries "$bin" | awk '/=>/ { print $3; next } /^[ \t]*\// { print $1 }' | while read -r lib; do
    [ -n "$lib" ] && [ -e "$lib" ] || continue
    if [ "$release" != host ] && [[ "$lib" != "$PWD/pkg/"* ]]; then
      log "$bin links $lib, which is not in $release's packages"; exit 1
    fi
    # Libraries from the extracted packages go where Debian would install them.
    dest="${lib#"$PWD/pkg"}"
    mkdir -p "rootfs$(dirname "$dest")"
    cp -L "$lib" "rootfs$dest"
  done
done
echo 'redis:x:999:999::/data:/usr/sbin/nologin' > rootfs/etc/passwd
echo 'root:x:0:0::/root:/bin/false' >> rootfs/etc/passwd
chmod 1777 rootfs/tmp
# The data directory belongs to the user redis-server runs as (the stack runs it as 999:999, not root):
# Docker gives a new volume the ownership of the image's directory it is mounted on.
chown 999:999 rootfs/data
chmod 0750 rootfs/data
server=${programs%% *}
version=$(run_program "rootfs/usr/local/bin/$server" --version | sed -n 's/.*v=\([0-9.]*\).*/\1/p')
case "$version" in
  "$want" | "$want".*) ;;
  *) log "Debian $source_name $server is $version, not $want.x: not tagged $image (redis-stack-local/redis:8 builds Redis 8.0 from trixie's)"; exit 1 ;;
esac
tar -C rootfs -c . | docker import \
  --change 'WORKDIR /data' \
  --change 'VOLUME /data' \
  --change 'EXPOSE 6379' \
  --change "CMD [\"$server\"]" \
  --change "LABEL org.opencontainers.image.version=$version" \
  --change "LABEL redis-stack.shell=dash" \
  --change "LABEL redis-stack.layout=$LAYOUT" \
  - "$image" >/dev/null
log "built $image ($server $version, $(docker image inspect -f '{{.Size}}' "$image" | awk '{printf "%.0f MB", $1/1e6}')) in $((SECONDS - started)) s"
echo "$image"
