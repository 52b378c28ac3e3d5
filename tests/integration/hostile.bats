#!/usr/bin/env bats
# Hostile clients against real orouboros-smtpd processes (over pipes, with
# the real mbox-deliver and authcheck behind them): floods, bad AUTH data,
# clients that stop talking, password guessing across connections, open
# relay probes, and local parts that try to leave the mail directory.
# tests/cli/smtpd.bats has the basic forms of several of these; this file
# adds the rest of issue 5's list.

load lib

setup() {
    BIN=${OROUBOROS_BIN:-$(dirname "$(command -v orouboros-smtpd)")}
    T="$BATS_TEST_TMPDIR"
    MAIL="$T/mail" HOME_MAIL="$T/home"
    mkdir -p "$MAIL" "$HOME_MAIL" "$T/state"
    printf '%s\n' "$CREDS_ASDF" >"$T/creds.json"
    AUTH="exec:$BIN/orouboros-authcheck --credentials $T/creds.json --fail-delay 0 --log $T/auth.log"
    SMTPD=("$BIN/orouboros-smtpd" --tls none --hostname vps.test --log "$T/smtpd.log"
        --delivery-domain example.com --forward-domain home.example
        --deliver "exec:$BIN/orouboros-mbox-deliver --lmtp --mboxdir $MAIL --log $T/deliver.log"
        --forward "exec:$BIN/orouboros-mbox-deliver --lmtp --mboxdir $HOME_MAIL --log $T/deliver.log")
}

teardown() {
    if [ -n "${SA_PID:-}" ]; then kill "$SA_PID" 2>/dev/null; wait "$SA_PID" 2>/dev/null; fi
    true
}

dialog() {
    "$PY" "$BATS_TEST_DIRNAME/../dialog.py" -- "${SMTPD[@]}" --auth "$AUTH" "$@"
}

nothing_stored() {
    [ -z "$(ls -A "$MAIL")" ] && [ -z "$(ls -A "$HOME_MAIL")" ]
}

# Sends $2 RCPT commands (to $1@example.com or to $1 verbatim when it holds
# an @) pipelined in one stream, reads every reply concurrently; prints the
# reply code counts, the exit status and the peak RSS (KiB) of smtpd.
flood_rcpts() {  # domain-or-address count [smtpd args...]
    "$PY" - "$@" -- "${SMTPD[@]}" <<'PY'
import collections, os, subprocess, sys, threading
args = sys.argv[1:]
sep = args.index("--")
target, count, extra, argv = args[0], int(args[1]), args[2:sep], args[sep + 1:]
p = subprocess.Popen(argv + extra, stdin=subprocess.PIPE, stdout=subprocess.PIPE)
def write():
    try:
        p.stdin.write(b"EHLO flood.example\r\nMAIL FROM:<a@internet.example>\r\n")
        for i in range(count):
            p.stdin.write(("RCPT TO:<%s>\r\n" % (target % i)).encode())
        p.stdin.write(b"QUIT\r\n")
        p.stdin.close()
    except BrokenPipeError:
        pass
threading.Thread(target=write, daemon=True).start()
codes = collections.Counter()
for line in p.stdout:
    if line[3:4] == b" ":
        codes[line[:3].decode()] += 1
_, status, usage = os.wait4(p.pid, 0)
print(" ".join("%s=%d" % kv for kv in sorted(codes.items())))
print("exit", os.waitstatus_to_exitcode(status))
print("maxrss", usage.ru_maxrss)
PY
}

@test "hostile: 10,000 pipelined RCPTs for an own domain: 100 accepted, the rest 452, one reply each, bounded memory, clean exit" {
    run flood_rcpts 'r%d@example.com' 10000
    echo "$output"
    [ "$status" -eq 0 ]
    [ "${lines[0]}" = "220=1 221=1 250=102 452=9900" ]   # EHLO, MAIL and 100 RCPTs; QUIT
    [ "${lines[1]}" = "exit 0" ]
    [ "${lines[2]#maxrss }" -lt 200000 ]
    nothing_stored
}

@test "hostile: 10,000 pipelined relay RCPTs end with 421 after --max-errors and the process exits" {
    run flood_rcpts 'r%d@elsewhere.example' 10000 --max-errors 10
    echo "$output"
    [ "$status" -eq 0 ]
    [ "${lines[0]}" = "220=1 250=2 421=1 554=10" ]
    [ "${lines[1]}" = "exit 0" ]
    nothing_stored
}

