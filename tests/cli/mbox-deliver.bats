#!/usr/bin/env bats
# orouboros-mbox-deliver from the shell: one @test per promise of
# orouboros-mbox-deliver(8).  LMTP dialogues are piped in with printf.

setup() {
    T="$BATS_TEST_TMPDIR"
    M="$T/mail"
    mkdir -p "$M"
    D=(orouboros-mbox-deliver --log NONE --hostname mx.test)
}

# deliver LAYOUT-OPTIONS... : the message on stdin, sendmail convention.
deliver() { "${D[@]}" "$@"; }
# An LMTP session on the mbox directory $M: the dialogue as printf's format.
lmtp() { printf "$1" | "${D[@]}" --lmtp --mboxdir "$M" "${@:2}" | tr -d '\r'; }
files_in() { find "$1" -mindepth 1 -maxdepth 1 | wc -l; }
START='LHLO client.test\r\nMAIL FROM:<a@x.example>\r\n'

@test "mbox-deliver: sendmail mode writes the From_ line, Return-Path, Delivered-To and the body" {
    printf 'Subject: hi\n\nhello\n' | deliver --mboxdir "$M" -f a@x.example bob@home.example
    run cat "$M/bob/INBOX"
    [[ "${lines[0]}" =~ ^From\ a@x\.example\ [A-Z][a-z]{2}\ [A-Z][a-z]{2}\ [\ 0-9][0-9]\ [0-9:]{8}\ [0-9]{4}$ ]]
    [ "${lines[1]}" = "Return-Path: <a@x.example>" ]
    [ "${lines[2]}" = "Delivered-To: bob@home.example" ]
    [ "${lines[3]}" = "Subject: hi" ]
    [ "${lines[4]}" = "hello" ]
    [ "$(tail -c 2 "$M/bob/INBOX" | od -An -c | tr -d ' ')" = '\n\n' ]
}

@test "mbox-deliver: the mailbox directory is made 0700 and INBOX 0600" {
    echo x | deliver --mboxdir "$M" bob
    [ "$(stat -c %a "$M/bob")" = 700 ]
    [ "$(stat -c %a "$M/bob/INBOX")" = 600 ]
    [ ! -e "$M/bob/INBOX.lock" ]
}

@test "mbox-deliver: two messages are appended in order" {
    printf 'Subject: one\n' | deliver --mboxdir "$M" -f a@x.example bob
    printf 'Subject: two\n' | deliver --mboxdir "$M" -f a@x.example bob
    [ "$(grep -c '^From a@x.example ' "$M/bob/INBOX")" -eq 2 ]
    [ "$(grep '^Subject' "$M/bob/INBOX" | tr '\n' ' ')" = "Subject: one Subject: two " ]
}

@test "mbox-deliver: From lines in the body are quoted mboxrd style and CRLF becomes LF" {
    printf 'Subject: q\r\n\r\nFrom me\r\n>From you\r\nFrom: not quoted\r\n' | deliver --mboxdir "$M" bob
    ! grep -q $'\r' "$M/bob/INBOX"
    grep -qx '>From me' "$M/bob/INBOX"
    grep -qx '>>From you' "$M/bob/INBOX"
    grep -qx 'From: not quoted' "$M/bob/INBOX"
}

@test "mbox-deliver: the null sender is MAILER-DAEMON in the From_ line" {
    echo x | deliver --mboxdir "$M" -f '<>' '<bob@home.example>'
    head -1 "$M/bob/INBOX" | grep -q '^From MAILER-DAEMON '
    grep -qx 'Return-Path: <>' "$M/bob/INBOX"
}

@test "mbox-deliver: a local part with ../ is refused with 67 and writes nothing" {
    run deliver --mboxdir "$M" -f a@x.example '../evil@home.example' <<<"Subject: t"
    [ "$status" -eq 67 ]
    [[ "$output" == *"refused recipient"* ]]
    [ ! -e "$T/evil" ]
    [ "$(files_in "$M")" -eq 0 ]
}

