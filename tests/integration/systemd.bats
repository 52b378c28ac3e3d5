#!/usr/bin/env bats
# The systemd units: as installed (make install into a DESTDIR), checked by
# systemd-analyze verify and security; and run as systemd would run them,
# by units.bash, with real clients on loopback.  There is no systemd PID 1
# here: systemd-socket-activate --accept stands in for the socket units.

load lib

REPO=$(cd "$BATS_TEST_DIRNAME/../.." && pwd)

setup_file() {
    export T="$BATS_FILE_TMPDIR" BIN=${OROUBOROS_BIN:-$(dirname "$(command -v orouboros-smtpd)")}
    export STAGE="$T/stage" VERIFY="$T/verify"
    # -o all: install what is built, never build in the middle of a test run
    make -s -C "$REPO" -o all B="${BIN%/bin}" install DESTDIR="$STAGE" PREFIX=/usr >"$T/install.log" 2>&1
    # The installed units and the example units for a home server,
    # ExecStart= pointed at the DESTDIR's programs.
    mkdir -p "$VERIFY"
    for u in "$STAGE"/usr/lib/systemd/system/* "$STAGE"/usr/share/doc/orouboros/examples/home/*.s*; do
        sed "s|/usr/sbin/|$STAGE/usr/sbin/|g" "$u" >"$VERIFY/${u##*/}"
    done
    start_units
}

teardown_file() {
    local name pid i
    for name in units home; do
        [ -f "$T/$name.pid" ] || continue
        pid=$(cat "$T/$name.pid")
        kill -TERM "$pid" 2>/dev/null || true
        for ((i = 0; i < 200; i++)); do kill -0 "$pid" 2>/dev/null || break; sleep 0.05; done
        kill -KILL "$pid" 2>/dev/null || true
    done
}

# The VPS example configuration, its paths moved into $T, as the overlaid
# /etc/orouboros/orouboros.conf; the TLS files and the credentials file
# where the units' LoadCredential= lines take them from.
make_etc() {
    local etc=$T/etc/orouboros
    mkdir -p "$etc/tls" "$T/etc-work" "$T/mail"
    make_fixtures "$T"
    cp "$T/server.crt" "$etc/tls/cert.pem"
    cp "$T/server.key" "$etc/tls/key.pem"
    cp "$T/creds.json" "$etc/creds.json"
    : >"$etc/blocked-domains"
    : >"$etc/forward-password"
    sed -e "s|mx.example.org|units.test|" -e "s|/var/lib/orouboros/mail|$T/mail|" -e "s|^fail-delay = .*|fail-delay = 0.1|" \
        -e "s|^host = home.example.org.*|host = 127.0.0.1|" -e "s|^port = 25$|port = $HOME_PORT|" \
        -e "s|^#tls-ca = .*|tls-ca = $T/server.crt|" "$REPO/contrib/vps/orouboros.conf" >"$etc/orouboros.conf"
}

# The home server, for the forward unit: an orouboros-smtpd with STARTTLS
# that keeps the mail for example.org in $T/home.
start_home() {
    mkdir -p "$T/home"
    systemd-socket-activate --accept -l "127.0.0.1:$HOME_PORT" "$BIN/orouboros-smtpd" --config /dev/null \
        --hostname home.test --tls starttls --cert "$T/server.crt" --key "$T/server.key" \
        --delivery-domain example.org --deliver "exec:$BIN/orouboros-mbox-deliver --config /dev/null --lmtp --mboxdir $T/home" \
        2>"$T/home.log" &
    echo $! >"$T/home.pid"
    wait_port "$HOME_PORT"
}

start_units() {
    [ "$(id -u)" -eq 0 ] || return 0
    export SMTP_PORT=$(free_port) SUBMISSIONS_PORT=$(free_port) SUBMISSION_PORT=$(free_port) HOME_PORT=$(free_port)
    make_etc
    start_home
    unshare -m "$BATS_TEST_DIRNAME/units.bash" "$T" "$BIN" "$REPO/units" once:deliver-recover authcheck deliver forward \
        "smtp:$SMTP_PORT" "submissions:$SUBMISSIONS_PORT" "submission:$SUBMISSION_PORT" \
        >"$T/units.out" 2>&1 &
    echo $! >"$T/units.pid"
    wait_file "$T/ready" 20 || true  # the tests that need them say why not
}

