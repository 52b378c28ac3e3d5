#!/usr/bin/env bats
# orouboros-forward holding MX hosts to DANE (RFC 7672) and MTA-STS
# (RFC 8461), against real servers on loopback that each test starts and
# stops: nsd serving the DNSSEC-signed zone "example" (MX, TLSA, the
# _mta-sts TXT records), orouboros-smtpd as the MX (STARTTLS, delivering
# into mboxes), and an HTTPS server for the MTA-STS policies.

load lib

setup() {
    BIN=${OROUBOROS_BIN:-$(dirname "$(command -v orouboros-forward)")}
    T="$BATS_TEST_TMPDIR"
    PIDS=()
    make_certificates
    start_mx
    start_policy_server
    FWD=("$BIN/orouboros-forward" --helo vps.test --log "$T/forward.log" --mx --mx-port "$PORT_MX"
        --mta-sts-ca "$T/ca.crt" --mta-sts-port "$PORT_HTTPS" --mta-sts-cache "$T/cache")
    mkdir -p "$T/cache"
}

teardown() {
    local pid
    for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
    for pid in "${PIDS[@]}"; do wait "$pid" 2>/dev/null || true; done
}

# A test CA; the MX's certificate (signed by it, for mx.dane.example,
# mx.sts.example, mx.testing.example and mx.notlisted.example, but not
# mx.wrongname.example or mx.testname.example); the policy server's (mta-sts.* of every domain);
# and another key, which no server presents.
make_certificates() {
    local name sans=""
    openssl req -new -x509 -nodes -newkey ec -pkeyopt ec_paramgen_curve:P-256 -days 2 -subj /CN=test-ca \
        -keyout "$T/ca.key" -out "$T/ca.crt" 2>/dev/null
    signed_cert mx "DNS:mx.dane.example,DNS:mx.sts.example,DNS:mx.testing.example,DNS:mx.notlisted.example"
    for name in sts wrongname notlisted testing testname both; do sans+="${sans:+,}DNS:mta-sts.$name.example"; done
    signed_cert https "$sans"
    openssl req -new -x509 -nodes -newkey ec -pkeyopt ec_paramgen_curve:P-256 -days 2 -subj /CN=attacker.invalid \
        -keyout "$T/other.key" -out "$T/other.crt" 2>/dev/null
}

# signed_cert NAME SANS: $T/NAME.crt and $T/NAME.key, signed by the test CA.
signed_cert() {
    openssl req -new -nodes -newkey ec -pkeyopt ec_paramgen_curve:P-256 -subj "/CN=$1" \
        -keyout "$T/$1.key" -out "$T/$1.csr" 2>/dev/null
    printf 'subjectAltName=%s\n' "$2" >"$T/$1.ext"
    openssl x509 -req -in "$T/$1.csr" -CA "$T/ca.crt" -CAkey "$T/ca.key" -CAcreateserial -days 2 \
        -extfile "$T/$1.ext" -out "$T/$1.crt" 2>/dev/null
}

# The SHA-256 digest of a certificate's public key (TLSA 3 1 1).
spki_sha256() { openssl x509 -in "$1" -noout -pubkey | openssl pkey -pubin -outform DER | openssl dgst -sha256 -r | cut -d' ' -f1; }

# The MX: orouboros-smtpd per connection on 127.0.0.1:$PORT_MX, STARTTLS
# with $T/mx.crt, mail for every test domain into $T/mx/<local>/INBOX.
start_mx() {
    local d args=()
    PORT_MX=$(free_port)
    mkdir -p "$T/mx"
    for d in dane.example danebad.example sts.example wrongname.example notlisted.example testing.example \
        testname.example both.example; do
        args+=(--delivery-domain "$d")
    done
    systemd-socket-activate --accept -l "127.0.0.1:$PORT_MX" "$BIN/orouboros-smtpd" --tls starttls \
        --cert "$T/mx.crt" --key "$T/mx.key" --hostname mx.test \
        --deliver "exec:$BIN/orouboros-mbox-deliver --lmtp --mboxdir $T/mx" --log "$T/mx.log" "${args[@]}" \
        2>>"$T/activate.log" &
    PIDS+=($!)
    wait_port "$PORT_MX"
}

start_policy_server() {
    PORT_HTTPS=$(free_port)
    mkdir -p "$T/policies"
    "$PY" "$BATS_TEST_DIRNAME/mta_sts_server.py" "$PORT_HTTPS" "$T/https.crt" "$T/https.key" "$T/policies" &
    PIDS+=($!)
    wait_port "$PORT_HTTPS"
}