@test "hostile: the remaining SMTP smuggling ends (<LF>.<CR>, <CR>.<LF>, <CR>.<CR><LF>, <CR><LF>.<NUL>) never end DATA early" {
    # tests/cli/smtpd.bats has <LF>.<LF>, <CR>.<CR>, <LF>.<CR><LF>, <CR><LF>.<LF>, <CR><LF>.<CR>
    for end in '\n.\r' '\r.\n' '\r.\r\n' '\r\n.\0\r\n'; do
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
>> Subject: one\r\n\r\nbody${end}MAIL FROM:<evil@internet.example>\r\nRCPT TO:<bob@example.com>\r\nDATA\r\nSubject: smuggled\r\n\r\n.\r\n
< 554 5.6.0
> QUIT
< 221
EOF
        echo "$end: $output"
        [ "$status" -eq 0 ]
    done
    nothing_stored
    ! grep -q 'evil@internet.example' "$T/smtpd.log"
}

@test "hostile: invalid base64 and malformed SASL data in AUTH get 501, never reach authcheck, and the session goes on" {
    run dialog --allow-plaintext-auth --max-errors 50 <<'EOF'
< 220
> EHLO x
< 250
# no padding, '=' inside, a blank inside, outside the alphabet, one '=' too many
> AUTH PLAIN YXNkZgBhc2Rm=
< 501 5.5.2
> AUTH PLAIN YX=kZgBhc2Rm
< 501 5.5.2
> AUTH PLAIN YXNk ZgBhc2Rm
< 501 5.5.2
> AUTH PLAIN YXNkZgBhc2Rm====
< 501 5.5.2
> AUTH PLAIN AGFzZGYAYXNk-g==
< 501 5.5.2
# decodes, but no NUL / an empty user / an empty password / three fields and a NUL more
> AUTH PLAIN YXNkZmFzZGY=
< 501 5.5.2
> AUTH PLAIN AABhc2Rm
< 501 5.5.2
> AUTH PLAIN AGFzZGYA
< 501 5.5.2
> AUTH PLAIN AGFzZGYAYXNkZgB4
< 501 5.5.2
# the same in LOGIN's answers
> AUTH LOGIN
< 334 VXNlcm5hbWU6
> !!!!
< 501 5.5.2
> AUTH LOGIN YXNkZg==
< 334 UGFzc3dvcmQ6
> YXNkZg
< 501 5.5.2
> NOOP
< 250
> QUIT
< 221
EOF
    echo "$output"
    [ "$status" -eq 0 ]
    [ ! -s "$T/auth.log" ] || ! grep -q 'event=auth' "$T/auth.log"
}

@test "hostile: an AUTH answer over 12 KB gets 500 5.5.6 and a huge initial response gets 500 5.5.2" {
    run dialog --allow-plaintext-auth <<'EOF'
< 220
> EHLO x
< 250
> AUTH PLAIN
< 334
>> {13000*A}\r\n
< 500 5.5.6
>> AUTH PLAIN {20000*A}\r\n
< 500 5.5.2
> NOOP
< 250
> QUIT
< 221
EOF
    echo "$output"
    [ "$status" -eq 0 ]
}

@test "hostile: a client that stops talking in the middle of DATA gets 421 4.4.2, the process exits, nothing is stored" {
    run dialog --idle-timeout 1 <<'EOF'
< 220
> EHLO x
< 250
> MAIL FROM:<a@internet.example>
< 250
> RCPT TO:<bob@example.com>
< 250
> DATA
< 354
> Subject: never finished
>
>> half a line and then silence
< 421 4.4.2
<eof
EOF
    echo "$output"
    [ "$status" -eq 0 ]
    [[ "$output" == *"exit 0"* ]]
    [ ! -e "$MAIL/bob/INBOX" ]
    ! grep -q 'event=delivery' "$T/deliver.log"
}

@test "hostile: a client that stops talking after a 334 AUTH challenge gets 421 4.4.2 and the process exits" {
    run dialog --idle-timeout 1 --allow-plaintext-auth <<'EOF'
< 220
> EHLO x
< 250
> AUTH LOGIN
< 334
< 421 4.4.2
<eof
EOF
    [ "$status" -eq 0 ]
    [[ "$output" == *"exit 0"* ]]
}

