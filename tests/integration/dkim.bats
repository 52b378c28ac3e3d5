#!/usr/bin/env bats
# DKIM signing, checked by a verifier nobody here wrote: orouboros-smtpd
# (over a pipe) -> orouboros-dkim-sign (on a unix socket) ->
# orouboros-mbox-deliver (a Maildir, the sink), and python3-dkim verifying
# what landed there, the public keys looked up in real DNS: an nsd on
# loopback serving the TXT records as opendkim-genkey wrote the RSA one.

load lib

setup() {
    T="$BATS_TEST_TMPDIR"
    BIN=${OROUBOROS_BIN:-$(dirname "$(command -v orouboros-smtpd)")}
    PIDS=()
    mkdir -p "$T/keys" "$T/out"
    printf '%s\n' "$CREDS_ASDF" >"$T/creds.json"
    # asdf sends as alice of the signed domain and of another one
    orouboros-mkcreds --file "$T/creds.json" senders asdf add example.com other.example
    (cd "$T/keys" && opendkim-genkey -b 2048 -d example.com -s sel)
    openssl genpkey -algorithm ed25519 -out "$T/keys/ed.private" 2>/dev/null
    SINK="exec:$BIN/orouboros-mbox-deliver --config /dev/null --lmtp --wmaildir $T/out --hostname sink.test"
}

teardown() {
    local pid
    for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
    for pid in "${PIDS[@]}"; do wait "$pid" 2>/dev/null || true; done
}

# nsd on loopback serving example.com: the RSA key's record as
# opendkim-genkey wrote it (sel.txt), the Ed25519 key's (RFC 8463: the raw
# 32-byte public key) as contrib/README.md says to publish it.
start_dns() {
    local ed
    mkdir -p "$T/dns"
    ed=$(openssl pkey -in "$T/keys/ed.private" -pubout -outform DER | tail -c 32 | base64 -w0)
    {
        printf '%s\n' '$ORIGIN example.com.' '$TTL 300' "@ SOA ns hostmaster 1 3600 600 86400 300" "@ NS ns" \
            "ns A 127.0.0.1"
        cat "$T/keys/sel.txt"
        printf 'ed._domainkey IN TXT "v=DKIM1; k=ed25519; p=%s"\n' "$ed"
    } >"$T/dns/example.com"
    DNS_PORT=$(free_port)
    printf '%s\n' server: "ip-address: 127.0.0.1" "port: $DNS_PORT" 'username: ""' 'chroot: ""' 'database: ""' \
        "zonesdir: \"$T/dns\"" "pidfile: \"$T/dns/nsd.pid\"" "xfrdfile: \"$T/dns/xfrd.state\"" \
        "zonelistfile: \"$T/dns/zone.list\"" "xfrdir: \"$T/dns\"" "server-count: 1" \
        remote-control: "control-enable: no" zone: "name: example.com" "zonefile: example.com" >"$T/dns/nsd.conf"
    nsd -d -c "$T/dns/nsd.conf" 2>"$T/nsd.log" &
    PIDS+=($!)
    wait_port "$DNS_PORT"
}

# orouboros-dkim-sign with the keys given, serving a listening unix socket
# at $T/sign.sock (as the listener and systemd Accept=no give it one).
start_signer() {
    "$PY" -c 'import os, socket, sys
s = socket.socket(socket.AF_UNIX)
s.bind(sys.argv[1]); s.listen(16); os.dup2(s.fileno(), 0)
os.execv(sys.argv[2], sys.argv[2:])' "$T/sign.sock" "$BIN/orouboros-dkim-sign" --config /dev/null \
        --hostname sign.test --next "$SINK" --log "$T/sign.log" "$@" &
    PIDS+=($!)
    local i
    for ((i = 0; i < 200; i++)); do [ -S "$T/sign.sock" ] && return 0; sleep 0.05; done
    echo "the signer did not listen" >&2
    return 1
}

# A dialogue with orouboros-smtpd whose routes both go through the signer.
smtpd_dialog() {
    "$PY" "$BATS_TEST_DIRNAME/../dialog.py" -- "$BIN/orouboros-smtpd" --config /dev/null --tls none \
        --hostname vps.test --log "$T/smtpd.log" --delivery-domain home.example --allow-plaintext-auth \
        --auth "exec:$BIN/orouboros-authcheck --config /dev/null --credentials $T/creds.json --fail-delay 0" \
        --deliver "unix:$T/sign.sock" --relay "unix:$T/sign.sock"
}

# Sends one message (From: $1, to $2) after AUTH when $3 is "auth".
send() {
    local auth=()
    [ "${3:-}" != auth ] || auth=('> AUTH PLAIN AGFzZGYAYXNkZg==' '< 235')
    printf '%s\n' '< 220' '> EHLO client.example' '< 250' "${auth[@]}" "> MAIL FROM:<$1>" '< 250' \
        "> RCPT TO:<$2>" '< 250' '> DATA' '< 354' "> From: Alice <$1>" "> To: <$2>" '> Subject: signed?' \
        '> Date: Sun, 06 Dec 2026 12:00:00 +0000' '> Message-ID: <1@example.com>' '>' '> hello,' '> .dots' \
        '> .' '< 250 2.0.0' '> QUIT' '< 221' | smtpd_dialog
}

