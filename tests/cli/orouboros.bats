#!/usr/bin/env bats
# The orouboros listener: the original command line, its limits, a clean stop.

load ../integration/lib

setup() {
    T="$BATS_TEST_TMPDIR"
    mkdir -p "$T/mail"
    printf '%s\n' "$CREDS_ASDF" >"$T/creds.json"
    PORT=$(free_port)
}

teardown() {
    stop_orouboros "$T"
}

@test "orouboros: plain SMTP on --port without a certificate delivers to --mboxdir" {
    ORO_WAIT_PORTS=$PORT start_orouboros "$T" --port "$PORT" --delivery-domain example.com --local \
        --mboxdir "$T/mail" --user-credentials "$T/creds.json" --hostname listener.test
    run swaks --server "127.0.0.1:$PORT" --from a@internet.example --to plain@example.com --timeout 20
    [ "$status" -eq 0 ]
    [[ "$output" == *"220 listener.test ESMTP"* ]]
    grep -q '^From a@internet.example ' "$T/mail/plain/INBOX"
}

@test "orouboros: the mail directory it makes is 0700, and a delivery into it works" {
    ORO_WAIT_PORTS=$PORT start_orouboros "$T" --port "$PORT" --delivery-domain example.com --local \
        --mboxdir "$T/spool/mail" --hostname listener.test
    [ "$(stat -c %a "$T/spool/mail")" = 700 ]
    run swaks --server "127.0.0.1:$PORT" --from a@internet.example --to private@example.com --timeout 20
    [ "$status" -eq 0 ]
    [ "$(stat -c %a "$T/spool/mail/private")" = 700 ]
    [ "$(stat -c %a "$T/spool/mail/private/INBOX")" = 600 ]
}

@test "orouboros: beyond --max-connections a client gets 421 4.3.2" {
    ORO_WAIT_PORTS=$PORT start_orouboros "$T" --port "$PORT" --delivery-domain example.com \
        --mboxdir "$T/mail" --max-connections 1
    run "$PY" - "$PORT" <<'PY'
import socket, sys, time
port = int(sys.argv[1])
# the readiness probe's own session may still hold the one slot: retry (bounded)
for _ in range(100):
    first = socket.create_connection(("127.0.0.1", port), 10)
    line = first.makefile("rb").readline().decode().rstrip()
    if line.startswith("220"):
        break
    first.close(); time.sleep(0.05)
print(line)                                                    # the first session is running
second = socket.create_connection(("127.0.0.1", port), 10)
print(second.makefile("rb").readline().decode().rstrip())     # the second is turned away
first.sendall(b"QUIT\r\n"); first.close()
# once the first session has ended, a new one is served again (bounded retries)
for _ in range(100):
    third = socket.create_connection(("127.0.0.1", port), 10)
    line = third.makefile("rb").readline().decode().rstrip()
    third.close()
    if line.startswith("220"):
        print(line); break
    time.sleep(0.05)
PY
    [ "$status" -eq 0 ]
    [[ "${lines[0]}" == "220 "* ]]
    [[ "${lines[1]}" == "421 4.3.2 too many connections"* ]]
    [[ "${lines[2]}" == "220 "* ]]
}

@test "orouboros: beyond --max-connections an implicit-TLS client is closed unanswered, not told in clear" {
    make_fixtures "$T"
    ORO_WAIT_PORTS=$PORT start_orouboros "$T" --ssl-port "$PORT" --port "$(free_port)" --cert "$T/server.crt" \
        --key "$T/server.key" --delivery-domain example.com --mboxdir "$T/mail" --max-connections 1
    run "$PY" - "$PORT" <<'PY'
import socket, ssl, sys, time
port = int(sys.argv[1])
ctx = ssl.create_default_context()
ctx.check_hostname, ctx.verify_mode = False, ssl.CERT_NONE
def tls():
    return ctx.wrap_socket(socket.create_connection(("127.0.0.1", port), 10))
# the readiness probe's own session may still hold the one slot: retry (bounded)
for _ in range(100):
    try:
        first = tls()
        line = first.makefile("rb").readline().decode().rstrip()
        break
    except (ssl.SSLError, OSError):
        time.sleep(0.05)
print(line)                                                    # the first session is running
raw = socket.create_connection(("127.0.0.1", port), 10)
print("second:", repr(raw.recv(512)))                          # closed without a byte
first.sendall(b"QUIT\r\n"); first.close()
PY
    [ "$status" -eq 0 ]
    [[ "${lines[0]}" == "220 "* ]]
    [ "${lines[1]}" = "second: b''" ]
}

