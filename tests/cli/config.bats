#!/usr/bin/env bats
# The one configuration file: /etc/orouboros/orouboros.conf is read by
# every program when no --config is given.  Each test runs the programs in
# a private mount namespace whose /etc is an overlay holding the test's
# file, so the machine's /etc is never touched.

load ../integration/lib

setup() {
    [ "$(id -u)" -eq 0 ] || skip "overlays /etc in a mount namespace: needs root"
    T="$BATS_TEST_TMPDIR"
    mkdir -p "$T/etc/orouboros" "$T/etc-work" "$T/mail"
    printf '%s\n' "$CREDS_ASDF" >"$T/creds.json"
    cat >"$T/etc/orouboros/orouboros.conf" <<EOF
log-level = WARNING
[smtpd]
hostname = from-the-file.test
require-auth = yes
[mbox-deliver]
mboxdir = $T/mail
[authcheck]
credentials = $T/creds.json
fail-delay = 0
[mkcreds]
file = $T/creds.json
[forward]
host = 127.0.0.1
helo = forward-section.test
[relay]
mx = yes
helo = relay-section.test
[orouboros]
hostname = listener-section.test
EOF
}

teardown() {
    [ -z "${T:-}" ] || stop_orouboros "$T"
}

# Runs "$@" with the test's /etc/orouboros/orouboros.conf: unshare and sh
# exec into it, so a background with_etc's pid is the program's.
with_etc() {
    exec unshare -m sh -c 'mount -t overlay overlay -o "lowerdir=/etc,upperdir=$1/etc,workdir=$1/etc-work" /etc &&
        shift && exec "$@"' sh "$T" "$@"
}

@test "config: with no --config, smtpd, mbox-deliver, authcheck and mkcreds read their sections of /etc/orouboros/orouboros.conf" {
    run with_etc orouboros-smtpd <<<$'QUIT\r'
    [[ "${lines[0]}" == "220 from-the-file.test ESMTP"* ]]
    run with_etc orouboros-mbox-deliver -f a@x.example hal@h.example <<<"Subject: default file"
    [ "$status" -eq 0 ]
    grep -q '^Subject: default file' "$T/mail/hal/INBOX"
    run with_etc orouboros-mkcreds list
    [ "$status" -eq 0 ]
    [ "$output" = asdf ]
    run with_etc sh -c 'printf "asdf\0asdf\0x\0" | orouboros-authcheck --checkpassword 3<&0'
    [ "$status" -eq 0 ]
}

@test "config: --config /dev/null reads no file, and the command line wins over the file" {
    run with_etc orouboros-smtpd --config /dev/null --hostname x.test <<<$'QUIT\r'
    [[ "$output" == *"220 x.test ESMTP"* ]]
    run with_etc orouboros-smtpd --hostname cli.test <<<$'QUIT\r'
    [[ "$output" == *"220 cli.test ESMTP"* ]]
}

@test "config: orouboros-forward reads [forward], or another section with --section" {
    run with_etc orouboros-forward --lmtp <<<$'QUIT\r'
    [[ "${lines[0]}" == "220 forward-section.test LMTP"* ]]
    run with_etc orouboros-forward --lmtp --section relay <<<$'QUIT\r'
    [[ "${lines[0]}" == "220 relay-section.test LMTP"* ]]
}

@test "config: the listener reads [orouboros]; its sessions read no file" {
    PORT=$(free_port)
    ORO_LAUNCH=with_etc ORO_WAIT_PORTS=$PORT start_orouboros "$T" --port "$PORT" --mboxdir "$T/mail"
    run "$PY" - "$PORT" <<'PY'
import smtplib, sys
s = smtplib.SMTP("127.0.0.1", int(sys.argv[1]), timeout=10)
print(s.ehlo()[1].decode().splitlines()[0])
print(s.mail("a@x.example")[0])   # [smtpd]'s require-auth would make it 530
s.quit()
PY
    stop_orouboros "$T"
    [ "${lines[0]}" = listener-section.test ]
    [ "${lines[1]}" = 250 ]
}

# ---- every key known, every setting with its file, line and section ----

@test "config: an unknown top-level key stops every program, naming the file, the line and the top level" {
    printf 'log-level = WARNING\nhostnam = x\n[smtpd]\nhostname = h.test\n' >"$T/o.conf"
    for prog in orouboros-smtpd orouboros-mbox-deliver orouboros-forward orouboros-authcheck orouboros-mkcreds orouboros; do
        run "$prog" --config "$T/o.conf" </dev/null
        [ "$status" -eq 78 ] || { echo "$prog: $status $output"; false; }
        [[ "$output" == *"$prog: fatal: $T/o.conf:2: top level unknown key 'hostnam'"* ]] || { echo "$prog: $output"; false; }
    done
}