@test "hostile: a client that hangs up in the middle of DATA: the process exits and nothing is stored" {
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
> Subject: cut off
>
> the line before the hang-up
EOF
    [ "$status" -eq 0 ]
    [[ "$output" == *"exit 0"* ]]
    [ ! -e "$MAIL/bob/INBOX" ]
}

@test "hostile: a client trickling a byte at a time cannot outlive --session-timeout" {
    run "$PY" - "${SMTPD[@]}" --idle-timeout 2 --session-timeout 3 <<'PY'
import subprocess, sys, time
p = subprocess.Popen(sys.argv[1:], stdin=subprocess.PIPE, stdout=subprocess.PIPE)
start = time.monotonic()
try:
    for c in b"EHLO " + b"x" * 200:   # one byte every 0.2 s: never idle, never done
        if p.poll() is not None:
            break
        p.stdin.write(bytes([c])); p.stdin.flush()
        time.sleep(0.2)
except BrokenPipeError:
    pass
out = p.stdout.read().decode()
p.wait(10)
print(out.splitlines()[-1])
print("seconds %d" % (time.monotonic() - start))
PY
    echo "$output"
    [ "$status" -eq 0 ]
    [[ "${lines[0]}" == "421 4.4.2"* ]]
    [ "${lines[1]#seconds }" -le 8 ]
}

# One session from REMOTE_ADDR=$1 making three wrong guesses (closed with
# 421 after the third); prints how long it took, in tenths of a second.
guessing_session() {  # address [authcheck args...]
    local address=$1
    shift
    local auth="exec:$BIN/orouboros-authcheck --credentials $T/creds.json --log $T/auth.log --state-dir $T/state $*"
    local start end
    start=$(date +%s%N)
    REMOTE_ADDR=$address "$PY" "$BATS_TEST_DIRNAME/../dialog.py" -- "${SMTPD[@]}" --auth "$auth" \
        --allow-plaintext-auth >"$T/guess.out" <<'EOF'
< 220
> EHLO x
< 250
> AUTH PLAIN AGFzZGYAd3Jvbmc=
< 535 5.7.8
> AUTH PLAIN AGFzZGYAd3Jvbmc=
< 535 5.7.8
> AUTH PLAIN AGFzZGYAd3Jvbmc=
< 535 5.7.8
< 421 4.7.0
<eof
EOF
    local rc=$?
    end=$(date +%s%N)
    echo $(((end - start) / 100000000))
    return $rc
}

@test "hostile: AUTH guessing from one address is slowed across connections (--state-dir), another address is not" {
    # turns of 0.5 s x 2^(failures - 1): the second session's three checks start
    # 2, 4 and 8 s after the one before, less the time each check takes
    run guessing_session 192.0.2.7 --fail-delay 0.5
    [ "$status" -eq 0 ]
    first=$output
    run guessing_session 192.0.2.7 --fail-delay 0.5
    [ "$status" -eq 0 ]
    second=$output
    run guessing_session 198.51.100.9 --fail-delay 0.5
    [ "$status" -eq 0 ]
    other=$output
    echo "tenths of a second: first $first, second $second, other address $other"
    [ "$second" -ge $((first + 25)) ]
    [ "$other" -lt $((first + 10)) ]
    grep -q 'event=throttled client=192.0.2.7 wait_ms=' "$T/auth.log"
    ! grep -q 'event=throttled client=198.51.100.9' "$T/auth.log"
    # the right password still works from the slowed address, only later
    REMOTE_ADDR=192.0.2.7 run dialog --allow-plaintext-auth <<'EOF'
< 220
> EHLO x
< 250
> AUTH PLAIN AGFzZGYAYXNkZg==
< 235 2.7.0
> QUIT
< 221
EOF
    [ "$status" -eq 0 ]
}

