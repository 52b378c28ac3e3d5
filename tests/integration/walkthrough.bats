#!/usr/bin/env bats
# The original program's walkthrough, verbatim: its command line, its
# certificate and credentials, openssl s_client typing the dialogue.

load lib

setup() {
    DIR="$BATS_TEST_TMPDIR"
    cd "$DIR"
    openssl req -new -newkey rsa:2048 -days 365 -nodes -x509 -keyout server.key -out server.crt \
        -subj "/CN=localhost/OU=testing" 2>/dev/null
    printf '%s\n' "$CREDS_ASDF" >creds.json
    PORT=$(free_port)
    ORO_WAIT_PORTS=$PORT start_orouboros "$DIR" --cert server.crt --key server.key \
        --forward-domain example.com --delivery-domain example.com --local --mboxdir "$DIR/mail" \
        --port "$PORT" --log STDERR --log-level DEBUG
}

teardown() {
    stop_orouboros "$DIR"
}

@test "walkthrough: openssl s_client, AUTH PLAIN, lenient MAIL and rcpt, mail in mail/another_test/INBOX" {
    run timeout 30 openssl s_client -connect "localhost:$PORT" -crlf -quiet -ign_eof < <(walkthrough_dialogue walkthrough)
    echo "$output"
    [[ "$output" == *"220 "*"ESMTP Orouboros"* ]]
    [[ "$output" == *"250"?"AUTH PLAIN LOGIN"* ]]
    [[ "$output" == *"334 "* ]]
    [[ "$output" == *"235 2.7.0 Authentication successful"* ]]
    [[ "$output" == *"250 2.1.0 sender ok"* ]]
    [[ "$output" == *"250 2.1.5"* ]]
    [[ "$output" == *"354 "* ]]
    [[ "$output" == *"250 2.0.0 message accepted"* ]]
    [[ "$output" == *"221 2.0.0"* ]]
    grep -q '^From test@example.com ' mail/another_test/INBOX
    grep -q '^Subject: walkthrough$' mail/another_test/INBOX
    grep -q '^the body line$' mail/another_test/INBOX
    # the password never reaches the log, at DEBUG level either
    ! grep -q 'YXNkZgBhc2Rm' orouboros.log
}

@test "walkthrough: the original's other options: --forward without --forward-host is a usage error" {
    run orouboros --cert server.crt --key server.key --forward --forward-domain example.com --port "$(free_port)"
    [ "$status" -eq 64 ]
    [[ "$output" == *"--forward needs --forward-host"* ]]
}
