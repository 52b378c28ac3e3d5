#!/usr/bin/env bats
# The one configuration file: /etc/orouboros/orouboros.conf is read by
# every program when no --config is given.  Each test runs the programs in
# a private mount namespace whose /etc is an overlay holding the test's
# file, so the machine's /etc is never touched.

load ../integration/lib

setup() {
    [ "$(id -u)" -eq 0 ] || skip "overlays /etc in a mount namespace: needs root"
    T="$BATS_TEST_TMPDIR"
    mkdir -p "$T/etc/orouboros" "$T/etc-work" "$T/mail"
    printf '%s\n' "$CREDS_ASDF" >"$T/creds.json"
    cat >"$T/etc/orouboros/orouboros.conf" <<EOF
log-level = WARNING
[smtpd]
hostname = from-the-file.test
require-auth = yes
[mbox-deliver]
mboxdir = $T/mail
[authcheck]
credentials = $T/creds.json
fail-delay = 0
[mkcreds]
file = $T/creds.json
[forward]
host = 127.0.0.1
helo = forward-section.test
[relay]
mx = yes
helo = relay-section.test
[orouboros]
hostname = listener-section.test
EOF
}

teardown() {
    [ -z "${T:-}" ] || stop_orouboros "$T"
}

# Runs "$@" with the test's /etc/orouboros/orouboros.conf: unshare and sh
# exec into it, so a background with_etc's pid is the program's.
with_etc() {
    exec unshare -m sh -c 'mount -t overlay overlay -o "lowerdir=/etc,upperdir=$1/etc,workdir=$1/etc-work" /etc &&
        shift && exec "$@"' sh "$T" "$@"
}

@test "config: with no --config, smtpd, mbox-deliver, authcheck and mkcreds read their sections of /etc/orouboros/orouboros.conf" {
    run with_etc orouboros-smtpd <<<$'QUIT\r'
    [[ "${lines[0]}" == "220 from-the-file.test ESMTP"* ]]
    run with_etc orouboros-mbox-deliver -f a@x.example hal@h.example <<<"Subject: default file"
    [ "$status" -eq 0 ]
    grep -q '^Subject: default file' "$T/mail/hal/INBOX"
    run with_etc orouboros-mkcreds list
    [ "$status" -eq 0 ]
    [ "$output" = asdf ]
    run with_etc sh -c 'printf "asdf\0asdf\0x\0" | orouboros-authcheck --checkpassword 3<&0'
    [ "$status" -eq 0 ]
}

@test "config: --config /dev/null reads no file, and the command line wins over the file" {
    run with_etc orouboros-smtpd --config /dev/null --hostname x.test <<<$'QUIT\r'
    [[ "$output" == *"220 x.test ESMTP"* ]]
    run with_etc orouboros-smtpd --hostname cli.test <<<$'QUIT\r'
    [[ "$output" == *"220 cli.test ESMTP"* ]]
}

@test "config: orouboros-forward reads [forward], or another section with --section" {
    run with_etc orouboros-forward --lmtp <<<$'QUIT\r'
    [[ "${lines[0]}" == "220 forward-section.test LMTP"* ]]
    run with_etc orouboros-forward --lmtp --section relay <<<$'QUIT\r'
    [[ "${lines[0]}" == "220 relay-section.test LMTP"* ]]
}

@test "config: the listener reads [orouboros]; its sessions read no file" {
    PORT=$(free_port)
    ORO_LAUNCH=with_etc ORO_WAIT_PORTS=$PORT start_orouboros "$T" --port "$PORT" --mboxdir "$T/mail"
    run "$PY" - "$PORT" <<'PY'
import smtplib, sys
s = smtplib.SMTP("127.0.0.1", int(sys.argv[1]), timeout=10)
print(s.ehlo()[1].decode().splitlines()[0])
print(s.mail("a@x.example")[0])   # [smtpd]'s require-auth would make it 530
s.quit()
PY
    stop_orouboros "$T"
    [ "${lines[0]}" = listener-section.test ]
    [ "${lines[1]}" = 250 ]
}
