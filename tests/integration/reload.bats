#!/usr/bin/env bats
# SIGHUP: the listener reads its command line, configuration file and
# certificates again and replaces its programs, while a session in progress
# finishes on the old ones; no listening socket is closed in between.

load lib

setup() {
    export T="$BATS_TEST_TMPDIR"
    make_fixtures "$T"                                      # certificate A
    "$BATS_TEST_DIRNAME/../../contrib/make-cert.sh" "$T/b" localhost  # certificate B
    cp "$T/server.crt" "$T/live.crt" && cp "$T/server.key" "$T/live.key"
    mkdir -p "$T/mail"
    export TLS_PORT=$(free_port) PLAIN_PORT=$(free_port)
}

teardown() {
    stop_orouboros "$T"
    [ -z "${HELD_PID:-}" ] || kill "$HELD_PID" 2>/dev/null || true
}

# Waits (at most 10 s) until a new connection gets the certificate $1.
wait_fingerprint() {
    local i
    for ((i = 0; i < 100; i++)); do
        [ "$(served_fingerprint "$TLS_PORT")" = "$1" ] && return 0
        sleep 0.1
    done
    echo "the listener still serves $(served_fingerprint "$TLS_PORT"), not $1" >&2
    return 1
}

# Waits (at most 10 s) until the listener's log has $2 lines matching $1.
wait_log() {
    local i
    for ((i = 0; i < 100; i++)); do
        [ "$(grep -c -- "$1" "$T/orouboros.log")" -ge "${2:-1}" ] && return 0
        sleep 0.1
    done
    echo "no '$1' in the log after 10 s" >&2
    cat "$T/orouboros.log" >&2
    return 1
}

start() {
    ORO_WAIT_PORTS="$TLS_PORT $PLAIN_PORT" start_orouboros "$T" \
        --cert "$T/live.crt" --key "$T/live.key" --port "$PLAIN_PORT" --ssl-port "$TLS_PORT" \
        --mboxdir "$T/mail" --local --user-credentials "$T/creds.json" --hostname vps.test "$@"
}

send_one() {  # recipient: one message over implicit TLS; prints the last reply's code
    "$PY" - "$TLS_PORT" "$1" <<'PY'
import smtplib, ssl, sys
ctx = ssl.create_default_context()
ctx.check_hostname, ctx.verify_mode = False, ssl.CERT_NONE
with smtplib.SMTP_SSL("127.0.0.1", int(sys.argv[1]), context=ctx, timeout=20) as s:
    s.sendmail("a@internet.example", [sys.argv[2]], "Subject: one\r\n\r\none message\r\n")
print(250)
PY
}

@test "reload: SIGHUP serves a renewed certificate to new connections while a held session completes; same pid, no socket left" {
    start --delivery-domain example.com
    pid=$(cat "$T/orouboros.pid")
    [ "$(served_fingerprint "$TLS_PORT")" = "$(cert_fingerprint "$T/server.crt")" ]
    # a session over TLS, held open in the middle of its transaction
    timeout 60 "$PY" - "$TLS_PORT" "$T" >"$T/held.out" 2>&1 <<'PY' &
import hashlib, os, smtplib, ssl, sys, time
port, t = int(sys.argv[1]), sys.argv[2]
ctx = ssl.create_default_context()
ctx.check_hostname, ctx.verify_mode = False, ssl.CERT_NONE
s = smtplib.SMTP_SSL("127.0.0.1", port, context=ctx, timeout=20)
print("cert", hashlib.sha256(s.sock.getpeercert(binary_form=True)).hexdigest())
s.ehlo("held.test")
print("mail", s.mail("held@internet.example")[0])
print("rcpt", s.rcpt("held@example.com")[0], flush=True)
open(os.path.join(t, "held"), "w").write("held\n")
for _ in range(300):                      # until the test says go (30 s at most)
    if os.path.exists(os.path.join(t, "go")):
        break
    time.sleep(0.1)
print("data", s.data("Subject: held\r\n\r\nsent across a reload\r\n")[0])
print("quit", s.quit()[0])
PY
    HELD_PID=$!
    wait_file "$T/held"
    # the renewed certificate, as certbot puts it in place, then SIGHUP
    cp "$T/b/server.crt" "$T/live.crt" && cp "$T/b/server.key" "$T/live.key"
    kill -HUP "$pid"
    wait_log 'event=reloaded'
    wait_fingerprint "$(cert_fingerprint "$T/b/server.crt")"
    # the held session goes on, on the old certificate, and its message lands
    touch "$T/go"
    wait "$HELD_PID"
    HELD_PID=
    a=$(cert_fingerprint "$T/server.crt" | tr -d : | tr A-F a-f)
    grep -qx "cert $a" "$T/held.out"
    grep -qx "rcpt 250" "$T/held.out"
    grep -qx "data 250" "$T/held.out"
    grep -qx "quit 221" "$T/held.out"
    grep -q '^sent across a reload' "$T/mail/held/INBOX"
    # a new session is served as well, by the new programs
    [ "$(send_one new@example.com)" = 250 ]
    grep -q '^one message' "$T/mail/new/INBOX"
    # the same listener all along; the old programs ended once done
    [ "$(cat /proc/"$pid"/comm)" = orouboros ]
    [ "$(cat "$T/orouboros.pid")" = "$pid" ]
    wait_log 'event=ended mode=implicit' 1
    ! grep -q 'event=listening.*port='"$TLS_PORT" <(sed -n '/event=reloaded/,$p' "$T/orouboros.log")
    # SIGTERM: no socket file is left behind
    stop_orouboros "$T"
    ! kill -0 "$pid" 2>/dev/null
    [ -z "$(find "$T" -type s)" ]
}

