#!/usr/bin/env bats
# The next hop stays private: a client that has not authenticated hears a
# code, an enhanced code and a fixed text; never the home server's address,
# port, certificate or its own words.  The owner (authenticated) hears the
# detail, and the log always has it.  Home is on 127.0.0.2, the VPS on
# 127.0.0.1, so that home's address shows if it leaks.

load lib

setup() {
    T="$BATS_TEST_TMPDIR"
    make_chain_fixtures "$T"
    HOME_PORT=$(free_port) VPS_PORT=$(free_port)
}

teardown() {
    stop_orouboros "$T/vps"
    stop_orouboros "$T/home"
}

start_home() {
    start_orouboros "$T/home" --host 127.0.0.2 --cert "$T/home/server.crt" --key "$T/home/server.key" \
        --port "$HOME_PORT" --delivery-domain home.example --local --mboxdir "$T/home/mail" \
        --user-credentials "$T/home/creds.json" --hostname home.test
    local i
    for ((i = 0; i < 200; i++)); do
        "$PY" -c 'import socket,sys; socket.create_connection(("127.0.0.2",int(sys.argv[1])),0.2).close()' \
            "$HOME_PORT" 2>/dev/null && return 0
        sleep 0.05
    done
    return 1
}

start_vps() {  # the VPS, home pinned by $PIN
    ORO_WAIT_PORTS=$VPS_PORT start_orouboros "$T/vps" --cert "$T/vps/server.crt" --key "$T/vps/server.key" \
        --port "$VPS_PORT" --ssl-port "$(free_port)" --forward-domain home.example \
        --forward --forward-host 127.0.0.2 --forward-port "$HOME_PORT" --forward-tls implicit \
        --forward-fingerprint "$PIN" --forward-user vps --forward-password-file "$T/vps/home-password" \
        --user-credentials "$T/vps/creds.json" --hostname vps.test
}

# Every reply of one session (STARTTLS, AUTH as the owner when $1 is
# "owner", MAIL from the owner's own domain or a stranger's, RCPT $2, DATA
# when the RCPT was taken, QUIT), one a line.
session() {
    "$PY" - "$VPS_PORT" "$1" "$2" <<'PY'
import smtplib, ssl, sys
port, who, rcpt = int(sys.argv[1]), sys.argv[2], sys.argv[3]
ctx = ssl.create_default_context()
ctx.check_hostname, ctx.verify_mode = False, ssl.CERT_NONE
s = smtplib.SMTP(timeout=60)
s._host = "vps.test"
replies = [s.connect("127.0.0.1", port), s.ehlo("internet.example"), s.starttls(context=ctx), s.ehlo("internet.example")]
if who == "owner":
    replies.append(s.docmd("AUTH", "PLAIN AGFzZGYAYXNkZg=="))
replies.append(s.mail("owner@home.example" if who == "owner" else "stranger@internet.example"))
replies.append(s.rcpt(rcpt))
if replies[-1][0] == 250:
    replies.append(s.docmd("DATA"))
    s.send(b"Subject: privacy\r\n\r\nhello\r\n.\r\n")
    replies.append(s.getreply())
replies.append(s.docmd("QUIT"))
for code, text in replies:
    print("%d %s" % (code, text.decode(errors="replace").replace("\n", " / ")))
PY
}

# Fails when the replies name home: its address, port, certificate or pin.
private() {
    local fp_hex=${FP//:/} pin_hex=${PIN//:/}
    ! grep -Fq 127.0.0.2 <<<"$1"
    ! grep -Fq "$HOME_PORT" <<<"$1"
    ! grep -Fiq "${fp_hex:0:16}" <<<"${1//:/}"
    ! grep -Fiq "${pin_hex:0:16}" <<<"${1//:/}"
    ! grep -Fq home.test <<<"$1"
}

@test "privacy: home down: a stranger hears 451 4.4.1 and a fixed text; the owner and the log hear why" {
    PIN=$FP
    start_vps
    run session stranger bob@home.example
    echo "$output"
    [ "$status" -eq 0 ]
    [[ "$output" == *$'\n'"451 4.4.1 next hop did not answer"$'\n'* ]]
    private "$output"
    run session owner bob@home.example
    echo "$output"
    [[ "$output" == *"235 2.7.0"* ]]
    [[ "$output" == *"451 4.4.1 "*"127.0.0.2"* ]]
    grep -q "127.0.0.2" "$T/vps/orouboros.log"
    [ -z "$(ls -A "$T/home/mail")" ]
}

@test "privacy: home's certificate not the pinned one: a stranger hears a 4.7.x fixed text, no fingerprint" {
    start_home
    PIN=$(printf '%064d' 0)
    start_vps
    run session stranger bob@home.example
    echo "$output"
    [ "$status" -eq 0 ]
    [[ "$output" =~ $'\n'451\ 4\.7\.[0-9]+\ [a-z\ ]+$'\n' ]]
    private "$output"
    run session owner bob@home.example
    echo "$output"
    [[ "$output" == *"451 4.7."*"fingerprint"* ]]
    [ -z "$(ls -A "$T/home/mail")" ]
}

@test "privacy: home refusing the recipient: a stranger hears 550 with a fixed text, the owner home's own" {
    start_home
    PIN=$FP
    start_vps
    run session stranger ../evil@home.example
    echo "$output"
    [ "$status" -eq 0 ]
    [[ "$output" == *$'\n'"550 5.1.3 recipient address rejected"$'\n'* ]]
    private "$output"
    run session owner ../evil@home.example
    echo "$output"
    owner_reply=$(grep '^550 5\.1\.3' <<<"$output")
    [ -n "$owner_reply" ] && [ "$owner_reply" != "550 5.1.3 recipient address rejected" ]
    # and what home takes, it takes from a stranger as from the owner
    run session stranger bob@home.example
    [[ "$output" == *$'\n'"250 2.0.0 message accepted"* ]]
    grep -q '^Subject: privacy' "$T/home/mail/bob/INBOX"
    [ ! -e "$T/home/evil" ] && [ ! -e "$T/home/mail/evil" ]
}
