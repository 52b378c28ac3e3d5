#!/usr/bin/env bats
# orouboros-forward from the shell, against real servers on loopback that
# each test starts and stops: orouboros-smtpd instances spawned per
# connection by systemd-socket-activate (delivering with mbox-deliver,
# checking passwords with authcheck), and dnsmasq as the DNS server for --mx.
# One @test per promise of orouboros-forward(8).

load ../integration/lib

setup() {
    BIN=${OROUBOROS_BIN:-$(dirname "$(command -v orouboros-forward)")}
    T="$BATS_TEST_TMPDIR"
    make_fixtures "$T"
    # forward hands on anyone's mail: its user at home may use any sender
    "$BIN/orouboros-mkcreds" --file "$T/creds.json" senders asdf add '*'
    printf 'asdf\n' >"$T/password"
    FP=$(openssl x509 -in "$T/server.crt" -noout -fingerprint -sha256 | cut -d= -f2)
    FWD=("$BIN/orouboros-forward" --helo vps.test --log "$T/forward.log" --log-level DEBUG)
    AUTH=(--auth-user asdf --auth-password-file "$T/password")
    PIDS=()
}

teardown() {
    local pid
    for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
    for pid in "${PIDS[@]}"; do wait "$pid" 2>/dev/null || true; done
}

# start_smtpd NAME TLS [smtpd options...]: an orouboros-smtpd per connection
# on 127.0.0.1:$PORT_<NAME>, delivering into $T/NAME/<local>/INBOX.
start_smtpd() {
    local name=$1 tls=$2 port
    shift 2
    port=$(free_port)
    printf -v "PORT_$name" %s "$port"
    mkdir -p "$T/$name"
    systemd-socket-activate --accept -l "127.0.0.1:$port" "$BIN/orouboros-smtpd" --tls "$tls" \
        --cert "$T/server.crt" --key "$T/server.key" --hostname "$name.test" \
        --deliver "exec:$BIN/orouboros-mbox-deliver --lmtp --mboxdir $T/$name" \
        --auth "exec:$BIN/orouboros-authcheck --credentials $T/creds.json --fail-delay 0" \
        --log "$T/$name.log" --log-level DEBUG "$@" 2>>"$T/activate.log" &
    PIDS+=($!)
    wait_port "$port"
}

# The home server: implicit TLS (or $1), AUTH, mail for home.example.
start_home() { start_smtpd home "${1:-implicit}" --delivery-domain home.example; }

# A DNS server: dest.example has an MX, a.example only an address,
# null.example a null MX; every other name under .example does not exist.
start_dns() {
    DNS_PORT=$(free_port)
    dnsmasq --no-daemon --conf-file=/dev/null --port="$DNS_PORT" --listen-address=127.0.0.1 \
        --bind-interfaces --no-resolv --no-hosts --local=/example/ \
        --mx-host=dest.example,mx.dest.example,10 --host-record=mx.dest.example,127.0.0.1 \
        --host-record=a.example,127.0.0.1 --dns-rr=null.example,15,000000 2>"$T/dnsmasq.log" &
    PIDS+=($!)
    wait_port "$DNS_PORT"
}

# A receiving MX (STARTTLS, or $1; no AUTH needed for its own domains), and DNS.
start_mx() {
    start_smtpd mx "${1:-starttls}" --delivery-domain dest.example --delivery-domain a.example
    start_dns
    MX=("${FWD[@]}" --mx --mx-port "$PORT_mx" --resolver "127.0.0.1@$DNS_PORT")
}

