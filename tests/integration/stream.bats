#!/usr/bin/env bats
# A message in motion: no process of the chain holds a whole message (the
# peak RSS of each session is the same for 1 KB and 20 MB), a message that
# turns out bad is abandoned at the next hop and nothing of it is stored,
# and a mail loop between two instances ends with 554 5.4.6.

load lib

setup() {
    T="$BATS_TEST_TMPDIR"
    mkdir -p "$T/vps" "$T/home" "$T/vps/mail" "$T/home/mail"
    make_fixtures "$T/vps"
    make_fixtures "$T/home"
    VPS_PORT=$(free_port) HOME_PORT=$(free_port)
}

teardown() {
    stop_orouboros "$T/vps"
    stop_orouboros "$T/home"
}

# The peak RSS (kB) of each kind of session, by process name, while a
# message of $2 bytes is taken on port $1 (listener pids follow).
peaks() {  # port size rcpt pid...
    "$PY" "$BATS_TEST_DIRNAME/session_rss.py" "$@" | "$PY" -c '
import sys
peak = {}
lines = sys.stdin.read().split("\n")
assert "accepted" in lines, lines
for line in lines:
    if " " in line:
        name, kb = line.rsplit(" ", 1)
        peak[name] = max(peak.get(name, 0), int(kb))
for name in sorted(peak):
    print(name, peak[name])'
}

# Fails unless every session kind in $2 peaked within $3 kB of its peak in $1.
same_peaks() {  # small big slack_kb
    "$PY" - "$1" "$2" "$3" <<'PY'
import sys
small = dict(l.split() for l in sys.argv[1].splitlines())
big = dict(l.split() for l in sys.argv[2].splitlines())
assert small.keys() == big.keys() and small, (small, big)
for name in small:
    grown = int(big[name]) - int(small[name])
    print(f"{name}: {small[name]} kB for 1 KB, {big[name]} kB for 20 MB, {grown:+d} kB")
    assert grown <= int(sys.argv[3]), name
PY
}

# Through the VPS listener: a 1 KB and a 20 MB message, then the peaks of
# smtpd's sessions and those of the stage named $1 compared (2 MB slack).
flat_sessions() {  # stage-process-name
    local pid small big
    pid=$(cat "$T/vps/orouboros.pid")
    small=$(peaks "$VPS_PORT" 1024 bob@example.com "$pid")
    big=$(peaks "$VPS_PORT" 20000000 bob@example.com "$pid")
    echo "$small" | grep -q '^orouboros-smtpd ' || return 1
    echo "$small" | grep -q "^$1" || return 1
    same_peaks "$small" "$big" 2048
}

@test "stream: the sessions of smtpd and mbox-deliver peak the same for a 1 KB and a 20 MB message" {
    [ -z "${ASAN_OPTIONS:-}" ] || skip "AddressSanitizer's quarantine makes RSS grow with every allocation"
    ORO_WAIT_PORTS=$VPS_PORT start_orouboros "$T/vps" --port "$VPS_PORT" --delivery-domain example.com --local \
        --mboxdir "$T/vps/mail" --max-message-size 40000000 --hostname vps.test
    run flat_sessions orouboros-mbox-
    echo "$output"
    [ "$status" -eq 0 ]
    [ "$(grep -c '^Subject: size' "$T/vps/mail/bob/INBOX")" -eq 2 ]
    [ "$(stat -c %s "$T/vps/mail/bob/INBOX")" -gt 19000000 ]
}

@test "stream: on the way home, the VPS's smtpd and forward sessions peak the same for 1 KB and 20 MB" {
    [ -z "${ASAN_OPTIONS:-}" ] || skip "AddressSanitizer's quarantine makes RSS grow with every allocation"
    FP=$(openssl x509 -in "$T/home/server.crt" -noout -fingerprint -sha256 | cut -d= -f2)
    ORO_WAIT_PORTS=$HOME_PORT start_orouboros "$T/home" --cert "$T/home/server.crt" --key "$T/home/server.key" \
        --port "$HOME_PORT" --delivery-domain example.com --local --mboxdir "$T/home/mail" \
        --max-message-size 40000000 --hostname home.test
    ORO_WAIT_PORTS=$VPS_PORT start_orouboros "$T/vps" --port "$VPS_PORT" --forward-domain example.com --forward \
        --forward-host 127.0.0.1 --forward-port "$HOME_PORT" --forward-tls implicit --forward-fingerprint "$FP" \
        --max-message-size 40000000 --hostname vps.test
    run flat_sessions orouboros-forwa
    echo "$output"
    [ "$status" -eq 0 ]
    [ "$(grep -c '^Subject: size' "$T/home/mail/bob/INBOX")" -eq 2 ]
}

