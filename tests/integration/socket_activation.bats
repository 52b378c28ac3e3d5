#!/usr/bin/env bats
# orouboros-smtpd under systemd-socket-activate with --accept: the
# connection arrives as fd 3 (sd_listen_fds), or as stdin/stdout (--inetd);
# and given a listening socket (Accept=no), with sessions forked ahead.

load lib

setup() {
    DIR="$BATS_TEST_TMPDIR"
    make_fixtures "$DIR"
    mkdir -p "$DIR/mail"
    PORT=$(free_port)
    BIN=${OROUBOROS_BIN:-$(dirname "$(command -v orouboros-smtpd)")}
}

teardown() {
    [ -n "${SA_PID:-}" ] && kill "$SA_PID" 2>/dev/null
    [ -n "${SA_PID:-}" ] && wait "$SA_PID" 2>/dev/null
    true
}

start_activated() {  # extra systemd-socket-activate flags...  (CERT, KEY: other files)
    systemd-socket-activate --accept -l "127.0.0.1:$PORT" "$@" \
        "$BIN/orouboros-smtpd" --tls starttls --cert "${CERT:-$DIR/server.crt}" --key "${KEY:-$DIR/server.key}" \
        --hostname activated.test --delivery-domain example.com \
        --deliver "exec:$BIN/orouboros-mbox-deliver --lmtp --mboxdir $DIR/mail" \
        --log "$DIR/smtpd.log" 2>"$DIR/activate.log" &
    SA_PID=$!
    wait_port "$PORT"
}

@test "socket activation: the connection as fd 3 (LISTEN_FDS), STARTTLS, delivered" {
    start_activated
    run swaks --server "127.0.0.1:$PORT" --tls --from a@internet.example --to fd3@example.com \
        --h-Subject "fd three" --timeout 20
    [ "$status" -eq 0 ]
    [[ "$output" == *"220 activated.test ESMTP"* ]]
    grep -q '^Subject: fd three' "$DIR/mail/fd3/INBOX"
    # REMOTE_ADDR set by systemd-socket-activate reaches the Received header
    grep -q '(\[127.0.0.1\])' "$DIR/mail/fd3/INBOX"
}

@test "socket activation: inetd style, the connection on stdin and stdout" {
    start_activated --inetd
    run swaks --server "127.0.0.1:$PORT" --tls --from a@internet.example --to inetd@example.com \
        --h-Subject "inetd style" --timeout 20
    [ "$status" -eq 0 ]
    grep -q '^Subject: inetd style' "$DIR/mail/inetd/INBOX"
}

@test "socket activation: a listening socket (Accept=no): one smtpd forks a session per connection, within --max-connections" {
    systemd-socket-activate -l "127.0.0.1:$PORT" \
        "$BIN/orouboros-smtpd" --hostname listening.test --delivery-domain example.com --max-connections 1 \
        --deliver "exec:$BIN/orouboros-mbox-deliver --lmtp --mboxdir $DIR/mail" \
        --log "$DIR/smtpd.log" 2>"$DIR/activate.log" &
    SA_PID=$!
    wait_port "$PORT"
    for n in 1 2; do
        # turned away (421) while the session before is reaped: bounded
        # retries, only while no message was started
        for ((i = 0; i < 50; i++)); do
            run swaks --server "127.0.0.1:$PORT" --from a@internet.example --to many@example.com \
                --h-Subject "number $n" --timeout 20
            [ "$status" -ne 0 ] && [[ "$output" != *"<-  354"* ]] || break
            sleep 0.1
        done
        [ "$status" -eq 0 ]
    done
    [ "$(grep -c '^Subject: number' "$DIR/mail/many/INBOX")" -eq 2 ]
    # no REMOTE_ADDR here: the address comes from the accepted socket
    [ "$(grep -c '(\[127.0.0.1\])' "$DIR/mail/many/INBOX")" -eq 2 ]
    # one session at most: a second client is told 421 while the first holds on
    run "$PY" - "$PORT" <<'PY'
import socket, sys, time
for _ in range(50):  # the session before may still be ending: bounded retries
    first = socket.create_connection(("127.0.0.1", int(sys.argv[1])), 10)
    greeting = first.recv(512).decode().strip()
    if greeting.startswith("220"):
        break
    first.close()
    time.sleep(0.1)
print(greeting)
second = socket.create_connection(("127.0.0.1", int(sys.argv[1])), 10)
print(second.recv(512).decode().strip())
first.sendall(b"QUIT\r\n")
print(first.recv(512).decode().strip())
first.close()
for _ in range(50):  # until the first session has been reaped
    third = socket.create_connection(("127.0.0.1", int(sys.argv[1])), 10)
    greeting = third.recv(512).decode().strip()
    third.close()
    if greeting.startswith("220"):
        break
    time.sleep(0.1)
print(greeting)
PY
    [ "${lines[0]:0:3}" = "220" ]
    [ "${lines[1]}" = "421 4.3.2 too many connections, try again later" ]
    [ "${lines[2]:0:3}" = "221" ]
    [ "${lines[3]:0:3}" = "220" ]
    [ "$(grep -c 'event=listening' "$DIR/smtpd.log")" -eq 1 ]
    kill "$SA_PID"
    wait "$SA_PID" || true
    SA_PID=
    run swaks --server "127.0.0.1:$PORT" --from a@internet.example --to many@example.com --timeout 5
    [ "$status" -ne 0 ]
}

