#!/usr/bin/env bats
# The listener's ports: every port on each --host (IPv4 and IPv6), from the
# command line or the configuration file, and the submission port (587 in
# production): STARTTLS, and AUTH before MAIL.

load lib

setup() {
    export T="$BATS_TEST_TMPDIR"
    make_fixtures "$T"
    mkdir -p "$T/mail"
    export PORT=$(free_port) SUB_PORT=$(free_port)
}

teardown() {
    stop_orouboros "$T"
}

has_ipv6_loopback() {
    "$PY" -c 'import socket; s = socket.socket(socket.AF_INET6); s.bind(("::1", 0)); s.close()' 2>/dev/null
}

send_to() {  # host port recipient: one message, in clear; prints the reply code to DATA
    "$PY" - "$@" <<'PY'
import smtplib, sys
with smtplib.SMTP(sys.argv[1], int(sys.argv[2]), timeout=20) as s:
    s.sendmail("a@internet.example", [sys.argv[3]], "Subject: hosts\r\n\r\nover %s\r\n" % sys.argv[1])
print(250)
PY
}

@test "ports: --host twice binds each port on 127.0.0.1 and ::1; both deliver" {
    has_ipv6_loopback || skip "this machine has no IPv6 loopback (::1): the IPv6 half cannot run"
    ORO_WAIT_PORTS="$PORT" start_orouboros "$T" --host 127.0.0.1 --host ::1 --port "$PORT" \
        --delivery-domain example.com --local --mboxdir "$T/mail" --user-credentials "$T/creds.json"
    [ "$(send_to 127.0.0.1 "$PORT" four@example.com)" = 250 ]
    [ "$(send_to ::1 "$PORT" six@example.com)" = 250 ]
    grep -q '^over 127.0.0.1' "$T/mail/four/INBOX"
    grep -q '^over ::1' "$T/mail/six/INBOX"
    grep -q '(\[::1\])' "$T/mail/six/INBOX"   # the client's own address in Received
    grep -q "event=listening address=::1 port=$PORT " "$T/orouboros.log"
}

@test "ports: without IPv6, --host twice binds each port on two IPv4 loopback addresses" {
    ORO_WAIT_PORTS="$PORT" start_orouboros "$T" --host 127.0.0.1 --host 127.0.0.2 --port "$PORT" \
        --delivery-domain example.com --local --mboxdir "$T/mail" --user-credentials "$T/creds.json"
    [ "$(send_to 127.0.0.1 "$PORT" one@example.com)" = 250 ]
    [ "$(send_to 127.0.0.2 "$PORT" two@example.com)" = 250 ]
    grep -q '^over 127.0.0.2' "$T/mail/two/INBOX"
    run send_to 127.0.0.3 "$PORT" three@example.com   # not bound there
    [ "$status" -ne 0 ]
}

@test "ports: host = in [orouboros] takes a list, and --host on the command line replaces it" {
    printf '[orouboros]\nhost = 127.0.0.1, 127.0.0.2\n' >"$T/oro.conf"
    ORO_WAIT_PORTS="$PORT" start_orouboros "$T" --config "$T/oro.conf" --port "$PORT" \
        --delivery-domain example.com --local --mboxdir "$T/mail" --user-credentials "$T/creds.json"
    [ "$(send_to 127.0.0.2 "$PORT" listed@example.com)" = 250 ]
    grep -q '^over 127.0.0.2' "$T/mail/listed/INBOX"
    stop_orouboros "$T"
    ORO_WAIT_PORTS="$PORT" start_orouboros "$T" --config "$T/oro.conf" --host 127.0.0.1 --port "$PORT" \
        --delivery-domain example.com --local --mboxdir "$T/mail" --user-credentials "$T/creds.json"
    [ "$(send_to 127.0.0.1 "$PORT" given@example.com)" = 250 ]
    run send_to 127.0.0.2 "$PORT" hidden@example.com
    [ "$status" -ne 0 ]
    [ ! -e "$T/mail/hidden" ]
}

@test "ports: the submission port refuses MAIL before AUTH (530 5.7.0) and takes the message after AUTH over STARTTLS" {
    ORO_WAIT_PORTS="$PORT $SUB_PORT" start_orouboros "$T" --port "$PORT" --submission-port "$SUB_PORT" \
        --ssl-port "$(free_port)" --cert "$T/server.crt" --key "$T/server.key" \
        --delivery-domain example.com --local --mboxdir "$T/mail" --user-credentials "$T/creds.json"
    run "$PY" - "$SUB_PORT" <<'PY'
import smtplib, ssl, sys
ctx = ssl.create_default_context()
ctx.check_hostname, ctx.verify_mode = False, ssl.CERT_NONE
with smtplib.SMTP("127.0.0.1", int(sys.argv[1]), timeout=20) as s:
    s.ehlo("client.test")
    print("starttls offered", s.has_extn("starttls"), "auth offered", s.has_extn("auth"))
    print("mail in clear", *s.mail("me@example.com"))
    s.starttls(context=ctx)
    s.ehlo("client.test")
    print("mail before auth", *s.mail("me@example.com"))
    print("auth", s.login("asdf", "asdf")[0])
    print("mail", s.mail("me@example.com")[0])
    print("rcpt", s.rcpt("friend@example.com")[0])
    print("data", s.data("Subject: submitted\r\n\r\nsent on the submission port\r\n")[0])
PY
    [ "$status" -eq 0 ]
    [ "${lines[0]}" = "starttls offered True auth offered False" ]
    [ "${lines[1]}" = "mail in clear 530 b'5.7.0 authentication required'" ]
    [ "${lines[2]}" = "mail before auth 530 b'5.7.0 authentication required'" ]
    [ "${lines[3]}" = "auth 235" ]
    [ "${lines[4]}" = "mail 250" ]
    [ "${lines[5]}" = "rcpt 250" ]
    [ "${lines[6]}" = "data 250" ]
    grep -q '^sent on the submission port' "$T/mail/friend/INBOX"
    grep -q 'with ESMTPSA' "$T/mail/friend/INBOX"
    grep -q "event=listening address=127.0.0.1 port=$SUB_PORT mode=submission" "$T/orouboros.log"
    # the port 25 of the same listener still takes mail for its domains without AUTH
    [ "$(send_to 127.0.0.1 "$PORT" inbound@example.com)" = 250 ]
}

@test "ports: --submission-port needs --cert and --key (64)" {
    run orouboros --config /dev/null --submission-port "$SUB_PORT"
    [ "$status" -eq 64 ]
    [[ "$output" == *"--submission-port needs --cert and --key"* ]]
}
