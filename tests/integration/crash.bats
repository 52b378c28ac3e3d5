#!/usr/bin/env bats
# Crash safety: the delivery stage killed with SIGKILL in the middle of a
# delivery, a full disk, and 200 deliveries at once.  The promise each time:
# the client hears 250 only for mail that is stored, and a mailbox holds
# every message once, whole, or is byte for byte what it was.
#
# A kill at an exact point comes from strace's fault injection
# (-e inject=SYSCALL:signal=KILL, only for calls on the mbox: -P).

load lib

setup() {
    BIN=${OROUBOROS_BIN:-$(dirname "$(command -v orouboros-smtpd)")}
    T="$BATS_TEST_TMPDIR"
    MAIL="$T/mail"
    mkdir -p "$MAIL/bob"
    OLD=$'From old@x.example Thu Jan  1 00:00:00 2026\nSubject: old\n\nthe old mail\n\n'
    printf '%s' "$OLD" >"$MAIL/bob/INBOX"
    BEFORE=$(md5sum <"$MAIL/bob/INBOX")
    STAGE="$BIN/orouboros-mbox-deliver --lmtp --mboxdir $MAIL --log $T/deliver.log"
}

teardown() {
    if [ -n "${DISK:-}" ] && mountpoint -q "$DISK"; then umount "$DISK" || umount -l "$DISK"; fi
    true
}

# smtpd over a pipe with the given stage spec; the dialogue on stdin.
smtpd_with_stage() {
    "$PY" "$BATS_TEST_DIRNAME/../dialog.py" -- "$BIN/orouboros-smtpd" --tls none --hostname vps.test \
        --log "$T/smtpd.log" --delivery-domain example.com --deliver "$1"
}

# A whole transaction for bob, ending with the reply code $2 to DATA; $3,
# when given, is one more dialogue line in the body (">> ..." for bulk).
send_to_bob() {  # subject code [line]
    cat <<EOF
< 220
> EHLO client.example
< 250
> MAIL FROM:<a@internet.example>
< 250
> RCPT TO:<bob@example.com>
< 250
> DATA
< 354
> Subject: $1
>
> the body of $1
${3:-> end of body}
> .
< $2
> QUIT
< 221
EOF
}

need_strace() {
    command -v strace >/dev/null || skip "strace is not installed (contrib/install-deps.sh installs it)"
    strace -qq -o /dev/null true 2>/dev/null || skip "ptrace is not allowed here: strace cannot run"
}

# stage: mbox-deliver under strace, killed at the Nth call of $1 on INBOX
killed_stage() {  # syscall [when]
    echo "exec:$(command -v strace) -f -qq -o /dev/null -P $MAIL/bob/INBOX -e trace=$1" \
        "-e inject=$1:signal=KILL:when=${2:-1} $STAGE"
}

@test "crash: the stage killed by SIGKILL before its fsync -> 451, and --recover makes the mbox byte for byte what it was" {
    need_strace
    run smtpd_with_stage "$(killed_stage fsync)" < <(send_to_bob killed 451)
    [ "$status" -eq 0 ]
    # the whole entry went in (not synced), the lock names the dead holder
    grep -q '^Subject: killed' "$MAIL/bob/INBOX"
    grep -q "size=${#OLD} " "$MAIL/bob/INBOX.lock"
    run "$BIN/orouboros-mbox-deliver" --mboxdir "$MAIL" --recover --log "$T/recover.log"
    [ "$status" -eq 0 ]
    [ "$(md5sum <"$MAIL/bob/INBOX")" = "$BEFORE" ]
    [ ! -e "$MAIL/bob/INBOX.lock" ]
    grep -q 'event=repair .*cut .*INBOX back from [0-9]* to '"${#OLD}"' bytes' "$T/recover.log"
}

