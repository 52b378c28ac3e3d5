#!/usr/bin/env bats
# The whole arrangement on loopback: a sender on the internet -> the VPS
# instance -> the home instance (implicit TLS, AUTH, pinned certificate)
# -> the mbox at home; and an authenticated client -> the VPS -> the
# recipient domain's MX found through a DNS server on loopback.

load lib

setup() {
    T="$BATS_TEST_TMPDIR"
    BIN=${OROUBOROS_BIN:-$(dirname "$(command -v orouboros-smtpd)")}
    make_chain_fixtures "$T"
    HOME_PORT=$(free_port) VPS_PORT=$(free_port)
}

teardown() {
    stop_orouboros "$T/vps"
    stop_orouboros "$T/home"
    [ -z "${DNS_PID:-}" ] || { kill "$DNS_PID" 2>/dev/null; wait "$DNS_PID" 2>/dev/null; true; }
    [ -z "${MX_PID:-}" ] || { kill "$MX_PID" 2>/dev/null; wait "$MX_PID" 2>/dev/null; true; }
}

start_home() {
    ORO_WAIT_PORTS=$HOME_PORT start_orouboros "$T/home" --cert "$T/home/server.crt" --key "$T/home/server.key" \
        --port "$HOME_PORT" --delivery-domain home.example --local --mboxdir "$T/home/mail" \
        --user-credentials "$T/home/creds.json" --hostname home.test "$@"
}

start_vps() {
    ORO_WAIT_PORTS=$VPS_PORT start_orouboros "$T/vps" --cert "$T/vps/server.crt" --key "$T/vps/server.key" \
        --port "$VPS_PORT" --ssl-port "$(free_port)" --forward-domain home.example \
        --forward --forward-host 127.0.0.1 --forward-port "$HOME_PORT" --forward-tls implicit \
        --forward-fingerprint "$FP" --forward-user vps --forward-password-file "$T/vps/home-password" \
        --user-credentials "$T/vps/creds.json" --hostname vps.test "$@"
}

send() {  # swaks from an unauthenticated internet sender to the VPS
    swaks --server "127.0.0.1:$VPS_PORT" --tls --from stranger@internet.example --timeout 30 "$@"
}

@test "inbound chain: a sender without credentials -> VPS -> home (implicit TLS, AUTH) -> the mbox at home" {
    start_home
    start_vps
    run send --to alice@home.example --h-Subject "inbound chain"
    [ "$status" -eq 0 ]
    [[ "$output" == *"<~  250 2.0.0"* ]]
    inbox="$T/home/mail/alice/INBOX"
    grep -q '^Subject: inbound chain' "$inbox"
    grep -q '^From stranger@internet.example ' "$inbox"
    # the VPS's Received header tells home who really sent it, and over what
    grep -Eq 'by vps.test \(Orouboros\) with ESMTPS' "$inbox"
    grep -q '(\[127.0.0.1\])' "$inbox"
    # the home instance saw an authenticated submission over TLS from the VPS
    grep -Eq 'by home.test \(Orouboros\) with ESMTPSA' "$inbox"
    [ -z "$(ls -A "$T/vps/mail")" ]
    ! grep -rq s3cret-home-pw "$T/vps/orouboros.log" "$T/home/orouboros.log"
}

@test "inbound chain: home down -> the sender gets 4xx and nothing is stored anywhere" {
    start_vps
    run send --to alice@home.example
    [ "$status" -ne 0 ]
    [[ "$output" == *"451 4.4.1"* ]]
    [ -z "$(ls -A "$T/home/mail")" ] && [ -z "$(ls -A "$T/vps/mail")" ]
}

@test "inbound chain: home answering 4xx at DATA -> the sender gets 451, nothing stored" {
    printf 'not a directory\n' >"$T/home/mail/alice"   # home cannot store for alice
    start_home
    start_vps
    run send --to alice@home.example
    [ "$status" -ne 0 ]
    [[ "$output" == *"<~* 451 "* ]]
    [ "$(cat "$T/home/mail/alice")" = "not a directory" ]
    [ -z "$(ls -A "$T/vps/mail")" ]
}

@test "inbound chain: a recipient home refuses is refused at RCPT on the VPS, the others are delivered" {
    start_home
    start_vps
    run "$PY" - "$VPS_PORT" <<'PY'
import smtplib, sys
with smtplib.SMTP("127.0.0.1", int(sys.argv[1]), timeout=30) as s:
    s.ehlo("internet.example")
    print(s.mail("stranger@internet.example")[0])
    print(s.rcpt("../evil@home.example"))
    print(s.rcpt("bob@home.example")[0])
    print(s.data(b"Subject: partly refused\r\n\r\nhello\r\n")[0])
PY
    [ "$status" -eq 0 ]
    [ "${lines[0]}" = 250 ]
    [[ "${lines[1]}" == "(550, b'5.1.3 "* ]]
    [ "${lines[2]}" = 250 ]
    [ "${lines[3]}" = 250 ]
    grep -q '^Subject: partly refused' "$T/home/mail/bob/INBOX"
    [ ! -e "$T/home/evil" ] && [ ! -e "$T/home/mail/evil" ]
}