@test "orouboros: the smtpd of a port is started again when it ends; SIGKILL of the listener ends every part" {
    ORO_WAIT_PORTS=$PORT start_orouboros "$T" --port "$PORT" --delivery-domain example.com --local \
        --mboxdir "$T/mail"
    pid=$(cat "$T/orouboros.pid")
    first=$(listener_child "$T" orouboros-smtpd)
    kill -KILL "$first"
    second=
    for ((i = 0; i < 100; i++)); do  # started again about a second later
        second=$(pgrep -P "$pid" -f orouboros-smtpd) && [ "$second" != "$first" ] && break
        sleep 0.05
    done
    [ -n "$second" ] && [ "$second" != "$first" ]
    run swaks --server "127.0.0.1:$PORT" --from a@internet.example --to again@example.com --timeout 20
    [ "$status" -eq 0 ]
    [ "$(grep -c '^From a@internet.example ' "$T/mail/again/INBOX")" -eq 1 ]
    grep -q 'event=ended mode=none' "$T/orouboros.log"
    children=$(pgrep -P "$pid")
    [ -n "$children" ]
    kill -KILL "$pid"
    for ((i = 0; i < 100; i++)); do
        alive=0
        for c in $children; do kill -0 "$c" 2>/dev/null && alive=1; done
        [ "$alive" -eq 0 ] && break
        sleep 0.05
    done
    [ "$alive" -eq 0 ]
}

@test "orouboros: failed AUTH from one address is slowed across its connections" {
    make_fixtures "$T"
    ORO_WAIT_PORTS=$PORT start_orouboros "$T" --port "$PORT" --cert "$T/server.crt" --key "$T/server.key" \
        --delivery-domain example.com --mboxdir "$T/mail" --user-credentials "$T/creds.json"
    run "$PY" - "$PORT" <<'PY'
import smtplib, ssl, sys
ctx = ssl.create_default_context()
ctx.check_hostname, ctx.verify_mode = False, ssl.CERT_NONE
for connection in range(2):
    with smtplib.SMTP_SSL("127.0.0.1", int(sys.argv[1]), context=ctx, timeout=60) as s:
        s.ehlo("guesser")
        try:
            s.login("asdf", "wrong")
        except smtplib.SMTPAuthenticationError as e:
            print(e.smtp_code)
with smtplib.SMTP_SSL("127.0.0.1", int(sys.argv[1]), context=ctx, timeout=60) as s:
    s.ehlo("owner")
    print(s.login("asdf", "asdf")[0])
PY
    [ "$status" -eq 0 ]
    [ "${lines[*]}" = "535 535 235" ]
    grep -q 'event=throttled client=127.0.0.1' "$T/orouboros.log"
}

@test "orouboros: SIGTERM stops it cleanly, with exit status 0 and its session ended" {
    ORO_WAIT_PORTS=$PORT start_orouboros "$T" --port "$PORT" --delivery-domain example.com --mboxdir "$T/mail"
    pid=$(cat "$T/orouboros.pid")
    exec 7<>"/dev/tcp/127.0.0.1/$PORT"   # an open session
    read -r -t 10 greeting <&7
    [[ "$greeting" == "220 "* ]]
    kill -TERM "$pid"
    for ((i = 0; i < 200; i++)); do kill -0 "$pid" 2>/dev/null || break; sleep 0.05; done
    ! kill -0 "$pid" 2>/dev/null
    wait "$pid" || status=$?
    [ "${status:-0}" -eq 0 ]
    exec 7<&-
    rm -f "$T/orouboros.pid"
    ! pgrep -f "orouboros-smtpd.*$T/mail" >/dev/null
    grep -q 'event=stopping' "$T/orouboros.log"
}

@test "orouboros: usage errors exit 64 with a message" {
    run orouboros --local --port "$PORT"
    [ "$status" -eq 64 ]
    [[ "$output" == *"--local needs --mboxdir"* ]]
    run orouboros --cert x.crt --port "$PORT"
    [ "$status" -eq 64 ]
    run orouboros --no-such-option
    [ "$status" -eq 64 ]
    run orouboros --port "$PORT" --relay-dnssec-anchor "$T/anchor" --no-relay
    [ "$status" -eq 64 ]
    [[ "$output" == *"--relay-dnssec-anchor is for the MX hosts"* ]]
    run orouboros --port "$PORT" --relay-mx --no-relay
    [ "$status" -eq 64 ]
    [[ "$output" == *"give one of --relay-mx, --relay-host and --no-relay"* ]]
}

@test "orouboros: a malformed --forward-fingerprint or --relay-fingerprint stops it with 64 before it listens" {
    run timeout 20 orouboros --port "$PORT" --forward --forward-domain example.com --forward-host 127.0.0.1 \
        --forward-fingerprint 'AB:CD:not-hex'
    [ "$status" -eq 64 ]
    [[ "$output" == *"--forward-fingerprint must be a SHA-256 digest"* ]]
    run timeout 20 orouboros --port "$PORT" --relay-host 127.0.0.1 --relay-fingerprint "$(printf '%062d' 0)"
    [ "$status" -eq 64 ]
    [[ "$output" == *"--relay-fingerprint must be a SHA-256 digest"* ]]
    run timeout 20 orouboros --port "$PORT" --forward --forward-domain example.com --forward-host 127.0.0.1 \
        --forward-tls none --forward-fingerprint "$(printf '%064d' 0)"
    [ "$status" -eq 64 ]
    [[ "$output" == *"need --forward-tls implicit or starttls"* ]]
    ! "$PY" -c 'import socket,sys; socket.create_connection(("127.0.0.1",int(sys.argv[1])),1)' "$PORT" 2>/dev/null
}

