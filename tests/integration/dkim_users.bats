#!/usr/bin/env bats
# The listener started as root with --dkim-key: orouboros-dkim-sign runs
# as its own user, the one part that can read the keys; the sessions'
# user cannot.  Throwaway users are made for the test and removed after it.

load lib

setup_file() {
    [ "$(id -u)" -eq 0 ] || return 0
    local n=$((RANDOM % 10000)) u
    export U_SMTPD="orok${n}s" U_AUTH="orok${n}a" U_MAIL="orok${n}m" U_FWD="orok${n}f" U_DKIM="orok${n}d"
    for u in "$U_SMTPD" "$U_AUTH" "$U_MAIL" "$U_FWD" "$U_DKIM"; do
        useradd --system --no-create-home --home-dir / --shell /usr/sbin/nologin "$u"
    done
    # Not under $BATS_FILE_TMPDIR, which only root may enter.
    export W=$(mktemp -d /tmp/orouboros-dkim.XXXXXX)
    chmod 755 "$W"
    make_fixtures "$W"
    orouboros-mkcreds --file "$W/creds.json" senders asdf add example.com
    chmod 600 "$W/server.key"
    chgrp "$U_AUTH" "$W/creds.json" && chmod 640 "$W/creds.json"
    mkdir -m 755 "$W/keys"
    (cd "$W/keys" && opendkim-genkey -b 2048 -d example.com -s sel)
    chown "$U_DKIM" "$W/keys/sel.private" && chmod 600 "$W/keys/sel.private"
}

teardown_file() {
    [ "$(id -u)" -eq 0 ] || return 0
    local u
    for u in "$U_SMTPD" "$U_AUTH" "$U_MAIL" "$U_FWD" "$U_DKIM"; do userdel "$u" 2>/dev/null || true; done
    rm -rf "$W"
}

setup() {
    [ "$(id -u)" -eq 0 ] || skip "starts the listener as root"
    T="$BATS_TEST_TMPDIR"
    PORT=$(free_port) HOME_PORT=$(free_port)
    mkdir -p "$T/home"
}

teardown() {
    stop_orouboros "$W"
    stop_orouboros "$T/home"
}

# The listener as root with the test's users, relaying to a home
# listener on $HOME_PORT; its log in $W/orouboros.log.
start_separated() {
    orouboros --port "$PORT" --cert "$W/server.crt" --key "$W/server.key" --ssl-port "$(free_port)" \
        --user-credentials "$W/creds.json" --hostname vps.test --socket-dir "$W/run" \
        --smtpd-user "$U_SMTPD" --authcheck-user "$U_AUTH" --deliver-user "$U_MAIL" --forwarder-user "$U_FWD" \
        --dkim-user "$U_DKIM" --relay-host 127.0.0.1 --relay-port "$HOME_PORT" --relay-tls none \
        "$@" >"$W/orouboros.out" 2>"$W/orouboros.log" 3>&- &
    echo $! >"$W/orouboros.pid"
    wait_port "$PORT" || { cat "$W/orouboros.log" >&2; return 1; }
}

@test "listener as root: the signer runs as --dkim-user and signs; the sessions' user cannot read the key" {
    ORO_WAIT_PORTS=$HOME_PORT start_orouboros "$T/home" --port "$HOME_PORT" --hostname home.test \
        --delivery-domain far.example --local --wmaildir "$T/home/inbox"
    start_separated --dkim-key "example.com:sel:$W/keys/sel.private"
    [ "$(stat -c '%U %G %a' "$W/run/dkim-sign.sock")" = "root $U_SMTPD 660" ]
    run swaks --server "127.0.0.1:$PORT" --tls --auth PLAIN --auth-user asdf --auth-password asdf \
        --from alice@example.com --to bob@far.example --h-From 'Alice <alice@example.com>' --timeout 30
    [ "$status" -eq 0 ] || { echo "$output"; cat "$W/orouboros.log"; false; }
    signer=$(listener_child "$W" orouboros-dkim-sign)
    [ "$(ps -o user= -p "$signer")" = "$U_DKIM" ]
    grep -q '^DKIM-Signature: v=1; a=rsa-sha256; c=relaxed/relaxed; d=example.com; s=sel;' "$T"/home/inbox/new/*
    run setpriv --reuid="$U_SMTPD" --regid="$U_SMTPD" --init-groups cat "$W/keys/sel.private"
    [ "$status" -ne 0 ]
    [[ "$output" == *"Permission denied"* ]]
}

@test "listener as root: a key the --dkim-user cannot read stops it with 77, naming both" {
    chown root "$W/keys/sel.private"
    run orouboros --port "$PORT" --user-credentials "$W/creds.json" --socket-dir "$W/run" \
        --smtpd-user "$U_SMTPD" --authcheck-user "$U_AUTH" --deliver-user "$U_MAIL" --forwarder-user "$U_FWD" \
        --dkim-user "$U_DKIM" --relay-host 127.0.0.1 --relay-port 1 --relay-tls none \
        --dkim-key "example.com:sel:$W/keys/sel.private"
    chown "$U_DKIM" "$W/keys/sel.private"
    [ "$status" -eq 77 ]
    [[ "$output" == *"orouboros-dkim-sign runs as $U_DKIM, who cannot read $W/keys/sel.private"* ]]
}
