#!/usr/bin/env bats
# orouboros-verify from the shell: its options, and one LMTP session on
# standard input with orouboros-mbox-deliver as the next stage and nsd on
# loopback as the DNS server (tests/integration/verify_dns.bash).

load ../integration/lib
load ../integration/verify_dns

setup() {
    T="$BATS_TEST_TMPDIR"
    mkdir -p "$T/mail"
    NEXT="exec:$(command -v orouboros-mbox-deliver) --config /dev/null --lmtp --mboxdir $T/mail"
}

teardown() { stop_dns; }

# An LMTP session from client ADDR ($1) with the message $2 (LF line ends).
session() {
    printf 'LHLO smtpd.test\r\nXFORWARD ADDR=%s HELO=mail.sender.example\r\n' "$1"
    printf 'MAIL FROM:<alice@sender.example>\r\nRCPT TO:<bob@home.example>\r\nDATA\r\n'
    printf '%s\n' "$2" | sed 's/$/\r/'
    printf '.\r\nQUIT\r\n'
}

verify() {
    orouboros-verify --config /dev/null --authserv-id vps.test --dns-server "127.0.0.1@$DNS_PORT" --next "$NEXT" "$@"
}

@test "verify: --version prints the program and its version and exits 0" {
    run orouboros-verify --version
    [ "$status" -eq 0 ]
    [[ "$output" == "orouboros-verify "* ]]
}

@test "verify: without --next, or with a lookup timeout out of range, it is a usage error (64)" {
    run orouboros-verify --config /dev/null
    [ "$status" -eq 64 ]
    [[ "$output" == *"--next"* ]]
    run orouboros-verify --config /dev/null --next unix:/nonexistent --lookup-timeout 0
    [ "$status" -eq 64 ]
    run orouboros-verify --config /dev/null --next unix:/nonexistent --lookup-timeout 121
    [ "$status" -eq 64 ]
}

@test "verify: an unknown key in [verify] is a configuration error (78)" {
    printf '[verify]\nno-such-key = 1\n' >"$T/conf"
    run orouboros-verify --config "$T/conf" --next unix:/nonexistent
    [ "$status" -eq 78 ]
}

@test "verify: a DMARC failure under p=reject is 550 5.7.1 with --dmarc-reject, and nothing is stored" {
    DNS_PORT=$(free_port)
    start_dns
    run verify --dmarc-reject < <(session 127.0.0.3 $'From: alice@sender.example\nSubject: spoofed\n\nbody')
    [[ "$output" == *"550 5.7.1 rejected by the sender domain's DMARC policy"* ]]
    [ ! -e "$T/mail/bob/INBOX" ]
}

@test "verify: the field goes on top, its authserv-id from [verify]; a forged one is left out" {
    DNS_PORT=$(free_port)
    start_dns
    printf '[verify]\nauthserv-id = vps.conf.test\n' >"$T/conf"
    run orouboros-verify --config "$T/conf" --dns-server "127.0.0.1@$DNS_PORT" --next "$NEXT" \
        < <(session 127.0.0.2 $'Authentication-Results: VPS.CONF.TEST; dmarc=pass\nFrom: alice@sender.example\nSubject: ok\n\nbody')
    [[ "$output" == *"250 2.0.0 <bob@home.example> delivered"* ]]
    grep -A4 '^Delivered-To: ' "$T/mail/bob/INBOX" | grep -q '^Authentication-Results: vps.conf.test;$'
    grep -q '^	spf=pass smtp.mailfrom=alice@sender.example;$' "$T/mail/bob/INBOX"
    grep -q '^	dmarc=pass (p=reject dis=none spf-aligned=yes dkim-aligned=no) header.from=sender.example$' \
        "$T/mail/bob/INBOX"
    [ "$(grep -ci '^Authentication-Results:' "$T/mail/bob/INBOX")" -eq 1 ]
}
