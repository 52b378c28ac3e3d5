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
    chgrp "$U_SMTPD" "$W/server.key" && chmod 640 "$W/server.key"
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
start_separated() {
    orouboros --port "$PORT" --cert "$W/server.crt" --key "$W/server.key" --ssl-port "$(free_port)" \
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
    cp -p "$W/server.key" "$W/root-only.key"
    chmod 600 "$W/root-only.key"
    chgrp root "$W/root-only.key"
    run timeout 20 orouboros --port "$PORT" --cert "$W/server.crt" --key "$W/root-only.key" --mboxdir "$W/mail" \
        --smtpd-user "$U_SMTPD" --authcheck-user "$U_AUTH" --deliver-user "$U_MAIL" --forwarder-user "$U_FWD" --socket-dir "$SOCKS"
    [ "$status" -eq 77 ]
    [[ "$output" == *"orouboros-smtpd runs as $U_SMTPD, who cannot read $W/root-only.key"* ]]
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
