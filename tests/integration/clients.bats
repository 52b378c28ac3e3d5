#!/usr/bin/env bats
# Real clients against a real listener on loopback: swaks, Python smtplib
# and openssl s_client, implicit TLS and STARTTLS, AUTH PLAIN and LOGIN.
# Each test checks the reply codes and the mbox on disk.  The TLS policy:
# only forward-secret AEAD suites under TLS 1.2, no TLS 1.1, and session
# tickets that resume across the sessions forked from one orouboros-smtpd.

load lib

setup_file() {
    export FIX="$BATS_FILE_TMPDIR"
    make_fixtures "$FIX"
    mkdir -p "$FIX/mail"
    export TLS_PORT=$(free_port) STARTTLS_PORT=$(free_port)
    ORO_WAIT_PORTS="$TLS_PORT $STARTTLS_PORT" start_orouboros "$FIX" \
        --cert "$FIX/server.crt" --key "$FIX/server.key" \
        --delivery-domain example.com --local --mboxdir "$FIX/mail" \
        --port "$STARTTLS_PORT" --ssl-port "$TLS_PORT" \
        --user-credentials "$FIX/creds.json" --hostname vps.test --log-level DEBUG
}

teardown_file() {
    stop_orouboros "$FIX"
}

teardown() {
    stop_orouboros "$BATS_TEST_TMPDIR/other"
}

# swaks with the usual options; the rest are the caller's.
swaks_to() {
    swaks --server 127.0.0.1 --from test@example.com --h-Subject "orouboros test" \
        --body "body of the test" --timeout 20 "$@"
}

@test "swaks over implicit TLS with AUTH PLAIN delivers into the mbox" {
    run swaks_to --port "$TLS_PORT" --tls-on-connect --auth PLAIN --auth-user asdf --auth-password asdf \
        --to swaks_plain@example.com
    [ "$status" -eq 0 ]
    [[ "$output" == *"235 2.7.0"* ]]
    [[ "$output" == *"<~  250 2.0.0 message accepted"* ]]
    grep -q '^From test@example.com ' "$FIX/mail/swaks_plain/INBOX"
    grep -q '^Subject: orouboros test' "$FIX/mail/swaks_plain/INBOX"
    grep -q '^body of the test' "$FIX/mail/swaks_plain/INBOX"
}

@test "swaks with STARTTLS and AUTH LOGIN delivers into the mbox" {
    run swaks_to --port "$STARTTLS_PORT" --tls --auth LOGIN --auth-user asdf --auth-password asdf \
        --to swaks_login@example.com
    [ "$status" -eq 0 ]
    [[ "$output" == *"220 2.0.0 Ready to start TLS"* ]]
    [[ "$output" == *"235 2.7.0"* ]]
    grep -q '^body of the test' "$FIX/mail/swaks_login/INBOX"
    grep -q 'with ESMTPSA' "$FIX/mail/swaks_login/INBOX"
}

@test "an unauthenticated client delivers to a delivery domain over STARTTLS" {
    run swaks_to --port "$STARTTLS_PORT" --tls --from stranger@internet.example --to inbound@example.com
    [ "$status" -eq 0 ]
    grep -q '^From stranger@internet.example ' "$FIX/mail/inbound/INBOX"
    # the Received header names the client and the TLS session
    grep -q 'Received: from ' "$FIX/mail/inbound/INBOX"
    grep -q '(\[127.0.0.1\])' "$FIX/mail/inbound/INBOX"
    grep -Eq 'TLSv1\.[23] cipher' "$FIX/mail/inbound/INBOX"
}

@test "an unauthenticated client may not relay to another domain: 554 5.7.1" {
    run swaks_to --port "$STARTTLS_PORT" --tls --from stranger@internet.example --to victim@elsewhere.example
    [ "$status" -ne 0 ]
    [[ "$output" == *"554 5.7.1 relay denied"* ]]
    [ ! -e "$FIX/mail/victim" ]
}

@test "a wrong password is refused with 535 5.7.8 and nothing is delivered" {
    run swaks_to --port "$TLS_PORT" --tls-on-connect --auth PLAIN --auth-user asdf --auth-password wrong \
        --to wrongpw@example.com
    [ "$status" -ne 0 ]
    [[ "$output" == *"535 5.7.8"* ]]
    [ ! -e "$FIX/mail/wrongpw" ]
}

