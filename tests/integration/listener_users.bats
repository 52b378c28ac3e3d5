#!/usr/bin/env bats
# The listener started as root: each part of the relay under its own user,
# the stages on unix sockets only the sessions' group may connect to.
# Throwaway users are made for the test and removed after it.

load lib

setup_file() {
    [ "$(id -u)" -eq 0 ] || return 0
    local n=$((RANDOM % 10000))
    export U_SMTPD="orot${n}s" U_AUTH="orot${n}a" U_MAIL="orot${n}m" U_FWD="orot${n}f"
    local u
    for u in "$U_SMTPD" "$U_AUTH" "$U_MAIL" "$U_FWD"; do
        useradd --system --no-create-home --home-dir / --shell /usr/sbin/nologin "$u"
    done
    # Not under $BATS_FILE_TMPDIR, which only root may enter.
    export W=$(mktemp -d /tmp/orouboros-users.XXXXXX)
    chmod 755 "$W"
    make_fixtures "$W"
    chmod 644 "$W/server.crt"
    chmod 600 "$W/server.key"   # root's alone: orouboros-smtpd reads it before it drops root
    chgrp "$U_AUTH" "$W/creds.json" && chmod 640 "$W/creds.json"
    export SOCKS="$W/run"
}

teardown_file() {
    [ "$(id -u)" -eq 0 ] || return 0
    local u
    for u in "$U_SMTPD" "$U_AUTH" "$U_MAIL" "$U_FWD"; do userdel "$u" 2>/dev/null || true; done
    rm -rf "$W"
}

setup() {
    [ "$(id -u)" -eq 0 ] || skip "starts the listener as root"
    PORT=$(free_port)
}

teardown() {
    stop_orouboros "$W"
}

# The listener as root, with the test's users; its log in $W/orouboros.log.
# CERT and KEY, when set, replace $W/server.crt and $W/server.key.
start_separated() {
    orouboros --port "$PORT" --cert "${CERT:-$W/server.crt}" --key "${KEY:-$W/server.key}" --ssl-port "$(free_port)" \
        --delivery-domain example.com --local --mboxdir "$W/mail" --user-credentials "$W/creds.json" \
        --smtpd-user "$U_SMTPD" --authcheck-user "$U_AUTH" --deliver-user "$U_MAIL" --forwarder-user "$U_FWD" \
        --socket-dir "$SOCKS" --hostname users.test "$@" >"$W/orouboros.out" 2>"$W/orouboros.log" 3>&- &
    echo $! >"$W/orouboros.pid"
    wait_port "$PORT" || { cat "$W/orouboros.log" >&2; return 1; }
}

# The user of the listener's child named $1 (a comm prefix), polled while
# the test holds a connection open.
child_user() {
    local pid i c
    pid=$(cat "$W/orouboros.pid")
    for ((i = 0; i < 100; i++)); do
        for c in $(pgrep -P "$pid"); do
            [[ "$(cat "/proc/$c/comm")" == "$1"* ]] && { ps -o user= -p "$c"; return 0; }
        done
        sleep 0.05
    done
    return 1
}

@test "listener as root: sessions, password checks and deliveries each run as their own user" {
    start_separated
    exec 7<>"/dev/tcp/127.0.0.1/$PORT"
    read -r -t 10 greeting <&7
    [[ "$greeting" == "220 users.test"* ]]
    [ "$(child_user orouboros-smtp)" = "$U_SMTPD" ]
    exec 7<&-
    # the stages, reached on their sockets the way a session reaches them
    # (held open until its stdin closes)
    exec 8> >("$PY" -c 'import socket,sys; s=socket.socket(socket.AF_UNIX); s.connect(sys.argv[1]); sys.stdin.read()' \
        "$SOCKS/authcheck.sock")
    [ "$(child_user orouboros-auth)" = "$U_AUTH" ]
    exec 8<&-
    run swaks --server "127.0.0.1:$PORT" --tls --auth PLAIN --auth-user asdf --auth-password asdf \
        --from a@example.com --to gina@example.com --timeout 20
    echo "$output"
    [ "$status" -eq 0 ]
    [[ "$output" == *"235 2.7.0"* ]]
    [ "$(stat -c %U "$W/mail/gina/INBOX")" = "$U_MAIL" ]
    [ "$(stat -c %U "$W/mail")" = "$U_MAIL" ]   # the listener made it, for the delivery user
    [ "$(stat -c %a "$W/mail")" = 700 ]
}