@test "socket activation: a session started per connection sends the whole chain of its certificate file" {
    # a CA, and a leaf it signed; the file holds the leaf, then the CA
    openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 2 -subj /CN=Test-CA \
        -keyout "$DIR/ca.key" -out "$DIR/ca.crt" 2>/dev/null
    openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -subj /CN=localhost \
        -keyout "$DIR/leaf.key" -out "$DIR/leaf.csr" 2>/dev/null
    openssl x509 -req -in "$DIR/leaf.csr" -CA "$DIR/ca.crt" -CAkey "$DIR/ca.key" -CAcreateserial -days 2 \
        -out "$DIR/leaf.crt" 2>/dev/null
    cat "$DIR/leaf.crt" "$DIR/ca.crt" >"$DIR/chain.crt"
    CERT=$DIR/chain.crt KEY=$DIR/leaf.key start_activated
    run timeout 20 openssl s_client -connect "127.0.0.1:$PORT" -starttls smtp -showcerts \
        -CAfile "$DIR/ca.crt" -verify_return_error </dev/null
    [ "$status" -eq 0 ]
    [ "$(grep -c 'BEGIN CERTIFICATE' <<<"$output")" -eq 2 ]
    [[ "$output" == *"Verify return code: 0 (ok)"* ]]
}

@test "socket activation: a key that does not fit its certificate: STARTTLS is 454 4.7.0, the log says why, and mail still goes in clear" {
    "$BATS_TEST_DIRNAME/../../contrib/make-cert.sh" "$DIR/other" localhost
    KEY=$DIR/other/server.key start_activated
    run "$PY" "$BATS_TEST_DIRNAME/../dialog.py" --tcp "127.0.0.1:$PORT" <<'EOF'
< 220 activated.test
> EHLO x
< 250 STARTTLS
> STARTTLS
< 454 4.7.0 TLS not available
> MAIL FROM:<a@internet.example>
< 250
> RCPT TO:<clear@example.com>
< 250
> DATA
< 354
> Subject: in clear
>
> body
> .
< 250 2.0.0
> QUIT
< 221
EOF
    [ "$status" -eq 0 ]
    grep -q '^Subject: in clear' "$DIR/mail/clear/INBOX"
    grep -q "event=tls-unavailable reason=\"cannot load key $DIR/other/server.key: .*key values mismatch" "$DIR/smtpd.log"
}

@test "socket activation: commands pipelined after STARTTLS are discarded, not run inside TLS" {
    start_activated
    run "$PY" - "$PORT" <<'PY'
import socket, ssl, sys
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])), 10)
f = s.makefile("rb")
def reply():
    lines = []
    while True:
        line = f.readline().decode()
        lines.append(line.rstrip())
        if len(line) < 4 or line[3] != "-":
            return lines
reply()
s.sendall(b"EHLO x\r\n"); reply()
# the injection: a command in the same packet as STARTTLS
s.sendall(b"STARTTLS\r\nMAIL FROM:<injected@internet.example>\r\n")
print(reply()[-1])
ctx = ssl.create_default_context(); ctx.check_hostname = False; ctx.verify_mode = ssl.CERT_NONE
t = ctx.wrap_socket(s, server_hostname="localhost")
g = t.makefile("rb")
t.sendall(b"MAIL FROM:<a@internet.example>\r\n")
print(g.readline().decode().rstrip())   # must be 503: EHLO needed again, and no reply to the injection
t.sendall(b"EHLO x\r\n")
while True:
    line = g.readline().decode().rstrip()
    if line[3] == " ": break
