#!/usr/bin/env bats
# contrib/fail2ban's filter against the lines the listener's sessions wrote
# in this run: a failed AUTH, a relay denied, too many errors, too many
# commands that do nothing and input before the greeting from one client
# address are five matches for that address; a client that behaves is none.

load lib

FILTER="$BATS_TEST_DIRNAME/../../contrib/fail2ban/filter.d/orouboros.conf"

setup_file() {
    export FIX="$BATS_FILE_TMPDIR"
    make_fixtures "$FIX"
    mkdir -p "$FIX/mail"
    export TLS_PORT=$(free_port) PLAIN_PORT=$(free_port)
    ORO_WAIT_PORTS="$TLS_PORT $PLAIN_PORT" start_orouboros "$FIX" \
        --cert "$FIX/server.crt" --key "$FIX/server.key" \
        --delivery-domain example.com --local --mboxdir "$FIX/mail" \
        --port "$PLAIN_PORT" --ssl-port "$TLS_PORT" \
        --user-credentials "$FIX/creds.json" --hostname vps.test --error-sleep-ms 0 --greet-wait-ms 1000
}

teardown_file() {
    stop_orouboros "$FIX"
}

setup() {
    command -v fail2ban-regex >/dev/null ||
        skip "fail2ban-regex is not installed (Debian package fail2ban: contrib/install-deps.sh --test)"
}

@test "fail2ban: the filter matches each refusal of one client, by its address, and nothing of a good client" {
    run "$PY" - "$TLS_PORT" "$PLAIN_PORT" <<'PY'
import smtplib, socket, ssl, sys
tls_port, plain_port = int(sys.argv[1]), int(sys.argv[2])
bad, good = ("127.0.0.7", 0), ("127.0.0.8", 0)
ctx = ssl.create_default_context()
ctx.check_hostname, ctx.verify_mode = False, ssl.CERT_NONE
with smtplib.SMTP_SSL("127.0.0.1", tls_port, source_address=bad, context=ctx, timeout=20) as s:
    s.ehlo("bad.test")
    print("auth", s.docmd("AUTH", "PLAIN AGFzZGYAd3Jvbmc=")[0])          # asdf / wrong
with smtplib.SMTP("127.0.0.1", plain_port, source_address=bad, timeout=20) as s:
    s.ehlo("bad.test")
    s.mail("probe@internet.example")
    print("relay", s.rcpt("victim@elsewhere.example")[0])
with smtplib.SMTP("127.0.0.1", plain_port, source_address=bad, timeout=20) as s:
    code = 0
    for _ in range(30):  # the session's --max-errors is 20
        code = s.docmd("BOGUS")[0]
        if code == 421:
            break
    print("errors", code)
    s.close()
with smtplib.SMTP("127.0.0.1", plain_port, source_address=bad, timeout=20) as s:
    code = 0
    for _ in range(120):  # the session's junk-command limit is 100
        code = s.docmd("NOOP")[0]
        if code == 421:
            break
    print("junk", code)
    s.close()
c = socket.create_connection(("127.0.0.1", plain_port), 10, source_address=bad)
c.sendall(b"EHLO early\r\n")                                              # before the greeting
f = c.makefile("rb")
print("pregreet", f.readline().decode().split()[0])
c.sendall(b"QUIT\r\n")
f.readline()
c.close()
with smtplib.SMTP("127.0.0.1", plain_port, source_address=good, timeout=20) as s:
    print("good", s.sendmail("friend@internet.example", ["good@example.com"], "Subject: hi\r\n\r\nhello\r\n") or 250)
PY
    echo "$output"
    [ "$status" -eq 0 ]
    [ "${lines[0]}" = "auth 535" ]
    [ "${lines[1]}" = "relay 554" ]
    [ "${lines[2]}" = "errors 421" ]
    [ "${lines[3]}" = "junk 421" ]
    [ "${lines[4]}" = "pregreet 220" ]
    [ "${lines[5]}" = "good 250" ]
    grep -q '^hello' "$FIX/mail/good/INBOX"
    # each refusal is one line that names the client
    grep -q 'event=auth client=127.0.0.7 user=asdf result=refused$' "$FIX/orouboros.log"
    grep -q 'event=rcpt client=127.0.0.7 .*reply="554 5.7.1 relay denied"$' "$FIX/orouboros.log"
    grep -q 'event=too-many-errors client=127.0.0.7 errors=' "$FIX/orouboros.log"
    grep -q 'event=too-many-errors client=127.0.0.7 commands=101$' "$FIX/orouboros.log"
    grep -q 'event=pregreet client=127.0.0.7 ' "$FIX/orouboros.log"
    # the listener's log file has no dates: the file jail's datepattern
    run fail2ban-regex -v --datepattern '{NONE}' "$FIX/orouboros.log" "$FILTER"
    [ "$status" -eq 0 ]
    [[ "$output" == *"Lines: "*" lines, 0 ignored, 5 matched, "* ]]
    [ "$(grep -cE '^\|\s+127\.0\.0\.7\s' <<<"$output")" -eq 5 ]
    [ "$(grep -cE '^\|\s+127\.0\.0\.8\s' <<<"$output")" -eq 0 ]
}

@test "fail2ban: the jail file names the filter for the journal and for a log file" {
    jail="$BATS_TEST_DIRNAME/../../contrib/fail2ban/jail.d/orouboros.conf"
    grep -q '^backend  = systemd$' "$jail"
    grep -q '^datepattern = {NONE}$' "$jail"
    [ "$(grep -c '^filter *= orouboros$' "$jail")" -eq 2 ]
    grep -q '^journalmatch = SYSLOG_IDENTIFIER=orouboros-smtpd$' "$FILTER"
}
