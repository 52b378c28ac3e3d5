#!/usr/bin/env bats
# README.md's original command line, as printed (its port and mail
# directory the test's): as root (with the tests' --single-user) and as a
# plain user, the walkthrough's dialogue puts the mail in the mbox.

load lib

setup() {
    # not under $BATS_TEST_TMPDIR, which only root may enter
    W=$(mktemp -d /tmp/orouboros-readme.XXXXXX)
    chmod 755 "$W"
    PORT=$(free_port)
}

teardown() {
    stop_orouboros "$W"
    rm -rf "$W"
}

# The lines of README.md's code block after the line holding $1, each
# command on one line (continuations joined).
readme_block() {
    awk -v marker="$1" 'index($0, marker) { f = 1; next }
        f && /^    / { sub(/^    /, ""); print; seen = 1; next }
        f && seen && !/^$/ { exit }' "$BATS_TEST_DIRNAME/../../README.md" |
        sed -e ':a' -e '/\\$/N; s/\\\n */ /; ta'
}

# Makes the certificate and credentials as README does, starts its
# orouboros line through $1 (a launcher, or nothing), types the dialogue.
readme_original() {
    local launch=$1 block line
    cd "$W"
    block=$(readme_block "The original program's command line still works:")
    bash -c "$(grep -E '^(openssl req|echo)' <<<"$block")"
    [ -s server.crt ] && [ -s creds.json ]
    [ -z "$launch" ] || chown -R nobody:nogroup "$W"
    line=$(grep '^orouboros ' <<<"$block")
    [[ "$line" == *"--port 2255"* && "$line" == *"--mboxdir /tmp/mail"* ]]
    line=${line//2255/$PORT} line=${line//\/tmp\/mail/$W/mail}
    eval "set -- ${line#orouboros }"
    ORO_LAUNCH=$launch ORO_WAIT_PORTS=$PORT start_orouboros "$W" "$@"
    grep -q "^openssl s_client -connect localhost:2255 -crlf$" <<<"$block"
    run timeout 30 openssl s_client -connect "localhost:$PORT" -crlf -quiet -ign_eof < <(walkthrough_dialogue readme)
    echo "$output"
    [[ "$output" == *"235 2.7.0"* && "$output" == *"250 2.0.0 message accepted"* ]]
    grep -q '^Subject: readme$' "$W/mail/another_test/INBOX"
}

@test "README: the original command line runs as printed, as root" {
    [ "$(id -u)" -eq 0 ] || skip "as root"
    readme_original ""
    [ "$(stat -c %U "$W/mail/another_test/INBOX")" = root ]
}

@test "README: the original command line runs as printed, as a plain user" {
    [ "$(id -u)" -eq 0 ] || skip "changes to the user nobody"
    readme_original "setpriv --reuid=nobody --regid=nogroup --clear-groups"
    [ "$(stat -c %U "$W/mail/another_test/INBOX")" = nobody ]
}