t.sendall(b"MAIL FROM:<a@internet.example>\r\n")
print(g.readline().decode().rstrip())
t.sendall(b"QUIT\r\n"); print(g.readline().decode().rstrip())
PY
    [ "$status" -eq 0 ]
    [ "${lines[0]}" = "220 2.0.0 Ready to start TLS" ]
    [ "${lines[1]}" = "503 5.5.1 send EHLO first" ]
    [ "${lines[2]}" = "250 2.1.0 sender ok" ]
    [[ "${lines[3]}" == "221 2.0.0"* ]]
    ! grep -q 'injected' "$DIR/smtpd.log"
}

@test "socket activation: input sent before the greeting is discarded" {
    start_activated
    run "$PY" - "$PORT" <<'PY'
import socket, sys
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])), 10)
s.sendall(b"EHLO early\r\nQUIT\r\n")   # before the greeting arrives
f = s.makefile("rb")
print(f.readline().decode().rstrip())
s.sendall(b"NOOP\r\n")
print(f.readline().decode().rstrip())
s.sendall(b"QUIT\r\n")
print(f.readline().decode().rstrip())
PY
    [ "$status" -eq 0 ]
    [[ "${lines[0]}" == "220 activated.test"* ]]
    [ "${lines[1]}" = "250 2.0.0 Ok" ]
    [[ "${lines[2]}" == "221 2.0.0"* ]]
    grep -q 'event=pregreet' "$DIR/smtpd.log"
}

@test "socket activation: a listening socket (Accept=no): SIGHUP loads the renewed certificate for new connections, a broken one is kept out" {
    cp "$DIR/server.crt" "$DIR/live.crt" && cp "$DIR/server.key" "$DIR/live.key"
    "$BATS_TEST_DIRNAME/../../contrib/make-cert.sh" "$DIR/b" localhost
    systemd-socket-activate -l "127.0.0.1:$PORT" \
        "$BIN/orouboros-smtpd" --tls implicit --cert "$DIR/live.crt" --key "$DIR/live.key" \
        --hostname listening.test --delivery-domain example.com \
        --deliver "exec:$BIN/orouboros-mbox-deliver --lmtp --mboxdir $DIR/mail" \
        --log "$DIR/smtpd.log" 2>"$DIR/activate.log" &
    SA_PID=$!
    wait_port "$PORT"
    a=$(cert_fingerprint "$DIR/server.crt") b=$(cert_fingerprint "$DIR/b/server.crt")
    [ "$(served_fingerprint "$PORT")" = "$a" ]
    echo "not a certificate" >"$DIR/live.crt"
    kill -HUP "$SA_PID"
    for ((i = 0; i < 100; i++)); do grep -q 'event=reload-failed' "$DIR/smtpd.log" && break; sleep 0.05; done
    grep -q 'event=reload-failed' "$DIR/smtpd.log"
    [ "$(served_fingerprint "$PORT")" = "$a" ]
    cp "$DIR/b/server.crt" "$DIR/live.crt" && cp "$DIR/b/server.key" "$DIR/live.key"
    kill -HUP "$SA_PID"
    for ((i = 0; i < 100; i++)); do grep -q 'event=reloaded' "$DIR/smtpd.log" && break; sleep 0.05; done
    [ "$(served_fingerprint "$PORT")" = "$b" ]
    run swaks --server "127.0.0.1:$PORT" --tls-on-connect --from a@internet.example --to renewed@example.com --timeout 20
    [ "$status" -eq 0 ]
    grep -q '^From a@internet.example ' "$DIR/mail/renewed/INBOX"
    kill -0 "$SA_PID"   # the same process, still serving
    [ "$(grep -c 'event=listening' "$DIR/smtpd.log")" -eq 1 ]
}

# --prefork: sessions forked ahead wait for the connections smtpd accepts;
# it still holds them to --max-connections and the limits per address,
# replaces them on SIGHUP and ends them on SIGQUIT.

# orouboros-smtpd handed a listening socket, with the options given.
start_listening() {
    systemd-socket-activate -l "127.0.0.1:$PORT" \
        "$BIN/orouboros-smtpd" --hostname prefork.test --delivery-domain example.com \
        --deliver "${DELIVER:-exec:$BIN/orouboros-mbox-deliver --lmtp --mboxdir $DIR/mail}" \
        --log "$DIR/smtpd.log" --log-level DEBUG "$@" 2>"$DIR/activate.log" &
    SA_PID=$!
    wait_port "$PORT"
}

# The children of smtpd (systemd-socket-activate execs it: same pid).
sessions() { pgrep -P "$SA_PID" | sort; }

