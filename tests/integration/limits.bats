#!/usr/bin/env bats
# Limits per client address in the listener (through the orouboros-smtpd it
# hands each port to), and a session's error and junk-command budgets:
# clients on 127.0.0.1, 127.0.0.2 and 127.0.0.3, bound with Python's
# socket source_address.

load lib

setup() {
    T="$BATS_TEST_TMPDIR"
    BIN=${OROUBOROS_BIN:-$(dirname "$(command -v orouboros-smtpd)")}
    mkdir -p "$T/mail"
    printf '%s\n' "$CREDS_ASDF" >"$T/creds.json"
    PORT=$(free_port)
}

teardown() {
    stop_orouboros "$T"
}

start_listener() {  # extra orouboros options...
    ORO_WAIT_PORTS=$PORT start_orouboros "$T" --port "$PORT" --delivery-domain example.com --local \
        --mboxdir "$T/mail" --user-credentials "$T/creds.json" --hostname limits.test "$@"
}

@test "limits: one address holding every connection it may never keeps another from its greeting; its 11th gets 421 4.7.0" {
    start_listener
    run "$PY" - "$PORT" <<'PY'
import smtplib, socket, sys
port = int(sys.argv[1])
def greeting(source):
    s = socket.create_connection(("127.0.0.1", port), 10, source_address=(source, 0))
    return s, s.makefile("rb").readline().decode().rstrip()
held, refused = [], []
for _ in range(100):  # 127.0.0.1 tries for every slot there is, and holds what it gets
    s, line = greeting("127.0.0.1")
    if line.startswith("220"):
        held.append(s)
    else:
        refused.append(line)
        s.close()
print("held", len(held), "refused", len(refused))
print(sorted(set(refused)))
other, line = greeting("127.0.0.2")
print("127.0.0.2:", line)
other.close()
s, line = greeting("127.0.0.1")
print("127.0.0.1 again:", line)
with smtplib.SMTP("127.0.0.1", port, timeout=10, source_address=("127.0.0.2", 0)) as c:
    c.sendmail("a@internet.example", ["other@example.com"], b"Subject: from 127.0.0.2\r\n\r\nhello\r\n")
print("delivered")
for s in held:
    s.sendall(b"QUIT\r\n")
    s.close()
PY
    echo "$output"
    [ "$status" -eq 0 ]
    [ "${lines[0]}" = "held 10 refused 90" ]
    [ "${lines[1]}" = "['421 4.7.0 too many connections from your address, try again later']" ]
    [ "${lines[2]}" = "127.0.0.2: 220 limits.test ESMTP Orouboros" ]
    [ "${lines[3]}" = "127.0.0.1 again: 421 4.7.0 too many connections from your address, try again later" ]
    [ "${lines[4]}" = "delivered" ]
    grep -q '^Subject: from 127.0.0.2' "$T/mail/other/INBOX"
    grep -q 'event=refused client=127.0.0.1 counted=127.0.0.1 reason="too many connections from the address"' \
        "$T/orouboros.log"
}

@test "limits: beyond --max-client-rate new connections a minute an address gets 421 4.7.0; another is served" {
    start_listener --max-client-rate 3
    run "$PY" - "$PORT" <<'PY'
import smtplib, socket, sys
port = int(sys.argv[1])
def greeting(source):
    with socket.create_connection(("127.0.0.1", port), 10, source_address=(source, 0)) as s:
        line = s.makefile("rb").readline().decode().rstrip()
        if line.startswith("220"):
            s.sendall(b"QUIT\r\n")
        return line
for _ in range(5):  # one after another: never two at once
    print(greeting("127.0.0.3"))
with smtplib.SMTP("127.0.0.1", port, timeout=10, source_address=("127.0.0.2", 0)) as c:
    c.sendmail("a@internet.example", ["rate@example.com"], b"Subject: not limited\r\n\r\nhello\r\n")
print("delivered")
PY
    echo "$output"
    [ "$status" -eq 0 ]
    [ "${lines[0]}" = "220 limits.test ESMTP Orouboros" ]
    [ "${lines[2]}" = "220 limits.test ESMTP Orouboros" ]
    [ "${lines[3]}" = "421 4.7.0 too many connections from your address, try again later" ]
    [ "${lines[4]}" = "421 4.7.0 too many connections from your address, try again later" ]
    [ "${lines[5]}" = "delivered" ]
    grep -q '^Subject: not limited' "$T/mail/rate/INBOX"
    grep -q 'event=refused client=127.0.0.3 .*reason="too many new connections from the address"' "$T/orouboros.log"
}

@test "limits: on the implicit-TLS port a client over its address's limit is closed unanswered, not told in clear" {
    make_fixtures "$T"
    SSL_PORT=$(free_port)
    ORO_WAIT_PORTS="$PORT $SSL_PORT" start_orouboros "$T" --port "$PORT" --ssl-port "$SSL_PORT" \
        --cert "$T/server.crt" --key "$T/server.key" --delivery-domain example.com --mboxdir "$T/mail" \
        --max-client-connections 1
    run "$PY" - "$SSL_PORT" <<'PY'
import socket, ssl, sys
port = int(sys.argv[1])
ctx = ssl.create_default_context()
ctx.check_hostname, ctx.verify_mode = False, ssl.CERT_NONE
def connect(source):
    return socket.create_connection(("127.0.0.1", port), 10, source_address=(source, 0))
first = ctx.wrap_socket(connect("127.0.0.3"))
print(first.makefile("rb").readline().decode().rstrip())
second = connect("127.0.0.3")
print("second:", repr(second.recv(512)))                  # closed without a byte
other = ctx.wrap_socket(connect("127.0.0.2"))
print(other.makefile("rb").readline().decode().rstrip())
for s in (first, other):
    s.sendall(b"QUIT\r\n")
    s.close()
PY
    echo "$output"
    [ "$status" -eq 0 ]
    [[ "${lines[0]}" == "220 "* ]]
    [ "${lines[1]}" = "second: b''" ]
    [[ "${lines[2]}" == "220 "* ]]
}