@test "listener as root: with --verify the verify stage runs as the sessions' user and mail reaches the mailbox" {
    # no DNS server answers there: the verdicts are temperror, the mail goes on
    start_separated --verify --verify-dns-server "127.0.0.1@$(free_port)"
    [ "$(stat -c '%U %G %a' "$SOCKS/verify-local.sock")" = "root $U_SMTPD 660" ]
    run swaks --server "127.0.0.1:$PORT" --from a@example.org --to vera@example.com --timeout 40
    echo "$output"
    [ "$status" -eq 0 ]
    grep -q '^Authentication-Results: users.test;$' "$W/mail/vera/INBOX"
    grep -q '^	spf=temperror smtp.mailfrom=a@example.org;$' "$W/mail/vera/INBOX"
    [ "$(stat -c %U "$W/mail/vera/INBOX")" = "$U_MAIL" ]
    grep -q "orouboros-verify.*event=verdicts" "$W/orouboros.log"
    [ "$(child_user orouboros-veri)" = "$U_SMTPD" ]
}

@test "listener as root: the stages' sockets belong to the sessions' group, mode 0660, and no one else may connect" {
    start_separated
    [ "$(stat -c '%U %G %a' "$SOCKS/authcheck.sock")" = "root $U_SMTPD 660" ]
    [ "$(stat -c '%U %G %a' "$SOCKS/deliver.sock")" = "root $U_SMTPD 660" ]
    connect='import socket,sys; s=socket.socket(socket.AF_UNIX); s.connect(sys.argv[1]); print(s.recv(100).decode().split()[0])'
    run setpriv --reuid="$U_SMTPD" --regid="$U_SMTPD" --init-groups "$PY" -c "$connect" "$SOCKS/deliver.sock"
    [ "$status" -eq 0 ]
    [ "$output" = 220 ]
    run setpriv --reuid="$U_MAIL" --regid="$U_MAIL" --init-groups "$PY" -c "$connect" "$SOCKS/authcheck.sock"
    [ "$status" -ne 0 ]
    [[ "$output" == *"Permission denied"* ]]
}

@test "listener as root: it removes its sockets when it stops" {
    start_separated
    [ -S "$SOCKS/authcheck.sock" ]
    stop_orouboros "$W"
    [ ! -e "$SOCKS/authcheck.sock" ]
    [ ! -e "$SOCKS/deliver.sock" ]
}

@test "listener as root: a user that does not exist stops it with 67 before anything listens" {
    run timeout 20 orouboros --port "$PORT" --mboxdir "$W/mail" --smtpd-user orouboros-no-such-user \
        --authcheck-user "$U_AUTH" --deliver-user "$U_MAIL" --forwarder-user "$U_FWD" --socket-dir "$SOCKS"
    [ "$status" -eq 67 ]
    [[ "$output" == *"no user orouboros-no-such-user"* ]]
    ! "$PY" -c 'import socket,sys; socket.create_connection(("127.0.0.1",int(sys.argv[1])),1)' "$PORT" 2>/dev/null
}

@test "listener as root: a file that a part's user cannot read stops it with 77, naming both" {
    cp -p "$W/creds.json" "$W/root-only.json"
    chmod 600 "$W/root-only.json"
    chgrp root "$W/root-only.json"
    run timeout 20 orouboros --port "$PORT" --mboxdir "$W/mail" --user-credentials "$W/root-only.json" \
        --smtpd-user "$U_SMTPD" --authcheck-user "$U_AUTH" --deliver-user "$U_MAIL" --forwarder-user "$U_FWD" --socket-dir "$SOCKS"
    [ "$status" -eq 77 ]
    [[ "$output" == *"orouboros-authcheck runs as $U_AUTH, who cannot read $W/root-only.json"* ]]
}

@test "listener as root: root is never a part's user" {
    run timeout 20 orouboros --port "$PORT" --mboxdir "$W/mail" --smtpd-user root \
        --authcheck-user "$U_AUTH" --deliver-user "$U_MAIL" --forwarder-user "$U_FWD" --socket-dir "$SOCKS"
    [ "$status" -eq 78 ]
    [[ "$output" == *"refusing to run a part of the relay as root"* ]]
}

@test "listener not root: naming users needs root (77)" {
    run setpriv --reuid="$U_SMTPD" --regid="$U_SMTPD" --init-groups orouboros --port "$PORT" \
        --mboxdir "$W/mail" --smtpd-user "$U_MAIL"
    [ "$status" -eq 77 ]
    [[ "$output" == *"--smtpd-user needs orouboros started as root"* ]]
}

