#!/usr/bin/env bats
# The stages' pools of workers: one worker serves connection after
# connection (no fork per message), a killed worker is replaced (its
# client hears 4xx, the next one 250), and each connection starts clean.

load lib

setup() {
    T="$BATS_TEST_TMPDIR"
    BIN=${OROUBOROS_BIN:-$(dirname "$(command -v orouboros-smtpd)")}
    make_fixtures "$T"
    mkdir -p "$T/mail"
    PORT=$(free_port)
}

teardown() {
    stop_orouboros "$T"
    [ -n "${SA_PID:-}" ] && kill "$SA_PID" 2>/dev/null && wait "$SA_PID" 2>/dev/null
    true
}

# The worker pids of the delivery stage's connections, in order.
deliver_workers() {
    grep 'orouboros-mbox-deliver' "$T/orouboros.log" | grep 'event=connection' | sed -n 's/.* worker=\([0-9]*\).*/\1/p'
}

start_relay() {
    ORO_WAIT_PORTS=$PORT start_orouboros "$T" --port "$PORT" --delivery-domain example.com --local \
        --mboxdir "$T/mail" --user-credentials "$T/creds.json"
}

# One whole message to $1@example.com on a connection of its own; prints
# the reply code to DATA (or to the command that failed before it).
deliver_one() {  # local-part subject
    "$PY" - "$PORT" "$1" "$2" <<'PY'
import smtplib, sys
with smtplib.SMTP("127.0.0.1", int(sys.argv[1]), timeout=20) as s:
    s.ehlo("client.test")
    for cmd in ("MAIL FROM:<a@internet.example>", "RCPT TO:<%s@example.com>" % sys.argv[2], "DATA"):
        code, _ = s.docmd(cmd)
        if code not in (250, 354):
            print(code)
            sys.exit(0)
    s.send(("Subject: %s\r\n\r\nbody\r\n.\r\n" % sys.argv[3]).encode())
    print(s.getreply()[0])
PY
}

@test "workers: four messages on four connections are served by at most three delivery workers, one of them twice" {
    start_relay
    for n in 1 2 3 4; do [ "$(deliver_one many "number $n")" = 250 ]; done
    [ "$(grep -c '^Subject: number' "$T/mail/many/INBOX")" -eq 4 ]
    run deliver_workers
    echo "$output"
    [ "${#lines[@]}" -eq 4 ]
    [ "$(printf '%s\n' "${lines[@]}" | sort -u | wc -l)" -le 3 ]
    [ "$(printf '%s\n' "${lines[@]}" | sort | uniq -d | wc -l)" -ge 1 ]
    # every worker is a child of the one delivery stage the listener started
    stage=$(listener_child "$T" orouboros-mbox-deliver)
    [ "$(grep -c . <<<"$stage")" -eq 1 ]
    for pid in $(printf '%s\n' "${lines[@]}" | sort -u); do
        [ ! -d "/proc/$pid" ] || [ "$(awk '{print $4}' "/proc/$pid/stat")" = "$stage" ]
    done
}

@test "workers: a worker killed in the middle of a transaction: its client hears 4xx, the next one 250 from a new worker" {
    start_relay
    run "$PY" - "$PORT" "$T/orouboros.log" <<'PY'
import os, re, signal, smtplib, sys, time
log = sys.argv[2]
with smtplib.SMTP("127.0.0.1", int(sys.argv[1]), timeout=20) as s:
    s.ehlo("client.test")
    print("mail", s.docmd("MAIL FROM:<a@internet.example>")[0])
    print("rcpt", s.docmd("RCPT TO:<killed@example.com>")[0])
    for _ in range(100):  # the stage's log line for this connection
        workers = re.findall(r"orouboros-mbox-deliver.*event=connection.* worker=(\d+)", open(log).read())
        if workers:
            break
        time.sleep(0.05)
    os.kill(int(workers[-1]), signal.SIGKILL)
    print("killed", workers[-1])
    code, _ = s.docmd("DATA")
    if code == 354:
        s.send(b"Subject: lost\r\n\r\nbody\r\n.\r\n")
        code, _ = s.getreply()
    print("data", code)
PY
    echo "$output"
    [ "${lines[0]}" = "mail 250" ]
    [ "${lines[1]}" = "rcpt 250" ]
    killed=${lines[2]#killed }
    [[ "${lines[3]}" =~ ^data\ 4[0-9][0-9]$ ]]
    [ ! -e "$T/mail/killed/INBOX" ] || ! grep -q '^Subject: lost' "$T/mail/killed/INBOX"
    [ "$(deliver_one after "after the kill")" = 250 ]
    grep -q '^Subject: after the kill' "$T/mail/after/INBOX"
    [ "$(deliver_workers | tail -1)" != "$killed" ]
    grep -q "event=worker-died.* worker=$killed status=\"signal 9\"" "$T/orouboros.log" ||
        grep -q "event=worker-died.* worker=$killed status=signal" "$T/orouboros.log"
}

@test "workers: a connection starts clean: a transaction cut off on one connection is unknown on the next, served by the same worker" {
    SOCK="$T/deliver.sock"
    systemd-socket-activate -l "$SOCK" "$BIN/orouboros-mbox-deliver" --lmtp --mboxdir "$T/mail" \
        --workers 1 --max-connections 1 --log "$T/deliver.log" 2>"$T/activate.log" &
    SA_PID=$!
    for ((i = 0; i < 200; i++)); do [ -S "$SOCK" ] && break; sleep 0.05; done
    [ -S "$SOCK" ]
    run "$PY" - "$SOCK" <<'PY'
import socket, sys, time
def session(commands):
    """The reply code to each command on a connection of its own."""
    for _ in range(100):  # the one worker may still be ending the connection before
        s = socket.socket(socket.AF_UNIX)
        s.settimeout(10)
        s.connect(sys.argv[1])
        f = s.makefile("rb")
        if f.readline().startswith(b"220"):
            break
        s.close()
        time.sleep(0.05)
    codes = []
    for command in commands:
        s.sendall(command.encode() + b"\r\n")
        reply = f.readline()
        while reply[3:4] == b"-":
            reply = f.readline()
        codes.append(reply[:3].decode())
    s.close()
    return codes
print(*session(["LHLO a", "MAIL FROM:<a@x.example>", "RCPT TO:<first@x.example>"]))
print(*session(["LHLO b", "DATA", "RCPT TO:<second@x.example>", "MAIL FROM:<b@x.example>",
                "RCPT TO:<third@x.example>", "DATA", "Subject: third\r\n\r\nbody\r\n.", "QUIT"]))
PY
    echo "$output"
    [ "${lines[0]}" = "250 250 250" ]
    [ "${lines[1]}" = "250 503 503 250 250 354 250 221" ]
    grep -q '^Subject: third' "$T/mail/third/INBOX"
    [ ! -e "$T/mail/first" ]
    [ ! -e "$T/mail/second" ]
    [ "$(ls "$T/mail")" = third ]
    run sed -n 's/.*event=connection.* worker=\([0-9]*\).*/\1/p' "$T/deliver.log"
    [ "${#lines[@]}" -eq 2 ]
    [ "${lines[0]}" = "${lines[1]}" ]
}