# policy DOMAIN MODE MX...: the MTA-STS policy the server gives for DOMAIN.
policy() {
    local domain=$1 mode=$2 mx
    shift 2
    { printf 'version: STSv1\r\nmode: %s\r\n' "$mode"; for mx; do printf 'mx: %s\r\n' "$mx"; done
      printf 'max_age: 86400\r\n'; } >"$T/policies/$domain"
}

# The signed zone "example" with the records given as arguments (each one
# line of a zone file, relative to example.), served by nsd.
start_dns() {
    mkdir -p "$T/dns"
    printf '%s\n' '$ORIGIN example.' '$TTL 300' '@ SOA ns hostmaster 1 3600 600 86400 300' '@ NS ns' 'ns A 127.0.0.1' \
        "$@" >"$T/dns/example"
    sign_zone "$T/dns" example
    start_nsd "$T/dns" example
    FWD+=(--resolver "127.0.0.1@$DNS_PORT" --dnssec-anchor "$T/dns/anchor")
}

# An MX record and its host's address for DOMAIN (a label under example).
mx_of() { printf '%s\n' "$1 MX 10 mx.$1" "mx.$1 A 127.0.0.1"; }

# MTA-STS records for DOMAIN: the TXT record and the policy host.
sts_of() { printf '%s\n' "_mta-sts.$1 TXT \"v=STSv1; id=${2:-1};\"" "mta-sts.$1 A 127.0.0.1"; }

message() { printf 'Subject: %s\n\nhello from the VPS\n' "$1"; }

# sts_delivers NAME MODE PATTERN RESULT: NAME.example publishes an MTA-STS
# policy in MODE for the MX pattern PATTERN; a message to bob@NAME.example
# lands in the MX's mbox, and the tls-policy line goes on with RESULT.
sts_delivers() {
    mapfile -t rr < <(mx_of "$1"; sts_of "$1")
    start_dns "${rr[@]}"
    policy "$1.example" "$2" "$3"
    message "$1" | "${FWD[@]}" -f a@x.example "bob@$1.example"
    grep -q "^Subject: $1\$" "$T/mx/bob/INBOX"
    grep -q "event=tls-policy domain=$1.example host=mx.$1.example policy=mta-sts $4" "$T/forward.log"
}

@test "tls policy: a TLSA record that matches the MX's key delivers, and the log says dane held" {
    mapfile -t rr < <(mx_of dane; echo "_$PORT_MX._tcp.mx.dane TLSA 3 1 1 $(spki_sha256 "$T/mx.crt")")
    start_dns "${rr[@]}"
    message dane | "${FWD[@]}" -f a@x.example bob@dane.example
    grep -q '^Subject: dane$' "$T/mx/bob/INBOX"
    grep -q 'event=tls-policy domain=dane.example host=mx.dane.example policy=dane mode=enforce result=held' "$T/forward.log"
}

@test "tls policy: a TLSA record for another key is 451 4.7.5 and the MX gets nothing" {
    mapfile -t rr < <(mx_of danebad; echo "_$PORT_MX._tcp.mx.danebad TLSA 3 1 1 $(spki_sha256 "$T/other.crt")")
    start_dns "${rr[@]}"
    run "${FWD[@]}" -f a@x.example bob@danebad.example < <(message mismatch)
    [ "$status" -eq 75 ]
    [[ "$output" == *"451 4.7.5"* ]]
    [ ! -e "$T/mx/bob" ]
    grep -q 'event=tls-policy domain=danebad.example host=mx.danebad.example policy=dane mode=enforce result=failed' "$T/forward.log"
    ! grep -q 'event=mail from=a@x.example' "$T/mx.log"
    # --no-dane: the same MX takes it over opportunistic TLS
    message nodane | "${FWD[@]}" --no-dane -f a@x.example bob@danebad.example
    grep -q '^Subject: nodane$' "$T/mx/bob/INBOX"
}

@test "tls policy: MTA-STS enforce with a valid certificate for a listed MX delivers, and the policy is cached" {
    sts_delivers sts enforce mx.sts.example 'mode=enforce result=held'
    grep -q '^id 1$' "$T/cache/sts.example"
    [ "$(grep -c 'mta-sts.sts.example /.well-known/mta-sts.txt' "$T/policies/requests")" -eq 1 ]
    message again | "${FWD[@]}" -f a@x.example bob@sts.example
    grep -q '^Subject: again$' "$T/mx/bob/INBOX"
    [ "$(grep -c 'mta-sts.sts.example' "$T/policies/requests")" -eq 1 ]
}