@test "mbox-deliver: every local part that could leave the directory is refused with 67" {
    for rcpt in '/etc/passwd@x' 'a/b@x' '.hidden@x' '..@x' 'a\b@x' '"a b"@x' '@x' \
        "$(printf 'a\001b@x')" "$(printf '%065d@x' 0)"; do
        run deliver --mboxdir "$M" "$rcpt" <<<"x"
        [ "$status" -eq 67 ] || { echo "not refused: $rcpt"; false; }
    done
    [ "$(files_in "$M")" -eq 0 ]
}

@test "mbox-deliver: one refused recipient refuses the message for all of them" {
    run deliver --mboxdir "$M" bob@x ../evil@x <<<"x"
    [ "$status" -eq 67 ]
    [ ! -e "$M/bob" ]
}

@test "mbox-deliver: case and a +detail are kept in the mailbox name" {
    echo x | deliver --mboxdir "$M" Bob+lists@home.example
    [ -f "$M/Bob+lists/INBOX" ]
}

@test "mbox-deliver: --maildir writes one file into DIR/<local part>/new and nothing stays in tmp" {
    printf 'Subject: md\r\n\r\nbody\r\n' | deliver --maildir "$M" -f a@x.example bob@home.example
    [ -d "$M/bob/cur" ]
    [ "$(files_in "$M/bob/tmp")" -eq 0 ]
    [ "$(files_in "$M/bob/new")" -eq 1 ]
    f=$(echo "$M"/bob/new/*)
    [[ "$(basename "$f")" =~ ^[0-9]+\.M[0-9]+P[0-9]+R[0-9a-f]{16}\.mx\.test$ ]]
    [ "$(head -1 "$f")" = "Return-Path: <a@x.example>" ]
    ! grep -q $'\r' "$f"
}

@test "mbox-deliver: --wmaildir puts every recipient's mail into the one Maildir" {
    echo x | deliver --wmaildir "$M/box" bob@x carol@x
    [ "$(files_in "$M/box/new")" -eq 2 ]
    [ -d "$M/box/cur" ] && [ -d "$M/box/tmp" ]
    [ ! -e "$M/bob" ]
}

@test "mbox-deliver: a message over --max-message-size is 65 and the mbox is untouched" {
    echo first | deliver --mboxdir "$M" bob
    cp "$M/bob/INBOX" "$T/before"
    run bash -c 'head -c 2000 /dev/zero | tr "\0" x | "$@"' _ "${D[@]}" --mboxdir "$M" --max-message-size 1000 bob
    [ "$status" -eq 65 ]
    cmp "$M/bob/INBOX" "$T/before"
}

@test "mbox-deliver: a mailbox that cannot be written is 75 and leaves nothing behind" {
    touch "$M/bob"  # a file where the directory should be
    run deliver --mboxdir "$M" bob <<<"x"
    [ "$status" -eq 75 ]
    [[ "$output" == *"$M/bob"* ]]
    run deliver --mboxdir "$T/missing" carol <<<"x"
    [ "$status" -eq 75 ]
    [ ! -e "$T/missing" ]
}

@test "mbox-deliver: a write cut short by a file size limit is 75 and the mbox is byte for byte as before" {
    echo first | deliver --mboxdir "$M" bob
    cp "$M/bob/INBOX" "$T/before"
    run bash -c 'ulimit -f 1; head -c 4000 /dev/zero | tr "\0" x | "$@"' _ "${D[@]}" --mboxdir "$M" bob
    [ "$status" -eq 75 ]
    cmp "$M/bob/INBOX" "$T/before"
    [ ! -e "$M/bob/INBOX.lock" ]
}

@test "mbox-deliver: when one recipient fails for now the others are delivered and the status is 75" {
    touch "$M/bob"
    run deliver --mboxdir "$M" bob@x carol@x <<<"x"
    [ "$status" -eq 75 ]
    [ -s "$M/carol/INBOX" ]
}

@test "mbox-deliver: usage errors exit 64" {
    run deliver bob <<<"x"                                  # no layout
    [ "$status" -eq 64 ]
    run deliver --mboxdir "$M" --maildir "$M" bob <<<"x"    # two layouts
    [ "$status" -eq 64 ]
    run deliver --mboxdir "$M" <<<"x"                       # no recipient
    [ "$status" -eq 64 ]
    run deliver --mboxdir "$M" --lmtp bob </dev/null        # recipients with --lmtp
    [ "$status" -eq 64 ]
    run deliver --mboxdir "$M" --no-such-option bob <<<"x"
    [ "$status" -eq 64 ]
    run deliver --mboxdir "$M" --idle-timeout 0 bob <<<"x"
    [ "$status" -eq 64 ]
    run deliver --mboxdir "$M" -f "$(printf 'a@x\nBcc: y')" bob <<<"x"
    [ "$status" -eq 64 ]
    [ "$(files_in "$M")" -eq 0 ]
}

@test "mbox-deliver: --help lists every option and exits 0" {
    run orouboros-mbox-deliver --help
    [ "$status" -eq 0 ]
    for o in --config --mboxdir --maildir --wmaildir --lmtp --from --hostname --max-message-size \
        --idle-timeout --session-timeout --log --log-level; do
        [[ "$output" == *"$o"* ]] || { echo "missing $o"; false; }
    done
}

@test "mbox-deliver: options come from the [mbox-deliver] section of --config" {
    printf 'log = NONE\n[mbox-deliver]\nmboxdir = %s\n[smtpd]\nhostname = other\n' "$M" >"$T/orouboros.conf"
    echo x | orouboros-mbox-deliver --config "$T/orouboros.conf" bob
    [ -f "$M/bob/INBOX" ]
}

@test "mbox-deliver: an unknown key in the configuration file is 78" {
    printf '[mbox-deliver]\nno-such-key = 1\n' >"$T/orouboros.conf"
    run orouboros-mbox-deliver --config "$T/orouboros.conf" --mboxdir "$M" bob <<<"x"
    [ "$status" -eq 78 ]
}

@test "mbox-deliver: each delivery is one log line with sid, msgid, sender, recipient, mailbox, result; never the body" {
    printf 'Subject: secret\n\nthe body text\n' |
        orouboros-mbox-deliver --log "$T/log" --mboxdir "$M" -f a@x.example bob@h.example carol@h.example
    [ "$(wc -l <"$T/log")" -eq 2 ]
    grep -q "sid=[0-9a-f]\{16\} event=delivery msgid=[0-9a-f]\{16\} from=<a@x.example> to=bob@h.example mailbox=$M/bob/INBOX result=delivered" "$T/log"
    ! grep -q 'body text\|secret' "$T/log"
}

@test "mbox-deliver: --lmtp greets, answers LHLO with the extensions and gives one reply per recipient after DATA" {
    run lmtp "${START}RCPT TO:<bob@h.example>\r\nRCPT TO:<carol@h.example>\r\nDATA\r\nSubject: l\r\n\r\n..dot\r\n.\r\nQUIT\r\n"
    [ "$status" -eq 0 ]
    [ "${lines[0]}" = "220 mx.test LMTP orouboros-mbox-deliver" ]
    [ "${lines[1]}" = "250-mx.test" ]
    [ "${lines[2]}" = "250-PIPELINING" ]
    [ "${lines[3]}" = "250-ENHANCEDSTATUSCODES" ]
    [ "${lines[4]}" = "250-8BITMIME" ]
    [ "${lines[5]}" = "250-XLOOP" ]
    [ "${lines[6]}" = "250 SIZE 26214400" ]
    [ "${lines[7]}" = "250 2.1.0 sender ok" ]
    [ "${lines[10]}" = "354 end data with <CR><LF>.<CR><LF>" ]
    [ "${lines[11]}" = "250 2.0.0 <bob@h.example> delivered" ]
    [ "${lines[12]}" = "250 2.0.0 <carol@h.example> delivered" ]
    [ "${lines[13]}" = "221 2.0.0 bye" ]
    grep -qx '.dot' "$M/bob/INBOX"
    grep -qx 'Delivered-To: carol@h.example' "$M/carol/INBOX"
}

@test "mbox-deliver: --lmtp refuses a bad local part at RCPT with 550 5.1.3 and still delivers to the others" {
    run lmtp "${START}RCPT TO:<../evil@h.example>\r\nRCPT TO:<bob@h.example>\r\nDATA\r\nx\r\n.\r\n"
    [[ "${lines[8]}" == "550 5.1.3 <../evil@h.example> refused: "* ]]
    [ "${lines[11]}" = "250 2.0.0 <bob@h.example> delivered" ]
    [ "${#lines[@]}" -eq 12 ]
    [ "$(files_in "$M")" -eq 1 ]
}

@test "mbox-deliver: --lmtp takes several transactions in one session" {
    tx='MAIL FROM:<a@x.example>\r\nRCPT TO:<bob@h.example>\r\nDATA\r\nSubject: x\r\n.\r\n'
    run lmtp "LHLO c\r\n$tx$tx${tx}QUIT\r\n"
    [ "$(printf '%s\n' "${lines[@]}" | grep -c '^250 2.0.0 <bob@h.example> delivered$')" -eq 3 ]
    [ "$(grep -c '^From a@x.example ' "$M/bob/INBOX")" -eq 3 ]
}

@test "mbox-deliver: --lmtp refuses smuggled DATA for every recipient and stores nothing" {
    run lmtp "${START}RCPT TO:<bob@h.example>\r\nRCPT TO:<carol@h.example>\r\nDATA\r\nx\n.\nMAIL FROM:<evil@x>\r\nRCPT TO:<mallory@h.example>\r\nDATA\r\nevil\r\n.\r\nNOOP\r\n"
    [ "${lines[11]}" = "554 5.6.0 bare CR or LF in the message (RFC 5321 2.3.8)" ]
    [ "${lines[12]}" = "554 5.6.0 bare CR or LF in the message (RFC 5321 2.3.8)" ]
    [ "${lines[13]}" = "250 2.0.0 ok" ]
    [ "$(files_in "$M")" -eq 0 ]
}

@test "mbox-deliver: --lmtp refuses an oversized message with 552 5.3.4 and leaves the mbox untouched" {
    echo first | deliver --mboxdir "$M" bob
    cp "$M/bob/INBOX" "$T/before"
    line=$(head -c 600 /dev/zero | tr '\0' x)
    run lmtp "${START}RCPT TO:<bob@h.example>\r\nDATA\r\n$line\r\n$line\r\n.\r\nMAIL FROM:<a@x.example> SIZE=2000\r\n" --max-message-size 1000
    [ "${lines[6]}" = "250 SIZE 1000" ]
    [ "${lines[10]}" = "552 5.3.4 message too big" ]
    [ "${lines[11]}" = "552 5.3.4 message size exceeds the fixed limit" ]
    cmp "$M/bob/INBOX" "$T/before"
}

@test "mbox-deliver: --lmtp answers 451 4.3.0 for a recipient whose mailbox cannot be written" {
    touch "$M/bob"
    run lmtp "${START}RCPT TO:<bob@h.example>\r\nRCPT TO:<carol@h.example>\r\nDATA\r\nx\r\n.\r\n"
    [ "${lines[11]}" = "451 4.3.0 <bob@h.example> mailbox temporarily unavailable" ]
    [ "${lines[12]}" = "250 2.0.0 <carol@h.example> delivered" ]
}

@test "mbox-deliver: an INBOX with a second hard link gets 451 4.2.0 (75 by the sendmail convention) and both names stay byte for byte" {
    echo first | deliver --mboxdir "$M" bob
    ln "$M/bob/INBOX" "$T/elsewhere"
    cp "$M/bob/INBOX" "$T/before"
    run lmtp "${START}RCPT TO:<bob@h.example>\r\nRCPT TO:<carol@h.example>\r\nDATA\r\nx\r\n.\r\n"
    [ "${lines[11]}" = "451 4.2.0 <bob@h.example> mailbox is a link or not a regular file, not written" ]
    [ "${lines[12]}" = "250 2.0.0 <carol@h.example> delivered" ]
    run deliver --mboxdir "$M" bob <<<"Subject: again"
    [ "$status" -eq 75 ]
    cmp "$M/bob/INBOX" "$T/before"
    cmp "$T/elsewhere" "$T/before"
    [ ! -e "$M/bob/INBOX.lock" ]
}

@test "mbox-deliver: an INBOX that is a symbolic link, a fifo or a directory gets 451 4.2.0 and nothing is written" {
    mkdir -p "$M/bob" "$M/carol" "$M/dave/INBOX"
    printf 'precious\n' >"$T/target"
    ln -s "$T/target" "$M/bob/INBOX"
    mkfifo "$M/carol/INBOX"
    run lmtp "${START}RCPT TO:<bob@h.example>\r\nRCPT TO:<carol@h.example>\r\nRCPT TO:<dave@h.example>\r\nDATA\r\nx\r\n.\r\n"
    [ "${lines[12]}" = "451 4.2.0 <bob@h.example> mailbox is a link or not a regular file, not written" ]
    [ "${lines[13]}" = "451 4.2.0 <carol@h.example> mailbox is a link or not a regular file, not written" ]
    [ "${lines[14]}" = "451 4.2.0 <dave@h.example> mailbox is a link or not a regular file, not written" ]
    [ "$(cat "$T/target")" = precious ]
    [ -L "$M/bob/INBOX" ] && [ -p "$M/carol/INBOX" ] && [ "$(files_in "$M/dave/INBOX")" -eq 0 ]
}

@test "mbox-deliver: a Maildir whose per-user directory is a symbolic link gets 451 4.2.0 and nothing is written where it points" {
    mkdir -p "$T/outside"
    ln -s "$T/outside" "$M/bob"
    printf "${START}RCPT TO:<bob@h.example>\r\nDATA\r\nx\r\n.\r\n" | "${D[@]}" --lmtp --maildir "$M" >"$T/out"
    grep -q '^451 4.2.0 <bob@h.example> mailbox is a link or not a regular file, not written' "$T/out"
    [ "$(files_in "$T/outside")" -eq 0 ]
}

@test "mbox-deliver: --lmtp answers 503 out of sequence and 500 to unknown commands" {
    run lmtp 'MAIL FROM:<a@x>\r\nLHLO c\r\nRCPT TO:<bob@h.example>\r\nDATA\r\nEHLO c\r\nRSET\r\nQUIT\r\n'
    [ "${lines[1]}" = "503 5.5.1 send LHLO first" ]
    [ "${lines[8]}" = "503 5.5.1 send MAIL first" ]
    [ "${lines[9]}" = "503 5.5.1 send MAIL first" ]
    [ "${lines[10]}" = "500 5.5.1 command not recognized" ]
    [ "${lines[11]}" = "250 2.0.0 ok" ]
    [ "${lines[12]}" = "221 2.0.0 bye" ]
}

@test "mbox-deliver: --lmtp says 421 4.4.2 when the client stops talking for --idle-timeout seconds" {
    mkfifo "$T/in"
    exec {hold}<>"$T/in"  # keeps the fifo open: no end of input
    printf 'LHLO c\r\n' >&$hold
    run timeout 20 "${D[@]}" --lmtp --mboxdir "$M" --idle-timeout 1 <"$T/in"
    exec {hold}>&-
    [ "$status" -eq 0 ]
    [ "$(printf '%s\n' "${lines[@]}" | tail -1 | tr -d '\r')" = "421 4.4.2 timeout, closing" ]
}

@test "mbox-deliver: --lmtp runs on the connection systemd passes (Accept=yes), or serves a listening socket (Accept=no)" {
    run python3 - "${D[@]}" --lmtp --mboxdir "$M" <<'EOF'
import os, signal, socket, sys
def spawn(sock):
    pid = os.fork()
    if pid == 0:
        os.dup2(sock.fileno(), 3)
        os.environ.update(LISTEN_FDS="1", LISTEN_PID=str(os.getpid()))
        os.execvp(sys.argv[1], sys.argv[1:])
    return pid
def session(sock, rcpt):
    sock.settimeout(20)
    sock.sendall(b"LHLO c\r\nMAIL FROM:<a@x.example>\r\nRCPT TO:<" + rcpt + b">\r\nDATA\r\nx\r\n.\r\nQUIT\r\n")
    data = b""
    while chunk := sock.recv(4096):
        data += chunk
    return data.decode().replace("\r", "")
ours, theirs = socket.socketpair()
pid = spawn(theirs)
theirs.close()
print(session(ours, b"bob@h.example"))
os.waitpid(pid, 0)
path = os.environ["BATS_TEST_TMPDIR"] + "/listen.sock"
listening = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
listening.bind(path)
listening.listen(8)
pid = spawn(listening)
listening.close()
for rcpt in (b"carol@h.example", b"dave@h.example"):
    client = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    client.connect(path)
    print(session(client, rcpt))
os.kill(pid, signal.SIGTERM)
print("status", os.waitstatus_to_exitcode(os.waitpid(pid, 0)[1]))
EOF
    [[ "$output" == *"250 2.0.0 <bob@h.example> delivered"* ]]
    [[ "$output" == *"250 2.0.0 <carol@h.example> delivered"* ]]
    [[ "$output" == *"250 2.0.0 <dave@h.example> delivered"* ]]
    [ "$(grep -c '221 2.0.0 bye' <<<"$output")" -eq 3 ]
    [[ "$output" == *"status 0"* ]]
    for u in bob carol dave; do [ "$(grep -c '^From ' "$M/$u/INBOX")" -eq 1 ]; done
}

@test "mbox-deliver: --version prints the program and its version and exits 0" {
    run orouboros-mbox-deliver --version
    [ "$status" -eq 0 ]
    [[ "$output" =~ ^orouboros-mbox-deliver\ [0-9]+\.[0-9]+\.[0-9]+$ ]]
}

@test "mbox-deliver: the dialogue by hand of EXAMPLES runs as printed (its mail directory the test's)" {
    load ../integration/lib
    script=$(man_example orouboros-mbox-deliver.8 "A dialogue by hand")
    [[ "$script" == *"--mboxdir /var/mail"* ]]
    run bash -c "exec 2>/dev/null; ${script//\/var\/mail/$M}"
    [ "$status" -eq 0 ]
    [[ "$output" == *"250 2.0.0 <bob@home.example> delivered"* ]]
    grep -q '^Subject: hi$' "$M/bob/INBOX"
    grep -q '^hello$' "$M/bob/INBOX"
}

@test "mbox-deliver: --maildir on the command line keeps the configuration's mboxdir out" {
    printf '[mbox-deliver]\nmboxdir = %s\n' "$T/other" >"$T/x.conf"
    mkdir -p "$T/other"
    "${D[@]}" --config "$T/x.conf" --maildir "$M" -f a@x.example bob <<<"Subject: t"
    [ -n "$(ls "$M/bob/new")" ]
    [ -z "$(ls -A "$T/other")" ]
}
