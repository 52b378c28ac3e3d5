#!/usr/bin/env bats
# The man pages' EXAMPLES, taken from the pages as printed (man_example),
# run with only their paths and ports the test's (tests/man/examples.list
# says which test runs which example).

load lib

setup() {
    T="$BATS_TEST_TMPDIR"
    cd "$T"
    printf '%s\n' "$CREDS_ASDF" >creds.json
}

# The command lines of an example, continuations joined, with /usr/sbin/
# as the build's programs.
example() {
    local script
    script=$(man_example "$1" "$2" | sed -e ':a' -e '/\\$/N; s/\\\n */ /; ta')
    [ -n "$script" ] || { echo "no example after '$2' in $1" >&2; return 1; }
    printf '%s\n' "${script//\/usr\/sbin\//$OROUBOROS_BIN/}"
}

@test "examples: authcheck(8)'s checkpassword check by hand answers 0 for asdf" {
    script=$(example orouboros-authcheck.8 "Check user asdf")
    [[ "$script" == *"--checkpassword 3<&0"* ]]
    run bash -c "exec 2>/dev/null; $script"
    [ "$status" -eq 0 ]
    [ "$output" = 0 ]
}

@test "examples: authcheck(8)'s saslauthd request by hand gets OK, counted" {
    script=$(example orouboros-authcheck.8 "The same through the saslauthd protocol")
    run bash -c "exec 2>/dev/null; $script"
    [ "$status" -eq 0 ]
    [ "$(tr -s ' ' <<<"$output")" = ' \0 002 O K' ]
}

@test "examples: authcheck(8) guards a program qmail-style: env runs after a good password, not after a bad one" {
    script=$(example orouboros-authcheck.8 "Guard a program with it")
    [[ "$script" == "orouboros-authcheck --checkpassword /usr/bin/env" ]]
    run bash -c "exec 2>/dev/null; printf 'asdf\0asdf\0\0' | $script 3<&0"
    [ "$status" -eq 0 ]
    [[ "$output" == *"USER=asdf"* ]]
    run bash -c "exec 2>/dev/null; printf 'asdf\0wrong\0\0' | $script 3<&0"
    [ "$status" -eq 1 ]
    [[ "$output" != *"USER="* ]]
}

@test "examples: mbox-deliver(8)'s shell pipeline stores the message (its mail directory the test's)" {
    script=$(example orouboros-mbox-deliver.8 "A message from a shell pipeline")
    [[ "$script" == *"--mboxdir /var/mail"* ]]
    mkdir mail
    run bash -c "${script//\/var\/mail/$T/mail}"
    [ "$status" -eq 0 ]
    grep -q '^From root@example.org ' mail/bob/INBOX
    grep -q '^Subject: backup done$' mail/bob/INBOX
}