@test "hostile: parallel guesses from one address queue for their turns; one beyond --max-fail-delay gets 454 unchecked" {
    run guessing_session 192.0.2.66 --fail-delay 0.5   # score 3: turns of 1 s (the cap below)
    [ "$status" -eq 0 ]
    run "$PY" - "$BIN" "$T" "${SMTPD[@]}" <<'PY'
import os, subprocess, sys, threading
bin, t, argv = sys.argv[1], sys.argv[2], sys.argv[3:]
auth = ("exec:%s/orouboros-authcheck --credentials %s/creds.json --log %s/auth.log --state-dir %s/state"
        " --fail-delay 0.5 --max-fail-delay 1" % (bin, t, t, t))
env = dict(os.environ, REMOTE_ADDR="192.0.2.66")
replies = []
def one():
    out = subprocess.run(argv + ["--auth", auth, "--allow-plaintext-auth"], env=env, timeout=60,
                         input=b"EHLO x\r\nAUTH PLAIN AGFzZGYAd3Jvbmc=\r\nQUIT\r\n", capture_output=True).stdout
    replies.append([l[:9].decode() for l in out.split(b"\r\n") if l[:3] in (b"535", b"454")][0])
threads = [threading.Thread(target=one) for _ in range(4)]
[x.start() for x in threads]
[x.join() for x in threads]
print(" ".join(sorted(replies)))
PY
    echo "$output"
    [ "$status" -eq 0 ]
    [[ "$output" == *"454 4.7.0"* ]]   # the queue was full for at least one
    [[ "$output" == *"535 5.7.8"* ]]   # the others were checked, in turn
    grep -q 'event=throttled client=192.0.2.66 result="no check"' "$T/auth.log"
}

@test "hostile: open relay probes, unauthenticated, in every classic form, never get mail out" {
    run dialog --max-errors 50 --error-sleep-ms 0 <<'EOF'
< 220
> EHLO probe.example
< 250
> MAIL FROM:<postmaster@example.com>
< 250
# own domain with a second @, a multi-hop source route, the percent hack in quotes and in capitals
> RCPT TO:<victim@elsewhere.example@example.com>
< 501
> RCPT TO:<@example.com,@home.example:victim@elsewhere.example>
< 554 5.7.1
> RCPT TO:<"victim%elsewhere.example"@example.com>
< 554 5.7.1
> RCPT TO:<VICTIM%ELSEWHERE.EXAMPLE@EXAMPLE.COM>
< 554 5.7.1
> RCPT TO:<victim%elsewhere.example@home.example>
< 554 5.7.1
> RCPT TO:<elsewhere.example!victim@home.example>
< 554 5.7.1
# look-alike domains: a subdomain, a prefix, a suffix, a trailing dot and an address literal
> RCPT TO:<victim@sub.example.com>
< 554 5.7.1
> RCPT TO:<victim@example.com.elsewhere.example>
< 554 5.7.1
> RCPT TO:<victim@notexample.com>
< 554 5.7.1
> RCPT TO:<victim@elsewhere.example.>
< 554 5.7.1
> RCPT TO:<victim@[127.0.0.1]>
< 554 5.7.1
> RCPT TO:<victim@[IPv6:::1]>
< 554 5.7.1
# an escaped @, no brackets, blanks, and the null path
> RCPT TO:<victim\@elsewhere.example@example.com>
< 501
> RCPT TO: victim@elsewhere.example
< 554 5.7.1
> RCPT TO:<victim@elsewhere.example >
< 501
> RCPT TO:<>
< 501
> DATA
< 554 5.5.1
> QUIT
< 221
EOF
    echo "$output"
    [ "$status" -eq 0 ]
    nothing_stored
    ! grep -q 'route=relay' "$T/smtpd.log"
}

@test "hostile: relay probes after a failed AUTH, after RSET and after a second EHLO are still denied" {
    run dialog --allow-plaintext-auth <<'EOF'
< 220
> EHLO x
< 250
> AUTH PLAIN AGFzZGYAd3Jvbmc=
< 535
> MAIL FROM:<asdf@example.com>
< 250
> RCPT TO:<victim@elsewhere.example>
< 554 5.7.1
> RSET
< 250
> EHLO again
< 250
> MAIL FROM:<asdf@example.com>
< 250
> RCPT TO:<victim@elsewhere.example>
< 554 5.7.1
> QUIT
< 221
EOF
    [ "$status" -eq 0 ]
    nothing_stored
}

