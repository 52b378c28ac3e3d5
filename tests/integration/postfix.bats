#!/usr/bin/env bats
# A real MTA at home: Postfix (the Debian package, run from a private
# configuration directory, loopback ports only) as the home server.
# Out: Postfix uses the VPS as its relayhost, with TLS and SASL, and the
# VPS relays to the recipient domain's MX found through a DNS server on
# loopback.  In: the VPS forwards mail for home.example to Postfix's
# smtpd, and Postfix hands it to orouboros-mbox-deliver as its lmtp:
# transport.  Every Postfix started here is stopped in teardown.

load lib

setup() {
    T="$BATS_TEST_TMPDIR" PIDS=()
    BIN=${OROUBOROS_BIN:-$(dirname "$(command -v orouboros-smtpd)")}
    PF=$(PATH="$PATH:/usr/sbin:/usr/local/sbin" command -v postfix) || {
        echo "postfix is not installed: run contrib/install-deps.sh as root (Debian packages postfix, libsasl2-modules)" >&2
        return 1
    }
    [ "$(id -u)" -eq 0 ] || { echo "these tests start Postfix's master, which must run as root" >&2; return 1; }
    PF_CMD=$(dirname "$PF")
    mkdir -p "$T/vps" "$T/home/mail" "$T/dest"
    make_fixtures "$T/vps"
    make_fixtures "$T/home"
    VPS_FP=$(openssl x509 -in "$T/vps/server.crt" -noout -fingerprint -sha256 | cut -d= -f2)
    HOME_FP=$(openssl x509 -in "$T/home/server.crt" -noout -fingerprint -sha256 | cut -d= -f2)
}

teardown() {
    local pid
    [ -z "${PFROOT:-}" ] || pf_stop
    stop_orouboros "$T/vps"
    for pid in "${PIDS[@]}"; do
        kill "$pid" 2>/dev/null
        wait "$pid" 2>/dev/null
    done
    true
}

# --- Postfix ---------------------------------------------------------------

# A private Postfix instance lives in $PFROOT, a short path under /tmp
# that the postfix user may enter (bats's own directory is 0700):
# $PFROOT/conf/{main,master}.cf, the queue, the data directory and the
# log $PFLOG.  pf_new makes it; pf_configure writes the configuration,
# main.cf lines from stdin, extra master.cf lines from $1.
pf_new() {
    PFROOT=$(mktemp -d /tmp/orou-pf.XXXXXX)
    chmod 755 "$PFROOT"
    PFCONF=$PFROOT/conf PFLOG=$PFROOT/maillog
    mkdir -p "$PFCONF" "$PFROOT/queue"
}

pf_configure() {
    cat >"$PFCONF/master.cf" <<EOF
pickup    unix  n       -       n       60      1       pickup
cleanup   unix  n       -       n       -       0       cleanup
qmgr      unix  n       -       n       300     1       qmgr
tlsmgr    unix  -       -       n       1000?   1       tlsmgr
rewrite   unix  -       -       n       -       -       trivial-rewrite
bounce    unix  -       -       n       -       0       bounce
defer     unix  -       -       n       -       0       bounce
trace     unix  -       -       n       -       0       bounce
verify    unix  -       -       n       -       1       verify
proxymap  unix  -       -       n       -       -       proxymap
smtp      unix  -       -       n       -       -       smtp
relay     unix  -       -       n       -       -       smtp
lmtp      unix  -       -       n       -       -       lmtp
error     unix  -       -       n       -       -       error
retry     unix  -       -       n       -       -       error
discard   unix  -       -       n       -       -       discard
anvil     unix  -       -       n       -       1       anvil
scache    unix  -       -       n       -       1       scache
postlog   unix-dgram n  -       n       -       1       postlogd
${1:-}
EOF
    {
        cat <<EOF
compatibility_level = 3.6
queue_directory = $PFROOT/queue
data_directory = $PFROOT/data
mail_owner = postfix
setgid_group = postdrop
maillog_file = $PFLOG
maillog_file_prefixes = $PFROOT
inet_interfaces = 127.0.0.1
inet_protocols = ipv4
myhostname = home.test
mydomain = home.example
myorigin = home.example
mydestination =
local_recipient_maps =
alias_maps =
alias_database =
biff = no
smtputf8_enable = no
smtp_dns_support_level = disabled
smtp_tls_loglevel = 1
smtpd_tls_loglevel = 1
EOF
        cat
    } >"$PFCONF/main.cf"
}

