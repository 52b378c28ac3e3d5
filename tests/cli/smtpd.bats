#!/usr/bin/env bats
# orouboros-smtpd over a pipe (--tls none), with the real mbox-deliver as
# its local stage and the real authcheck: each test plays a dialogue
# (tests/dialog.py) and checks the mail directory afterwards.

setup() {
    BIN=${OROUBOROS_BIN:-$(dirname "$(command -v orouboros-smtpd)")}
    T="$BATS_TEST_TMPDIR"
    MAIL="$T/mail" HOME_MAIL="$T/home"
    mkdir -p "$MAIL" "$HOME_MAIL"
    printf '%s\n' '{"asdf": {"salt": "dExNPiUB4fBd39dXxiGLvA==", "hash": "Ow5nPPcyWgy11lUmF/rK45aReQVTMXsiJ237PZKmbBk="}}' >"$T/creds.json"
    SMTPD=("$BIN/orouboros-smtpd" --tls none --hostname vps.test --log "$T/smtpd.log" --log-level DEBUG
        --delivery-domain example.com --forward-domain home.example
        --forward "exec:$BIN/orouboros-mbox-deliver --lmtp --mboxdir $HOME_MAIL --log $T/deliver.log"
        --auth "exec:$BIN/orouboros-authcheck --credentials $T/creds.json --fail-delay 0 --log $T/auth.log")
    DELIVER="exec:$BIN/orouboros-mbox-deliver --lmtp --mboxdir $MAIL --log $T/deliver.log"
}

dialog() {
    /usr/bin/python3 "$BATS_TEST_DIRNAME/../dialog.py" -- "${SMTPD[@]}" --deliver "$DELIVER" "$@"
}

# bytes of a file, or "none"
size_of() { if [ -e "$1" ]; then stat -c %s "$1"; else echo none; fi; }

@test "smtpd: EHLO advertises the extensions, and no AUTH without TLS" {
    run dialog <<'EOF'
< 220 vps.test ESMTP
> EHLO client.example
< 250 ENHANCEDSTATUSCODES
> QUIT
< 221 2.0.0
EOF
    [ "$status" -eq 0 ]
    [[ "$output" == *"250-PIPELINING"* && "$output" == *"250-SIZE 26214400"* && "$output" == *"250-8BITMIME"* ]]
    [[ "$output" != *"AUTH"* && "$output" != *"STARTTLS"* ]]
    [[ "$output" == *"exit 0"* ]]
}

@test "smtpd: lenient MAIL and rcpt forms deliver, with a Received header, into MAIL/<local>/INBOX" {
    run dialog <<'EOF'
< 220
> ehlo client.example
< 250
> mail from: test@example.com
< 250 2.1.0
> rcpt to: another_test@example.com
< 250
> data
< 354
> Subject: pipe test
>
> hello over a pipe
> ..a line that starts with a dot
> .
< 250 2.0.0 message accepted
> quit
< 221
EOF
    [ "$status" -eq 0 ]
    inbox="$MAIL/another_test/INBOX"
    grep -q '^From test@example.com ' "$inbox"
    grep -q '^Received: from client.example (local)$' "$inbox"
    grep -q 'by vps.test (Orouboros) with ESMTP$' "$inbox"
    grep -q '^Subject: pipe test$' "$inbox"
    grep -q '^\.a line that starts with a dot$' "$inbox"
}

@test "smtpd: unauthenticated mail to another domain is refused with 554 5.7.1 and stored nowhere" {
    run dialog <<'EOF'
< 220
> EHLO x
< 250
> MAIL FROM:<a@internet.example>
< 250
> RCPT TO:<victim@elsewhere.example>
< 554 5.7.1 relay denied
> DATA
< 554 5.5.1
> QUIT
< 221
EOF
    [ "$status" -eq 0 ]
    [ -z "$(ls -A "$MAIL")" ] && [ -z "$(ls -A "$HOME_MAIL")" ]
}