one_message() {
    local files=("$T"/out/new/*)
    [ "${#files[@]}" -eq 1 ] && [ -f "${files[0]}" ] || { echo "expected one message: ${files[*]}" >&2; return 1; }
    echo "${files[0]}"
}

verify() { "$PY" "$BATS_TEST_DIRNAME/dkim_verify.py" "$DNS_PORT" "$1"; }

@test "dkim: an authenticated message is signed with RSA and Ed25519, and both verify through DNS" {
    start_dns
    start_signer --key "example.com:sel:$T/keys/sel.private" --key "example.com:ed:$T/keys/ed.private"
    run send alice@example.com bob@far.example auth
    [ "$status" -eq 0 ] || { echo "$output"; false; }
    msg=$(one_message)
    run verify "$msg"
    echo "$output"
    [ "$status" -eq 0 ]
    # the usual fields, From once more than the message has it (oversigned)
    [[ "$output" == *"d=example.com s=sel a=rsa-sha256 h=From:To:Subject:Date:Message-ID:From pass"* ]]
    [[ "$output" == *"d=example.com s=ed a=ed25519-sha256 h=From:To:Subject:Date:Message-ID:From pass"* ]]
    grep -q 'event=dkim .*domain=example.com result=signed' "$T/sign.log"
}

@test "dkim: a message changed after signing fails verification" {
    start_dns
    start_signer --key "example.com:sel:$T/keys/sel.private" --key "example.com:ed:$T/keys/ed.private"
    run send alice@example.com bob@far.example auth
    [ "$status" -eq 0 ]
    msg=$(one_message)
    sed -i 's/^hello,$/hello, changed/' "$msg"
    grep -q '^hello, changed' "$msg"
    run verify "$msg"
    echo "$output"
    [ "$status" -eq 1 ]
    [[ "$output" == *"a=rsa-sha256 h="*" fail (body hash mismatch"* ]]
    [[ "$output" == *"a=ed25519-sha256 h="*" fail (body hash mismatch"* ]]
}

@test "dkim: a message from a client that did not authenticate passes unsigned" {
    start_signer --key "example.com:sel:$T/keys/sel.private"
    run send alice@example.com bob@home.example
    [ "$status" -eq 0 ] || { echo "$output"; false; }
    msg=$(one_message)
    ! grep -qi '^DKIM-Signature:' "$msg"
    grep -q '^hello,$' "$msg"
    grep -q 'result=passed' "$T/sign.log"
}

@test "dkim: a key for another domain does not sign" {
    start_signer --key "example.com:sel:$T/keys/sel.private"
    run send alice@other.example bob@far.example auth
    [ "$status" -eq 0 ] || { echo "$output"; false; }
    msg=$(one_message)
    ! grep -qi '^DKIM-Signature:' "$msg"
    grep -q 'event=dkim .*domain=other.example result=unsigned' "$T/sign.log"
}

@test "dkim: the listener with --dkim-key signs authenticated mail on the relay route, and it verifies" {
    start_dns
    make_fixtures "$T/vps"
    orouboros-mkcreds --file "$T/vps/creds.json" senders asdf add example.com
    mkdir -p "$T/home"
    HOME_PORT=$(free_port) VPS_PORT=$(free_port)
    ORO_WAIT_PORTS=$HOME_PORT start_orouboros "$T/home" --port "$HOME_PORT" --hostname home.test \
        --delivery-domain far.example --local --wmaildir "$T/home/inbox"
    ORO_WAIT_PORTS=$VPS_PORT start_orouboros "$T/vps" --cert "$T/vps/server.crt" --key "$T/vps/server.key" \
        --port "$VPS_PORT" --ssl-port "$(free_port)" --hostname vps.test --user-credentials "$T/vps/creds.json" \
        --relay-host 127.0.0.1 --relay-port "$HOME_PORT" --relay-tls none \
        --dkim-key "example.com:sel:$T/keys/sel.private" --dkim-key "example.com:ed:$T/keys/ed.private"
    run swaks --server "127.0.0.1:$VPS_PORT" --tls --auth PLAIN --auth-user asdf --auth-password asdf \
        --from alice@example.com --to bob@far.example --h-From 'Alice <alice@example.com>' --timeout 30
    stop_orouboros "$T/vps"
    stop_orouboros "$T/home"
    [ "$status" -eq 0 ] || { echo "$output"; cat "$T/vps/orouboros.log"; false; }
    msgs=("$T"/home/inbox/new/*)
    [ "${#msgs[@]}" -eq 1 ]
    run verify "${msgs[0]}"
    echo "$output"
    [ "$status" -eq 0 ]
    [[ "$output" == *"s=sel a=rsa-sha256 "*" pass"* && "$output" == *"s=ed a=ed25519-sha256 "*" pass"* ]]
}

@test "dkim: the listener refuses to start with a key it cannot use (78), before anything listens" {
    mkdir -p "$T/vps"
    port=$(free_port)
    run orouboros --port "$port" --single-user --relay-host 127.0.0.1 --relay-port 1 --relay-tls none \
        --dkim-key "example.com:sel:$T/keys/missing.private"
    [ "$status" -eq 78 ]
    [[ "$output" == *"unable to read the DKIM key $T/keys/missing.private"* ]]
}