@test "hostile: local parts that try to leave the mail directory, over LMTP, in every layout, create nothing outside it" {
    rcpts=('../escape' '..' './x' '.x' 'a/../../escape' 'a\..\escape' '"../escape"' '/tmp/escape' '~root/../../escape')
    for layout in --mboxdir --maildir --wmaildir; do
        box="$T/box$layout"
        mkdir -p "$box"
        script=$'LHLO x\r\nMAIL FROM:<a@x.example>\r\n'
        for r in "${rcpts[@]}"; do script+="RCPT TO:<$r@h.example>"$'\r\n'; done
        script+=$'RCPT TO:<fine@h.example>\r\nDATA\r\nSubject: x\r\n.\r\nQUIT\r\n'
        run "$BIN/orouboros-mbox-deliver" --lmtp "$layout" "$box" --log NONE <<<"$script"
        echo "$layout: $output"
        [ "$(grep -cE '^(550|501) 5.1.3' <<<"$output")" -eq ${#rcpts[@]} ]
        [[ "$output" == *"250 2.0.0 <fine@h.example> delivered"* ]]
    done
    # nothing anywhere but inside each box
    [ -z "$(find "$T" -maxdepth 1 -name 'escape*')" ]
    [ ! -e /tmp/escape ] && [ ! -e "$T/x" ]
    [ "$(find "$T" -newer "$T/creds.json" -not -path "$T/box*" -not -path "$T/state*" -not -path "$T" | wc -l)" -eq 0 ]
}

@test "hostile: local parts that try to leave the mail directory, by the sendmail convention into a Maildir, are refused with 67" {
    for r in '../escape@x' 'a/b@x' '.x@x' '..@x' '"a/b"@x'; do
        run "$BIN/orouboros-mbox-deliver" --maildir "$MAIL" --log NONE "$r" <<<"Subject: x"
        [ "$status" -eq 67 ] || { echo "not refused: $r"; false; }
    done
    [ -z "$(ls -A "$MAIL")" ]
    [ -z "$(find "$T" -maxdepth 1 -name 'escape*')" ]
}

@test "hostile: a mailbox directory planted as a symbolic link gets 451 and nothing is written where it points" {
    mkdir -p "$T/outside"
    ln -s "$T/outside" "$MAIL/bob"
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
> Subject: would leave
>
> .
< 451
> QUIT
< 221
EOF
    [ "$status" -eq 0 ]
    [ -z "$(ls -A "$T/outside")" ]
}

@test "hostile: STARTTLS forgets an AUTH made before it, and a command pipelined with STARTTLS is never run" {
    command -v systemd-socket-activate >/dev/null || skip "systemd-socket-activate is not installed"
    make_fixtures "$T"
    PORT=$(free_port)
    systemd-socket-activate --accept -l "127.0.0.1:$PORT" "${SMTPD[0]}" "${SMTPD[@]:3}" --tls starttls \
        --cert "$T/server.crt" --key "$T/server.key" --auth "$AUTH" --allow-plaintext-auth 2>"$T/activate.log" &
    SA_PID=$!
    wait_port "$PORT"
    run "$PY" - "$PORT" <<'PY'
import socket, ssl, sys
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])), 10)
f = s.makefile("rb")
def reply(f):
    while True:
        line = f.readline().decode().rstrip()
        if len(line) < 4 or line[3] != "-":
            return line
reply(f)
s.sendall(b"EHLO x\r\n"); reply(f)
s.sendall(b"AUTH PLAIN AGFzZGYAYXNkZg==\r\n"); print(reply(f))        # 235: authenticated in the clear
s.sendall(b"STARTTLS\r\nRCPT TO:<injected@elsewhere.example>\r\n"); print(reply(f))
ctx = ssl.create_default_context(); ctx.check_hostname = False; ctx.verify_mode = ssl.CERT_NONE
t = ctx.wrap_socket(s, server_hostname="localhost")
g = t.makefile("rb")
t.sendall(b"EHLO x\r\n"); reply(g)
t.sendall(b"MAIL FROM:<asdf@example.com>\r\n"); reply(g)
t.sendall(b"RCPT TO:<victim@elsewhere.example>\r\n"); print(reply(g))   # 554: the AUTH is gone
t.sendall(b"QUIT\r\n"); reply(g)
PY
    kill "$SA_PID"; wait "$SA_PID" 2>/dev/null || true
    echo "$output"
    [ "$status" -eq 0 ]
    [[ "${lines[0]}" == "235 2.7.0"* ]]
    [[ "${lines[1]}" == "220 2.0.0"* ]]
    [[ "${lines[2]}" == "554 5.7.1"* ]]
    ! grep -q 'injected' "$T/smtpd.log"
    nothing_stored
}