@test "crash: after a SIGKILL the next delivery cuts the dead one's entry out first, then appends its own" {
    need_strace
    run smtpd_with_stage "$(killed_stage fsync)" < <(send_to_bob killed 451)
    [ "$status" -eq 0 ]
    run smtpd_with_stage "exec:$STAGE" < <(send_to_bob second 250)
    [ "$status" -eq 0 ]
    ! grep -q 'killed' "$MAIL/bob/INBOX"
    [ "$(head -c ${#OLD} "$MAIL/bob/INBOX" | md5sum)" = "$BEFORE" ]
    [ "$(grep -c '^From ' "$MAIL/bob/INBOX")" -eq 2 ]
    grep -q '^Subject: second' "$MAIL/bob/INBOX"
    grep -q 'event=repair' "$T/deliver.log"
}

@test "crash: killed between the separating newline and the entry -> the newline is cut too" {
    need_strace
    printf 'From old@x.example Thu Jan  1 00:00:00 2026\n\nno newline at the end' >"$MAIL/bob/INBOX"
    before=$(md5sum <"$MAIL/bob/INBOX")
    run smtpd_with_stage "$(killed_stage write 2)" < <(send_to_bob killed 451)
    [ "$status" -eq 0 ]
    [ "$(tail -c 1 "$MAIL/bob/INBOX" | od -An -c | tr -d ' ')" = '\n' ]   # the newline went in
    run "$BIN/orouboros-mbox-deliver" --mboxdir "$MAIL" --recover --log NONE
    [ "$status" -eq 0 ]
    [ "$(md5sum <"$MAIL/bob/INBOX")" = "$before" ]
}

@test "crash: a Maildir stage killed before its fsync -> 451, and nothing in new/" {
    need_strace
    mkdir -p "$T/md"
    stage="exec:$(command -v strace) -f -qq -o /dev/null -e trace=fsync -e inject=fsync:signal=KILL:when=1"
    stage="$stage $BIN/orouboros-mbox-deliver --lmtp --wmaildir $T/md/box --log $T/deliver.log"
    mkdir -p "$T/md/box/tmp" "$T/md/box/new" "$T/md/box/cur"   # so the first fsync is the message's
    run smtpd_with_stage "$stage" < <(send_to_bob killed 451)
    [ "$status" -eq 0 ]
    [ -z "$(ls -A "$T/md/box/new")" ]
}

@test "crash: killed the moment the mbox starts growing (4 MB entry), the mbox is cut back to what it was" {
    head -c 3000000 /dev/urandom | base64 -w 76 >"$T/big.txt"
    printf 'Subject: big\n\n' | cat - "$T/big.txt" >"$T/big.eml"
    # each round: start a delivery, poll the mbox size, SIGKILL as soon as it grows
    run "$PY" - "$BIN" "$MAIL" "$T/big.eml" "$OLD" <<'PY'
import os, signal, subprocess, sys, time
bin, mail, eml, old = sys.argv[1:5]
inbox = mail + "/bob/INBOX"
body_end = open(eml).read().rstrip("\n")[-200:]
cut = 0
for round in range(6):
    open(inbox, "w").write(old)
    p = subprocess.Popen([bin + "/orouboros-mbox-deliver", "--mboxdir", mail, "--log", "NONE", "bob"],
                         stdin=open(eml, "rb"))
    deadline = time.monotonic() + 20
    while p.poll() is None and os.stat(inbox).st_size == len(old) and time.monotonic() < deadline:
        pass
    p.send_signal(signal.SIGKILL)
    p.wait()
    grown = os.stat(inbox).st_size
    subprocess.run([bin + "/orouboros-mbox-deliver", "--mboxdir", mail, "--recover", "--log", "NONE"], check=True)
    after = open(inbox).read()
    # a kill that lands after the commit (fsync, lock gone) leaves the whole
    # message, rightly; anything between is what must never stay
    whole = after.startswith(old) and after.rstrip("\n").endswith(body_end)
    assert after == old or whole, "round %d: %d bytes left after the repair" % (round, len(after))
    if p.returncode == -signal.SIGKILL and grown > len(old) and after == old:
        cut += 1
    assert not os.path.exists(inbox + ".lock")
print("killed mid-append and cut back:", cut)
assert cut > 0, "no kill landed inside an append"
PY
    echo "$output"
    [ "$status" -eq 0 ]
}