@test "stream: a mail loop between two instances ends with 554 5.4.6 at RCPT and nothing is stored anywhere" {
    # the VPS forwards example.com home; home's route for it points back at the VPS
    ORO_WAIT_PORTS=$HOME_PORT start_orouboros "$T/home" --port "$HOME_PORT" --forward-domain example.com --forward \
        --forward-host 127.0.0.1 --forward-port "$VPS_PORT" --forward-tls none --hostname home.test
    ORO_WAIT_PORTS=$VPS_PORT start_orouboros "$T/vps" --port "$VPS_PORT" --forward-domain example.com --forward \
        --forward-host 127.0.0.1 --forward-port "$HOME_PORT" --forward-tls none --hostname vps.test
    run swaks --server "127.0.0.1:$VPS_PORT" --from a@internet.example --to bob@example.com --timeout 60
    echo "$output"
    [ "$status" -ne 0 ]
    [[ "$output" == *"<** 554 5.4.6"* ]]
    [ -z "$(ls -A "$T/vps/mail")" ] && [ -z "$(ls -A "$T/home/mail")" ]
    # the VPS, reached again with its own id in the trail, ended it at MAIL
    grep -q 'event=mail .*result=loop' "$T/vps/orouboros.log"
}

@test "stream: a message carrying 50 Received: headers (51 with ours) gets 554 5.4.6; 49 pass" {
    ORO_WAIT_PORTS=$VPS_PORT start_orouboros "$T/vps" --port "$VPS_PORT" --delivery-domain example.com --local \
        --mboxdir "$T/vps/mail" --hostname vps.test
    hops() { for i in $(seq 1 "$1"); do printf -- '--add-header\nReceived: from hop%d by relay%d; Sun, 6 Dec 2026 09:00:00 +0000\n' "$i" "$i"; done; }
    mapfile -t fifty < <(hops 50)
    run swaks --server "127.0.0.1:$VPS_PORT" --from a@internet.example --to bob@example.com "${fifty[@]}"
    [ "$status" -ne 0 ]
    [[ "$output" == *"<** 554 5.4.6"* ]]
    [ ! -e "$T/vps/mail/bob/INBOX" ]
    mapfile -t fortynine < <(hops 49)
    run swaks --server "127.0.0.1:$VPS_PORT" --from a@internet.example --to bob@example.com "${fortynine[@]}"
    [ "$status" -eq 0 ]
    [ "$(grep -c '^Received: ' "$T/vps/mail/bob/INBOX")" -eq 50 ]
}

@test "stream: a header section over --max-header-size gets 552 5.3.4 and nothing is stored" {
    ORO_WAIT_PORTS=$VPS_PORT start_orouboros "$T/vps" --port "$VPS_PORT" --delivery-domain example.com --local \
        --mboxdir "$T/vps/mail" --max-header-size 4096 --hostname vps.test
    headers=()
    for i in $(seq 1 80); do headers+=(--add-header "X-Filler-$i: $(printf '%060d' 0)"); done
    run swaks --server "127.0.0.1:$VPS_PORT" --from a@internet.example --to bob@example.com "${headers[@]}"
    [ "$status" -ne 0 ]
    [[ "$output" == *"<** 552 5.3.4"* ]]
    [ ! -e "$T/vps/mail/bob/INBOX" ]
    run swaks --server "127.0.0.1:$VPS_PORT" --from a@internet.example --to bob@example.com --h-Subject small
    [ "$status" -eq 0 ]
    grep -q '^Subject: small' "$T/vps/mail/bob/INBOX"
}

@test "stream: a client that hangs up in the middle of DATA on the way home leaves nothing at home" {
    ORO_WAIT_PORTS=$HOME_PORT start_orouboros "$T/home" --port "$HOME_PORT" --delivery-domain example.com --local \
        --mboxdir "$T/home/mail" --hostname home.test
    ORO_WAIT_PORTS=$VPS_PORT start_orouboros "$T/vps" --port "$VPS_PORT" --forward-domain example.com --forward \
        --forward-host 127.0.0.1 --forward-port "$HOME_PORT" --forward-tls none --hostname vps.test
    run "$PY" - "$VPS_PORT" <<'PY'
import socket, sys, time
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])), timeout=10)
f = s.makefile("rb")
def reply():
    while True:
        line = f.readline()
        if line[3:4] != b"-":
            return line
assert reply().startswith(b"220")
for cmd in [b"EHLO x", b"MAIL FROM:<a@internet.example>", b"RCPT TO:<bob@example.com>", b"DATA"]:
    s.sendall(cmd + b"\r\n")
    r = reply()
    assert r[:1] in b"23", r
s.sendall(b"Subject: half\r\n\r\n" + b"y" * 76 * 2000 + b"\r\nand then")
time.sleep(0.5)
s.close()
PY
    [ "$status" -eq 0 ]
    # the VPS's forward stage gave up the upstream transaction: home never stores it
    run swaks --server "127.0.0.1:$VPS_PORT" --from a@internet.example --to bob@example.com --h-Subject whole
    [ "$status" -eq 0 ]
    [ "$(grep -c '^Subject: ' "$T/home/mail/bob/INBOX")" -eq 1 ]
    grep -q '^Subject: whole' "$T/home/mail/bob/INBOX"
}
