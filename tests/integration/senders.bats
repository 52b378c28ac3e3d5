#!/usr/bin/env bats
# The senders a user may use after AUTH, over real TLS (Python smtplib,
# implicit TLS): alice and bob have their own addresses mapped
# (orouboros-mkcreds senders), carol none, so she may use any address of
# the relay's own domain (example.com).  Outbound mail goes through a
# smarthost, a second listener that keeps elsewhere.example's mail in
# sink/: what reaches it is on disk there.

load lib

setup_file() {
    export FIX="$BATS_FILE_TMPDIR"
    make_fixtures "$FIX"
    mkdir -p "$FIX/vps" "$FIX/sink"
    for user in alice bob carol; do
        printf '%s-pw\n' "$user" | orouboros-mkcreds --file "$FIX/creds.json" --password-stdin add "$user"
    done
    orouboros-mkcreds --file "$FIX/creds.json" senders alice add alice@example.org
    orouboros-mkcreds --file "$FIX/creds.json" senders bob add bob@example.org
    export TLS_PORT=$(free_port) SINK_PORT=$(free_port)
    ORO_WAIT_PORTS="$SINK_PORT" start_orouboros "$FIX/sink" --port "$SINK_PORT" \
        --delivery-domain elsewhere.example --local --mboxdir "$FIX/sink/mail" --hostname sink.test
    ORO_WAIT_PORTS="$TLS_PORT" start_orouboros "$FIX/vps" --cert "$FIX/server.crt" --key "$FIX/server.key" \
        --ssl-port "$TLS_PORT" --port "$(free_port)" --delivery-domain example.com --local --mboxdir "$FIX/vps/mail" \
        --relay-host 127.0.0.1 --relay-port "$SINK_PORT" --relay-tls none \
        --user-credentials "$FIX/creds.json" --hostname vps.test
}

teardown_file() {
    stop_orouboros "$FIX/vps"
    stop_orouboros "$FIX/sink"
}

# Logs in as USER (password USER-pw) over implicit TLS and sends one
# message (Subject: SUBJECT) from SENDER to RCPT; prints the reply to MAIL
# when it is not 250, else the reply to DATA.
send_as() {
    "$PY" - "$TLS_PORT" "$@" <<'PY'
import smtplib, ssl, sys
port, user, sender, rcpt, subject = sys.argv[1:6]
ctx = ssl.create_default_context(); ctx.check_hostname = False; ctx.verify_mode = ssl.CERT_NONE
with smtplib.SMTP_SSL("127.0.0.1", int(port), context=ctx, timeout=20) as s:
    s.login(user, user + "-pw")
    code, text = s.mail(sender)
    if code == 250:
        s.rcpt(rcpt)
        code, text = s.data("From: %s\r\nSubject: %s\r\n\r\nbody\r\n" % (sender, subject))
    print(code, text.decode())
PY
}

@test "senders: alice sending as bob's address gets 553 5.7.1, logged, and nothing reaches the next hop" {
    run send_as alice bob@example.org someone@elsewhere.example spoofed
    [ "$status" -eq 0 ]
    [ "$output" = "553 5.7.1 sender address not owned by the authenticated user" ]
    ! grep -rqs '^Subject: spoofed' "$FIX/sink/mail"
    grep -q 'event=mail client=127.0.0.1 user=alice from=bob@example.org result=not-owned' "$FIX/vps/orouboros.log"
}

@test "senders: alice sending as her own address gets 250 and the message is at the next hop" {
    run send_as alice Alice@Example.org someone@elsewhere.example own-address
    [ "$status" -eq 0 ]
    [[ "$output" == "250 2.0.0 message accepted"* ]]
    grep -q '^Subject: own-address' "$FIX/sink/mail/someone/INBOX"
    grep -q '^From Alice@example.org ' "$FIX/sink/mail/someone/INBOX"
}

@test "senders: bob may use his own address and not alice's" {
    run send_as bob alice@example.org someone@elsewhere.example bob-as-alice
    [ "$output" = "553 5.7.1 sender address not owned by the authenticated user" ]
    run send_as bob bob@example.org someone@elsewhere.example bob-as-bob
    [[ "$output" == "250 2.0.0 message accepted"* ]]
    grep -q '^Subject: bob-as-bob' "$FIX/sink/mail/someone/INBOX"
    ! grep -q '^Subject: bob-as-alice' "$FIX/sink/mail/someone/INBOX"
}

@test "senders: a user without senders mapped gets 553 for a foreign domain and 250 for an own one" {
    run send_as carol carol@foreign.example friend@example.com foreign-domain
    [ "$output" = "553 5.7.1 sender address not owned by the authenticated user" ]
    run send_as carol Carol@EXAMPLE.COM friend@example.com own-domain
    [[ "$output" == "250 2.0.0 message accepted"* ]]
    grep -q '^Subject: own-domain' "$FIX/vps/mail/friend/INBOX"
    ! grep -q '^Subject: foreign-domain' "$FIX/vps/mail/friend/INBOX"
}

@test "senders: the null sender is let through after AUTH" {
    run send_as alice '' someone@elsewhere.example bounce
    [[ "$output" == "250 2.0.0 message accepted"* ]]
    grep -q '^Subject: bounce' "$FIX/sink/mail/someone/INBOX"
}