@test "examples: smtpd(8)'s session by hand over a pipe answers as printed, but for the host name" {
    script=$(example orouboros-smtpd.8 "A session by hand")
    run bash -c "exec 2>/dev/null; $script"
    [ "$status" -eq 0 ]
    want=$(mandoc -Tascii "$BATS_TEST_DIRNAME/../../man/orouboros-smtpd.8" | col -b |
        awk '/A session by hand/ { f = 1; next } f && /^\t   \$ / { p = 1; next } p && /^$/ { exit } p { sub(/^\t   /, ""); print }')
    [[ "$want" == "220 mx.example.org ESMTP Orouboros"* ]]
    [ "$(tr -d '\r' <<<"${output//$(hostname)/mx.example.org}")" = "$want" ]
}

@test "examples: smtpd(8)'s message into /tmp/mail/bob/INBOX, the delivery stage spawned (the directory the test's)" {
    script=$(example orouboros-smtpd.8 "A message into")
    [[ "$script" == *"/tmp/mail"* ]]
    run bash -c "exec 2>/dev/null; ${script//\/tmp\/mail/$T/mail}"
    [ "$status" -eq 0 ]
    [[ "$output" == *"250 2.0.0 message accepted"* ]]
    grep -q '^Subject: hi$' mail/bob/INBOX
    grep -q '^hello$' mail/bob/INBOX
}

# The literal block of man/$1's source after the line holding $2, as typed.
man_typed() {
    awk -v marker="$2" 'index($0, marker) { f = 1; next }
        f && /^\.Bd -literal/ { b = 1; next } b && /^\.Ed/ { exit }
        b { gsub(/\\&/, ""); print }' "$BATS_TEST_DIRNAME/../../man/$1"
}

@test "examples: orouboros(8)'s walkthrough runs as printed: certificate, credentials, relay, s_client typing the dialogue (its port and mail directory the test's)" {
    local line
    bash -c "exec 2>/dev/null; $(example orouboros.8 "Make a self-signed certificate")"
    bash -c "$(example orouboros.8 "A credentials file with the user asdf")"
    [ -s server.crt ] && [ -s server.key ] && cmp creds.json <(printf '%s\n' "$CREDS_ASDF")
    line=$(example orouboros.8 "Start the relay")
    [[ "$line" == "orouboros "*"--mboxdir /tmp/mail --port 2255 "* ]]
    PORT=$(free_port)
    line=${line//2255/$PORT} line=${line//\/tmp\/mail/$T/mail}
    eval "set -- ${line#orouboros }"
    ORO_WAIT_PORTS=$PORT start_orouboros "$T" "$@"
    [ "$(example orouboros.8 "Connect:")" = "openssl s_client -connect localhost:2255 -crlf" ]
    run timeout 30 openssl s_client -connect "localhost:$PORT" -crlf -quiet -ign_eof \
        < <(man_typed orouboros.8 "and type, the server replying"; echo QUIT)
    stop_orouboros "$T"
    echo "$output"
    [[ "$output" == *"235 2.7.0"* && "$output" == *"250 2.0.0 message accepted"* ]]
    grep -q '^Subject: Testing$' mail/another_test/INBOX
    grep -q '^This is a test$' mail/another_test/INBOX
}

@test "examples: orouboros(8)'s STARTTLS and implicit TLS ports tried with swaks, as printed (the ports and mail directory the test's)" {
    local script line
    make_fixtures "$T"
    script=$(example orouboros.8 "STARTTLS on port 2525")
    line=$(grep '^orouboros ' <<<"$script")
    [[ "$line" == *"--port 2525 --ssl-port 2255"* ]]
    P1=$(free_port) P2=$(free_port)
    script=${script//2525/$P1} script=${script//2255/$P2} script=${script//\/tmp\/mail/$T/mail}
    line=$(grep '^orouboros ' <<<"$script")
    eval "set -- ${line#orouboros }"
    ORO_WAIT_PORTS="$P1 $P2" start_orouboros "$T" "$@"
    run bash -c "$(grep '^swaks ' <<<"$script")"
    stop_orouboros "$T"
    echo "$output"
    [ "$status" -eq 0 ]
    [ "$(grep -c '^From ' mail/another_test/INBOX)" -eq 2 ]
    grep -q '^From test@example.com ' mail/another_test/INBOX
}

@test "examples: forward(8)'s exec specs of smtpd's forward and relay routes, as printed: a message for example.org reaches the home server over implicit TLS with AUTH (its name, port, CA and password the test's)" {
    local script
    make_chain_fixtures "$T"
    HOME_PORT=$(free_port)
    ORO_WAIT_PORTS=$HOME_PORT start_orouboros "$T/home" --cert "$T/home/server.crt" --key "$T/home/server.key" \
        --port "$HOME_PORT" --delivery-domain example.org --local --mboxdir "$T/home/mail" \
        --user-credentials "$T/home/creds.json"
    script=$(example orouboros-forward.8 "As the forward route and the relay route")
    [[ "$script" == *"--host home.example.org --port 2255 "*"--tls-ca /etc/orouboros/home-ca.pem"*"--auth-password-file /etc/orouboros/home.pw'"* ]]
    script=${script//home.example.org/localhost} script=${script//2255/$HOME_PORT}
    script=${script//\/etc\/orouboros\/home-ca.pem/$T/home/server.crt}
    script=${script//\/etc\/orouboros\/home.pw/$T/vps/home-password}
    script=${script//--cert C --key K/--cert $T/vps/server.crt --key $T/vps/server.key}
    run bash -c "exec 2>/dev/null; printf '%s\r\n' 'EHLO x' 'MAIL FROM:<a@internet.example>' 'RCPT TO:<bob@example.org>' \
        DATA 'Subject: via exec' '' hello . QUIT | $script"
    stop_orouboros "$T/home"
    echo "$output"
    [[ "$output" == *"250 2.0.0 message accepted"* ]]
    grep -q '^Subject: via exec$' "$T/home/mail/bob/INBOX"
    grep -q 'user=vps result=ok' "$T/home/orouboros.log"
}

teardown() {
    stop_orouboros "$T"
    stop_orouboros "$T/home"
}
