#!/bin/sh
# Installs the Debian packages Orouboros needs, when missing.
# usage: contrib/install-deps.sh [--demo | --test]
#   --demo  what builds the programs and runs make demo (a compiler, the
#           libraries, openssl for its certificate, swaks to send it mail)
#   --test  that, and the tools of make check, make check-asan and make
#           bench (the default)
set -eu
case "${1:---test}" in
--demo) what=demo ;;
--test) what=test ;;
*) echo "usage: contrib/install-deps.sh [--demo | --test]" >&2; exit 64 ;;
esac
# Building: the compiler and the libraries the programs link.
PACKAGES="g++ make pkg-config libssl-dev libboost-program-options-dev nlohmann-json3-dev libunbound-dev"
PACKAGES="$PACKAGES libseccomp-dev"  # orouboros-smtpd: the sessions' system call allow-list
PACKAGES="$PACKAGES libopendkim-dev"  # orouboros-dkim-sign: DKIM signatures; orouboros-verify: DKIM verdicts
PACKAGES="$PACKAGES libspf2-dev libopendmarc-dev publicsuffix"  # orouboros-verify: SPF, DMARC
PACKAGES="$PACKAGES libcurl4-openssl-dev"  # orouboros-forward: MTA-STS policies over HTTPS
# The demo: its self-signed certificate, and a client to send it mail.
PACKAGES="$PACKAGES openssl swaks libio-socket-ssl-perl libauthen-sasl-perl"
if [ "$what" = test ]; then
    PACKAGES="$PACKAGES libgtest-dev bats mandoc python3 procps man-db systemd"
    PACKAGES="$PACKAGES clang-format"  # the C++ layout (.clang-format), checked by make check
    PACKAGES="$PACKAGES clang libclang-rt-14-dev strace"  # hardening: fuzzers, sanitizers, crash tests (postfix: make bench)
    PACKAGES="$PACKAGES dnsmasq"  # a DNS server for orouboros-forward's tests
    PACKAGES="$PACKAGES nsd ldnsutils"  # a DNSSEC-signed zone and its server, for the tests of --dnssec-anchor
    PACKAGES="$PACKAGES postfix libsasl2-modules"  # Postfix integration tests
    PACKAGES="$PACKAGES opendkim-tools python3-dkim"  # DKIM keys as opendkim-genkey makes them, and a verifier
    PACKAGES="$PACKAGES python3-authres"  # orouboros-verify's tests read its verdicts with it
    PACKAGES="$PACKAGES fail2ban"  # contrib/fail2ban's filter, run by fail2ban-regex on the programs' own log
    PACKAGES="$PACKAGES logrotate"  # contrib/logrotate, run on the listener's log file
fi
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
if [ "$what" = test ]; then
    echo 'postfix postfix/main_mailer_type select No configuration' | debconf-set-selections  # no system Postfix
fi
apt-get update -q >/dev/null
# shellcheck disable=SC2086
apt-get install -y -q --no-install-recommends $missing >/dev/null
