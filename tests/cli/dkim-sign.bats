#!/usr/bin/env bats
# orouboros-dkim-sign from the shell: its options and exit codes, one LMTP
# session on stdin/stdout with orouboros-mbox-deliver as the next stage.
# One @test per promise of orouboros-dkim-sign(8); the signatures are
# verified in tests/integration/dkim.bats.

setup() {
    BIN=${OROUBOROS_BIN:-$(dirname "$(command -v orouboros-dkim-sign)")}
    T="$BATS_TEST_TMPDIR"
    mkdir -p "$T/keys" "$T/out"
    (cd "$T/keys" && opendkim-genkey -b 2048 -d example.com -s sel)
    openssl genpkey -algorithm ed25519 -out "$T/keys/ed.private" 2>/dev/null
    NEXT="exec:$BIN/orouboros-mbox-deliver --config /dev/null --lmtp --wmaildir $T/out --hostname sink.test"
    SIGN=("$BIN/orouboros-dkim-sign" --config /dev/null --hostname sign.test --next "$NEXT")
}

# One authenticated message through the signer on stdin/stdout.
session() {
    printf '%s\r\n' 'LHLO smtpd.test' 'MAIL FROM:<a@example.com> AUTH=asdf' 'RCPT TO:<b@far.example>' DATA \
        'From: <a@example.com>' 'Subject: s' '' 'hi' . QUIT | "${SIGN[@]}" "$@"
}

@test "dkim-sign: --version prints the version and exits 0" {
    run "$BIN/orouboros-dkim-sign" --version
    [ "$status" -eq 0 ]
    [[ "$output" == "orouboros-dkim-sign "[0-9]* ]]
}

@test "dkim-sign: no --key, or no --next, is a usage error (64)" {
    run "${SIGN[@]}" </dev/null
    [ "$status" -eq 64 ]
    [[ "$output" == *"no --key"* ]]
    run "$BIN/orouboros-dkim-sign" --config /dev/null --key "example.com:sel:$T/keys/sel.private" </dev/null
    [ "$status" -eq 64 ]
    [[ "$output" == *"no --next"* ]]
}

@test "dkim-sign: a missing key file is 78 and names the file" {
    run "${SIGN[@]}" --key "example.com:sel:$T/keys/nope.private" </dev/null
    [ "$status" -eq 78 ]
    [[ "$output" == *"fatal: unable to read the DKIM key $T/keys/nope.private: No such file"* ]]
}

@test "dkim-sign: a key file that is no private key, or a malformed --key, is 78" {
    run "${SIGN[@]}" --key "example.com:sel:$T/keys/sel.txt" </dev/null
    [ "$status" -eq 78 ]
    [[ "$output" == *"$T/keys/sel.txt is not a PEM private key"* ]]
    run "${SIGN[@]}" --key "example.com:$T/keys/sel.private" </dev/null
    [ "$status" -eq 78 ]
    [[ "$output" == *"is not DOMAIN:SELECTOR:KEYFILE"* ]]
}

@test "dkim-sign: an unreadable key is 78 (run as a user who may not read it)" {
    [ "$(id -u)" -eq 0 ] || skip "needs root to run as nobody"
    chmod 600 "$T/keys/sel.private"
    chmod 755 "$T" "$T/keys"
    run setpriv --reuid nobody --regid nogroup --clear-groups "${SIGN[@]}" --key "example.com:sel:$T/keys/sel.private" </dev/null
    [ "$status" -eq 78 ]
    [[ "$output" == *"unable to read the DKIM key $T/keys/sel.private: Permission denied"* ]]
}

@test "dkim-sign: a relative key file is a credential under \$CREDENTIALS_DIRECTORY; both keys sign" {
    CREDENTIALS_DIRECTORY="$T/keys" run session --key example.com:sel:sel.private --key example.com:ed:ed.private
    [ "$status" -eq 0 ]
    [[ "$output" == *"250 2.0.0 <b@far.example> delivered"* ]]
    msg=$(echo "$T"/out/new/*)
    [ "$(grep -c '^DKIM-Signature: v=1; a=' "$msg")" -eq 2 ]
    grep -q '^DKIM-Signature: v=1; a=ed25519-sha256; c=relaxed/relaxed; d=example.com;' "$msg"
    grep -q 'a=rsa-sha256; c=relaxed/relaxed; d=example.com; s=sel;' "$msg"
}

@test "dkim-sign: two keys of one kind for one domain are 78" {
    run "${SIGN[@]}" --key "example.com:a:$T/keys/sel.private" --key "example.com:b:$T/keys/sel.private" </dev/null
    [ "$status" -eq 78 ]
    [[ "$output" == *"two rsa-sha256 keys for example.com"* ]]
}

@test "dkim-sign: the keys and the next stage may come from the section [dkim-sign] of the configuration file" {
    printf '%s\n' '[dkim-sign]' "key = example.com:sel:$T/keys/sel.private" "key = example.com:ed:$T/keys/ed.private" \
        "next = $NEXT" 'hostname = conf.test' >"$T/orouboros.conf"
    SIGN=("$BIN/orouboros-dkim-sign" --config "$T/orouboros.conf")
    run session
    [ "$status" -eq 0 ]
    [[ "$output" == "220 conf.test LMTP"* && "$output" == *"250 2.0.0 <b@far.example> delivered"* ]]
    [ "$(grep -c '^DKIM-Signature: v=1; a=' "$T"/out/new/*)" -eq 2 ]
}