@test "AUTH PLAIN asking to act as another identity gets 535 5.7.8, is logged, and nothing is relayed after it" {
    run "$PY" - "$TLS_PORT" <<'PY'
import base64, smtplib, ssl, sys
ctx = ssl.create_default_context(); ctx.check_hostname = False; ctx.verify_mode = ssl.CERT_NONE
with smtplib.SMTP_SSL("127.0.0.1", int(sys.argv[1]), context=ctx, timeout=20) as s:
    s.ehlo("client.test")
    print(s.docmd("AUTH", "PLAIN " + base64.b64encode(b"root@evil.example\0asdf\0asdf").decode()))
    print(s.docmd("MAIL", "FROM:<asdf@example.com>"))
    print(s.docmd("RCPT", "TO:<authzid_victim@elsewhere.example>"))
    print(s.docmd("RSET"))
    try:
        s.sendmail("asdf@example.com", ["authzid_victim@elsewhere.example"], "Subject: x\r\n\r\nx\r\n")
    except smtplib.SMTPException as e:
        print("refused:", e)
PY
    echo "$output"
    [ "$status" -eq 0 ]
    [[ "$output" == *"(535, b'5.7.8 authorization identity must be empty or the user name')"* ]]
    [[ "$output" == *"(554, b'5.7.1 relay denied')"* ]]
    [[ "$output" == *"refused:"*"relay denied"* ]]
    [[ "$output" != *"235"* ]]
    [ ! -e "$FIX/mail/authzid_victim" ]
    grep -q 'event=auth client=127.0.0.1 user=asdf authzid=root@evil.example result=refused reason=authzid' \
        "$FIX/orouboros.log"
}

@test "AUTH PLAIN with the user's own authorization identity, or the two-field form, is accepted" {
    run "$PY" - "$TLS_PORT" <<'PY'
import base64, smtplib, ssl, sys
ctx = ssl.create_default_context(); ctx.check_hostname = False; ctx.verify_mode = ssl.CERT_NONE
for response in (b"asdf\0asdf\0asdf", b"asdf\0asdf"):
    with smtplib.SMTP_SSL("127.0.0.1", int(sys.argv[1]), context=ctx, timeout=20) as s:
        s.ehlo("client.test")
        print(s.docmd("AUTH", "PLAIN " + base64.b64encode(response).decode()))
        print(s.sendmail("asdf@example.com", ["authzid_own@example.com"], "Subject: own\r\n\r\nx\r\n"))
PY
    echo "$output"
    [ "$status" -eq 0 ]
    [ "$(grep -c "(235, b'2.7.0 Authentication successful')" <<<"$output")" -eq 2 ]
    [ "$(grep -c '^Subject: own' "$FIX/mail/authzid_own/INBOX")" -eq 2 ]
}

@test "AUTH is not offered and is refused before STARTTLS" {
    run swaks_to --port "$STARTTLS_PORT" --auth PLAIN --auth-user asdf --auth-password asdf --to plain@example.com
    [ "$status" -ne 0 ]
    [[ "$output" != *"AUTH PLAIN LOGIN"* ]]
    [ ! -e "$FIX/mail/plain" ]
}

@test "Python smtplib: SMTP_SSL, login, send_message" {
    run "$PY" - "$TLS_PORT" <<'PY'
import smtplib, ssl, sys
from email.message import EmailMessage
ctx = ssl.create_default_context(); ctx.check_hostname = False; ctx.verify_mode = ssl.CERT_NONE
m = EmailMessage(); m["From"] = "test@example.com"; m["To"] = "py_ssl@example.com"
m["Subject"] = "smtplib ssl"; m.set_content("from python over implicit TLS\n.leading dot line\n")
with smtplib.SMTP_SSL("127.0.0.1", int(sys.argv[1]), context=ctx, timeout=20) as s:
    print(s.login("asdf", "asdf"))
    print(s.send_message(m))
PY
    [ "$status" -eq 0 ]
    [[ "$output" == *"(235, b'2.7.0 Authentication successful')"* ]]
    grep -q '^Subject: smtplib ssl' "$FIX/mail/py_ssl/INBOX"
    grep -q '^\.leading dot line' "$FIX/mail/py_ssl/INBOX"
}