@test "listener as root: after SIGHUP the parts still run as their users, the sockets keep their group and mode" {
    start_separated
    pid=$(cat "$W/orouboros.pid")
    kill -HUP "$pid"
    for ((i = 0; i < 100; i++)); do grep -q 'event=reloaded' "$W/orouboros.log" && break; sleep 0.05; done
    grep -q 'event=reloaded' "$W/orouboros.log"
    [ "$(stat -c '%U %G %a' "$SOCKS/deliver.sock")" = "root $U_SMTPD 660" ]
    run swaks --server "127.0.0.1:$PORT" --tls --auth PLAIN --auth-user asdf --auth-password asdf \
        --from a@example.com --to hal@example.com --timeout 20
    [ "$status" -eq 0 ]
    [ "$(stat -c %U "$W/mail/hal/INBOX")" = "$U_MAIL" ]
    [ "$(cat /proc/"$pid"/comm)" = orouboros ]
}

# A message through the listener on $PORT, authenticated as asdf: its reply
# lines in $output.
send_authenticated() {
    run swaks --server "127.0.0.1:$PORT" --tls --auth PLAIN --auth-user asdf --auth-password asdf \
        --from a@example.com --to "$1" --timeout 20
    echo "$output"
}

@test "listener as root: a second listener on the same socket directory is refused with 75; the first keeps serving" {
    start_separated
    first=$(cat "$W/orouboros.pid")
    [ "$(cat "$SOCKS/orouboros.pid")" = "$first" ]
    printf '{}\n' >"$W/creds-second.json"
    chgrp "$U_AUTH" "$W/creds-second.json" && chmod 640 "$W/creds-second.json"
    run timeout 20 orouboros --port "$(free_port)" --delivery-domain example.com --local --mboxdir "$W/mail-second" \
        --user-credentials "$W/creds-second.json" --smtpd-user "$U_SMTPD" --authcheck-user "$U_AUTH" \
        --deliver-user "$U_MAIL" --forwarder-user "$U_FWD" --socket-dir "$SOCKS" 3>&-
    echo "$output"
    [ "$status" -eq 75 ]
    [[ "$output" == *"another orouboros (pid $first) serves the socket directory $SOCKS"* ]]
    [ "$(stat -c %U "$SOCKS/authcheck.sock")" = root ]
    # AUTH is still checked against the first's credentials, and the mail
    # lands in the first's store
    send_authenticated hanna@example.com
    [ "$status" -eq 0 ]
    [[ "$output" == *"235 2.7.0"* ]]
    grep -q '^To: hanna@example.com' "$W/mail/hanna/INBOX"
    [ ! -e "$W/mail-second/hanna" ]
}

@test "listener as root: sockets a killed listener left behind are replaced at start" {
    start_separated
    kill -KILL "$(cat "$W/orouboros.pid")"
    # its children (the sessions' orouboros-smtpd too, run as its user) follow it
    for ((i = 0; i < 200; i++)); do pgrep -f -- "$W/" >/dev/null || break; sleep 0.05; done
    ! pgrep -a -f -- "$W/"
    [ -S "$SOCKS/deliver.sock" ]   # left behind
    PORT=$(free_port)
    start_separated
    [ "$(cat "$SOCKS/orouboros.pid")" = "$(cat "$W/orouboros.pid")" ]
    send_authenticated ida@example.com
    [ "$status" -eq 0 ]
    [[ "$output" == *"235 2.7.0"* ]]
    grep -q '^To: ida@example.com' "$W/mail/ida/INBOX"
}

# The pid of a live session: the child of the listener's orouboros-smtpd
# (polled while the test holds a connection open).
session_pid() {
    local listener keeper s i
    listener=$(cat "$W/orouboros.pid")
    for ((i = 0; i < 100; i++)); do
        for keeper in $(pgrep -P "$listener"); do
            [[ "$(cat "/proc/$keeper/comm")" == orouboros-smtp* ]] || continue
            s=$(pgrep -P "$keeper" | head -n 1)
            [ -n "$s" ] && { echo "$s"; return 0; }
        done
        sleep 0.05
    done
    return 1
}

