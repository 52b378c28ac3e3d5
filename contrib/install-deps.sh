#!/bin/sh
# Installs the Debian packages Orouboros builds and tests with, when missing.
set -eu
PACKAGES="g++ make pkg-config libssl-dev libsystemd-dev libboost-program-options-dev
nlohmann-json3-dev libgtest-dev bats openssl swaks mandoc
libio-socket-ssl-perl libauthen-sasl-perl python3 procps man-db systemd"
PACKAGES="$PACKAGES clang-format"  # the C++ layout (.clang-format), checked by make check
PACKAGES="$PACKAGES clang libclang-rt-14-dev strace"  # hardening: fuzzers, sanitizers, crash tests (postfix: make bench)
PACKAGES="$PACKAGES libunbound-dev dnsmasq"  # orouboros-forward: DNS (and a DNS server for its tests)
PACKAGES="$PACKAGES libseccomp-dev"  # orouboros-smtpd: the sessions' system call allow-list
PACKAGES="$PACKAGES nsd ldnsutils"  # a DNSSEC-signed zone and its server, for the tests of --dnssec-anchor
PACKAGES="$PACKAGES postfix libsasl2-modules"  # Postfix integration tests
missing=""
for p in $PACKAGES; do
    dpkg-query -W -f='${Status}\n' "$p" 2>/dev/null | grep -q 'install ok installed' ||
        missing="$missing $p"
done
[ -z "$missing" ] && exit 0
if [ "$(id -u)" -ne 0 ]; then
    echo "install-deps: missing packages:$missing (run as root to install)" >&2
    exit 1
fi
echo "install-deps: installing$missing" >&2
export DEBIAN_FRONTEND=noninteractive
echo 'postfix postfix/main_mailer_type select No configuration' | debconf-set-selections  # no system Postfix
apt-get update -q >/dev/null
# shellcheck disable=SC2086
apt-get install -y -q --no-install-recommends $missing >/dev/null