@test "Python smtplib: starttls, login, send_message to two recipients" {
    run "$PY" - "$STARTTLS_PORT" <<'PY'
import smtplib, ssl, sys
from email.message import EmailMessage
ctx = ssl.create_default_context(); ctx.check_hostname = False; ctx.verify_mode = ssl.CERT_NONE
m = EmailMessage(); m["From"] = "test@example.com"; m["To"] = "py_a@example.com, py_b@example.com"
m["Subject"] = "smtplib starttls"; m.set_content("from python over STARTTLS\n")
with smtplib.SMTP("127.0.0.1", int(sys.argv[1]), timeout=20) as s:
    print(s.starttls(context=ctx))
    print(s.login("asdf", "asdf"))
    print(s.send_message(m))
PY
    [ "$status" -eq 0 ]
    grep -q '^Subject: smtplib starttls' "$FIX/mail/py_a/INBOX"
    grep -q '^Subject: smtplib starttls' "$FIX/mail/py_b/INBOX"
}

@test "Python smtplib: an unauthenticated relay attempt raises SMTPRecipientsRefused with 554" {
    run "$PY" - "$STARTTLS_PORT" <<'PY'
import smtplib, sys
with smtplib.SMTP("127.0.0.1", int(sys.argv[1]), timeout=20) as s:
    try:
        s.sendmail("a@internet.example", ["b@elsewhere.example"], "Subject: x\r\n\r\nx\r\n")
    except smtplib.SMTPRecipientsRefused as e:
        print("refused", e.recipients["b@elsewhere.example"][0])
        sys.exit(0)
sys.exit(1)
PY
    [ "$status" -eq 0 ]
    [ "$output" = "refused 554" ]
}

# s_client ARGS...: one implicit-TLS session that says QUIT and reads to the end.
s_client() {
    timeout 20 openssl s_client -connect "127.0.0.1:$TLS_PORT" -crlf -ign_eof "$@" <<<"QUIT" 2>&1
}

@test "tls: the demo certificate is ECDSA P-256, and TLS 1.2 with ECDHE-ECDSA AES-GCM or ChaCha20 works" {
    openssl x509 -in "$FIX/server.crt" -noout -text | grep -q 'Public Key Algorithm: id-ecPublicKey'
    openssl x509 -in "$FIX/server.crt" -noout -text | grep -q 'NIST CURVE: P-256'
    for cipher in ECDHE-ECDSA-AES128-GCM-SHA256 ECDHE-ECDSA-AES256-GCM-SHA384 ECDHE-ECDSA-CHACHA20-POLY1305; do
        run s_client -tls1_2 -cipher "$cipher"
        [ "$status" -eq 0 ] || { echo "$cipher: $output"; false; }
        [[ "$output" == *"New, TLSv1.2, Cipher is $cipher"* ]]
        [[ "$output" == *"220 vps.test ESMTP"* ]]
        [[ "$output" == *"221 2.0.0"* ]]
    done
    run s_client -tls1_3
    [[ "$output" == *"Peer signature type: ECDSA"* ]] || { echo "$output"; false; }
    [[ "$output" == *"221 2.0.0"* ]]
}

@test "tls: an RSA certificate is served too, under TLS 1.2 (ECDHE-RSA) and TLS 1.3" {
    local other=$(free_port) dir="$BATS_TEST_TMPDIR/other"
    "$BATS_TEST_DIRNAME/../../contrib/make-cert.sh" "$dir/rsa" localhost rsa
    ORO_WAIT_PORTS=$other start_orouboros "$dir" --cert "$dir/rsa/server.crt" --key "$dir/rsa/server.key" \
        --delivery-domain example.com --local --mboxdir "$FIX/mail" --ssl-port "$other" --port "$(free_port)" \
        --hostname vps.test
    for cipher in ECDHE-RSA-AES128-GCM-SHA256 ECDHE-RSA-CHACHA20-POLY1305; do
        run timeout 20 openssl s_client -connect "127.0.0.1:$other" -crlf -ign_eof -tls1_2 -cipher "$cipher" <<<"QUIT"
        [ "$status" -eq 0 ] || { echo "$cipher: $output"; false; }
        [[ "$output" == *"New, TLSv1.2, Cipher is $cipher"* ]]
        [[ "$output" == *"221 2.0.0"* ]]
    done
    run timeout 20 openssl s_client -connect "127.0.0.1:$other" -crlf -ign_eof -tls1_3 <<<"QUIT"
    [ "$status" -eq 0 ]
    [[ "$output" == *"Server public key is 2048 bit"* ]] || { echo "$output"; false; }
    [[ "$output" == *"New, TLSv1.3"* ]]
    [[ "$output" == *"221 2.0.0"* ]]
}

