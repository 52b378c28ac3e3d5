#!/bin/sh
# Makes a self-signed certificate for testing: make-cert.sh DIR [CN]
# writes DIR/server.crt and DIR/server.key (mode 0600).
set -eu
dir=$1 cn=${2:-localhost}
mkdir -p "$dir"
umask 077
openssl req -new -newkey rsa:2048 -days 365 -nodes -x509 \
    -keyout "$dir/server.key" -out "$dir/server.crt" \
    -subj "/CN=$cn/OU=testing" -addext "subjectAltName=DNS:$cn,IP:127.0.0.1" 2>/dev/null