# A DNSSEC-signed DNS server (nsd): good.example signed as it is, and
# forged.example signed, then its MX record changed as a forger on the
# path would change it; $T/anchor holds the DS records of both zones.
start_signed_dns() {
    local zone
    mkdir -p "$T/dns"
    for zone in good.example forged.example; do
        printf '%s\n' "\$ORIGIN $zone." '$TTL 300' \
            "@ SOA ns.$zone. hostmaster.$zone. 1 3600 600 86400 300" "@ NS ns.$zone." "ns A 127.0.0.1" \
            "@ MX 10 mx.$zone." "mx A 127.0.0.1" "mx2 A 127.0.0.1" >"$T/dns/$zone"
        sign_zone "$T/dns" "$zone"
    done
    cp "$T/dns/anchor" "$T/anchor"
    sed -i -E 's/(MX[[:space:]]+10[[:space:]]+)mx\.forged/\1mx2.forged/' "$T/dns/forged.example.signed"
    grep -q 'mx2.forged.example' "$T/dns/forged.example.signed"
    start_nsd "$T/dns" good.example forged.example
}

message() { printf 'Subject: %s\n\nhello from the VPS\n' "$1"; }

dialog() { /usr/bin/python3 "$BATS_TEST_DIRNAME/../dialog.py" -- "$@"; }

@test "forward: sendmail mode over implicit TLS, AUTH and a pinned fingerprint delivers into the mbox" {
    start_home
    message pinned | "${FWD[@]}" --host 127.0.0.1 --port "$PORT_home" --tls implicit \
        --tls-fingerprint "$FP" "${AUTH[@]}" -f a@x.example bob@home.example
    grep -q '^Subject: pinned$' "$T/home/bob/INBOX"
    grep -q '^Return-Path: <a@x.example>$' "$T/home/bob/INBOX"
    grep -q 'with ESMTPSA' "$T/home/bob/INBOX"
    grep -q 'event=delivery .*to=<bob@home.example> .*tls=TLSv1.[23] result=delivered reply="250 ' "$T/forward.log"
}

@test "forward: a wrong fingerprint is 75 and nothing is stored" {
    start_home
    run "${FWD[@]}" --host 127.0.0.1 --port "$PORT_home" --tls implicit \
        --tls-fingerprint "$(printf '%064d' 0)" "${AUTH[@]}" -f a@x.example bob@home.example < <(message x)
    [ "$status" -eq 75 ]
    [[ "$output" == *"fingerprint mismatch"* ]]
    [ ! -e "$T/home/bob" ]
    ! grep -q 'event=auth' "$T/home.log"
}

@test "forward: STARTTLS verified against --tls-ca delivers; the system store refuses a self-signed certificate" {
    start_home starttls
    message ca | "${FWD[@]}" --host localhost --port "$PORT_home" --tls starttls --tls-ca "$T/server.crt" \
        "${AUTH[@]}" -f a@x.example carol@home.example
    grep -q '^Subject: ca$' "$T/home/carol/INBOX"
    run "${FWD[@]}" --host 127.0.0.1 --port "$PORT_home" "${AUTH[@]}" -f a@x.example dave@home.example < <(message x)
    [ "$status" -eq 75 ]
    [[ "$output" == *"certificate verification failed"* ]]
    [ ! -e "$T/home/dave" ]
}

@test "forward: the name checked is --tls-name, and a certificate for another name is 75" {
    start_home starttls
    run "${FWD[@]}" --host 127.0.0.1 --port "$PORT_home" --tls-ca "$T/server.crt" --tls-name home.example \
        "${AUTH[@]}" -f a@x.example erin@home.example < <(message x)
    [ "$status" -eq 75 ]
    [[ "$output" == *"451 4.7.5"* ]]
    [ ! -e "$T/home/erin" ]
}

@test "forward: the upstream down is 75 with the connection error" {
    port=$(free_port)
    run "${FWD[@]}" --host 127.0.0.1 --port "$port" --tls implicit -f a@x.example bob@home.example < <(message x)
    [ "$status" -eq 75 ]
    [[ "$output" == *"451 4.4.1 cannot connect to 127.0.0.1[127.0.0.1]:$port"* ]]
}