@test "crash: a full disk (a 1 MiB tmpfs) -> 451 4.3.1, the mbox unchanged; once space is freed the next delivery succeeds" {
    [ "$(id -u)" -eq 0 ] || skip "mounting a tmpfs needs root"
    DISK="$T/disk"
    mkdir -p "$DISK"
    mount -t tmpfs -o size=1m,mode=0700 tmpfs "$DISK" 2>"$T/mount.err" ||
        skip "cannot mount a tmpfs here: $(cat "$T/mount.err")"
    mkdir -p "$DISK/mail/bob"
    printf '%s' "$OLD" >"$DISK/mail/bob/INBOX"
    head -c 900000 /dev/zero >"$DISK/filler"
    stage="exec:$BIN/orouboros-mbox-deliver --lmtp --mboxdir $DISK/mail --log $T/deliver.log"
    bulk=">> $(printf '{990*x}\\r\\n%.0s' {1..300})"   # 300 KB: more than the space left
    run smtpd_with_stage "$stage" < <(send_to_bob full 451 "$bulk")
    [ "$status" -eq 0 ]
    [[ "$output" == *"451 4.3.1"* ]]
    [ "$(md5sum <"$DISK/mail/bob/INBOX")" = "$BEFORE" ]
    [ ! -e "$DISK/mail/bob/INBOX.lock" ]
    rm "$DISK/filler"
    run smtpd_with_stage "$stage" < <(send_to_bob full 250 "$bulk")
    [ "$status" -eq 0 ]
    [ "$(head -c ${#OLD} "$DISK/mail/bob/INBOX" | md5sum)" = "$BEFORE" ]
    grep -q '^Subject: full' "$DISK/mail/bob/INBOX"
}

@test "crash: a file size limit (RLIMIT_FSIZE, EFBIG) on the stage -> 451 4.3.1 and the mbox unchanged" {
    command -v prlimit >/dev/null || skip "prlimit (util-linux) is not installed"
    run smtpd_with_stage "exec:$(command -v prlimit) --fsize=$((${#OLD} + 100)) $STAGE" < <(send_to_bob limited 451)
    [ "$status" -eq 0 ]
    [[ "$output" == *"451 4.3.1"* ]]
    [ "$(md5sum <"$MAIL/bob/INBOX")" = "$BEFORE" ]
    run smtpd_with_stage "exec:$STAGE" < <(send_to_bob after 250)
    [ "$status" -eq 0 ]
}

# Each message i is 40 lines "msg-i line-n"; the mbox must hold each
# exactly once, its lines together and in order.
check_mbox() {  # mbox count
    "$PY" - "$1" "$2" <<'PY'
import re, sys
text = open(sys.argv[1], encoding="latin-1").read()
entries = re.split(r"\n(?=From )", text)
seen = {}
for e in entries[1:] if entries[0].startswith("From old@") else entries:
    ids = set(re.findall(r"^msg-(\d+) line-\d+$", e, re.M))
    assert len(ids) == 1, "an entry mixes messages: %r" % sorted(ids)[:5]
    i = ids.pop()
    lines = re.findall(r"^msg-%s line-(\d+)$" % i, e, re.M)
    assert lines == [str(n) for n in range(40)], "message %s is cut or out of order" % i
    seen[i] = seen.get(i, 0) + 1
n = int(sys.argv[2])
assert sorted(seen) == sorted(str(i) for i in range(n)), "missing: %s" % (set(map(str, range(n))) - set(seen))
assert all(v == 1 for v in seen.values()), "duplicates: %s" % [k for k, v in seen.items() if v > 1]
print("ok", len(seen))
PY
}