@test "smtpd: relay tricks on an own domain are refused (%, !, quoted @, source route)" {
    run dialog <<'EOF'
< 220
> EHLO x
< 250
> MAIL FROM:<a@internet.example>
< 250
> RCPT TO:<victim%elsewhere.example@example.com>
< 554 5.7.1
> RCPT TO:<elsewhere.example!victim@example.com>
< 554 5.7.1
> RCPT TO:<"victim@elsewhere.example"@example.com>
< 554 5.7.1
> RCPT TO:<@example.com:victim@elsewhere.example>
< 554 5.7.1
> RCPT TO:<victim@ELSEWHERE.EXAMPLE.>
< 554 5.7.1
> QUIT
< 221
EOF
    [ "$status" -eq 0 ]
    [ -z "$(ls -A "$MAIL")" ]
}

@test "smtpd: upper-case and trailing-dot own domains are own domains" {
    run dialog <<'EOF'
< 220
> EHLO x
< 250
> MAIL FROM:<a@internet.example>
< 250
> RCPT TO:<Bob@EXAMPLE.COM.>
< 250
> DATA
< 354
> Subject: case
>
> x
> .
< 250
> QUIT
< 221
EOF
    [ "$status" -eq 0 ]
    grep -q '^Subject: case' "$MAIL/Bob/INBOX"
}

@test "smtpd: a forward-domain recipient after a delivery-domain one gets 452 4.5.3, and goes in the next transaction" {
    run dialog <<'EOF'
< 220
> EHLO x
< 250
> MAIL FROM:<a@internet.example>
< 250
> RCPT TO:<local@example.com>
< 250
> RCPT TO:<far@home.example>
< 452 4.5.3
> DATA
< 354
> Subject: first
>
> .
< 250
> MAIL FROM:<a@internet.example>
< 250
> RCPT TO:<far@home.example>
< 250
> DATA
< 354
> Subject: second
>
> .
< 250
> QUIT
< 221
EOF
    [ "$status" -eq 0 ]
    grep -q '^Subject: first' "$MAIL/local/INBOX"
    grep -q '^Subject: second' "$HOME_MAIL/far/INBOX"
    [ ! -e "$MAIL/far" ] && [ ! -e "$HOME_MAIL/local" ]
}

@test "smtpd: AUTH outside TLS is refused with 538 unless --allow-plaintext-auth" {
    run dialog <<'EOF'
< 220
> EHLO x
< 250
> AUTH PLAIN AGFzZGYAYXNkZg==
< 538 5.7.11
> QUIT
< 221
EOF
    [ "$status" -eq 0 ]
}