# Waits (at most 5 s) until smtpd has $1 children.
wait_sessions() {
    local i
    for ((i = 0; i < 100; i++)); do
        [ "$(sessions | wc -l)" -eq "$1" ] && return 0
        sleep 0.05
    done
    echo "smtpd has $(sessions | wc -l) children, not $1" >&2
    return 1
}

@test "prefork: --prefork 3 keeps three sessions forked ahead; a client is greeted and delivers; three wait again" {
    start_listening --prefork 3
    wait_sessions 3
    idle=$(sessions)
    run swaks --server "127.0.0.1:$PORT" --from a@internet.example --to pre@example.com \
        --h-Subject "forked ahead" --timeout 20
    [ "$status" -eq 0 ]
    [[ "$output" == *"220 prefork.test ESMTP"* ]]
    [[ "$output" == *"<-  250 2.0.0"* ]]
    grep -q '^Subject: forked ahead' "$DIR/mail/pre/INBOX"
    grep -q '(\[127.0.0.1\])' "$DIR/mail/pre/INBOX"  # the address passed with the connection
    wait_sessions 3
    # the session was one of those forked ahead, and one was forked in its place
    [ "$(comm -12 <(echo "$idle") <(sessions) | wc -l)" -eq 2 ]
    # each session logs what it cost at debug level
    grep -Eq 'event=session-cost cpu_us=[0-9]+ minor_faults=[0-9]+ max_rss_kb=[0-9]+' "$DIR/smtpd.log"
}

@test "prefork: the sessions forked ahead wait under the system call filter, and serve under it" {
    # routes on sockets only (none relayed): the filter applies
    DELIVER="unix:$DIR/deliver.sock" start_listening --prefork 2 --relay none
    wait_sessions 2
    for s in $(sessions); do grep -q '^Seccomp:[[:space:]]*2$' "/proc/$s/status"; done
    run "$PY" - "$PORT" <<'PY'
import socket, sys
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])), 10)
f = s.makefile("rb")
print(f.readline().decode().strip())
s.sendall(b"EHLO client.example\r\nQUIT\r\n")
for line in f:
    print(line.decode().strip())
PY
    [ "${lines[0]:0:3}" = "220" ]
    [ "${lines[-1]:0:3}" = "221" ]
    ! grep -q 'event=killed' "$DIR/smtpd.log"
}

@test "prefork: --prefork 0 forks a session per connection and keeps none waiting" {
    start_listening --prefork 0
    run swaks --server "127.0.0.1:$PORT" --from a@internet.example --to none@example.com --timeout 20
    [ "$status" -eq 0 ]
    wait_sessions 0
    [ -s "$DIR/mail/none/INBOX" ]
}

@test "prefork: the limits still hold: with --max-client-connections 1 a second connection from the address gets 421 4.7.0" {
    start_listening --prefork 3 --max-client-connections 1
    wait_sessions 3
    run "$PY" - "$PORT" <<'PY'
import socket, sys
port = int(sys.argv[1])
first = socket.create_connection(("127.0.0.1", port), 10)
print(first.recv(512).decode().strip())
second = socket.create_connection(("127.0.0.1", port), 10)
print(second.recv(512).decode().strip())
first.sendall(b"QUIT\r\n")
print(first.recv(512).decode().strip())
PY
    [ "${lines[0]:0:3}" = "220" ]
    [ "${lines[1]:0:9}" = "421 4.7.0" ]
    [ "${lines[2]:0:3}" = "221" ]
}

@test "prefork: SIGHUP replaces the sessions forked ahead; SIGQUIT ends them and smtpd once a held session is done" {
    start_listening --prefork 2
    wait_sessions 2
    before=$(sessions)
    kill -HUP "$SA_PID"
    for ((i = 0; i < 100; i++)); do
        now=$(sessions)
        [ "$(echo "$now" | wc -l)" -eq 2 ] && [ -z "$(comm -12 <(echo "$before") <(echo "$now"))" ] && break
        sleep 0.05
    done
    [ -z "$(comm -12 <(echo "$before") <(sessions))" ]
    # a held session finishes after SIGQUIT; the waiting ones end at once
    exec 7<>"/dev/tcp/127.0.0.1/$PORT"
    read -r -t 10 greeting <&7
    [[ "$greeting" == "220 prefork.test"* ]]
    kill -QUIT "$SA_PID"
    wait_sessions 1
    printf 'QUIT\r\n' >&7
    read -r -t 10 bye <&7
    [[ "$bye" == "221 "* ]]
    exec 7<&-
    for ((i = 0; i < 100; i++)); do kill -0 "$SA_PID" 2>/dev/null || break; sleep 0.05; done
    ! kill -0 "$SA_PID" 2>/dev/null
    SA_PID=
}