# What is unexpected about process $1: a capability it may regain, a
# privilege it may gain, a variable of the listener's own environment, a
# descriptor the listener had open.
unexpected_in() {
    local pid=$1 fd
    grep -q '^NoNewPrivs:[[:space:]]*1$' "/proc/$pid/status" || echo "may gain privileges"
    grep -q '^CapBnd:[[:space:]]*0000000000000000$' "/proc/$pid/status" || echo "has a capability"
    tr '\0' '\n' <"/proc/$pid/environ" | grep -v -E '^(PATH|TZ|JOURNAL_STREAM|SSL_CERT_FILE|SSL_CERT_DIR|ASAN_OPTIONS|UBSAN_OPTIONS|USER|LOGNAME|HOME|REMOTE_ADDR|REMOTE_PORT)=' || true
    for fd in /proc/"$pid"/fd/*; do
        [ "$(readlink "$fd")" != "$W/listener-only" ] || echo "holds the listener's descriptor"
    done
}

@test "listener as root: a session runs chrooted, with no capability, no new privileges, a system call filter, a clean environment and only its descriptors" {
    echo private >"$W/listener-only"
    LISTENER_SECRET=leaked start_separated 9<"$W/listener-only"
    exec 7<>"/dev/tcp/127.0.0.1/$PORT"
    read -r -t 10 greeting <&7
    [[ "$greeting" == "220 users.test"* ]]
    s=$(session_pid)
    cat "/proc/$s/status"
    [ "$(ps -o user= -p "$s")" = "$U_SMTPD" ]
    grep -q '^Seccomp:[[:space:]]*2$' "/proc/$s/status"
    [ "$(readlink "/proc/$s/root")" = "$SOCKS" ]
    run unexpected_in "$s"
    echo "$output"
    [ -z "$output" ]
    # its descriptors: the connection, /dev/null on stdout, the log on stderr
    run ls "/proc/$s/fd"
    for fd in $output; do
        t=$(readlink "/proc/$s/fd/$fd")
        [[ "$t" == socket:* || "$t" == /dev/null || "$t" == "$W/orouboros.log" ]] || { echo "fd $fd: $t"; false; }
    done
    # the stages too, and still a session works to the end
    for stage in $(pgrep -P "$(cat "$W/orouboros.pid")"); do
        run unexpected_in "$stage"
        [ -z "$output" ] || { echo "$stage: $output"; false; }
    done
    printf 'QUIT\r\n' >&7
    exec 7<&-
    send_authenticated jo@example.com
    [ "$status" -eq 0 ]
    grep -q '^To: jo@example.com' "$W/mail/jo/INBOX"
}

@test "listener as root: a session killed by a signal (SIGSYS: the system call filter) is logged" {
    start_separated
    exec 7<>"/dev/tcp/127.0.0.1/$PORT"
    read -r -t 10 greeting <&7
    kill -SYS "$(session_pid)"
    exec 7<&-
    for ((i = 0; i < 100; i++)); do grep -q 'event=killed .*signal=SYS' "$W/orouboros.log" && break; sleep 0.05; done
    grep 'event=killed' "$W/orouboros.log"
    grep -q 'event=killed mode=smtpd signal=SYS' "$W/orouboros.log"
}

@test "listener as root: a key only root may read works, in certbot's layout too, and the sessions' user cannot open it" {
    le="$W/letsencrypt"
    mkdir -p "$le/archive/users.test" "$le/live/users.test"
    chmod 700 "$le/archive" "$le/live"
    cp "$W/server.crt" "$le/archive/users.test/fullchain1.pem"
    cp "$W/server.key" "$le/archive/users.test/privkey1.pem"
    chmod 600 "$le/archive/users.test/privkey1.pem"
    ln -s ../../archive/users.test/fullchain1.pem "$le/live/users.test/fullchain.pem"
    ln -s ../../archive/users.test/privkey1.pem "$le/live/users.test/privkey.pem"
    CERT="$le/live/users.test/fullchain.pem" KEY="$le/live/users.test/privkey.pem" start_separated
    send_authenticated kim@example.com
    [ "$status" -eq 0 ]
    [[ "$output" == *"235 2.7.0"* ]]
    grep -q '^To: kim@example.com' "$W/mail/kim/INBOX"
    for key in "$le/live/users.test/privkey.pem" "$W/server.key"; do
        run setpriv --reuid="$U_SMTPD" --regid="$U_SMTPD" --init-groups cat "$key"
        [ "$status" -ne 0 ]
        [[ "$output" == *"Permission denied"* ]]
    done
}
