#!/usr/bin/env bats
# orouboros --check-config: the configuration read as the listener reads
# it, every problem told at once, the route of each domain, and a probe of
# the sessions for an open relay; the listener runs the same checks before
# it binds a port.

load ../integration/lib

setup() {
    T="$BATS_TEST_TMPDIR"
    printf '%s\n' "$CREDS_ASDF" >"$T/creds.json"
    # as root, one user: the users of "Started as root" are another test's
    cat >"$T/o.conf" <<EOF
[orouboros]
single-user = yes
delivery-domain = vps.example.org
forward-domain = example.org
local = yes
mboxdir = $T/mail
forward = yes
forward-host = home.example.org
forward-port = 2525
forward-tls = starttls
user-credentials = $T/creds.json
EOF
}

teardown() {
    stop_orouboros "$T"
    local u
    for u in ${PARTS[@]+"${PARTS[@]}"}; do userdel "$u" 2>/dev/null || true; done
    [ -z "${W:-}" ] || rm -rf "$W"
}

# Whether something listens on 127.0.0.1:$1.
listening() {
    "$PY" - "$1" <<'PY'
import socket, sys
s = socket.socket()
s.settimeout(2)
sys.exit(0 if s.connect_ex(("127.0.0.1", int(sys.argv[1]))) == 0 else 1)
PY
}

@test "check-config: a good configuration prints each domain's route, passes the relay probe and exits 0" {
    run orouboros --check-config --config "$T/o.conf"
    [ "$status" -eq 0 ]
    [[ "$output" == *"route vps.example.org: local: mbox $T/mail/<local part>/INBOX"* ]]
    [[ "$output" == *"route example.org: forward to home.example.org:2525, tls starttls, certificate checked against the system's CAs"* ]]
    [[ "$output" == *"route any other domain: authenticated clients only, relay to the domain's MX hosts"*"anyone else: 554 5.7.1 relay denied"* ]]
    [ "${lines[-1]}" = "configuration OK" ]
    [[ "$output" != *problem* ]]
    [ ! -e "$T/mail" ]  # a check makes nothing
}

@test "check-config: every problem is told at once, and the status is EX_CONFIG" {
    cat >>"$T/o.conf" <<EOF
forward-fingerprint = 12:34
cert = $T/no-such.crt
key = $T/creds.json
sender-blocklist = $T/no-such-list
EOF
    run orouboros --check-config --config "$T/o.conf" --relay-host smart.example --relay-tls none --relay-ca "$T/creds.json"
    [ "$status" -eq 78 ]
    [[ "$output" == *"problem: --forward-fingerprint must be a SHA-256 digest"* ]]
    [[ "$output" == *"problem: --relay-ca and --relay-fingerprint need --relay-tls implicit or starttls"* ]]
    [[ "$output" == *"problem: "*"no-such.crt"* ]]
    [[ "$output" == *"problem: cannot read $T/no-such-list"* ]]
    [ "${lines[-1]}" = "configuration NOT OK" ]
}

@test "check-config: an unknown key of the file is a problem naming file, line and section" {
    printf 'hostnam = x\n' >>"$T/o.conf"
    run orouboros --check-config --config "$T/o.conf"
    [ "$status" -eq 78 ]
    [[ "$output" == *"problem: $T/o.conf:12: [orouboros] unknown key 'hostnam'"* ]]
}

@test "check-config: a stage's options are read by the stage's own parser: what it would refuse is a problem" {
    run orouboros --check-config --config "$T/o.conf" --forward-port 99999999
    [ "$status" -eq 78 ]
    [[ "$output" == *"problem: the forward stage would refuse its options: "*"port"* ]]
}

@test "check-config: a domain routed nowhere is a problem, and the listener refuses it without binding" {
    run orouboros --check-config --config /dev/null --single-user --delivery-domain lost.example
    [ "$status" -eq 78 ]
    [[ "$output" == *"problem: "*"lost.example"* ]]
    PORT=$(free_port)
    run orouboros --config /dev/null --single-user --delivery-domain lost.example --port "$PORT"
    [ "$status" -eq 78 ]
    ! listening "$PORT"
}