pf_start() {
    "$PF" -c "$PFCONF" start >"$T/postfix-start.out" 2>&1 || { cat "$T/postfix-start.out" "$PFLOG" >&2; return 1; }
}

pf_master_pid() {
    local f="$PFROOT/queue/pid/master.pid"
    [ -s "$f" ] && tr -d ' \n' <"$f"
}

pf_alive() {  # pid: runs and is not a zombie
    [ -d "/proc/$1" ] && ! grep -q '^State:.*Z' "/proc/$1/status" 2>/dev/null
}

# Stops the instance (bounded: 10 s for the master to exit, then KILL to
# it and its children), shows its log when the test failed, removes it.
pf_stop() {
    local pid i
    pid=$(pf_master_pid) || true
    timeout 20 "$PF" -c "$PFCONF" stop >/dev/null 2>&1 || true
    if [ -n "$pid" ]; then
        for ((i = 0; i < 200; i++)); do
            pf_alive "$pid" || break
            sleep 0.05
        done
        if pf_alive "$pid"; then
            pkill -KILL -P "$pid" 2>/dev/null
            kill -KILL "$pid" 2>/dev/null
        fi
    fi
    [ -n "${BATS_TEST_COMPLETED:-}" ] || sed 's/^/# postfix: /' "$PFLOG" >&3 2>/dev/null
    rm -rf "$PFROOT"
    PFROOT=
}

# Postfix's own sendmail, for this instance.  Message on stdin.
pf_sendmail() {
    "$PF_CMD/sendmail" -C "$PFCONF" "$@"
}

# Waits (at most $2 seconds) for a line of Postfix's log matching the
# extended regexp $1.
wait_log() {
    local re=$1 limit=${2:-60} i
    for ((i = 0; i < limit * 10; i++)); do
        grep -Eq -- "$re" "$PFLOG" 2>/dev/null && return 0
        sleep 0.1
    done
    echo "no line matching /$re/ in Postfix's log after ${limit}s" >&2
    return 1
}

# Waits (at most 60 s) for Postfix's verdict on recipient $1: true when it
# was sent, false (showing the verdict) when it bounced or was deferred.
wait_sent() {
    wait_log "to=<$1>, .*status=(sent|bounced|deferred)" || return 1
    grep -q "to=<$1>, .*status=sent" "$PFLOG" && return 0
    echo "Postfix did not send to <$1>:" >&2
    grep 'status=' "$PFLOG" >&2
    return 1
}

# --- the VPS and the internet ----------------------------------------------

start_dns() {  # dnsmasq on loopback: the MX of dest.example is 127.0.0.1
    DNS_PORT=$(free_port)
    dnsmasq --no-daemon --port="$DNS_PORT" --listen-address=127.0.0.1 --bind-interfaces --no-resolv --no-hosts \
        --mx-host=dest.example,mx.dest.example,10 --host-record=mx.dest.example,127.0.0.1 \
        --log-facility=- 2>"$T/dnsmasq.log" &
    PIDS+=($!)
    local i
    for ((i = 0; i < 100; i++)); do
        "$PY" -c 'import socket,sys; s=socket.socket(socket.AF_INET,socket.SOCK_DGRAM); s.settimeout(0.2); s.sendto(bytes.fromhex("1234010000010000000000000364657307657861"+"6d706c6500000f0001"),("127.0.0.1",int(sys.argv[1]))); s.recv(512)' "$DNS_PORT" 2>/dev/null && return 0
        sleep 0.05
    done
    echo "dnsmasq does not answer on port $DNS_PORT" >&2
    return 1
}

start_mx() {  # the receiving server for dest.example: an orouboros-smtpd per connection
    MX_PORT=$(free_port)
    systemd-socket-activate --accept -l "127.0.0.1:$MX_PORT" "$BIN/orouboros-smtpd" --hostname mx.dest.example \
        --tls starttls --cert "$T/vps/server.crt" --key "$T/vps/server.key" --delivery-domain dest.example \
        --deliver "exec:$BIN/orouboros-mbox-deliver --lmtp --mboxdir $T/dest" --log "$T/mx.log" 2>/dev/null &
    PIDS+=($!)
    wait_port "$MX_PORT"
}