@test "forward: a recipient the upstream refuses is permanent (69, its 550 5.1.3) and nobody gets the message" {
    start_home
    run "${FWD[@]}" --host 127.0.0.1 --port "$PORT_home" --tls implicit --tls-fingerprint "$FP" "${AUTH[@]}" \
        -f a@x.example bob@home.example '../evil@home.example' < <(message x)
    [ "$status" -eq 69 ]
    [[ "$output" == *"550 5.1.3"* ]]
    [ ! -e "$T/home/bob" ]
    [ ! -e "$T/evil" ]
}

@test "forward: --lmtp gives each recipient the upstream's own verdict and the DATA reply once per accepted one" {
    start_home
    run dialog "${FWD[@]}" --lmtp --host 127.0.0.1 --port "$PORT_home" --tls implicit --tls-fingerprint "$FP" \
        "${AUTH[@]}" <<'EOF'
< 220 vps.test LMTP
> LHLO smtpd.test
< 250 SIZE
> MAIL FROM:<a@x.example> BODY=8BITMIME
< 250 2.1.0
> RCPT TO:<bob@home.example>
< 250 2.1.5
> RCPT TO:<../evil@home.example>
< 550 5.1.3 <../evil@home.example> refused
> RCPT TO:<carol@home.example>
< 250 2.1.5
> DATA
< 354
> Subject: over lmtp
>
> body
> .
< 250 2.0.0 message accepted
< 250 2.0.0 message accepted
> MAIL FROM:<>
< 250
> RCPT TO:<dave@home.example>
< 250 2.1.5
> RSET
< 250
> QUIT
< 221
EOF
    [ "$status" -eq 0 ]
    grep -q '^Subject: over lmtp$' "$T/home/bob/INBOX"
    grep -q '^Subject: over lmtp$' "$T/home/carol/INBOX"
    [ ! -e "$T/home/dave" ]
    [ "$(grep -c 'event=attempt .*result=ok' "$T/forward.log")" -eq 2 ]
}

@test "forward: --lmtp serves a listening socket (Accept=no) with its workers, one process for every connection within --max-connections" {
    start_home
    port=$(free_port)
    systemd-socket-activate -l "127.0.0.1:$port" "${FWD[@]}" --lmtp --host 127.0.0.1 --port "$PORT_home" \
        --tls implicit --tls-fingerprint "$FP" "${AUTH[@]}" --max-connections 1 2>>"$T/activate.log" &
    PIDS+=($!)
    wait_port "$port"
    run python3 - "$port" <<'EOF'
import socket, sys, time
port = int(sys.argv[1])
def session(rcpt):
    for _ in range(50):  # the session before may still hold the one slot: bounded retries
        s = socket.create_connection(("127.0.0.1", port), 20)
        greeting = s.makefile("rb").readline()
        if greeting.startswith(b"220"):
            break
        s.close()
        time.sleep(0.1)
    s.sendall(b"LHLO c\r\nMAIL FROM:<a@x.example>\r\nRCPT TO:<" + rcpt + b">\r\nDATA\r\nSubject: forked\r\n\r\nx\r\n.\r\nQUIT\r\n")
    data = greeting
    while chunk := s.recv(4096):
        data += chunk
    return data.decode().replace("\r", "")
for rcpt in (b"bob@home.example", b"carol@home.example"):
    print(session(rcpt))
for _ in range(50):  # the session before may still be ending: bounded retries
    held = socket.create_connection(("127.0.0.1", port), 20)
    line = held.makefile("rb").readline().decode().rstrip()
    if line.startswith("220"):
        break                                                  # holds the one session
    held.close()
    time.sleep(0.1)
print(line)
other = socket.create_connection(("127.0.0.1", port), 20)
print(other.makefile("rb").readline().decode().rstrip())     # turned away
EOF
    [ "$status" -eq 0 ]
    [ "$(grep -c '^250 2.0.0 message accepted' <<<"$output")" -eq 2 ]
    [ "$(grep -c '^221 2.0.0 bye' <<<"$output")" -eq 2 ]
    [ "${lines[-2]}" = "220 vps.test LMTP orouboros-forward" ]
    [ "${lines[-1]}" = "421 4.3.2 too many connections, try again later" ]
    grep -q '^Subject: forked$' "$T/home/bob/INBOX"
    grep -q '^Subject: forked$' "$T/home/carol/INBOX"
    [ "$(grep -c 'event=workers' "$T/forward.log")" -eq 1 ]
    # one worker (--max-connections 1) served each connection in turn
    run sed -n 's/.*event=connection .*worker=\([0-9]*\).*/\1/p' "$T/forward.log"
    echo "$output"
    [ "${#lines[@]}" -ge 3 ]
    [ "$(printf '%s\n' "${lines[@]}" | sort -u | wc -l)" -eq 1 ]
}