@test "limits: --max-client-connections 0 and --max-client-rate 0 lift the limits per address" {
    start_listener --max-client-connections 0 --max-client-rate 0
    run "$PY" - "$PORT" <<'PY'
import socket, sys
port = int(sys.argv[1])
held = []
for _ in range(80):
    s = socket.create_connection(("127.0.0.1", port), 10, source_address=("127.0.0.3", 0))
    held.append((s, s.makefile("rb").readline().decode()[:3]))
print(sorted(set(code for _, code in held)), len(held))
for s, _ in held:
    s.close()
PY
    echo "$output"
    [ "$status" -eq 0 ]
    [ "${lines[0]}" = "['220'] 80" ]
}

@test "limits: the listener passes its session budgets on to orouboros-smtpd" {
    start_listener --max-errors 7 --soft-error-limit 3 --error-sleep-ms 5 --greet-wait-ms 6 --max-junk-commands 9 \
        --max-header-size 4096 --max-hops 12 --max-client-connections 4 --max-client-rate 40
    smtpd=$(listener_child "$T" orouboros-smtpd)
    tr '\0' ' ' <"/proc/$smtpd/cmdline" | grep -q -- "--max-errors 7 --soft-error-limit 3 --error-sleep-ms 5 --greet-wait-ms 6 --max-junk-commands 9 --max-header-size 4096 --max-hops 12 --max-client-connections 4 --max-client-rate 40"
}

# A stage that refuses every recipient, as a home server refuses addresses
# it does not know; prints the exec: route for it.
refusing_stage() {
    cat >"$T/home-stage" <<'SH'
#!/bin/sh
printf '220 home.test LMTP\r\n'
while read -r line; do
    case "$line" in
    RCPT*) printf '550 5.1.1 no such user here\r\n' ;;
    QUIT*) printf '221 bye\r\n'; exit 0 ;;
    *) printf '250 ok\r\n' ;;
    esac
done
SH
    chmod +x "$T/home-stage"
    echo "exec:$T/home-stage"
}

# Pipelines $1 (with %d for a counter) $2 times after EHLO and MAIL, into
# orouboros-smtpd with the other arguments; prints the reply codes seen,
# the seconds it took and the exit status.
pipeline() {  # command count smtpd-args...
    "$PY" - "$@" <<'PY'
import collections, subprocess, sys, time
command, count, argv = sys.argv[1], int(sys.argv[2]), sys.argv[3:]
script = "EHLO c\r\nMAIL FROM:<a@internet.example>\r\n" + "".join((command % i if "%" in command else command) + "\r\n" for i in range(count))
start = time.monotonic()
p = subprocess.run(argv, input=(script + "QUIT\r\n").encode(), capture_output=True, timeout=120)
took = time.monotonic() - start
lines = p.stdout.decode().split("\r\n")
codes = collections.Counter(l[:3] for l in lines if l[3:4] == " ")
print(" ".join("%s=%d" % kv for kv in sorted(codes.items())))
print([l for l in lines if l.startswith("421")])
print("took %.1f" % took)
print("exit", p.returncode)
PY
}

@test "limits: 300 guesses of the home server's addresses end with 421 4.7.0 after --max-errors refusals" {
    run pipeline 'RCPT TO:<guess%d@home.example>' 300 "$BIN/orouboros-smtpd" --tls none --log "$T/smtpd.log" \
        --forward-domain home.example --forward "$(refusing_stage)" --error-sleep-ms 0
    echo "$output"
    [ "$status" -eq 0 ]
    [ "${lines[0]}" = "220=1 250=2 421=1 550=20" ]  # greeting, EHLO, MAIL; 20 refused; no 221
    [ "${lines[1]}" = "['421 4.7.0 too many errors, closing connection']" ]
    [ "${lines[3]}" = "exit 0" ]
    grep -q 'event=too-many-errors client=[^ ]* errors=20' "$T/smtpd.log"
}

@test "limits: past --soft-error-limit each refusal's reply waits a step longer" {
    # waits of 0.2, 0.4 and 0.6 s before the replies to the 3rd, 4th and 5th error; the 6th ends the
    # session at once
    run pipeline 'RCPT TO:<guess%d@home.example>' 10 "$BIN/orouboros-smtpd" --tls none --log "$T/smtpd.log" \
        --forward-domain home.example --forward "$(refusing_stage)" \
        --soft-error-limit 2 --max-errors 6 --error-sleep-ms 200
    echo "$output"
    [ "$status" -eq 0 ]
    [ "${lines[0]}" = "220=1 250=2 421=1 550=6" ]
    took=${lines[2]#took }
    "$PY" -c 'import sys; t = float(sys.argv[1]); sys.exit(0 if 1.2 <= t < 10 else 1)' "$took"
}

@test "limits: 20,000 NOOPs: 100 answered, then 421 4.7.0 and the session ends" {
    run pipeline 'NOOP' 20000 "$BIN/orouboros-smtpd" --tls none --log "$T/smtpd.log" \
        --delivery-domain example.com --deliver "exec:$BIN/orouboros-mbox-deliver --lmtp --mboxdir $T/mail"
    echo "$output"
    [ "$status" -eq 0 ]
    [ "${lines[0]}" = "220=1 250=102 421=1" ]  # EHLO, MAIL and 100 NOOPs
    [ "${lines[1]}" = "['421 4.7.0 too many commands that do nothing, closing connection']" ]
    [ "${lines[3]}" = "exit 0" ]
}