start_vps_relay() {  # TLS mode (implicit or starttls): the VPS's submission side, relaying to the MX
    VPS_PORT=$(free_port)
    # home's user sends as its domain, which this VPS does not serve
    orouboros-mkcreds --file "$T/vps/creds.json" senders asdf add home.example
    systemd-socket-activate --accept -l "127.0.0.1:$VPS_PORT" "$BIN/orouboros-smtpd" --hostname vps.test \
        --tls "$1" --cert "$T/vps/server.crt" --key "$T/vps/server.key" \
        --auth "exec:$BIN/orouboros-authcheck --credentials $T/vps/creds.json --fail-delay 0" \
        --relay "exec:$BIN/orouboros-forward --lmtp --mx --resolver 127.0.0.1@$DNS_PORT --mx-port $MX_PORT --helo vps.test" \
        --log "$T/vps.log" 2>/dev/null &
    PIDS+=($!)
    wait_port "$VPS_PORT"
}

outbound_message() {
    printf 'From: me@home.example\nTo: friend@dest.example\nSubject: %s\n\nsent by Postfix at home\n' "$1"
}

# --- out: Postfix -> VPS -> MX ---------------------------------------------

@test "postfix out: relayhost = the VPS over implicit TLS (pinned) with SASL -> the MX from DNS, sender kept" {
    start_dns
    start_mx
    start_vps_relay implicit
    pf_new
    pf_configure <<EOF
relayhost = [127.0.0.1]:$VPS_PORT
smtp_tls_wrappermode = yes
smtp_tls_security_level = fingerprint
smtp_tls_fingerprint_digest = sha256
smtp_tls_fingerprint_cert_match = $VPS_FP
smtp_sasl_auth_enable = yes
smtp_sasl_password_maps = static:asdf:asdf
smtp_sasl_security_options = noanonymous
smtp_sasl_tls_security_options = noanonymous
EOF
    pf_start
    outbound_message "out through the VPS" | pf_sendmail -f me@home.example friend@dest.example
    wait_sent friend@dest.example
    inbox="$T/dest/friend/INBOX"
    # Postfix's envelope sender, all the way
    grep -q '^From me@home.example ' "$inbox"
    grep -q '^Subject: out through the VPS' "$inbox"
    # the path, newest first: the MX (STARTTLS from the VPS), the VPS
    # (authenticated over TLS; the home server's address kept private),
    # Postfix at home
    run grep -E '^Received: |^[[:space:]]+by ' "$inbox"
    [[ "$output" == *"by mx.dest.example (Orouboros) with ESMTPS"*"Received: by vps.test (Orouboros) with ESMTPSA"*"Received: by home.test (Postfix"* ]]
    [ "$(grep -A3 '^Received: by vps.test' "$inbox" | grep -c '127\.0\.0\.1')" -eq 0 ]
    # Postfix's log: the pinned TLS to the relayhost, and the VPS's own 250
    # after DATA, whose id is the one in the VPS's Received header
    grep -q "Verified TLS connection established to 127.0.0.1\[127.0.0.1\]:$VPS_PORT" "$PFLOG"
    id=$(sed -nE "s/.*to=<friend@dest.example>, relay=127.0.0.1\[127.0.0.1\]:$VPS_PORT, .*status=sent \(250 2.0.0 message accepted, id=([0-9a-f.]+)\)$/\1/p" "$PFLOG")
    [ -n "$id" ]
    grep -A3 '^Received: by vps.test' "$inbox" | grep -q "id $id"
    grep -q "sid=${id%.*} event=auth client=127.0.0.1 user=asdf result=ok" "$T/vps.log"
}

@test "postfix out: relayhost = the VPS over STARTTLS with SASL -> delivered at the MX" {
    start_dns
    start_mx
    start_vps_relay starttls
    pf_new
    pf_configure <<EOF
relayhost = [127.0.0.1]:$VPS_PORT
smtp_tls_security_level = encrypt
smtp_sasl_auth_enable = yes
smtp_sasl_password_maps = static:asdf:asdf
smtp_sasl_security_options = noanonymous
smtp_sasl_tls_security_options = noanonymous
EOF
    pf_start
    outbound_message "starttls to the VPS" | pf_sendmail -f me@home.example friend@dest.example
    wait_sent friend@dest.example
    grep -q '^From me@home.example ' "$T/dest/friend/INBOX"
    grep -q '^Received: by vps.test (Orouboros) with ESMTPSA' "$T/dest/friend/INBOX"
    grep -q "TLS connection established to 127.0.0.1\[127.0.0.1\]:$VPS_PORT" "$PFLOG"
    grep -Eq "to=<friend@dest.example>, relay=127.0.0.1\[127.0.0.1\]:$VPS_PORT, .*status=sent \(250 " "$PFLOG"
}

