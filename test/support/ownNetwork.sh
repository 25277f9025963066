#!/bin/sh
# Runs a command in a network namespace of its own with only loopback up: it sees no listening socket of this host
# (/proc/net/tcp is per namespace), as on a machine whose ports are all free, and still reaches the local Docker
# engine through its unix socket. Root makes the namespace directly; anyone else through a user namespace.
set -eu
if [ "$(id -u)" = 0 ]; then isolate="unshare --net"; else isolate="unshare --user --map-root-user --net"; fi
exec $isolate -- sh -c 'ip link set lo up && exec "$@"' sh "$@"
