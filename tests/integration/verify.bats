#!/usr/bin/env bats
# orouboros-verify behind the listener (--verify): mail from the internet,
# sent by Python's smtplib from 127.0.0.2 (allowed by the sender domain's
# SPF record) or 127.0.0.3 (not), DKIM-signed by python3-dkim or not,
# reaches the mbox (local route) or the home server (forward route) with
# an Authentication-Results field that python3-authres reads.  The
# records are served by nsd on loopback, started and stopped here.

load lib
load verify_dns

setup() {
    T="$BATS_TEST_TMPDIR"
    VPS_PORT=$(free_port)
    DNS_PORT=$(free_port)
    mkdir -p "$T/vps" "$T/home"
    start_dns
}

teardown() {
    stop_orouboros "$T/vps"
    stop_orouboros "$T/home"
    stop_dns
}

start_vps() {  # the local route: bob@home.example into $T/vps/mail
    ORO_WAIT_PORTS=$VPS_PORT start_orouboros "$T/vps" --config /dev/null --port "$VPS_PORT" \
        --delivery-domain home.example --local --mboxdir "$T/vps/mail" --hostname vps.test \
        --verify --verify-dns-server "127.0.0.1@$DNS_PORT" "$@"
}

send() {  # SOURCE_ADDR SUBJECT KEY|- [AR_FIELD...]: from alice@sender.example, HELO mail.sender.example
    local source=$1 subject=$2
    shift 2
    "$PY" "$BATS_TEST_DIRNAME/verify_mail.py" send "$VPS_PORT" "$source" mail.sender.example \
        alice@sender.example bob@home.example "$subject" "$@"
}

results() {  # MBOX SUBJECT: the Authentication-Results fields there, as authres reads them
    "$PY" "$BATS_TEST_DIRNAME/verify_mail.py" results "$1" "$2"
}

@test "verify: a signed message from an SPF-authorised address gets spf, dkim and dmarc pass, on top" {
    start_vps
    run send 127.0.0.2 "signed good" "$T/dkim.key"
    [ "$output" = 250 ]
    run results "$T/vps/mail/bob/INBOX" "signed good"
    [ "$status" -eq 0 ]
    [ "${lines[0]}" = "vps.test spf=pass(alice@sender.example) spf=pass(mail.sender.example) dkim=pass(sender.example) dmarc=pass(sender.example)" ]
    [ "${#lines[@]}" -eq 1 ]
    # above the Received field the VPS added
    awk '/^Authentication-Results: vps.test;/ {a = NR} /^Received: / && !r {r = NR} END {exit !(a && r && a < r)}' \
        "$T/vps/mail/bob/INBOX"
    grep -q 'event=verdicts .*client=127.0.0.2 .*dmarc=pass .*result=passed' "$T/vps/orouboros.log"
}

@test "verify: an unsigned message from an address SPF does not allow fails spf and dmarc, and is still delivered" {
    start_vps
    run send 127.0.0.3 "unsigned bad" -
    [ "$output" = 250 ]
    run results "$T/vps/mail/bob/INBOX" "unsigned bad"
    [ "${lines[0]}" = "vps.test spf=fail(alice@sender.example) spf=fail(mail.sender.example) dkim=none dmarc=fail(sender.example)" ]
}

@test "verify: a signed message from an address SPF does not allow passes dkim and so dmarc" {
    start_vps
    run send 127.0.0.3 "signed bad address" "$T/dkim.key"
    [ "$output" = 250 ]
    run results "$T/vps/mail/bob/INBOX" "signed bad address"
    [ "${lines[0]}" = "vps.test spf=fail(alice@sender.example) spf=fail(mail.sender.example) dkim=pass(sender.example) dmarc=pass(sender.example)" ]
}

@test "verify: a forged Authentication-Results field with our authserv-id is gone, one with another stays" {
    start_vps
    run send 127.0.0.3 "forged" - "Authentication-Results: VPS.test; spf=pass smtp.mailfrom=alice@sender.example; dmarc=pass" \
        "Authentication-Results: (looks like ours)"$'\r\n'" vps.test; dkim=pass header.d=sender.example" \
        "Authentication-Results: elsewhere.example; spf=pass smtp.mailfrom=alice@sender.example"
    [ "$output" = 250 ]
    run results "$T/vps/mail/bob/INBOX" "forged"
    [ "${#lines[@]}" -eq 2 ]
    [ "${lines[0]}" = "vps.test spf=fail(alice@sender.example) spf=fail(mail.sender.example) dkim=none dmarc=fail(sender.example)" ]
    [ "${lines[1]}" = "elsewhere.example spf=pass(alice@sender.example)" ]
    ! grep -q 'looks like ours' "$T/vps/mail/bob/INBOX"
}

@test "verify: with --verify-dmarc-reject a p=reject failure gets 5.7.1 and nothing is stored" {
    start_vps --verify-dmarc-reject
    run send 127.0.0.3 "rejected" -
    # the stage's 550 5.7.1 (tests/cli/verify.bats) is what the client hears after DATA
    [[ "$output" == "550 5.7.1 "* ]]
    [ ! -e "$T/vps/mail/bob/INBOX" ] || ! grep -q '^Subject: rejected' "$T/vps/mail/bob/INBOX"
    run send 127.0.0.2 "allowed" -
    [ "$output" = 250 ]
    grep -q '^Subject: allowed' "$T/vps/mail/bob/INBOX"
    grep -q 'event=verdicts .*client=127.0.0.3 .*dmarc=fail .*result=refused' "$T/vps/orouboros.log"
}

@test "verify: with the DNS server stopped every check is temperror and the mail still goes through, even with --verify-dmarc-reject" {
    start_vps --verify-dmarc-reject
    stop_dns
    SECONDS=0
    run send 127.0.0.3 "no dns" "$T/dkim.key"
    [ "$output" = 250 ]
    [ "$SECONDS" -lt 30 ]
    run results "$T/vps/mail/bob/INBOX" "no dns"
    [ "${lines[0]}" = "vps.test spf=temperror(alice@sender.example) spf=temperror(mail.sender.example) dkim=temperror(sender.example) dmarc=temperror(sender.example)" ]
}

@test "verify: the forward route reaches the home server with the verdicts" {
    local home_port
    home_port=$(free_port)
    ORO_WAIT_PORTS=$home_port start_orouboros "$T/home" --config /dev/null --port "$home_port" \
        --delivery-domain home.example --local --mboxdir "$T/home/mail" --hostname home.test
    ORO_WAIT_PORTS=$VPS_PORT start_orouboros "$T/vps" --config /dev/null --port "$VPS_PORT" \
        --forward-domain home.example --forward --forward-host 127.0.0.1 --forward-port "$home_port" \
        --forward-tls none --hostname vps.test --verify --verify-dns-server "127.0.0.1@$DNS_PORT"
    run send 127.0.0.2 "forwarded" "$T/dkim.key"
    [ "$output" = 250 ]
    run results "$T/home/mail/bob/INBOX" "forwarded"
    [ "${lines[0]}" = "vps.test spf=pass(alice@sender.example) spf=pass(mail.sender.example) dkim=pass(sender.example) dmarc=pass(sender.example)" ]
}