make_messages() {  # dir count
    mkdir -p "$1"
    "$PY" - "$1" "$2" <<'PY'
import sys
d, n = sys.argv[1], int(sys.argv[2])
for i in range(n):
    with open("%s/%d" % (d, i), "w") as f:
        f.write("Subject: msg %d\n\n" % i + "".join("msg-%d line-%d\n" % (i, k) for k in range(40)))
PY
}

@test "crash: 200 concurrent deliveries to one mbox -> each message exactly once, none interleaved" {
    make_messages "$T/msgs" 200
    pids=()
    for i in $(seq 0 199); do
        "$BIN/orouboros-mbox-deliver" --mboxdir "$MAIL" --log NONE -f "s$i@x.example" bob <"$T/msgs/$i" &
        pids+=($!)
    done
    failed=0
    for p in "${pids[@]}"; do wait "$p" || failed=$((failed + 1)); done
    [ "$failed" -eq 0 ]
    run check_mbox "$MAIL/bob/INBOX" 200
    echo "$output"
    [ "$status" -eq 0 ]
    [ "$(head -c ${#OLD} "$MAIL/bob/INBOX" | md5sum)" = "$BEFORE" ]
    [ ! -e "$MAIL/bob/INBOX.lock" ]
}

@test "crash: 200 concurrent deliveries to one Maildir -> 200 whole files in new/, nothing in tmp/" {
    make_messages "$T/msgs" 200
    pids=()
    for i in $(seq 0 199); do
        "$BIN/orouboros-mbox-deliver" --maildir "$MAIL" --log NONE -f "s$i@x.example" carol <"$T/msgs/$i" &
        pids+=($!)
    done
    failed=0
    for p in "${pids[@]}"; do wait "$p" || failed=$((failed + 1)); done
    [ "$failed" -eq 0 ]
    [ "$(ls "$MAIL/carol/new" | wc -l)" -eq 200 ]
    [ -z "$(ls -A "$MAIL/carol/tmp")" ]
    for f in "$MAIL"/carol/new/*; do printf 'From x\n'; cat "$f"; done >"$T/all"
    run check_mbox "$T/all" 200
    echo "$output"
    [ "$status" -eq 0 ]
}

@test "crash: 50 concurrent SMTP sessions through smtpd to one mbox -> every 250 is in the mbox, once" {
    make_messages "$T/msgs" 50
    "$PY" - "$BIN" "$T" "$MAIL" <<'PY'
import subprocess, sys, threading
bin, t, mail = sys.argv[1:4]
argv = [bin + "/orouboros-smtpd", "--tls", "none", "--log", "NONE", "--delivery-domain", "example.com",
        "--deliver", "exec:%s/orouboros-mbox-deliver --lmtp --mboxdir %s --log NONE" % (bin, mail)]
codes = {}
def one(i):
    body = open("%s/msgs/%d" % (t, i)).read().replace("\n", "\r\n")
    script = "EHLO c\r\nMAIL FROM:<s%d@x.example>\r\nRCPT TO:<bob@example.com>\r\nDATA\r\n%s.\r\nQUIT\r\n" % (i, body)
    out = subprocess.run(argv, input=script.encode(), capture_output=True, timeout=60).stdout.decode()
    codes[i] = [l[:3] for l in out.split("\r\n") if l[:3].isdigit() and l[3:4] == " "]
threads = [threading.Thread(target=one, args=(i,)) for i in range(50)]
[t.start() for t in threads]
[t.join() for t in threads]
bad = {i: c for i, c in codes.items() if c[-2:] != ["250", "221"]}
assert len(codes) == 50 and not bad, bad
PY
    run check_mbox "$MAIL/bob/INBOX" 50
    echo "$output"
    [ "$status" -eq 0 ]
}