@test "inbound chain: mixed routes in one transaction get 452 4.5.3, and the client's retry delivers them" {
    start_home
    start_vps --delivery-domain vps.example --local --mboxdir "$T/vps/mail"
    run "$PY" - "$VPS_PORT" <<'PY'
import smtplib, sys
msg = b"Subject: two routes\r\n\r\nhello\r\n"
with smtplib.SMTP("127.0.0.1", int(sys.argv[1]), timeout=30) as s:
    refused = s.sendmail("stranger@internet.example", ["carol@vps.example", "dave@home.example"], msg)
    print(refused)
    # what a sending MTA does with 452: send those recipients again, in a new transaction
    print(s.sendmail("stranger@internet.example", list(refused), msg))
PY
    [ "$status" -eq 0 ]
    [[ "${lines[0]}" == "{'dave@home.example': (452, b'4.5.3 "* ]]
    [ "${lines[1]}" = "{}" ]
    grep -q '^Subject: two routes' "$T/vps/mail/carol/INBOX"
    grep -q '^Subject: two routes' "$T/home/mail/dave/INBOX"
}

@test "inbound chain: a wrong certificate fingerprint for home -> 4xx, nothing stored" {
    start_home
    FP=$(printf '%064d' 0)
    start_vps
    run send --to alice@home.example
    [ "$status" -ne 0 ]
    [[ "$output" == *"<~* 4"* ]]
    [ -z "$(ls -A "$T/home/mail")" ]
}

start_dns() {  # dnsmasq on loopback answering for the test's domains
    DNS_PORT=$(free_port)
    dnsmasq --no-daemon --port="$DNS_PORT" --listen-address=127.0.0.1 --bind-interfaces --no-resolv --no-hosts \
        --mx-host=dest.example,mx.dest.example,10 --host-record=mx.dest.example,127.0.0.1 \
        --log-facility=- 2>"$T/dnsmasq.log" &
    DNS_PID=$!
    for ((i = 0; i < 100; i++)); do
        "$PY" -c 'import socket,sys; s=socket.socket(socket.AF_INET,socket.SOCK_DGRAM); s.settimeout(0.2); s.sendto(bytes.fromhex("1234010000010000000000000364657307657861"+"6d706c6500000f0001"),("127.0.0.1",int(sys.argv[1]))); s.recv(512)' "$DNS_PORT" 2>/dev/null && return 0
        sleep 0.05
    done
    return 1
}

start_mx() {  # the receiving server for dest.example: an orouboros-smtpd per connection
    MX_PORT=$(free_port)
    mkdir -p "$T/dest"
    systemd-socket-activate --accept -l "127.0.0.1:$MX_PORT" "$BIN/orouboros-smtpd" --hostname mx.dest.example \
        --tls starttls --cert "$T/home/server.crt" --key "$T/home/server.key" --delivery-domain dest.example \
        --deliver "exec:$BIN/orouboros-mbox-deliver --lmtp --mboxdir $T/dest" --log "$T/mx.log" 2>/dev/null &
    MX_PID=$!
    wait_port "$MX_PORT"
}

@test "outbound chain: an authenticated client -> VPS -> the MX from DNS -> delivered with the sender's envelope" {
    start_dns
    start_mx
    VPS_SUB=$(free_port)
    # the client sends as its home domain, which this VPS does not serve
    orouboros-mkcreds --file "$T/vps/creds.json" senders asdf add home.example
    systemd-socket-activate --accept -l "127.0.0.1:$VPS_SUB" "$BIN/orouboros-smtpd" --hostname vps.test \
        --tls implicit --cert "$T/vps/server.crt" --key "$T/vps/server.key" --require-auth \
        --auth "exec:$BIN/orouboros-authcheck --credentials $T/vps/creds.json --fail-delay 0" \
        --relay "exec:$BIN/orouboros-forward --lmtp --mx --resolver 127.0.0.1@$DNS_PORT --mx-port $MX_PORT --helo vps.test" \
        --log "$T/vps.log" 2>/dev/null &
    VPS_PID=$!
    wait_port "$VPS_SUB"
    run swaks --server "127.0.0.1:$VPS_SUB" --tls-on-connect --auth PLAIN --auth-user asdf --auth-password asdf \
        --from me@home.example --to friend@dest.example --h-Subject "outbound chain" --timeout 30
    kill "$VPS_PID"; wait "$VPS_PID" 2>/dev/null || true
    [ "$status" -eq 0 ]
    grep -q '^From me@home.example ' "$T/dest/friend/INBOX"
    grep -q '^Subject: outbound chain' "$T/dest/friend/INBOX"
    # privacy: the submitting client's name and address are not in the VPS's header
    grep -q '^Received: by vps.test (Orouboros) with ESMTPSA' "$T/dest/friend/INBOX"
    # the MX saw the VPS arrive over STARTTLS
    grep -Eq 'by mx.dest.example \(Orouboros\) with ESMTPS' "$T/dest/friend/INBOX"
}

@test "outbound chain: an unauthenticated client asking for the same is refused with 554 5.7.1" {
    start_home
    start_vps --relay-mx
    run send --to friend@dest.example
    [ "$status" -ne 0 ]
    [[ "$output" == *"<~* 554 5.7.1 relay denied"* ]]
}

@test "inbound chain: home answering 5xx -> the sender gets 5xx, nothing stored" {
    start_home --max-message-size 2000
    start_vps
    body=$(head -c 6000 /dev/zero | tr '\0' 'x' | fold -w 70)
    run send --to alice@home.example --body "$body"
    [ "$status" -ne 0 ]
    [[ "$output" == *"<~* 55"?" 5.3.4"* ]]
    [ -z "$(ls -A "$T/home/mail")" ] && [ -z "$(ls -A "$T/vps/mail")" ]
}