@test "smtpd: AUTH PLAIN (both the RFC form and the original's two-field form) and LOGIN succeed" {
    run dialog --allow-plaintext-auth <<'EOF'
< 220
> EHLO x
< 250 AUTH PLAIN LOGIN
> AUTH PLAIN
< 334
> YXNkZgBhc2Rm
< 235 2.7.0
> QUIT
< 221
EOF
    [ "$status" -eq 0 ]
    run dialog --allow-plaintext-auth <<'EOF'
< 220
> EHLO x
< 250
> AUTH PLAIN AGFzZGYAYXNkZg==
< 235 2.7.0
> QUIT
< 221
EOF
    [ "$status" -eq 0 ]
    run dialog --allow-plaintext-auth <<'EOF'
< 220
> EHLO x
< 250
> AUTH LOGIN
< 334 VXNlcm5hbWU6
> YXNkZg==
< 334 UGFzc3dvcmQ6
> YXNkZg==
< 235 2.7.0
> QUIT
< 221
EOF
    [ "$status" -eq 0 ]
    ! grep -rq 'YXNkZg' "$T"/*.log
}

@test "smtpd: an authenticated client may send elsewhere; with --relay none that is 550 5.7.1" {
    run dialog --allow-plaintext-auth --relay none <<'EOF'
< 220
> EHLO x
< 250
> AUTH PLAIN AGFzZGYAYXNkZg==
< 235
> MAIL FROM:<asdf@example.com>
< 250
> RCPT TO:<friend@elsewhere.example>
< 550 5.7.1 no relay route configured
> QUIT
< 221
EOF
    [ "$status" -eq 0 ]
}

@test "smtpd: after AUTH a user with no senders mapped may use an own domain and <>, a foreign one gets 553 5.7.1" {
    run dialog --allow-plaintext-auth <<'EOF'
< 220
> EHLO x
< 250
> AUTH PLAIN AGFzZGYAYXNkZg==
< 235
> MAIL FROM:<someone@internet.example>
< 553 5.7.1 sender address not owned by the authenticated user
> MAIL FROM:<Someone@Home.Example>
< 250 2.1.0
> RSET
< 250
> MAIL FROM:<>
< 250 2.1.0
> QUIT
< 221
EOF
    [ "$status" -eq 0 ]
    grep -q 'event=mail client=.* user=asdf from=someone@internet.example result=not-owned' "$T/smtpd.log"
}

@test "smtpd: after AUTH a user with senders mapped may use only those" {
    "$BIN/orouboros-mkcreds" --file "$T/creds.json" senders asdf add asdf@example.com @friends.example
    run dialog --allow-plaintext-auth <<'EOF'
< 220
> EHLO x
< 250
> AUTH PLAIN AGFzZGYAYXNkZg==
< 235
> MAIL FROM:<other@example.com>
< 553 5.7.1
> MAIL FROM:<anyone@friends.example>
< 250 2.1.0
> RSET
< 250
> MAIL FROM:<asdf@example.com>
< 250 2.1.0
> QUIT
< 221
EOF
    [ "$status" -eq 0 ]
}

@test "smtpd: AUTH cancelled with * gets 501, bad base64 gets 501, three wrong passwords close with 421" {
    run dialog --allow-plaintext-auth <<'EOF'
< 220
> EHLO x
< 250
> AUTH PLAIN
< 334
> *
< 501 5.7.0
> AUTH PLAIN !!!notbase64
< 501 5.5.2
> AUTH PLAIN AGFzZGYAd3Jvbmc=
< 535 5.7.8
> AUTH PLAIN AGFzZGYAd3Jvbmc=
< 535 5.7.8
> AUTH PLAIN AGFzZGYAd3Jvbmc=
< 535 5.7.8
< 421 4.7.0
<eof
EOF
    [ "$status" -eq 0 ]
    ! grep -rq 'd3Jvbmc' "$T"/*.log
}

@test "smtpd: SMTP smuggling with <LF>.<LF> stores nothing and accepts no second message" {
    run dialog <<'EOF'
< 220
> EHLO x
< 250
> MAIL FROM:<a@internet.example>
< 250
> RCPT TO:<bob@example.com>
< 250
> DATA
< 354
>> Subject: one\r\n\r\nbody\n.\nMAIL FROM:<evil@internet.example>\nRCPT TO:<bob@example.com>\nDATA\nSubject: smuggled\n\r\n.\r\n
< 554 5.6.0
> QUIT
< 221
EOF
    [ "$status" -eq 0 ]
    [ ! -e "$MAIL/bob/INBOX" ]
}

@test "smtpd: smuggling variants <CR>.<CR>, <LF>.<CR><LF>, <CR><LF>.<LF> are refused" {
    for end in '\r.\r' '\n.\r\n' '\r\n.\n' '\r\n.\r'; do
        run dialog <<EOF
< 220
> EHLO x
< 250
> MAIL FROM:<a@internet.example>
< 250
> RCPT TO:<bob@example.com>
< 250
> DATA
< 354
>> Subject: one\r\n\r\nbody${end}MAIL FROM:<evil@internet.example>\r\n.\r\n
< 554 5.6.0
> QUIT
< 221
EOF
        [ "$status" -eq 0 ]
    done
    [ ! -e "$MAIL/bob/INBOX" ]
}

@test "smtpd: a message over --max-message-size gets 552 5.3.4 and the mbox is untouched" {
    mkdir -p "$MAIL/bob" && printf 'From x Thu Jan  1 00:00:00 2026\n\nold\n\n' >"$MAIL/bob/INBOX"
    before=$(md5sum <"$MAIL/bob/INBOX")
    run dialog --max-message-size 2000 <<'EOF'
< 220
> EHLO x
< 250
> MAIL FROM:<a@internet.example> SIZE=5000
< 552 5.3.4
> MAIL FROM:<a@internet.example>
< 250
> RCPT TO:<bob@example.com>
< 250
> DATA
< 354
>> Subject: big\r\n\r\n{990*x}\r\n{990*y}\r\n{990*z}\r\n.\r\n
< 552 5.3.4
> QUIT
< 221
EOF
    [ "$status" -eq 0 ]
    [ "$(md5sum <"$MAIL/bob/INBOX")" = "$before" ]
}

@test "smtpd: a message line of 5000 bytes reaches the mbox whole (the stage allows what smtpd allows)" {
    run dialog <<'EOF'
< 220
> EHLO x
< 250
> MAIL FROM:<a@internet.example>
< 250
> RCPT TO:<bob@example.com>
< 250
> RCPT TO:<carol@home.example>
< 452 4.5.3
> DATA
< 354
>> Subject: long\r\n\r\n{5000*x}\r\n.\r\n
< 250 2.0.0
> MAIL FROM:<a@internet.example>
< 250
> RCPT TO:<carol@home.example>
< 250
> DATA
< 354
>> Subject: long\r\n\r\n{5000*y}\r\n.\r\n
< 250 2.0.0
> QUIT
< 221
EOF
    [ "$status" -eq 0 ]
    grep -qx "$(printf 'x%.0s' $(seq 5000))" "$MAIL/bob/INBOX"
    grep -qx "$(printf 'y%.0s' $(seq 5000))" "$HOME_MAIL/carol/INBOX"
}

@test "smtpd: a megabyte line gets 500 5.5.2 and the session goes on" {
    run dialog <<'EOF'
< 220
>> EHLO {1048576*x}\r\n
< 500 5.5.2 line too long
> EHLO x
< 250
> QUIT
< 221
EOF
    [ "$status" -eq 0 ]
}

@test "smtpd: NUL bytes and bare LF in commands are refused" {
    run dialog <<'EOF'
< 220
>> EHLO x\0y\r\n
< 500 5.5.2 NUL
>> EHLO x\n
< 500 5.5.2 bare
> QUIT
< 221
EOF
    [ "$status" -eq 0 ]
}

@test "smtpd: unknown commands in a loop end with 421 after --max-errors" {
    run dialog --max-errors 3 <<'EOF'
< 220
> FOO
< 500 5.5.2
> BAR
< 500 5.5.2
> BAZ
< 500 5.5.2
< 421 4.7.0
<eof
EOF
    [ "$status" -eq 0 ]
}

@test "smtpd: an HTTP request is answered 421 and closed" {
    run dialog <<'EOF'
< 220
> GET / HTTP/1.1
< 421 4.7.0
<eof
EOF
    [ "$status" -eq 0 ]
}

@test "smtpd: a silent client gets 421 4.4.2 after --idle-timeout and the process exits" {
    run dialog --idle-timeout 1 <<'EOF'
< 220
< 421 4.4.2
<eof
EOF
    [ "$status" -eq 0 ]
    [[ "$output" == *"exit 0"* ]]
}

@test "smtpd: commands out of order get 503 5.5.1" {
    run dialog <<'EOF'
< 220
> MAIL FROM:<a@internet.example>
< 503 5.5.1
> EHLO x
< 250
> RCPT TO:<bob@example.com>
< 503 5.5.1
> DATA
< 503 5.5.1
> MAIL FROM:<a@internet.example>
< 250
> MAIL FROM:<a@internet.example>
< 503 5.5.1
> RSET
< 250
> RCPT TO:<bob@example.com>
< 503 5.5.1
> QUIT
< 221
EOF
    [ "$status" -eq 0 ]
}

@test "smtpd: more than --max-recipients recipients get 452 4.5.3" {
    run dialog --max-recipients 2 <<'EOF'
< 220
> EHLO x
< 250
> MAIL FROM:<a@internet.example>
< 250
> RCPT TO:<r1@example.com>
< 250
> RCPT TO:<r2@example.com>
< 250
> RCPT TO:<r3@example.com>
< 452 4.5.3
> QUIT
< 221
EOF
    [ "$status" -eq 0 ]
}

@test "smtpd: pipelined commands are answered in order" {
    run dialog <<'EOF'
< 220
>> EHLO x\r\nMAIL FROM:<a@internet.example>\r\nRCPT TO:<p1@example.com>\r\nRCPT TO:<nobody@elsewhere.example>\r\nDATA\r\n
< 250
< 250 2.1.0
< 250
< 554 5.7.1
< 354
>> Subject: pipelined\r\n\r\nx\r\n.\r\nQUIT\r\n
< 250 2.0.0
< 221
EOF
    [ "$status" -eq 0 ]
    grep -q '^Subject: pipelined' "$MAIL/p1/INBOX"
}

@test "smtpd: a local part that would leave the mail directory is refused at RCPT and creates nothing" {
    run dialog <<'EOF'
< 220
> EHLO x
< 250
> MAIL FROM:<a@internet.example>
< 250
> RCPT TO:<../evil@example.com>
< 550 5.1.3
> RCPT TO:<.hidden@example.com>
< 550 5.1.3
> QUIT
< 221
EOF
    [ "$status" -eq 0 ]
    [ ! -e "$T/evil" ] && [ -z "$(ls -A "$MAIL")" ]
}

@test "smtpd: a sender on --sender-blocklist or --sender-domain-blocklist is refused at MAIL" {
    printf '# blocked\nspammer@bad.example\n' >"$T/senders"
    printf 'worse.example\n' >"$T/domains"
    run dialog --sender-blocklist "$T/senders" --sender-domain-blocklist "$T/domains" <<'EOF'
< 220
> EHLO x
< 250
> MAIL FROM:<Spammer@BAD.example>
< 554 5.7.1
> MAIL FROM:<anyone@worse.example>
< 554 5.7.1
> MAIL FROM:<fine@bad.example>
< 250
> QUIT
< 221
EOF
    [ "$status" -eq 0 ]
}

@test "smtpd: a local stage that cannot start or be reached gives 451 at RCPT; its command or path is in the log, never in the reply" {
    local stage where
    for stage in "exec:$T/no-such-program --lmtp --mboxdir $MAIL" "unix:$T/nobody-listens.sock"; do
        DELIVER=$stage
        where=${stage#*:} where=${where%% *}  # the program or the socket
        run dialog <<'EOF'
< 220
> EHLO x
< 250
> MAIL FROM:<a@internet.example>
< 250
> RCPT TO:<bob@example.com>
< 451 4.4.1 next hop did not answer
> QUIT
< 221
EOF
        echo "$output"
        [ "$status" -eq 0 ]
        [[ "$output" != *"$T"* ]]
        grep -q "event=next-hop route=local result=unavailable error=.*$where" "$T/smtpd.log"
    done
    [ -z "$(ls -A "$MAIL")" ]
}

@test "smtpd: control bytes in the stage's replies reach the owner as '?', with the stage's code and enhanced code" {
    # an LMTP stage that refuses bob with a bare CR and an escape sequence in
    # its text, takes carol, keeps the message and answers DATA with a bell
    cat >"$T/stage" <<'PY'
#!/usr/bin/python3
import sys
def say(reply):
    sys.stdout.buffer.write(reply + b"\r\n")
    sys.stdout.flush()
say(b"220 stage.test LMTP")
for _ in range(50):
    line = sys.stdin.buffer.readline()
    if not line or line.startswith(b"QUIT"):
        break
    if line.startswith(b"RCPT TO:<bob@"):
        say(b"550 5.1.1 unknown\r250 2.1.5 forged \x1b[31mred")
    elif line.startswith(b"DATA"):
        say(b"354 go on")
        with open(sys.argv[1], "wb") as kept:
            for _ in range(1000):
                line = sys.stdin.buffer.readline()
                if not line or line == b".\r\n":
                    break
                kept.write(line)
        say(b"452 4.2.2 mailbox\rfull\x07")
    else:
        say(b"250 2.0.0 ok")
say(b"221 bye")
PY
    chmod +x "$T/stage"
    DELIVER="exec:$T/stage $T/kept"
    run dialog --allow-plaintext-auth <<'EOF'
< 220
> EHLO x
< 250
> AUTH PLAIN AGFzZGYAYXNkZg==
< 235
> MAIL FROM:<owner@example.com>
< 250
> RCPT TO:<bob@example.com>
< 550 5.1.1 unknown?250 2.1.5 forged ?[31mred
> RCPT TO:<carol@example.com>
< 250 2.0.0 ok
> DATA
< 354
> Subject: control bytes
>
> .
< 451 4.2.2 mailbox?full?
> QUIT
< 221
EOF
    echo "$output"
    [ "$status" -eq 0 ]
    [[ "$output" != *$'\r'* && "$output" != *$'\e'* && "$output" != *$'\a'* ]]
    grep -q '^Subject: control bytes' "$T/kept"
    [ -z "$(ls -A "$MAIL")" ]
    # a stranger hears the same codes with fixed texts; the log has the stage's
    run dialog <<'EOF'
< 220
> EHLO x
< 250
> MAIL FROM:<a@internet.example>
< 250
> RCPT TO:<bob@example.com>
< 550 5.1.1 recipient rejected
> RCPT TO:<carol@example.com>
< 250 2.0.0 Ok
> DATA
< 354
> Subject: control bytes
>
> .
< 451 4.2.2 mailbox full
> QUIT
< 221
EOF
    echo "$output"
    [ "$status" -eq 0 ]
    [[ "$output" != *forged* ]]
    grep -Fq 'event=next-hop reply="550 5.1.1 unknown?250 2.1.5 forged ?[31mred"' "$T/smtpd.log"
}

@test "smtpd: a stage that cannot store gives 451 after DATA and leaves nothing behind" {
    printf 'not a directory\n' >"$MAIL/bob"   # the mailbox directory cannot be made
    run dialog <<'EOF'
< 220
> EHLO x
< 250
> MAIL FROM:<a@internet.example>
< 250
> RCPT TO:<bob@example.com>
< 250
> DATA
< 354
> Subject: cannot store
>
> .
< 451
> QUIT
< 221
EOF
    [ "$status" -eq 0 ]
    [ "$(ls -A "$MAIL")" = bob ] && [ "$(cat "$MAIL/bob")" = "not a directory" ]
}

@test "smtpd: options come from a --config file; its section beats the top level, the command line beats both" {
    cat >"$T/orouboros.conf" <<EOF
hostname = from-file.test
credentials = only-other-programs-know-this-key.json
max-recipients = 5
[smtpd]
max-recipients = 1
[authcheck]
fail-delay = 0
EOF
    run dialog --config "$T/orouboros.conf" <<'EOF'
< 220 vps.test
> EHLO x
< 250
> MAIL FROM:<a@internet.example>
< 250
> RCPT TO:<r1@example.com>
< 250
> RCPT TO:<r2@example.com>
< 452 4.5.3
> QUIT
< 221
EOF
    [ "$status" -eq 0 ]
    printf '[smtpd]\nno-such-key = 1\n' >"$T/bad.conf"
    run "$BIN/orouboros-smtpd" --config "$T/bad.conf" </dev/null
    [ "$status" -eq 78 ]
    [[ "$output" == *"$T/bad.conf:2: [smtpd] unknown key 'no-such-key'"* ]]
}

@test "smtpd: usage errors exit 64 with a message" {
    run "$BIN/orouboros-smtpd" --tls sometimes </dev/null
    [ "$status" -eq 64 ]
    [[ "$output" == *"usage"* ]]
    run "$BIN/orouboros-smtpd" --tls implicit </dev/null
    [ "$status" -eq 64 ]
    [[ "$output" == *"needs --cert and --key"* ]]
}

@test "smtpd: an unreadable certificate is a configuration error (78)" {
    run "$BIN/orouboros-smtpd" --tls starttls --cert "$T/none.crt" --key "$T/none.key" </dev/null
    [ "$status" -eq 78 ]
    [[ "$output" == *"cannot load certificate"* ]]
}

@test "smtpd: authenticated outbound mail takes the relay route, one destination domain per transaction, no client address in Received" {
    mkdir -p "$T/out"
    run dialog --allow-plaintext-auth --relay "exec:$BIN/orouboros-mbox-deliver --lmtp --mboxdir $T/out" <<'EOF'
< 220
> EHLO laptop.home
< 250
> AUTH PLAIN AGFzZGYAYXNkZg==
< 235
> MAIL FROM:<asdf@example.com>
< 250
> RCPT TO:<friend@one.example>
< 250
> RCPT TO:<other@two.example>
< 452 4.5.3
> RCPT TO:<local@example.com>
< 452 4.5.3
> DATA
< 354
> Subject: outbound
>
> .
< 250
> QUIT
< 221
EOF
    [ "$status" -eq 0 ]
    out="$T/out/friend/INBOX"
    grep -q '^Subject: outbound' "$out"
    grep -q '^Received: by vps.test (Orouboros) with ESMTPA' "$out"
    ! grep -q 'laptop.home' "$out"
    [ ! -e "$T/out/other" ] && [ ! -e "$MAIL/local" ]
}

@test "smtpd: --keep-submitter-address names the authenticated client in Received" {
    mkdir -p "$T/out"
    run dialog --allow-plaintext-auth --keep-submitter-address \
        --relay "exec:$BIN/orouboros-mbox-deliver --lmtp --mboxdir $T/out" <<'EOF'
< 220
> EHLO laptop.home
< 250
> AUTH PLAIN AGFzZGYAYXNkZg==
< 235
> MAIL FROM:<asdf@example.com>
< 250
> RCPT TO:<friend@one.example>
< 250
> DATA
< 354
> Subject: kept
>
> .
< 250
> QUIT
< 221
EOF
    [ "$status" -eq 0 ]
    grep -q '^Received: from laptop.home (local)' "$T/out/friend/INBOX"
}

@test "smtpd: the session budgets are keys of the configuration file: max-junk-commands ends the third NOOP" {
    printf '[smtpd]\nmax-junk-commands = 2\nerror-sleep-ms = 0\nmax-errors = 4\n' >"$T/limits.conf"
    run dialog --config "$T/limits.conf" <<'EOF'
< 220
> NOOP
< 250 2.0.0
> HELP
< 214
> RSET
< 421 4.7.0 too many commands that do nothing, closing connection
<eof
EOF
    [ "$status" -eq 0 ]
    grep -q 'event=too-many-errors client=.* commands=3$' "$T/smtpd.log"
}

@test "smtpd: bad limit values are usage errors (64)" {
    for bad in "--error-sleep-ms -1" "--error-sleep-ms 60001" "--max-junk-commands 0" "--soft-error-limit -1" \
        "--max-client-connections -1" "--max-client-rate -2"; do
        # shellcheck disable=SC2086
        run "$BIN/orouboros-smtpd" --config /dev/null $bad </dev/null
        [ "$status" -eq 64 ] || { echo "$bad: $status $output"; return 1; }
    done
    run "$BIN/orouboros" --config /dev/null --max-client-rate -1
    [ "$status" -eq 64 ]
}

@test "smtpd: the internet-facing socket units limit one address as --max-client-connections does by default" {
    per_client=$("$BIN/orouboros-smtpd" --help | sed -n 's/.*--max-client-connections arg (=\([0-9]*\)).*/\1/p')
    [ "$per_client" = 10 ]
    units="$BATS_TEST_DIRNAME/../../units"
    for u in smtp submission submissions; do
        grep -qx "Accept=yes" "$units/orouboros-$u.socket"
        grep -qx "MaxConnectionsPerSource=$per_client" "$units/orouboros-$u.socket"
        grep -qx "MaxConnections=[0-9]*" "$units/orouboros-$u.socket"
    done
}