@test "config: an unknown key in any section, or an unknown section, is an error of every program, each named" {
    printf '[smtpd]\nhostnam = x\n[forward]\nhots = h\n[smptd]\nhostname = y\n[mbox-deliver]\nmboxdir = %s\n' "$T/mail" >"$T/o.conf"
    run orouboros-mbox-deliver --config "$T/o.conf" -f a@x.example bob <<<"Subject: t"
    [ "$status" -eq 78 ]
    [[ "${lines[0]}" == *"fatal: $T/o.conf:2: [smtpd] unknown key 'hostnam'" ]]
    [[ "${lines[1]}" == *"fatal: $T/o.conf:4: [forward] unknown key 'hots'" ]]
    [[ "${lines[2]}" == *"fatal: $T/o.conf:5: unknown section [smptd]" ]]
    [ ! -e "$T/mail/bob" ]
    run orouboros-smtpd --config "$T/o.conf" <<<$'QUIT\r'
    [ "$status" -eq 78 ]
    [[ "$output" == *"[smtpd] unknown key 'hostnam'"* ]]
}

@test "config: a bad value is told with its file, line and section" {
    printf '\n[mbox-deliver]\nmboxdir = %s\nmax-message-size = lots\n' "$T/mail" >"$T/o.conf"
    run orouboros-mbox-deliver --config "$T/o.conf" -f a@x.example bob <<<"Subject: t"
    [ "$status" -eq 78 ]
    [[ "$output" == *"fatal: $T/o.conf:4: [mbox-deliver] "*"max-message-size"*"invalid"* ]]
}

@test "config: a line that is no setting is an error naming the file and the line" {
    printf 'log-level = INFO\njust some words\n' >"$T/o.conf"
    run orouboros-smtpd --config "$T/o.conf" <<<$'QUIT\r'
    [ "$status" -eq 78 ]
    [[ "$output" == *"fatal: $T/o.conf:2: not a KEY = VALUE line"* ]]
}

@test "config: the deprecated timeout is read as the new name in its section and on the command line, with a warning; at the top level it is an error" {
    printf '[mbox-deliver]\nmboxdir = %s\ntimeout = 1\n' "$T/mail" >"$T/o.conf"
    mkfifo "$T/in"
    exec {hold}<>"$T/in"
    printf 'LHLO c\r\n' >&$hold
    run timeout 20 orouboros-mbox-deliver --config "$T/o.conf" --lmtp <"$T/in"
    exec {hold}>&-
    [ "$status" -eq 0 ]
    [[ "$output" == *"warning: $T/o.conf:3: [mbox-deliver] 'timeout' is deprecated: use 'idle-timeout'"* ]]
    [[ "$output" == *"421 4.4.2"* ]]
    run orouboros-forward --config /dev/null --host h --timeout 900 -f a@x.example b@h.example </dev/null
    [ "$status" -eq 64 ]
    [[ "$output" == *"--timeout is deprecated: use --upstream-timeout"* ]]
    printf 'timeout = 30\n' >"$T/top.conf"
    run orouboros-authcheck --config "$T/top.conf" --checkpassword </dev/null
    [ "$status" -eq 78 ]
    [[ "$output" == *"$T/top.conf:1: top level deprecated key 'timeout' means different things to different programs: give"*"request-timeout in [authcheck]"*"idle-timeout in [mbox-deliver]"*"upstream-timeout in [forward]"* ]]
}

# ---- the command line wins over the program's section, the section over the top level ----

@test "config: orouboros-smtpd: the command line wins over [smtpd], [smtpd] over the top level" {
    printf 'log-level = WARNING\nhostname = top.test\n[smtpd]\nhostname = section.test\n' >"$T/o.conf"
    run orouboros-smtpd --config "$T/o.conf" --hostname cli.test <<<$'QUIT\r'
    [[ "${lines[0]}" == "220 cli.test ESMTP"* ]]
    run orouboros-smtpd --config "$T/o.conf" <<<$'QUIT\r'
    [[ "${lines[0]}" == "220 section.test ESMTP"* ]]
    printf 'log-level = WARNING\nhostname = top.test\n' >"$T/top.conf"
    run orouboros-smtpd --config "$T/top.conf" <<<$'QUIT\r'
    [[ "${lines[0]}" == "220 top.test ESMTP"* ]]
}