@test "postfix out: without SASL credentials the VPS denies the relay (554 5.7.1), nothing reaches the MX" {
    start_dns
    start_mx
    start_vps_relay implicit
    pf_new
    pf_configure <<EOF
relayhost = [127.0.0.1]:$VPS_PORT
smtp_tls_wrappermode = yes
smtp_tls_security_level = encrypt
EOF
    pf_start
    outbound_message "no credentials" | pf_sendmail -f me@home.example friend@dest.example
    wait_log 'to=<friend@dest.example>, .*status=(bounced|deferred|sent)'
    grep -Eq "to=<friend@dest.example>, relay=127.0.0.1\[127.0.0.1\]:$VPS_PORT, .*status=bounced \(host 127.0.0.1\[127.0.0.1\] said: 554 5.7.1 .*in reply to RCPT TO command" "$PFLOG"
    [ -z "$(ls -A "$T/dest")" ]
}

# --- in: sender -> VPS -> Postfix -> orouboros-mbox-deliver ------------------

# Postfix at home: smtpd on a loopback port with STARTTLS (the fixture's
# self-signed certificate, pinned by the VPS), home.example a virtual
# domain with alice as its one user, delivered over LMTP on a unix socket
# to orouboros-mbox-deliver started per connection by systemd-socket-activate.
# Two senders are refused at the end of DATA (5xx and 4xx).
start_home_postfix() {
    PF_PORT=$(free_port)
    pf_new
    pf_configure "127.0.0.1:$PF_PORT inet n - n - - smtpd" <<EOF
virtual_mailbox_domains = home.example
virtual_mailbox_maps = texthash:$PFROOT/conf/vmailbox
virtual_transport = lmtp:unix:$PFROOT/lmtp.sock
smtpd_banner = \$myhostname ESMTP
smtpd_tls_security_level = may
smtpd_tls_cert_file = $T/home/server.crt
smtpd_tls_key_file = $T/home/server.key
smtpd_tls_received_header = yes
smtpd_peername_lookup = no
smtpd_end_of_data_restrictions = check_sender_access texthash:$PFROOT/conf/senders
EOF
    printf 'alice@home.example OK\n' >"$PFCONF/vmailbox"
    printf '%s\n' 'refused@internet.example 554 5.7.1 not wanted at home' \
        'later@internet.example 451 4.7.1 home is busy' >"$PFCONF/senders"
    systemd-socket-activate --accept -l "$PFROOT/lmtp.sock" "$BIN/orouboros-mbox-deliver" --lmtp \
        --mboxdir "$T/home/mail" --hostname home.test --log "$T/deliver.log" 2>"$T/deliver-activate.log" &
    PIDS+=($!)
    local i
    for ((i = 0; i < 200; i++)); do
        [ -S "$PFROOT/lmtp.sock" ] && break
        sleep 0.05
    done
    [ -S "$PFROOT/lmtp.sock" ] || { echo "no LMTP socket at $PFROOT/lmtp.sock" >&2; return 1; }
    chown postfix "$PFROOT/lmtp.sock"   # Postfix's lmtp client runs as mail_owner
    pf_start
    wait_port "$PF_PORT"
}

start_vps_forward() {
    VPS_PORT=$(free_port)
    ORO_WAIT_PORTS=$VPS_PORT start_orouboros "$T/vps" --cert "$T/vps/server.crt" --key "$T/vps/server.key" \
        --port "$VPS_PORT" --ssl-port "$(free_port)" --forward-domain home.example \
        --forward --forward-host 127.0.0.1 --forward-port "$PF_PORT" --forward-tls starttls \
        --forward-fingerprint "$HOME_FP" --user-credentials "$T/vps/creds.json" --hostname vps.test
}

# True when Postfix holds a message: a file in its queue, or the mbox.  The
# queue is looked at first, in the order a message moves through it: Postfix
# removes the queue file only after the mbox has it.
pf_holds_message() {
    [ -n "$(find "$PFROOT/queue/incoming" "$PFROOT/queue/active" "$PFROOT/queue/deferred" \
        -type f 2>/dev/null)" ] || [ -s "$T/home/mail/alice/INBOX" ]
}