@test "reload: a configuration that no longer reads is logged on SIGHUP and the running one keeps serving; a good one is taken" {
    printf '[orouboros]\ndelivery-domain = example.com\n' >"$T/oro.conf"
    start --config "$T/oro.conf"
    pid=$(cat "$T/orouboros.pid")
    printf '[orouboros]\ndelivery-domain = example.com\nno-such-key = 1\n' >"$T/oro.conf"
    kill -HUP "$pid"
    wait_log 'event=reload-failed'
    grep -qF "event=reload-failed reason=\"$T/oro.conf:3: [orouboros] unknown key 'no-such-key'\"" "$T/orouboros.log"
    [ "$(send_one kept@example.com)" = 250 ]
    grep -q '^one message' "$T/mail/kept/INBOX"
    [ "$(cat /proc/"$pid"/comm)" = orouboros ]
    # a certificate that does not load is refused the same way
    printf '[orouboros]\ndelivery-domain = example.com\ndelivery-domain = example.net\n' >"$T/oro.conf"
    echo "not a certificate" >"$T/live.crt"
    kill -HUP "$pid"
    wait_log 'event=reload-failed' 2
    [ "$(served_fingerprint "$TLS_PORT")" = "$(cert_fingerprint "$T/server.crt")" ]
    run send_one other@example.net
    [ "$status" -ne 0 ]
    [[ "$output" == *"554"* ]]
    # fixed: the new configuration is served (example.net is delivered now)
    cp "$T/server.crt" "$T/live.crt"
    kill -HUP "$pid"
    wait_log 'event=reloaded'
    for ((i = 0; i < 50; i++)); do
        [ "$(send_one other@example.net 2>/dev/null)" = 250 ] && break
        sleep 0.1
    done
    grep -q '^one message' "$T/mail/other/INBOX"
    [ "$(cat "$T/orouboros.pid")" = "$pid" ]
}

@test "reload: contrib/certbot's deploy hook copies the renewed files over ours, keeping their mode, and reloads the listener" {
    mkdir -p "$T/tls" "$T/live/mx.example.org"
    cp "$T/server.crt" "$T/tls/cert.pem" && cp "$T/server.key" "$T/tls/key.pem"
    chmod 640 "$T/tls/key.pem"
    cp "$T/b/server.crt" "$T/live/mx.example.org/fullchain.pem"
    cp "$T/b/server.key" "$T/live/mx.example.org/privkey.pem"
    ORO_WAIT_PORTS="$TLS_PORT $PLAIN_PORT" start_orouboros "$T" \
        --cert "$T/tls/cert.pem" --key "$T/tls/key.pem" --port "$PLAIN_PORT" --ssl-port "$TLS_PORT" \
        --delivery-domain example.com --mboxdir "$T/mail" --local --user-credentials "$T/creds.json"
    pid=$(cat "$T/orouboros.pid")
    [ "$(served_fingerprint "$TLS_PORT")" = "$(cert_fingerprint "$T/server.crt")" ]
    # as certbot runs it; the pid file keeps it from signalling any other listener
    RENEWED_LINEAGE="$T/live/mx.example.org" OROUBOROS_TLS_DIR="$T/tls" OROUBOROS_PIDFILE="$T/orouboros.pid" \
        run "$BATS_TEST_DIRNAME/../../contrib/certbot/orouboros-deploy-hook.sh"
    [ "$status" -eq 0 ]
    cmp "$T/tls/key.pem" "$T/b/server.key"
    [ "$(stat -c %a "$T/tls/key.pem")" = 640 ]
    wait_log 'event=reloaded'
    wait_fingerprint "$(cert_fingerprint "$T/b/server.crt")"
    [ "$(send_one renewed@example.com)" = 250 ]
    [ "$(cat /proc/"$pid"/comm)" = orouboros ]
}

