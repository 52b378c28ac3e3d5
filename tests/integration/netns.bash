#!/bin/bash
# Runs a command in a network of its own, so that a test can use the
# ports a command line names as printed (2525, 25, 53), and the system's
# resolver is a DNS server of the test's on 127.0.0.1.
# usage: unshare -n -m netns.bash DIR COMMAND ARGS...
#   (loopback brought up; /etc/resolv.conf replaced by "nameserver 127.0.0.1"
#   in this mount namespace only; DIR holds the replacement)
set -euo pipefail
dir=$1
shift
ip link set lo up
printf 'nameserver 127.0.0.1\n' >"$dir/resolv.conf"
mount --bind "$dir/resolv.conf" /etc/resolv.conf
exec "$@"