@test "smtpd: --chroot without --user is a usage error (64)" {
    run "$BIN/orouboros-smtpd" --chroot "$T" </dev/null
    [ "$status" -eq 64 ]
    [[ "$output" == *"--chroot needs --user"* ]]
}

@test "smtpd: --user needs root (77)" {
    [ "$(id -u)" -eq 0 ] || skip "changes to another user first"
    run setpriv --reuid=nobody --regid=nogroup --clear-groups "$BIN/orouboros-smtpd" --user nobody </dev/null
    [ "$status" -eq 77 ]
    [[ "$output" == *"--user needs orouboros-smtpd started as root"* ]]
}

@test "smtpd: with --chroot, a stage outside the directory or spawned is a configuration error (78)" {
    [ "$(id -u)" -eq 0 ] || skip "starts as root"
    run "$BIN/orouboros-smtpd" --user nobody --chroot "$T" --deliver "$DELIVER" </dev/null
    [ "$status" -eq 78 ]
    [[ "$output" == *"cannot be reached from inside $T"* ]]
    run "$BIN/orouboros-smtpd" --user nobody --chroot "$T" --deliver "unix:/elsewhere/deliver.sock" </dev/null
    [ "$status" -eq 78 ]
}

# The system calls a systemd filter (group names expanded) allows.
expand_filter() {
    local word line
    for word in "$@"; do
        if [[ "$word" != @* ]]; then echo "$word"; continue; fi
        while read -r line; do
            [[ -z "$line" || "$line" == \#* || "$line" == "$word" ]] && continue
            expand_filter "$line"
        done < <(systemd-analyze syscall-filter --no-pager "$word")
    done
}

@test "smtpd: the smtpd units allow every system call of the sessions' allow-list" {
    command -v systemd-analyze >/dev/null || skip "no systemd-analyze"
    src="$BATS_TEST_DIRNAME/../../lib/smtpd/confine.cpp"
    # the calls of every session (a sanitizer build's extra ones left out)
    calls=$(sed '/^#ifdef OROU_ASAN/,/^#endif/d' "$src" | grep -o 'SCMP_SYS([a-z0-9_]*)' |
        sed 's/SCMP_SYS(\(.*\))/\1/' | sort -u)
    [ "$(wc -l <<<"$calls")" -gt 40 ]
    for unit in smtp submission submissions; do
        file="$BATS_TEST_DIRNAME/../../units/orouboros-$unit@.service"
        allow=$(sed -n 's/^SystemCallFilter=\([^~].*\)/\1/p' "$file")
        deny=$(sed -n 's/^SystemCallFilter=~\(.*\)/\1/p' "$file")
        # shellcheck disable=SC2086
        allowed=$(comm -23 <(expand_filter $allow | sort -u) <(expand_filter $deny | sort -u))
        missing=$(comm -23 <(echo "$calls") <(echo "$allowed"))
        [ -z "$missing" ] || { echo "$unit does not allow: $missing"; false; }
    done
}

@test "smtpd: --version prints the program and its version and exits 0" {
    run orouboros-smtpd --version
    [ "$status" -eq 0 ]
    [[ "$output" =~ ^orouboros-smtpd\ [0-9]+\.[0-9]+\.[0-9]+$ ]]
}

@test "smtpd: without --relay, an authenticated client's mail for another domain goes to orouboros-forward --mx" {
    # .invalid never resolves (RFC 6761): the MX stage's own refusal shows it was asked
    run dialog --allow-plaintext-auth <<'EOF'
< 220
> EHLO x
< 250
> AUTH PLAIN AGFzZGYAYXNkZg==
< 235
> MAIL FROM:<asdf@example.com>
< 250
> RCPT TO:<friend@nowhere.invalid>
< 550 5.1.2 domain nowhere.invalid does not exist
> QUIT
< 221
EOF
    echo "$output"
    [ "$status" -eq 0 ]
    grep -q 'orouboros-forward.*event=route domain=nowhere.invalid result=refused' "$T/smtpd.log"
}

@test "smtpd: a domain that would be routed nowhere stops it with 78, naming the domain" {
    run "$BIN/orouboros-smtpd" --config /dev/null --tls none --delivery-domain example.com </dev/null
    [ "$status" -eq 78 ]
    [[ "$output" == *"delivery domain example.com is routed nowhere: give --deliver"* ]]
    run "$BIN/orouboros-smtpd" --config /dev/null --tls none --forward-domain home.example </dev/null
    [ "$status" -eq 78 ]
    [[ "$output" == *"forward domain home.example is routed nowhere: give --forward"* ]]
    # a forward domain delivered locally too has its route
    run "$BIN/orouboros-smtpd" --config /dev/null --tls none --delivery-domain example.com \
        --forward-domain example.com --deliver "$DELIVER" --log NONE </dev/null
    [ "$status" -eq 0 ]
}