need_units() {
    [ "$(id -u)" -eq 0 ] || skip "runs the units in a mount namespace: needs root"
    [ -s "$T/ready" ] || { cat "$T/units.out" "$T"/*.stderr >&2; false; }
}

# The exposure of a service, e.g. 0.8, from systemd-analyze security --offline.
exposure() {
    (cd "$VERIFY" && SYSTEMD_UNIT_PATH="$VERIFY:" systemd-analyze security --offline=true "./$1" 2>&1) |
        sed -n 's/.*Overall exposure level for .*: \([0-9.]*\) .*/\1/p'
}

# The journal entries (JSON lines) of one program, from units.bash's catcher.
journal_of() {
    "$PY" - "$T/journal.jsonl" "$1" <<'PY'
import json, sys
for line in open(sys.argv[1]):
    e = json.loads(line)
    if e.get("SYSLOG_IDENTIFIER") == sys.argv[2]:
        print(json.dumps(e, sort_keys=True))
PY
}

@test "units: systemd-analyze verify reports nothing for the installed units and the home example's" {
    cd "$VERIFY"
    # --man=no: the install test checks their man pages, in a second, not 20
    run env SYSTEMD_UNIT_PATH="$VERIFY:" systemd-analyze verify --man=no ./*
    echo "$output"
    [ "$status" -eq 0 ]
    [ -z "$output" ]
}

@test "units: every service scores 2.0 or lower in systemd-analyze security; smtpd, authcheck, deliver 1.0 or lower" {
    local n=0 u score
    for u in "$VERIFY"/*.service; do
        u=${u##*/}
        score=$(exposure "$u")
        echo "$u $score"
        [ -n "$score" ]
        case $u in
        orouboros-forward.service | orouboros-relay.service | orouboros-verify.service) awk -v s="$score" 'BEGIN { exit !(s <= 2.0) }' ;;
        *) awk -v s="$score" 'BEGIN { exit !(s <= 1.0) }' ;;
        esac
        n=$((n + 1))
    done
    [ "$n" -eq 11 ]
}

@test "units: the sessions' group alone may connect to the stages; each part has its own user" {
    local s
    for s in authcheck deliver forward relay; do
        grep -qx 'SocketGroup=orouboros-smtpd' "$VERIFY/orouboros-$s.socket"
        grep -qx 'SocketMode=0660' "$VERIFY/orouboros-$s.socket"
        # one service for the socket, a pool of workers (no process per connection)
        grep -qx 'Accept=no' "$VERIFY/orouboros-$s.socket"
        [ -f "$VERIFY/orouboros-$s.service" ]
    done
    grep -qx 'User=orouboros-smtpd' "$VERIFY/orouboros-smtp@.service"
    grep -qx 'User=orouboros-mail' "$VERIFY/orouboros-deliver.service"
    grep -qx 'DynamicUser=yes' "$VERIFY/orouboros-authcheck.service"
    grep -qx 'RestrictAddressFamilies=AF_UNIX' "$VERIFY/orouboros-authcheck.service"
    grep -qx 'RestrictAddressFamilies=AF_UNIX' "$VERIFY/orouboros-deliver.service"
    grep -qx 'RestrictAddressFamilies=AF_UNIX' "$VERIFY/orouboros-smtp@.service"
    # smtpd gets the key as a credential; no unit but authcheck names the credentials file
    grep -q '^LoadCredential=tls.key:/etc/orouboros/tls/key.pem$' "$VERIFY/orouboros-submissions@.service"
    [ "$(grep -l 'creds.json' "$VERIFY"/*.service)" = "$VERIFY/orouboros-authcheck.service" ]
    grep -q -- '--require-auth' "$VERIFY/orouboros-submission@.service"
}

