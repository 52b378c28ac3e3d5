#!/usr/bin/env bats
# The original program's VPS command line, as README.md prints it: mail for the
# delivery domain goes home (--forward without --local forwards it, as the
# original did), and a logged-in client's mail to any other domain goes to
# that domain's MX.  It runs in a network of its own (netns.bash), with a
# DNS server (dnsmasq) on 127.0.0.1:53 as the system's resolver, the MX of
# foreign.example on 127.0.0.1:25 (not .test: libunbound answers that itself, RFC 6761), and home (a second orouboros, implicit TLS)
# on 127.0.0.1:55577, its certificate trusted through SSL_CERT_FILE.

load lib

setup() {
    [ "$(id -u)" -eq 0 ] || skip "needs a network namespace (root)"
    # not under $BATS_TEST_TMPDIR, which only root may enter
    T=$(mktemp -d /tmp/orouboros-vps.XXXXXX)
    chmod 755 "$T"
    BIN=${OROUBOROS_BIN:-$(dirname "$(command -v orouboros-smtpd)")}
    make_chain_fixtures "$T"
    chmod 644 "$T/home/server.crt"  # the CA the VPS trusts
    mkdir -p "$T/mx"
}

teardown() {
    rm -rf "$T"
}

# The whole scenario, inside the namespace: each server started here is
# stopped here; every reply the clients got is in $T/*.out.
scenario() {
    set -euo pipefail
    PIDS=()
    trap 'for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; wait "$p" 2>/dev/null || true; done
          stop_orouboros "$T/vps"; stop_orouboros "$T/home"' EXIT
    dnsmasq --no-daemon --port=53 --listen-address=127.0.0.1 --bind-interfaces --no-resolv --no-hosts \
        --mx-host=foreign.example,mx.foreign.example,10 --host-record=mx.foreign.example,127.0.0.1 \
        --log-facility=- 2>"$T/dnsmasq.log" 3>&- &
    PIDS+=($!)
    systemd-socket-activate --accept -l 127.0.0.1:25 "$BIN/orouboros-smtpd" --hostname mx.foreign.example \
        --tls starttls --cert "$T/home/server.crt" --key "$T/home/server.key" --delivery-domain foreign.example \
        --deliver "exec:$BIN/orouboros-mbox-deliver --lmtp --mboxdir $T/mx" --relay none --log "$T/mx.log" \
        2>/dev/null 3>&- &
    PIDS+=($!)
    wait_port 25
    ORO_WAIT_PORTS=55577 start_orouboros "$T/home" --cert "$T/home/server.crt" --key "$T/home/server.key" \
        --port 55577 --delivery-domain example.com --local --mboxdir "$T/home/mail" --hostname home.test
    cd "$T/vps"
    export SSL_CERT_FILE="$T/home/server.crt"
    eval "set -- $VPS_ARGS"
    ORO_LAUNCH=$LAUNCH ORO_WAIT_PORTS="2525 4650" start_orouboros "$T/vps" "$@"
    unset SSL_CERT_FILE
    swaks --server 127.0.0.1:2525 --tls --from stranger@internet.example --to bob@example.com \
        --h-Subject "to example.com" --timeout 30 >"$T/stranger.out" 2>&1
    swaks --server 127.0.0.1:4650 --tls-on-connect --auth PLAIN --auth-user asdf --auth-password asdf \
        --from me@example.com --to friend@foreign.example --h-Subject "to foreign.example" --timeout 60 \
        >"$T/owner.out" 2>&1
}

# README.md's VPS command line, as printed, but for the home server: the
# one on localhost:55577.
readme_vps_args() {
    local line
    line=$(awk '/The original VPS command line/ { f = 1 } f && /^    orouboros / { p = 1 }
        p && /^    / { sub(/^ +/, ""); printf "%s ", $0; next } p { exit }' "$BATS_TEST_DIRNAME/../../README.md" |
        sed 's/\\ //g')
    [[ "$line" == "orouboros "*"--forward-host home.example.org --forward-port 2255 "* ]] || return 1
    line=${line/home.example.org/localhost} line=${line/--forward-port 2255/--forward-port 55577}
    echo "${line#orouboros }"
}

# Runs the scenario, the VPS's listener started through $1 (or directly).
original_vps() {
    local args
    args=$(readme_vps_args)
    [[ "$args" == *"--port 2525 --ssl-port 4650"* ]]
    run unshare -n -m "$BATS_TEST_DIRNAME/netns.bash" "$T" bash -c \
        "T='$T' BIN='$BIN' PATH='$PATH' LAUNCH='$1' VPS_ARGS='$args'; . '$BATS_TEST_DIRNAME/lib.bash'; $(declare -f scenario); scenario"
    echo "$output"
    cat "$T"/*.out "$T/vps/orouboros.log" || true
    [ "$status" -eq 0 ]
    grep -q '^<~  250 2.0.0 message accepted' "$T/stranger.out"
    grep -q '^Subject: to example.com' "$T/home/mail/bob/INBOX"
    grep -q '^From stranger@internet.example ' "$T/home/mail/bob/INBOX"
    grep -q '^<~  250 2.0.0 message accepted' "$T/owner.out"
    grep -q '^Subject: to foreign.example' "$T/mx/friend/INBOX"
    grep -q '^From me@example.com ' "$T/mx/friend/INBOX"
    [ -z "$(ls -A "$T/vps/mail")" ]
}

@test "original VPS command line, as root: example.com goes home, an owner's mail to foreign.example goes to its MX" {
    original_vps ""
}

@test "original VPS command line, as a plain user: example.com goes home, an owner's mail goes to the MX" {
    chown -R nobody:nogroup "$T/vps"
    original_vps "setpriv --reuid=nobody --regid=nogroup --clear-groups"
}