@test "config: orouboros-mbox-deliver: the command line wins over [mbox-deliver], [mbox-deliver] over the top level" {
    mkdir -p "$T/top" "$T/section" "$T/cli"
    printf 'mboxdir = %s\n[mbox-deliver]\nmboxdir = %s\n' "$T/top" "$T/section" >"$T/o.conf"
    orouboros-mbox-deliver --config "$T/o.conf" --mboxdir "$T/cli" -f a@x.example bob <<<"Subject: cli"
    orouboros-mbox-deliver --config "$T/o.conf" -f a@x.example bob <<<"Subject: section"
    printf 'mboxdir = %s\n' "$T/top" >"$T/top.conf"
    orouboros-mbox-deliver --config "$T/top.conf" -f a@x.example bob <<<"Subject: top"
    [ "$(grep -c '^Subject:' "$T/cli/bob/INBOX")" -eq 1 ] && grep -q '^Subject: cli$' "$T/cli/bob/INBOX"
    [ "$(grep -c '^Subject:' "$T/section/bob/INBOX")" -eq 1 ] && grep -q '^Subject: section$' "$T/section/bob/INBOX"
    [ "$(grep -c '^Subject:' "$T/top/bob/INBOX")" -eq 1 ] && grep -q '^Subject: top$' "$T/top/bob/INBOX"
}

@test "config: orouboros-forward: the command line wins over [forward] (or --section), the section over the top level" {
    printf 'host = 127.0.0.1\nhelo = top.test\n[forward]\nhelo = section.test\n[relay]\nhelo = relay.test\n' >"$T/o.conf"
    run orouboros-forward --config "$T/o.conf" --lmtp --helo cli.test <<<$'QUIT\r'
    [[ "${lines[0]}" == "220 cli.test LMTP"* ]]
    run orouboros-forward --config "$T/o.conf" --lmtp <<<$'QUIT\r'
    [[ "${lines[0]}" == "220 section.test LMTP"* ]]
    run orouboros-forward --config "$T/o.conf" --section relay --lmtp --helo cli.test <<<$'QUIT\r'
    [[ "${lines[0]}" == "220 cli.test LMTP"* ]]
    printf 'host = 127.0.0.1\nhelo = top.test\n' >"$T/top.conf"
    run orouboros-forward --config "$T/top.conf" --lmtp <<<$'QUIT\r'
    [[ "${lines[0]}" == "220 top.test LMTP"* ]]
}

@test "config: orouboros-authcheck: the command line wins over [authcheck], [authcheck] over the top level" {
    printf '{}\n' >"$T/empty.json"
    printf 'credentials = %s\n[authcheck]\ncredentials = %s\nfail-delay = 0\n' "$T/empty.json" "$T/empty.json" >"$T/o.conf"
    check() { printf 'asdf\0asdf\0x\0' | orouboros-authcheck --config "$1" "${@:2}" --checkpassword 3<&0; }
    run check "$T/o.conf" --credentials "$T/creds.json"
    [ "$status" -eq 0 ]
    run check "$T/o.conf"
    [ "$status" -eq 1 ]
    printf 'credentials = %s\n[authcheck]\nfail-delay = 0\n' "$T/creds.json" >"$T/top.conf"
    run check "$T/top.conf"
    [ "$status" -eq 0 ]
    printf 'credentials = %s\n[authcheck]\ncredentials = %s\nfail-delay = 0\n' "$T/creds.json" "$T/empty.json" >"$T/over.conf"
    run check "$T/over.conf"
    [ "$status" -eq 1 ]
}

@test "config: orouboros-mkcreds: the command line wins over [mkcreds], [mkcreds] over the top level" {
    printf '{}\n' >"$T/empty.json"
    printf 'credentials = %s\n[mkcreds]\ncredentials = %s\n' "$T/empty.json" "$T/creds.json" >"$T/o.conf"
    run orouboros-mkcreds --config "$T/o.conf" list
    [ "$output" = asdf ]
    run orouboros-mkcreds --config "$T/o.conf" --file "$T/empty.json" list
    [ "$status" -eq 0 ]
    [ -z "$output" ]
    printf 'credentials = %s\n' "$T/creds.json" >"$T/top.conf"
    run orouboros-mkcreds --config "$T/top.conf" list
    [ "$output" = asdf ]
}

@test "config: orouboros: the command line wins over [orouboros], [orouboros] over the top level" {
    printf 'hostname = top.test\n[orouboros]\nhostname = section.test\n' >"$T/o.conf"
    greeting() {
        PORT=$(free_port)
        ORO_WAIT_PORTS=$PORT start_orouboros "$T" --config "$1" --port "$PORT" --mboxdir "$T/mail" "${@:2}"
        "$PY" - "$PORT" <<'PY'
import smtplib, sys
s = smtplib.SMTP("127.0.0.1", int(sys.argv[1]), timeout=10)
print(s.ehlo()[1].decode().splitlines()[0])
s.quit()
PY
        stop_orouboros "$T"
    }
    [ "$(greeting "$T/o.conf" --hostname cli.test)" = cli.test ]
    [ "$(greeting "$T/o.conf")" = section.test ]
    printf 'hostname = top.test\n' >"$T/top.conf"
    [ "$(greeting "$T/top.conf")" = top.test ]
}