@test "tls: TLS 1.2 suites without forward secrecy or without AEAD fail the handshake" {
    for cipher in AES128-SHA AES128-GCM-SHA256 AES256-SHA256 ECDHE-ECDSA-AES128-SHA ECDHE-RSA-AES128-SHA DHE-RSA-AES128-GCM-SHA256; do
        run s_client -tls1_2 -cipher "$cipher"
        [ "$status" -ne 0 ] || { echo "$cipher was taken: $output"; false; }
        [[ "$output" != *"220 vps.test"* ]]
        [[ "$output" == *"handshake failure"* ]] || { echo "$cipher: $output"; false; }
    done
}

@test "tls: TLS 1.1 and 1.0 are refused, also on STARTTLS" {
    for version in -tls1_1 -tls1; do
        run s_client "$version" -cipher 'DEFAULT:@SECLEVEL=0'
        [ "$status" -ne 0 ]
        [[ "$output" == *"alert protocol version"* ]]
        [[ "$output" != *"220 vps.test"* ]]
    done
    run timeout 20 openssl s_client -connect "127.0.0.1:$STARTTLS_PORT" -starttls smtp -tls1_1 \
        -cipher 'DEFAULT:@SECLEVEL=0' <<<"QUIT"
    [ "$status" -ne 0 ]
    [[ "$output" == *"alert protocol version"* ]]
    [[ "$output" == *"New, (NONE), Cipher is (NONE)"* ]]
}

@test "tls: a TLS 1.2 session ticket resumes in a later forked session" {
    run s_client -tls1_2 -sess_out "$BATS_TEST_TMPDIR/session"
    [ "$status" -eq 0 ]
    [[ "$output" == *"New, TLSv1.2"* ]]
    [[ "$output" == *"TLS session ticket:"* ]]
    for i in 1 2; do
        run s_client -tls1_2 -sess_in "$BATS_TEST_TMPDIR/session"
        [ "$status" -eq 0 ]
        [[ "$output" == *"Reused, TLSv1.2"* ]] || { echo "$output"; false; }
        [[ "$output" == *"221 2.0.0"* ]]
    done
}

@test "tls: a TLS 1.3 session ticket resumes in a later forked session" {
    run s_client -tls1_3 -sess_out "$BATS_TEST_TMPDIR/session"
    [ "$status" -eq 0 ]
    [[ "$output" == *"New, TLSv1.3"* ]]
    [ -s "$BATS_TEST_TMPDIR/session" ]
    run s_client -tls1_3 -sess_in "$BATS_TEST_TMPDIR/session"
    [ "$status" -eq 0 ]
    [[ "$output" == *"Reused, TLSv1.3"* ]] || { echo "$output"; false; }
    [[ "$output" == *"221 2.0.0"* ]]
}

@test "tls: a ticket made by another server process does not resume, and the handshake still works" {
    local other=$(free_port)
    run s_client -tls1_3 -sess_out "$BATS_TEST_TMPDIR/session"
    [ "$status" -eq 0 ]
    mkdir -p "$BATS_TEST_TMPDIR/other"
    ORO_WAIT_PORTS=$other start_orouboros "$BATS_TEST_TMPDIR/other" \
        --cert "$FIX/server.crt" --key "$FIX/server.key" --delivery-domain example.com --local \
        --mboxdir "$FIX/mail" --ssl-port "$other" --port "$(free_port)" --hostname vps.test
    run timeout 20 openssl s_client -connect "127.0.0.1:$other" -crlf -ign_eof -tls1_3 \
        -sess_in "$BATS_TEST_TMPDIR/session" <<<"QUIT"
    [ "$status" -eq 0 ]
    [[ "$output" == *"New, TLSv1.3"* ]]
    [[ "$output" == *"221 2.0.0"* ]]
}