@test "forward: --lmtp with the upstream down gives 451 to every RCPT and 503 to DATA" {
    port=$(free_port)
    run dialog "${FWD[@]}" --lmtp --host 127.0.0.1 --port "$port" <<'EOF'
< 220
> LHLO smtpd.test
< 250
> MAIL FROM:<a@x.example>
< 250
> RCPT TO:<bob@home.example>
< 451 4.4.1 cannot connect
> RCPT TO:<carol@home.example>
< 451 4.4.1 cannot connect
> DATA
< 503 5.5.1
> QUIT
< 221
EOF
    [ "$status" -eq 0 ]
}

@test "forward: --mx finds the MX through DNS and delivers over opportunistic STARTTLS" {
    start_mx
    message mx | "${MX[@]}" -f a@x.example bob@dest.example
    grep -q '^Subject: mx$' "$T/mx/bob/INBOX"
    grep -q 'event=attempt host=mx.dest.example address=127.0.0.1 .*tls=TLSv1.[23] .*result=ok' "$T/forward.log"
}

@test "forward: --dnssec-anchor delivers to a validated MX, and a forged MX answer is 75 with nothing sent" {
    start_smtpd mx starttls --delivery-domain good.example --delivery-domain forged.example
    start_signed_dns
    SIGNED=("${FWD[@]}" --mx --mx-port "$PORT_mx" --resolver "127.0.0.1@$DNS_PORT")
    message signed | "${SIGNED[@]}" --dnssec-anchor "$T/anchor" -f a@x.example bob@good.example
    grep -q '^Subject: signed$' "$T/mx/bob/INBOX"
    grep -q 'event=attempt host=mx.good.example address=127.0.0.1 .*result=ok' "$T/forward.log"
    run "${SIGNED[@]}" --dnssec-anchor "$T/anchor" -f a@x.example carol@forged.example < <(message forged)
    [ "$status" -eq 75 ]
    [[ "$output" == *"451 4.4.3 DNS lookup of forged.example failed: DNSSEC validation failed"* ]]
    [ ! -e "$T/mx/carol" ]
    ! grep -q 'event=attempt host=mx2.forged.example' "$T/forward.log"
    # without validation the forged answer is believed
    message believed | "${SIGNED[@]}" -f a@x.example carol@forged.example
    grep -q 'event=attempt host=mx2.forged.example address=127.0.0.1 .*result=ok' "$T/forward.log"
    grep -q '^Subject: believed$' "$T/mx/carol/INBOX"
}

@test "forward: --mx with a domain that has no MX but an address delivers to that address" {
    start_mx
    message fallback | "${MX[@]}" -f a@x.example carol@a.example
    grep -q '^Subject: fallback$' "$T/mx/carol/INBOX"
    grep -q 'event=attempt host=a.example address=127.0.0.1 ' "$T/forward.log"
}

@test "forward: --mx refuses a null MX with 556 5.1.10 (exit 68) and connects nowhere" {
    start_mx
    run "${MX[@]}" -f a@x.example bob@null.example < <(message x)
    [ "$status" -eq 68 ]
    [[ "$output" == *"556 5.1.10"* ]]
    ! grep -q 'event=attempt' "$T/forward.log"
}

