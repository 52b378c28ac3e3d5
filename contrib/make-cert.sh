#!/bin/sh
# Makes a self-signed certificate for testing: make-cert.sh DIR [CN [ec|rsa]]
# writes DIR/server.crt and DIR/server.key (mode 0600): an ECDSA P-256 key
# by default (the cheapest handshake), RSA 2048 when asked.
set -eu
dir=$1 cn=${2:-localhost} kind=${3:-ec}
case $kind in
ec) newkey="-newkey ec -pkeyopt ec_paramgen_curve:P-256" ;;
rsa) newkey="-newkey rsa:2048" ;;
*) echo "make-cert.sh: the key is ec or rsa, not $kind" >&2; exit 64 ;;
esac
mkdir -p "$dir"
umask 077
# shellcheck disable=SC2086 # $newkey is two or three words
openssl req -new $newkey -days 365 -nodes -x509 \
    -keyout "$dir/server.key" -out "$dir/server.crt" \
    -subj "/CN=$cn/OU=testing" -addext "subjectAltName=DNS:$cn,IP:127.0.0.1" 2>/dev/null