@test "reload: a port taken out of the configuration is closed on SIGHUP, even while a session on it goes on; one put in is bound" {
    OLD_SUB=$(free_port) NEW_SUB=$(free_port)
    printf '[orouboros]\ndelivery-domain = example.com\nsubmission-port = %s\n' "$OLD_SUB" >"$T/oro.conf"
    start --config "$T/oro.conf"
    wait_port "$OLD_SUB"
    printf '[orouboros]\ndelivery-domain = example.com\nsubmission-port = %s\n' "$NEW_SUB" >"$T/oro.conf"
    run "$PY" - "$OLD_SUB" "$(cat "$T/orouboros.pid")" "$T/orouboros.log" <<'PY'
import os, signal, socket, sys, time
port, pid, log = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
held = socket.create_connection(("127.0.0.1", port), 10)
f = held.makefile("rb")
print(f.readline().decode().split()[0])                  # a session on the old port
os.kill(pid, signal.SIGHUP)
for _ in range(100):                                     # 10 s at most
    if "event=reloaded" in open(log).read():
        break
    time.sleep(0.1)
for _ in range(100):   # the old port lets go while the held session goes on
    try:
        socket.create_connection(("127.0.0.1", port), 1).close()
    except ConnectionRefusedError:
        print("refused")
        break
    time.sleep(0.1)
held.sendall(b"NOOP\r\n")
print(f.readline().decode().split()[0])
held.sendall(b"QUIT\r\n")
print(f.readline().decode().split()[0])
PY
    [ "$status" -eq 0 ]
    [ "${lines[0]}" = 220 ]
    [ "${lines[1]}" = refused ]
    [ "${lines[2]}" = 250 ]
    [ "${lines[3]}" = 221 ]
    wait_port "$NEW_SUB"
    grep -q "event=listening address=127.0.0.1 port=$NEW_SUB mode=submission" "$T/orouboros.log"
    [ "$(send_one still@example.com)" = 250 ]
}

@test "reload: SIGHUP opens the log file again, so lines go to a new file after the old one was renamed (logrotate)" {
    start --delivery-domain example.com --log "$T/relay.log"
    pid=$(cat "$T/orouboros.pid")
    [ "$(send_one before@example.com)" = 250 ]
    grep -q 'orouboros-smtpd\[.*event=rcpt .*to=before@example.com' "$T/relay.log"
    mv "$T/relay.log" "$T/relay.log.1"
    kill -HUP "$pid"
    wait_file "$T/relay.log"
    for ((i = 0; i < 100; i++)); do grep -q 'orouboros\[.*event=reloaded' "$T/relay.log" && break; sleep 0.1; done
    grep -q "orouboros\[$pid\]: event=reloaded" "$T/relay.log"
    [ "$(send_one after@example.com)" = 250 ]
    grep -q 'orouboros-smtpd\[.*event=rcpt .*to=after@example.com' "$T/relay.log"
    grep -q 'orouboros-mbox-deliver\[.*event=delivery .*to=after@example.com' "$T/relay.log"
    ! grep -q 'after@example.com' "$T/relay.log.1"
    ! grep -q 'before@example.com' "$T/relay.log"
    [ "$(grep -c '^From ' "$T/mail/after/INBOX")" -eq 1 ]
    [ "$(cat "$T/orouboros.pid")" = "$pid" ] && kill -0 "$pid"
}

@test "reload: contrib/logrotate's snippet rotates the listener's log, and the next lines go to the new file" {
    command -v logrotate >/dev/null || skip "no logrotate"
    start --delivery-domain example.com --log "$T/relay.log"
    pid=$(cat "$T/orouboros.pid")
    [ "$(send_one before@example.com)" = 250 ]
    # its path the test's, and the signal for this listener alone, not every one on the machine
    grep -q '^/var/log/orouboros.log {$' "$BATS_TEST_DIRNAME/../../contrib/logrotate/orouboros"
    grep -q '^        pkill -HUP -x orouboros || true$' "$BATS_TEST_DIRNAME/../../contrib/logrotate/orouboros"
    sed -e "s|/var/log/orouboros.log|$T/relay.log|" -e "s|pkill -HUP -x orouboros|kill -HUP $pid|" \
        "$BATS_TEST_DIRNAME/../../contrib/logrotate/orouboros" >"$T/logrotate.conf"
    logrotate --force --state "$T/logrotate.state" "$T/logrotate.conf"
    [ -s "$T/relay.log.1" ]
    wait_file "$T/relay.log"
    for ((i = 0; i < 100; i++)); do grep -q 'event=reloaded' "$T/relay.log" && break; sleep 0.1; done
    [ "$(send_one after@example.com)" = 250 ]
    grep -q 'orouboros-smtpd\[.*event=rcpt .*to=after@example.com' "$T/relay.log"
    grep -q 'orouboros-smtpd\[.*event=rcpt .*to=before@example.com' "$T/relay.log.1"
    ! grep -q 'after@example.com' "$T/relay.log.1"
}