@test "forward: --mx refuses a domain that does not exist with 550 5.1.2 (exit 68)" {
    start_mx
    run "${MX[@]}" -f a@x.example bob@nowhere.example < <(message x)
    [ "$status" -eq 68 ]
    [[ "$output" == *"550 5.1.2"* ]]
}

@test "forward: --mx over LMTP keeps one domain per transaction (452 4.5.3) and refuses a null MX at RCPT" {
    start_mx
    run dialog "${MX[@]}" --lmtp <<'EOF'
< 220
> LHLO smtpd.test
< 250
> MAIL FROM:<a@x.example>
< 250
> RCPT TO:<bob@dest.example>
< 250 2.1.5
> RCPT TO:<carol@a.example>
< 452 4.5.3
> DATA
< 354
> Subject: one domain
> .
< 250 2.0.0
> MAIL FROM:<a@x.example>
< 250
> RCPT TO:<x@null.example>
< 556 5.1.10
> QUIT
< 221
EOF
    [ "$status" -eq 0 ]
    grep -q '^Subject: one domain$' "$T/mx/bob/INBOX"
    [ ! -e "$T/mx/carol" ]
}

@test "forward: --mx --require-tls refuses an MX without STARTTLS (75); opportunistic delivers in the clear" {
    start_mx none
    run "${MX[@]}" --require-tls -f a@x.example bob@dest.example < <(message x)
    [ "$status" -eq 75 ]
    [[ "$output" == *"451 4.7.5"*"STARTTLS"* ]]
    [ ! -e "$T/mx/bob" ]
    message clear | "${MX[@]}" -f a@x.example bob@dest.example
    grep -q '^Subject: clear$' "$T/mx/bob/INBOX"
}

@test "forward: no password goes out without TLS unless --allow-plaintext-auth" {
    start_smtpd plain none --delivery-domain home.example --allow-plaintext-auth
    run "${FWD[@]}" --host 127.0.0.1 --port "$PORT_plain" --tls none "${AUTH[@]}" \
        -f a@x.example bob@home.example < <(message x)
    [ "$status" -eq 75 ]
    grep -q 'refusing to send a password to 127.0.0.1\[127.0.0.1\]:[0-9]* without TLS' "$T/forward.log"
    ! grep -q 'event=auth' "$T/plain.log"
    message plain | "${FWD[@]}" --host 127.0.0.1 --port "$PORT_plain" --tls none --allow-plaintext-auth \
        "${AUTH[@]}" -f a@x.example bob@home.example
    grep -q '^Subject: plain$' "$T/plain/bob/INBOX"
}

@test "forward: the password comes from \$CREDENTIALS_DIRECTORY with --auth-credential" {
    start_home
    mkdir -p "$T/credentials"
    cp "$T/password" "$T/credentials/home-relay"
    message credential | CREDENTIALS_DIRECTORY="$T/credentials" "${FWD[@]}" --host 127.0.0.1 \
        --port "$PORT_home" --tls implicit --tls-fingerprint "$FP" --auth-user asdf \
        --auth-credential home-relay -f a@x.example bob@home.example
    grep -q '^Subject: credential$' "$T/home/bob/INBOX"
    run env -u CREDENTIALS_DIRECTORY "${FWD[@]}" --host 127.0.0.1 --tls implicit --auth-user asdf \
        --auth-credential home-relay -f a@x.example bob@home.example < <(message x)
    [ "$status" -eq 78 ]
    [[ "$output" == *"CREDENTIALS_DIRECTORY"* ]]
}

@test "forward: a refused password is a temporary failure (75) with the upstream's reply" {
    start_home
    printf 'wrong\n' >"$T/wrong"
    run "${FWD[@]}" --host 127.0.0.1 --port "$PORT_home" --tls implicit --tls-fingerprint "$FP" \
        --auth-user asdf --auth-password-file "$T/wrong" -f a@x.example bob@home.example < <(message x)
    [ "$status" -eq 75 ]
    [[ "$output" == *"454 4.7.0 authentication to 127.0.0.1"*"535"* ]]
    [ ! -e "$T/home/bob" ]
}