@test "orouboros: a domain that would be routed nowhere stops it with 78, naming the domain, before it listens" {
    run timeout 20 orouboros --port "$PORT" --delivery-domain example.com
    [ "$status" -eq 78 ]
    [[ "$output" == *"delivery domain example.com is routed nowhere"* ]]
    run timeout 20 orouboros --port "$PORT" --forward-domain home.example --mboxdir "$T/mail" --local
    [ "$status" -eq 78 ]
    [[ "$output" == *"forward domain home.example is routed nowhere"* ]]
    ! "$PY" -c 'import socket,sys; socket.create_connection(("127.0.0.1",int(sys.argv[1])),1)' "$PORT" 2>/dev/null
}

# The pid of the listener's child whose command line matches $1 (bounded wait).
child() {
    local pid i c
    pid=$(cat "$T/orouboros.pid")
    for ((i = 0; i < 100; i++)); do
        c=$(pgrep -P "$pid" -f "$1") && break
        sleep 0.05
    done
    [ -n "$c" ] && echo "$c"
}

# The orouboros-smtpd command line the listener runs for $PORT.
smtpd_cmdline() {
    local s
    s=$(child 'orouboros-smtpd ') && tr '\0' ' ' <"/proc/$s/cmdline"
}

@test "orouboros: with --forward and no --local the delivery domains are forwarded, as the original's were" {
    ORO_WAIT_PORTS=$PORT start_orouboros "$T" --port "$PORT" --forward --forward-host 127.0.0.1 \
        --forward-domain home.example --delivery-domain example.com
    cmd=$(smtpd_cmdline)
    [[ "$cmd" == *"--forward-domain home.example --forward-domain example.com "* ]]
    [[ "$cmd" != *"--delivery-domain"* ]]
}

@test "orouboros: authenticated mail for other domains goes to the MX hosts by default; --no-relay refuses it" {
    ORO_WAIT_PORTS=$PORT start_orouboros "$T" --port "$PORT" --delivery-domain example.com --mboxdir "$T/mail"
    relay=$(child 'orouboros-forward .*--lmtp --mx')
    [[ "$(smtpd_cmdline)" == *"--relay unix:"* ]]
    stop_orouboros "$T"
    ORO_WAIT_PORTS=$PORT start_orouboros "$T" --port "$PORT" --delivery-domain example.com --mboxdir "$T/mail" \
        --no-relay
    [[ "$(smtpd_cmdline)" == *"--relay none"* ]]
    ! pgrep -P "$(cat "$T/orouboros.pid")" -f 'orouboros-forward' >/dev/null
}

@test "orouboros: --relay-mx runs one orouboros-forward --mx on the relay socket, given --relay-dnssec-anchor" {
    printf '%s\n' '. IN DS 20326 8 2 e06d44b80b8f1d39a95c0b0d7c65d08458e880409bbc683457104237c7f8ec8d' >"$T/anchor"
    ORO_WAIT_PORTS=$PORT start_orouboros "$T" --port "$PORT" --delivery-domain example.com --mboxdir "$T/mail" \
        --relay-mx --relay-dnssec-anchor "$T/anchor"
    relay=$(listener_child "$T" 'orouboros-forward .*--lmtp --mx')
    tr '\0' ' ' <"/proc/$relay/cmdline" | grep -q -- "--dnssec-anchor $T/anchor --max-connections 400"
}

@test "orouboros: a missing program or a bad certificate stops it before it listens" {
    mkdir -p "$T/empty"
    run timeout 20 orouboros --libexec "$T/empty" --port "$PORT" --mboxdir "$T/mail"
    [ "$status" -eq 69 ]
    [[ "$output" == *"orouboros-smtpd is missing"* ]]
    printf 'not a certificate\n' >"$T/bad.crt"
    run timeout 20 orouboros --cert "$T/bad.crt" --key "$T/bad.crt" --port "$PORT" --mboxdir "$T/mail"
    [ "$status" -eq 78 ]
    [[ "$output" == *"cannot load certificate"* ]]
    ! "$PY" -c 'import socket,sys; socket.create_connection(("127.0.0.1",int(sys.argv[1])),1)' "$PORT" 2>/dev/null
}

@test "orouboros: a port already in use is a clear error" {
    ORO_WAIT_PORTS=$PORT start_orouboros "$T" --port "$PORT" --delivery-domain example.com --mboxdir "$T/mail"
    run timeout 10 orouboros --single-user --port "$PORT" --mboxdir "$T/mail"
    [ "$status" -ne 0 ]
    [[ "$output" == *"unable to bind 127.0.0.1:$PORT"* ]]
}

@test "orouboros: --version prints the program and its version and exits 0" {
    run orouboros --version
    [ "$status" -eq 0 ]
    [[ "$output" =~ ^orouboros\ [0-9]+\.[0-9]+\.[0-9]+$ ]]
}