@test "postfix in: a sender -> VPS -> Postfix (STARTTLS, pinned) -> lmtp: orouboros-mbox-deliver; 250 only after Postfix's" {
    start_home_postfix
    start_vps_forward
    run swaks --server "127.0.0.1:$VPS_PORT" --tls --from stranger@internet.example --to alice@home.example \
        --h-Subject "forwarded to Postfix" --timeout 60
    echo "$output"
    [ "$status" -eq 0 ]
    # the moment the sender has the VPS's 250, Postfix already has the message
    pf_holds_message
    id=$(sed -nE 's/^<~  250 2.0.0 message accepted, id=([0-9a-f.]+)$/\1/p' <<<"$output")
    [ -n "$id" ]
    wait_sent alice@home.example
    grep -q "to=<alice@home.example>, relay=home.test\\[$PFROOT/lmtp.sock\\], .*status=sent (250 2.0.0 " "$PFLOG"
    grep -q 'from=<stranger@internet.example>' "$PFLOG"
    inbox="$T/home/mail/alice/INBOX"
    grep -q '^From stranger@internet.example ' "$inbox"
    grep -q '^Subject: forwarded to Postfix' "$inbox"
    # newest first: Postfix (from the VPS, over TLS), then the VPS (naming
    # the real sender, with the id of its 250 reply)
    run grep -E '^Received: |^[[:space:]]+(by|id) ' "$inbox"
    echo "$output"
    [[ "$output" == *"Received: from "*" (unknown [127.0.0.1])"*"by home.test (Postfix) with ESMTPS"*"Received: from "*"([127.0.0.1])"*"by vps.test (Orouboros) with ESMTPS"*"id $id"* ]]
    grep -q 'Anonymous TLS connection established from unknown\[127.0.0.1\]' "$PFLOG"
}

@test "postfix in: Postfix refusing at the end of DATA -> the sender hears its code (a fixed text) from the VPS, nothing stored" {
    start_home_postfix
    start_vps_forward
    run swaks --server "127.0.0.1:$VPS_PORT" --tls --from refused@internet.example --to alice@home.example \
        --timeout 60
    echo "$output"
    [ "$status" -ne 0 ]
    # the sender is a stranger: home's own words stay in the VPS's log
    [[ "$output" == *"<~* 554 5.7.1 rejected by policy"* && "$output" != *"not wanted at home"* ]]
    grep -q 'event=next-hop reply="554 5.7.1 <refused@internet.example>: Sender address rejected: not wanted at home"' \
        "$T/vps/orouboros.log"
    run swaks --server "127.0.0.1:$VPS_PORT" --tls --from later@internet.example --to alice@home.example \
        --timeout 60
    echo "$output"
    [ "$status" -ne 0 ]
    [[ "$output" == *"<~* 451 4.7.1 rejected by policy"* && "$output" != *"home is busy"* ]]
    grep -q 'reject: END-OF-MESSAGE from .*: 554 5.7.1 <refused@internet.example>' "$PFLOG"
    grep -q 'reject: END-OF-MESSAGE from .*: 451 4.7.1 <later@internet.example>' "$PFLOG"
    run pf_holds_message
    [ "$status" -ne 0 ]
    [ -z "$(ls -A "$T/home/mail")" ]
}

@test "postfix in: a recipient Postfix does not know is refused at RCPT on the VPS with 550 5.1.1; only the owner hears Postfix's text" {
    start_home_postfix
    start_vps_forward
    run swaks --server "127.0.0.1:$VPS_PORT" --tls --from stranger@internet.example --to nobody@home.example \
        --timeout 60
    echo "$output"
    [ "$status" -ne 0 ]
    [[ "$output" == *"<~* 550 5.1.1 recipient rejected"* && "$output" != *"User unknown"* ]]
    run swaks --server "127.0.0.1:$VPS_PORT" --tls --auth PLAIN --auth-user asdf --auth-password asdf \
        --from me@home.example --to nobody@home.example --timeout 60
    echo "$output"
    [[ "$output" == *"<~* 550 5.1.1 <nobody@home.example>: Recipient address rejected: User unknown in virtual mailbox table"* ]]
    grep -q 'NOQUEUE: reject: RCPT from unknown\[127.0.0.1\]: 550 5.1.1 <nobody@home.example>' "$PFLOG"
    [ -z "$(ls -A "$T/home/mail")" ]
}