@test "tls policy: MTA-STS enforce with a certificate not valid for the MX name is 451 4.7.5 and the MX gets nothing" {
    mapfile -t rr < <(mx_of wrongname; sts_of wrongname)
    start_dns "${rr[@]}"
    policy wrongname.example enforce mx.wrongname.example
    run "${FWD[@]}" -f a@x.example bob@wrongname.example < <(message wrongname)
    [ "$status" -eq 75 ]
    [[ "$output" == *"451 4.7.5"* ]]
    [ ! -e "$T/mx/bob" ]
    grep -q 'event=tls-policy domain=wrongname.example host=mx.wrongname.example policy=mta-sts mode=enforce result=failed' "$T/forward.log"
    ! grep -q 'event=mail from=a@x.example' "$T/mx.log"
}

@test "tls policy: MTA-STS enforce refuses an MX host not in the policy with 451 4.7.5 and connects nowhere" {
    mapfile -t rr < <(mx_of notlisted; sts_of notlisted)
    start_dns "${rr[@]}"
    policy notlisted.example enforce other.notlisted.example
    run "${FWD[@]}" -f a@x.example bob@notlisted.example < <(message notlisted)
    [ "$status" -eq 75 ]
    [[ "$output" == *"451 4.7.5 MX host mx.notlisted.example is not in the domain's MTA-STS policy"* ]]
    [ ! -e "$T/mx/bob" ]
    ! grep -q 'event=attempt' "$T/forward.log"
    # --no-mta-sts: the same MX takes it
    message nosts | "${FWD[@]}" --no-mta-sts -f a@x.example bob@notlisted.example
    grep -q '^Subject: nosts$' "$T/mx/bob/INBOX"
}

@test "tls policy: MTA-STS testing delivers despite a failing check, and the log says it failed" {
    sts_delivers testing testing other.testing.example 'mode=testing result=failed why="451 4.7.5 MX host'
}

@test "tls policy: DANE wins over MTA-STS when both are published" {
    mapfile -t rr < <(mx_of both; sts_of both; echo "_$PORT_MX._tcp.mx.both TLSA 3 1 1 $(spki_sha256 "$T/mx.crt")")
    start_dns "${rr[@]}"
    policy both.example enforce other.both.example
    message both | "${FWD[@]}" -f a@x.example bob@both.example
    grep -q '^Subject: both$' "$T/mx/bob/INBOX"
    grep -q 'event=tls-policy domain=both.example host=mx.both.example policy=dane mode=enforce result=held' "$T/forward.log"
}

@test "tls policy: MTA-STS testing with a certificate not valid for the MX name delivers, and the log says why" {
    sts_delivers testname testing mx.testname.example 'mode=testing result=failed why="certificate verification failed'
}

@test "tls policy: a cached MTA-STS policy holds while the id is unchanged, and a new id fetches the policy again" {
    mapfile -t rr < <(mx_of sts; sts_of sts 7)
    start_dns "${rr[@]}"
    policy sts.example enforce mx.sts.example
    printf 'id 7\nexpires %s\nversion: STSv1\nmode: enforce\nmx: other.sts.example\nmax_age: 86400\n' \
        "$(($(date +%s) + 3600))" >"$T/cache/sts.example"
    run "${FWD[@]}" -f a@x.example bob@sts.example < <(message cached)
    [ "$status" -eq 75 ]
    [[ "$output" == *"451 4.7.5 MX host mx.sts.example is not in the domain's MTA-STS policy"* ]]
    [ ! -e "$T/mx/bob" ]
    [ ! -e "$T/policies/requests" ]
    sed -i 's/^id 7$/id 6/' "$T/cache/sts.example"
    message fetched | "${FWD[@]}" -f a@x.example bob@sts.example
    grep -q '^Subject: fetched$' "$T/mx/bob/INBOX"
    [ "$(grep -c 'mta-sts.sts.example' "$T/policies/requests")" -eq 1 ]
    grep -q '^id 7$' "$T/cache/sts.example"
    grep -q '^mx: mx.sts.example' "$T/cache/sts.example"
}