# A stand-in orouboros-smtpd that takes every recipient: an open relay.
open_relay_libexec() {
    mkdir -p "$T/libexec"
    for p in orouboros-authcheck orouboros-mbox-deliver orouboros-forward; do ln -s "$OROUBOROS_BIN/$p" "$T/libexec/$p"; done
    cat >"$T/libexec/orouboros-smtpd" <<'SH'
#!/bin/bash
printf '220 open ESMTP\r\n'
while IFS= read -r line; do
    case "$line" in
    QUIT*) printf '221 bye\r\n'; exit 0 ;;
    *) printf '250 ok\r\n' ;;
    esac
done
SH
    chmod +x "$T/libexec/orouboros-smtpd"
}

@test "check-config: the relay probe finds a session that takes a foreign recipient without AUTH, and the listener does not start with it" {
    open_relay_libexec
    run orouboros --check-config --config "$T/o.conf" --libexec "$T/libexec"
    [ "$status" -eq 78 ]
    [[ "$output" == *"problem: relay probe: RCPT TO:<probe@relay-probe.invalid> without AUTH: 250 ok (want a refusal, 554 5.7.1)"* ]]
    [[ "$output" == *"problem: relay probe: RCPT TO:<@relay-probe.invalid:probe@relay-probe.invalid> without AUTH: 250 ok"* ]]
    PORT=$(free_port)
    run orouboros --config "$T/o.conf" --libexec "$T/libexec" --port "$PORT"
    [ "$status" -eq 78 ]
    [[ "$output" == *"orouboros: fatal: relay probe: RCPT TO:<probe@relay-probe.invalid>"* ]]
    ! listening "$PORT"
}

@test "check-config: the example of orouboros(8) checks a configuration and exits 0" {
    script=$(man_example orouboros.8 "Check the configuration before starting")
    [[ "$script" == *"orouboros --check-config"* ]]
    run bash -c "${script//\/etc\/orouboros\/orouboros.conf/$T/o.conf}"
    [ "$status" -eq 0 ]
    [ "${lines[-1]}" = "configuration OK" ]
}

@test "check-config: started as root, each file that a part's user cannot read is a problem naming the user" {
    [ "$(id -u)" -eq 0 ] || skip "makes users"
    local n=$((RANDOM % 10000)) u
    PARTS=("orok${n}s" "orok${n}a" "orok${n}m" "orok${n}f")
    for u in "${PARTS[@]}"; do useradd --system --no-create-home --home-dir / --shell /usr/sbin/nologin "$u"; done
    W=$(mktemp -d /tmp/orouboros-check.XXXXXX)  # not under bats's directories, which only root may enter
    chmod 755 "$W"
    printf '%s\n' "$CREDS_ASDF" >"$W/creds.json"
    printf 'secret\n' >"$W/home-password"
    chmod 600 "$W/creds.json" "$W/home-password"
    check() {
        orouboros --check-config --config /dev/null --delivery-domain d.example --local --mboxdir "$W/mail" \
            --user-credentials "$W/creds.json" --forward --forward-domain f.example --forward-host h.example \
            --forward-user vps --forward-password-file "$W/home-password" --socket-dir "$W/run" \
            --smtpd-user "${PARTS[0]}" --authcheck-user "${PARTS[1]}" --deliver-user "${PARTS[2]}" --forwarder-user "${PARTS[3]}"
    }
    run check
    [ "$status" -eq 78 ]
    [[ "$output" == *"problem: orouboros-authcheck runs as ${PARTS[1]}, who cannot read $W/creds.json"* ]]
    [[ "$output" == *"problem: orouboros-forward runs as ${PARTS[3]}, who cannot read $W/home-password"* ]]
    chgrp "${PARTS[1]}" "$W/creds.json" && chmod 640 "$W/creds.json"
    chgrp "${PARTS[3]}" "$W/home-password" && chmod 640 "$W/home-password"
    run check
    [ "$status" -eq 0 ]
    [ "${lines[-1]}" = "configuration OK" ]
}