@test "forward: the password never appears in any log, at DEBUG, whether it works or not" {
    pw='Un1que-Relay-Passw0rd'
    printf '%s\n' "$pw" | "$BIN/orouboros-mkcreds" --file "$T/creds.json" --password-stdin add relay
    "$BIN/orouboros-mkcreds" --file "$T/creds.json" senders relay add '*'
    printf '%s\n' "$pw" >"$T/relay-password"
    start_home
    message secret | "${FWD[@]}" --host 127.0.0.1 --port "$PORT_home" --tls implicit --tls-fingerprint "$FP" \
        --auth-user relay --auth-password-file "$T/relay-password" -f a@x.example bob@home.example 2>"$T/stderr"
    grep -q '^Subject: secret$' "$T/home/bob/INBOX"
    printf 'not-it\n' >"$T/wrong"
    run "${FWD[@]}" --host 127.0.0.1 --port "$PORT_home" --tls implicit --tls-fingerprint "$FP" \
        --auth-user relay --auth-password-file "$T/wrong" -f a@x.example bob@home.example < <(message x)
    [ "$status" -eq 75 ]
    b64=$(printf '%s' "$pw" | base64)
    plain=$(printf '\0relay\0%s' "$pw" | base64)
    for f in "$T/forward.log" "$T/stderr" "$T/home.log" "$T/activate.log"; do
        ! grep -qF -e "$pw" -e "$b64" -e "$plain" "$f" || { echo "password in $f"; false; }
    done
}

@test "forward: bad usage is 64" {
    run "${FWD[@]}" -f a@x.example bob@home.example </dev/null
    [ "$status" -eq 64 ]
    [[ "$output" == *"one of --host and --mx"* ]]
    run "${FWD[@]}" --host h --tls-fingerprint abc -f a@x.example b@h.example </dev/null
    [ "$status" -eq 64 ]
    run "${FWD[@]}" --host h --auth-user asdf -f a@x.example b@h.example </dev/null
    [ "$status" -eq 64 ]
    run "${FWD[@]}" --mx --tls implicit -f a@x.example b@h.example </dev/null
    [ "$status" -eq 64 ]
    run "${FWD[@]}" --host h --lmtp b@h.example </dev/null
    [ "$status" -eq 64 ]
    run "${FWD[@]}" --host h --upstream-timeout 900 -f a@x.example b@h.example </dev/null
    [ "$status" -eq 64 ]
    run "${FWD[@]}" --host h --password hunter2 -f a@x.example b@h.example </dev/null
    [ "$status" -eq 64 ]
    run "${FWD[@]}" --host h --no-dane -f a@x.example b@h.example </dev/null
    [ "$status" -eq 64 ]
    [[ "$output" == *"--no-dane is for --mx"* ]]
    run "${FWD[@]}" --host h --mta-sts-cache /tmp -f a@x.example b@h.example </dev/null
    [ "$status" -eq 64 ]
}

@test "forward: --version prints the program and its version and exits 0" {
    run orouboros-forward --version
    [ "$status" -eq 0 ]
    [[ "$output" =~ ^orouboros-forward\ [0-9]+\.[0-9]+\.[0-9]+$ ]]
}

@test "forward: --mx on the command line keeps the configuration's host out (no usage error)" {
    printf '[forward]\nhost = 127.0.0.1\n' >"$T/x.conf"
    # .invalid never resolves (RFC 6761): the refusal shows --mx was taken
    run "${FWD[@]}" --config "$T/x.conf" --mx -f a@x.example friend@nowhere.invalid <<<"Subject: t"
    [ "$status" -eq 68 ]
    [[ "$output" == *"550 5.1.2"* ]]
}