@test "install: every file the units name is in the DESTDIR, and every man page renders" {
    local u exe page sec f
    for u in "$STAGE"/usr/lib/systemd/system/*.service; do
        exe=$(sed -n 's/^ExecStart=\([^ ]*\).*/\1/p' "$u")
        [ -x "$STAGE$exe" ] || { echo "$u: $exe missing"; false; }
        for page in $(sed -n 's/^Documentation=//p' "$u"); do
            page=${page#man:}; sec=${page##*(}; sec=${sec%)}
            [ -f "$STAGE/usr/share/man/man$sec/${page%(*}.$sec" ] || { echo "$u: $page missing"; false; }
        done
        for f in $(sed -n 's/^LoadCredential=[^:]*://p' "$u"); do
            case $f in
            /etc/orouboros/tls/*) [ -d "$STAGE/etc/orouboros/tls" ] ;;  # the administrator's certificate
            /etc/orouboros/dkim) [ "$(stat -c %a "$STAGE$f")" = 700 ] ;;  # the administrator's DKIM keys
            *) [ -f "$STAGE$f" ] || { echo "$u: $f missing"; false; } ;;
            esac
        done
    done
    [ -f "$STAGE/usr/lib/sysusers.d/orouboros.conf" ]
    [ -f "$STAGE/etc/orouboros/orouboros.conf" ]
    [ "$(stat -c %a "$STAGE/etc/orouboros/creds.json")" = 600 ]
    [ -f "$STAGE/usr/share/doc/orouboros/examples/vps/orouboros.conf" ]
    ! grep -rq '@SBINDIR@' "$STAGE/usr/lib/systemd/system" "$STAGE/usr/share/doc/orouboros/examples"
    [ "$(ls "$STAGE"/usr/share/man/man*/* | wc -l)" -eq "$(ls "$REPO"/man/*.[0-9] | wc -l)" ]
    for page in "$STAGE"/usr/share/man/man*/*; do
        out=$(mandoc -T utf8 -W warning "$page" 2>&1 >/dev/null) && [ -z "$out" ] || { echo "$page: $out"; false; }
    done
}

@test "install: uninstall removes what install put there and keeps what the administrator changed" {
    local d="$T/reinstall"
    make -s -C "$REPO" -o all B="${BIN%/bin}" install DESTDIR="$d" PREFIX=/usr/local
    grep -q '^ExecStart=/usr/local/sbin/orouboros-smtpd ' "$d/usr/local/lib/systemd/system/orouboros-smtp@.service"
    echo secret >"$d/etc/orouboros/forward-password"
    echo '# mine' >>"$d/etc/orouboros/orouboros.conf"
    cp "$d/etc/orouboros/orouboros.conf" "$T/mine.conf"
    make -s -C "$REPO" -o all B="${BIN%/bin}" install DESTDIR="$d" PREFIX=/usr/local
    cmp "$d/etc/orouboros/orouboros.conf" "$T/mine.conf"   # not overwritten
    make -s -C "$REPO" B="${BIN%/bin}" uninstall DESTDIR="$d" PREFIX=/usr/local
    run find "$d" -type f
    echo "$output"
    [ "${#lines[@]}" -eq 2 ]
    [ -f "$d/etc/orouboros/forward-password" ]
    [ -f "$d/etc/orouboros/orouboros.conf" ]
}

@test "units: port 25 (the smtp unit's command line) takes mail for a delivery domain over STARTTLS into the deliver unit's store" {
    need_units
    run swaks --server "127.0.0.1:$SMTP_PORT" --tls --from a@internet.example --to bob@vps.example.org \
        --h-Subject "through the units" --timeout 20
    echo "$output"
    [ "$status" -eq 0 ]
    # the greeting's name is [smtpd]'s hostname: the default configuration file was read
    [[ "$output" == *"220 units.test ESMTP"* ]]
    grep -q '^Subject: through the units' "$T/mail/bob/INBOX"
}

@test "units: port 465 takes AUTH over implicit TLS through the authcheck unit's socket, and refuses a wrong password" {
    need_units
    run swaks --server "127.0.0.1:$SUBMISSIONS_PORT" --tls-on-connect --auth PLAIN --auth-user asdf \
        --auth-password asdf --from asdf@vps.example.org --to carol@vps.example.org --timeout 20
    echo "$output"
    [ "$status" -eq 0 ]
    [[ "$output" == *"235 2.7.0"* ]]
    [ -s "$T/mail/carol/INBOX" ]
    run swaks --server "127.0.0.1:$SUBMISSIONS_PORT" --tls-on-connect --auth PLAIN --auth-user asdf \
        --auth-password wrong --from asdf@vps.example.org --to carol@vps.example.org --timeout 20
    [[ "$output" == *"535 5.7.8"* ]]
}

@test "units: port 587 (--require-auth) refuses MAIL before AUTH, then takes the message after it" {
    need_units
    run "$PY" - "$SUBMISSION_PORT" <<'PY'
import smtplib, ssl, sys
ctx = ssl.create_default_context(); ctx.check_hostname = False; ctx.verify_mode = ssl.CERT_NONE
s = smtplib.SMTP("127.0.0.1", int(sys.argv[1]), timeout=20)
s.starttls(context=ctx); s.ehlo("client.test")
print(s.mail("asdf@vps.example.org")[0]); s.rset()
s.login("asdf", "asdf")
s.sendmail("asdf@vps.example.org", ["dave@vps.example.org"], "Subject: submission\r\n\r\nhello\r\n")
s.quit(); print("sent")
PY
    echo "$output"
    [ "$status" -eq 0 ]
    [ "${lines[0]}" = 530 ]
    [ "${lines[1]}" = sent ]
    grep -q '^Subject: submission' "$T/mail/dave/INBOX"
}

@test "units: the daily repair of the mail store (its timer's service) runs as its command line says, on [mbox-deliver]'s directory" {
    need_units
    [ "$(cat "$T/deliver-recover.status")" = 0 ]
    grep -qx 'OnUnitActiveSec=1d' "$VERIFY/orouboros-deliver-recover.timer"
    grep -qx 'User=orouboros-mail' "$VERIFY/orouboros-deliver-recover.service"
}

@test "units: mail for a forward domain goes through the forward unit to the home server, over verified STARTTLS" {
    need_units
    run swaks --server "127.0.0.1:$SMTP_PORT" --tls --from a@internet.example --to frank@example.org \
        --h-Subject "home bound" --timeout 30
    echo "$output"
    [ "$status" -eq 0 ]
    grep -q '^Subject: home bound' "$T/home/frank/INBOX"
    # both Received headers: the VPS's, then the home server's on top
    grep -q 'by units.test (Orouboros)' "$T/home/frank/INBOX"
    grep -q 'by home.test (Orouboros) with ESMTPS' "$T/home/frank/INBOX"
    # orouboros-forward logs the VPS session's message id, and the home server's reply
    id=$(sed -n 's/.*250 2.0.0 message accepted, id=\([0-9a-f.]*\).*/\1/p' <<<"$output")
    run journal_of orouboros-forward
    [[ "$output" == *"\"MSGID\": \"$id\""*'"RESULT": "delivered"'*'"TO": "<frank@example.org>"'* ]]
}

@test "journal: under systemd each event is a journal entry with its priority and fields; one MSGID follows a message from smtpd to mbox-deliver" {
    need_units
    run swaks --server "127.0.0.1:$SUBMISSIONS_PORT" --tls-on-connect --auth PLAIN --auth-user asdf \
        --auth-password asdf --from trace@vps.example.org --to erin@vps.example.org --timeout 20
    [ "$status" -eq 0 ]
    id=$(sed -n 's/.*250 2.0.0 message accepted, id=\([0-9a-f.]*\).*/\1/p' <<<"$output")
    [ -n "$id" ]
    run journal_of orouboros-smtpd
    [[ "$output" == *'"EVENT": "data"'*"\"MSGID\": \"$id\""*'"PRIORITY": "6"'* ]]
    [[ "$output" == *'"CLIENT": "127.0.0.1"'* ]]
    [[ "$output" == *'"FROM": "trace@vps.example.org"'* ]]
    run journal_of orouboros-mbox-deliver
    [[ "$output" == *"\"MSGID\": \"$id\""*'"RESULT": "delivered"'*'"TO": "erin@vps.example.org"'* ]]
    run journal_of orouboros-authcheck
    [[ "$output" == *'"EVENT": "auth"'*'"PRIORITY": "6"'*'"RESULT": "ok"'*'"USER": "asdf"'* ]]
    [ -n "$(ls "$T/state/orouboros/authcheck")" ]   # the throttle's state, in StateDirectory=
    # nothing went to the plain stderr lines instead, and no password anywhere
    ! grep -q 'event=' "$T/smtp.stderr" "$T/deliver.stderr" "$T/authcheck.stderr"
    ! grep -q 'YXNkZgBhc2Rm\|wrong' "$T/journal.jsonl"
    ! grep -q CODE_FILE "$T/journal.jsonl"   # no fields naming our own source file
}
