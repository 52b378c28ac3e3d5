#!/usr/bin/env bats
# orouboros-mkcreds from the shell: one @test per promise of
# orouboros-mkcreds(8), checked with the real orouboros-authcheck.

ORIGINAL='{"asdf": {"salt": "dExNPiUB4fBd39dXxiGLvA==", "hash": "Ow5nPPcyWgy11lUmF/rK45aReQVTMXsiJ237PZKmbBk="}}'

setup() {
    T="$BATS_TEST_TMPDIR"
    F="$T/creds.json"
}

# add/passwd USER PASSWORD with --password-stdin, on $F.
mk() { printf '%s\n' "$3" | orouboros-mkcreds --file "$F" --password-stdin "$1" "$2"; }
# Exit status of authcheck for USER PASSWORD on $F (checkpassword mode).
verify() {
    printf '%s\0%s\0\0' "$1" "$2" |
        orouboros-authcheck --credentials "$F" --fail-delay 0 --log NONE --checkpassword 3<&0
}
mode_of() { stat -c %a "$1"; }
files_in() { find "$1" -mindepth 1 -maxdepth 1 | wc -l; }

@test "mkcreds: add with --password-stdin creates a user authcheck accepts" {
    mk add bob 'b0b pass'
    verify bob 'b0b pass'
    run verify bob 'b0b'
    [ "$status" -eq 1 ]
}

@test "mkcreds: a user added is accepted by authcheck in saslauthd mode too" {
    mk add bob pw
    printf '\0\3bob\0\2pw\0\4smtp\0\0' | orouboros-authcheck --credentials "$F" --log NONE >"$T/out"
    [ "$(od -An -tx1 <"$T/out" | tr -d ' \n')" = 00024f4b ]
}

@test "mkcreds: add creates the file with mode 0600" {
    umask 022
    mk add bob pw
    [ "$(mode_of "$F")" = 600 ]
}

@test "mkcreds: add keeps the original users and work_factor, and stays 0600" {
    printf '{"work_factor": 1000, "asdf": {"salt": "dExNPiUB4fBd39dXxiGLvA==", "hash": "Ow5nPPcyWgy11lUmF/rK45aReQVTMXsiJ237PZKmbBk="}}\n' >"$F"
    chmod 644 "$F"
    mk add bob pw
    grep -q '"work_factor": 1000' "$F"
    grep -q '"hash": "Ow5nPPcyWgy11lUmF/rK45aReQVTMXsiJ237PZKmbBk="' "$F"
    verify bob pw
    [ "$(mode_of "$F")" = 600 ]
}

@test "mkcreds: the original file still verifies asdf/asdf after adding a user" {
    printf '%s\n' "$ORIGINAL" >"$F"
    mk add bob pw
    verify asdf asdf
    verify bob pw
}

@test "mkcreds: add refuses an existing user with 65 and leaves the file as it was" {
    printf '%s\n' "$ORIGINAL" >"$F"
    cp "$F" "$T/before"
    run mk add asdf other
    [ "$status" -eq 65 ]
    [[ "$output" == *"user asdf already exists"* ]]
    cmp "$F" "$T/before"
}

@test "mkcreds: passwd gives a user a new password and the old one stops working" {
    mk add bob old
    mk passwd bob new
    verify bob new
    run verify bob old
    [ "$status" -eq 1 ]
}

@test "mkcreds: passwd of a missing user is refused with 67" {
    mk add bob pw
    run mk passwd carol pw
    [ "$status" -eq 67 ]
    [[ "$output" == *"no user carol"* ]]
}

@test "mkcreds: del removes the user and keeps the others" {
    mk add bob pw
    mk add carol pw2
    orouboros-mkcreds --file "$F" del bob
    run verify bob pw
    [ "$status" -eq 1 ]
    verify carol pw2
}

@test "mkcreds: del of a missing user is refused with 67" {
    mk add bob pw
    run orouboros-mkcreds --file "$F" del carol
    [ "$status" -eq 67 ]
}

@test "mkcreds: list prints the users one a line" {
    mk add carol pw
    mk add bob pw
    run orouboros-mkcreds --file "$F" list
    [ "$status" -eq 0 ]
    [ "$output" = $'bob\ncarol' ]
}

@test "mkcreds: list, passwd and del of a missing file exit 66 and create nothing" {
    run orouboros-mkcreds --file "$F" list
    [ "$status" -eq 66 ]
    run orouboros-mkcreds --file "$F" del bob
    [ "$status" -eq 66 ]
    run orouboros-mkcreds --file "$F" --password-stdin passwd bob </dev/null
    [ "$status" -eq 66 ]
    [ ! -e "$F" ]
}

@test "mkcreds: bad JSON gives a clear message, 78, and the file untouched" {
    printf '{"asdf": {"salt": ' >"$F"
    cp "$F" "$T/before"
    run mk add bob pw
    [ "$status" -eq 78 ]
    [[ "$output" == *"orouboros-mkcreds: fatal: credentials file $F: not valid JSON"* ]]
    cmp "$F" "$T/before"
}

@test "mkcreds: a bad entry is named in the message, 78" {
    printf '{"bob": {"salt": "AAAA"}}' >"$F"
    run orouboros-mkcreds --file "$F" list
    [ "$status" -eq 78 ]
    [[ "$output" == *'user "bob" has no string "hash"'* ]]
}

@test "mkcreds: an invalid user name is refused with 65" {
    run mk add $'bad\tname' pw
    [ "$status" -eq 65 ]
    run mk add work_factor pw
    [ "$status" -eq 65 ]
    run mk add "$(head -c 256 /dev/zero | tr '\0' u)" pw
    [ "$status" -eq 65 ]
    [ ! -e "$F" ]
}

@test "mkcreds: an empty password is refused with 65" {
    run mk add bob ''
    [ "$status" -eq 65 ]
    [ ! -e "$F" ]
}

@test "mkcreds: without a terminal and without --password-stdin it exits 66" {
    run setsid -w orouboros-mkcreds --file "$F" add bob </dev/null
    [ "$status" -eq 66 ]
    [[ "$output" == *"--password-stdin"* ]]
    [ ! -e "$F" ]
}

@test "mkcreds: a failed write leaves the old file intact and no temporary file" {
    printf '%s\n' "$ORIGINAL" >"$F"
    cp "$F" "$T/before"
    run bash -c 'trap "" XFSZ; ulimit -f 0; printf "pw\n" | exec orouboros-mkcreds --file "$0" --password-stdin add bob' "$F"
    [ "$status" -eq 73 ]
    [[ "$output" == *"is unchanged"* ]]
    cmp "$F" "$T/before"
    [ "$(files_in "$T")" -eq 2 ]
}

@test "mkcreds: an unwritable directory is an error and the old file is unchanged" {
    [ "$(id -u)" -ne 0 ] || skip "root writes to any directory"
    mkdir "$T/ro"
    F="$T/ro/creds.json"
    printf '%s\n' "$ORIGINAL" >"$F"
    chmod 500 "$T/ro"
    run mk add bob pw
    chmod 700 "$T/ro"
    [ "$status" -eq 73 ]
    grep -q '^{"asdf"' "$F"
    [ "$(files_in "$T/ro")" -eq 1 ]
}

@test "mkcreds: --credentials and --user-credentials are the same as --file" {
    printf 'pw\n' | orouboros-mkcreds --credentials "$F" --password-stdin add bob
    printf 'pw\n' | orouboros-mkcreds --user-credentials "$F" --password-stdin add carol
    run orouboros-mkcreds -f "$F" list
    [ "$output" = $'bob\ncarol' ]
}

@test "mkcreds: creds.json in the working directory is the default" {
    cd "$T"
    printf 'pw\n' | orouboros-mkcreds --password-stdin add bob
    [ -e "$T/creds.json" ]
}

@test "mkcreds: an unknown or incomplete command is a usage error, 64" {
    run orouboros-mkcreds --file "$F" rename bob
    [ "$status" -eq 64 ]
    run orouboros-mkcreds --file "$F" add
    [ "$status" -eq 64 ]
    run orouboros-mkcreds --file "$F"
    [ "$status" -eq 64 ]
    run orouboros-mkcreds --no-such-option
    [ "$status" -eq 64 ]
}

@test "mkcreds: --help prints the usage and exits 0" {
    run orouboros-mkcreds --help
    [ "$status" -eq 0 ]
    [[ "$output" == *"add|passwd|del|list"* ]]
    [[ "$output" == *"senders USER"* ]]
}

# A configuration file naming another credentials file, as an installed
# machine's does: the command line must win over it.
with_config() {
    printf '%s\n' "$ORIGINAL" >"$T/real.json"
    cp "$T/real.json" "$T/real.before"
    printf 'user-credentials = %s\n[mkcreds]\nfile = %s\n' "$T/real.json" "$T/real.json" >"$T/x.conf"
    cd "$T"
}

@test "mkcreds: --credentials on the command line wins over the configuration's file for list" {
    with_config
    printf '{"carol": {"salt": "dExNPiUB4fBd39dXxiGLvA==", "hash": "Ow5nPPcyWgy11lUmF/rK45aReQVTMXsiJ237PZKmbBk="}}\n' >c.json
    run orouboros-mkcreds --config "$T/x.conf" --credentials ./c.json list
    [ "$status" -eq 0 ]
    [ "$output" = carol ]
}

@test "mkcreds: --credentials on the command line wins over the configuration's file for add" {
    with_config
    printf 'pw\n' | orouboros-mkcreds --config "$T/x.conf" --credentials ./c.json --password-stdin add bob
    F="$T/c.json" verify bob pw
    cmp "$T/real.json" "$T/real.before"
}

@test "mkcreds: --user-credentials on the command line wins over the configuration's file for del" {
    with_config
    cp "$T/real.json" c.json
    orouboros-mkcreds --config "$T/x.conf" --user-credentials ./c.json del asdf
    ! grep -q asdf c.json
    cmp "$T/real.json" "$T/real.before"
}

@test "mkcreds: --version prints the program and its version and exits 0" {
    run orouboros-mkcreds --version
    [ "$status" -eq 0 ]
    [[ "$output" =~ ^orouboros-mkcreds\ [0-9]+\.[0-9]+\.[0-9]+$ ]]
}

@test "mkcreds: the EXAMPLES run as printed (the credentials file the test's)" {
    load ../integration/lib
    script=$(man_example orouboros-mkcreds.8 "From a script")
    [[ "$script" == *"/etc/orouboros/creds.json"* ]]
    run bash -c "exec 2>/dev/null; pw='b0b pass'; ${script//\/etc\/orouboros\/creds.json/$F}"
    [ "$status" -eq 0 ]
    [ "$output" = yes ]
    script=$(man_example orouboros-mkcreds.8 "List, then remove")
    run bash -c "${script//\/etc\/orouboros\/creds.json/$F}"
    [ "$status" -eq 0 ]
    [ "$output" = bob ]
    run orouboros-mkcreds --file "$F" list
    [ -z "$output" ]
}

# The "senders" of USER in $F, one a line, read with Python's json (as the
# original program reads the file); "-" when the user has no such key.
senders_on_disk() {
    python3 -c 'import json, sys; print("\n".join(json.load(open(sys.argv[1]))[sys.argv[2]].get("senders", ["-"])))' "$F" "$1"
}

@test "mkcreds: senders add maps addresses and domains to a user, normalized, in the file" {
    mk add alice pw
    orouboros-mkcreds --file "$F" senders alice add Alice@Example.ORG @example.net example.com
    [ "$(senders_on_disk alice)" = $'alice@example.org\n@example.net\n@example.com' ]
    [ "$(mode_of "$F")" = 600 ]
    verify alice pw
}

@test "mkcreds: senders USER lists them one a line, and list shows them after a tab" {
    mk add alice pw
    mk add bob pw
    orouboros-mkcreds --file "$F" senders alice add alice@example.org '*'
    run orouboros-mkcreds --file "$F" senders alice
    [ "$status" -eq 0 ]
    [ "$output" = $'alice@example.org\n*' ]
    run orouboros-mkcreds --file "$F" senders alice list
    [ "$output" = $'alice@example.org\n*' ]
    run orouboros-mkcreds --file "$F" senders bob
    [ "$status" -eq 0 ]
    [ -z "$output" ]
    run orouboros-mkcreds --file "$F" list
    [ "$output" = $'alice\talice@example.org *\nbob' ]
}

@test "mkcreds: senders add of one already mapped changes nothing" {
    mk add alice pw
    orouboros-mkcreds --file "$F" senders alice add alice@example.org
    orouboros-mkcreds --file "$F" senders alice add ALICE@example.org
    [ "$(senders_on_disk alice)" = alice@example.org ]
}

@test "mkcreds: senders remove takes them away, and with the last one the key leaves the file" {
    mk add alice pw
    orouboros-mkcreds --file "$F" senders alice add alice@example.org @example.net
    orouboros-mkcreds --file "$F" senders alice remove Alice@example.org
    [ "$(senders_on_disk alice)" = @example.net ]
    orouboros-mkcreds --file "$F" senders alice remove example.net
    [ "$(senders_on_disk alice)" = - ]
    ! grep -q senders "$F"
}

@test "mkcreds: senders remove of one the user does not have is refused with 65 and the file unchanged" {
    mk add alice pw
    orouboros-mkcreds --file "$F" senders alice add alice@example.org
    cp "$F" "$T/before"
    run orouboros-mkcreds --file "$F" senders alice remove alice@example.org bob@example.org
    [ "$status" -eq 65 ]
    [[ "$output" == *"user alice has no sender bob@example.org"* ]]
    cmp "$F" "$T/before"
}

@test "mkcreds: an invalid sender is refused with 65 and the file unchanged" {
    mk add alice pw
    cp "$F" "$T/before"
    for bad in 'a b@example.org' '@' 'a@' 'x@y@z.example' 'a@-x.example'; do
        run orouboros-mkcreds --file "$F" senders alice add alice@example.org "$bad"
        [ "$status" -eq 65 ]
        [[ "$output" == *"invalid sender"* ]]
    done
    cmp "$F" "$T/before"
}

@test "mkcreds: more than 100 senders are refused with 65" {
    mk add alice pw
    orouboros-mkcreds --file "$F" senders alice add $(seq -f 'u%g@example.org' 1 100)
    run orouboros-mkcreds --file "$F" senders alice add one-more@example.org
    [ "$status" -eq 65 ]
    [ "$(senders_on_disk alice | wc -l)" -eq 100 ]
}

@test "mkcreds: senders of a missing user exit 67, of a missing file 66, and bad usage 64" {
    run orouboros-mkcreds --file "$F" senders alice
    [ "$status" -eq 66 ]
    mk add alice pw
    run orouboros-mkcreds --file "$F" senders bob add bob@example.org
    [ "$status" -eq 67 ]
    run orouboros-mkcreds --file "$F" senders alice frob x@example.org
    [ "$status" -eq 64 ]
    run orouboros-mkcreds --file "$F" senders alice add
    [ "$status" -eq 64 ]
    run orouboros-mkcreds --file "$F" senders
    [ "$status" -eq 64 ]
    run orouboros-mkcreds --file "$F" del alice extra
    [ "$status" -eq 64 ]
    [ "$(senders_on_disk alice)" = - ]
}

@test "mkcreds: passwd keeps the user's senders" {
    mk add alice old
    orouboros-mkcreds --file "$F" senders alice add alice@example.org
    mk passwd alice new
    verify alice new
    [ "$(senders_on_disk alice)" = alice@example.org ]
}

@test "mkcreds: the original file with senders mapped still verifies asdf/asdf and keeps its salt and hash" {
    printf '%s\n' "$ORIGINAL" >"$F"
    orouboros-mkcreds --file "$F" senders asdf add asdf@example.org
    verify asdf asdf
    python3 -c 'import json, sys; e = json.load(open(sys.argv[1]))["asdf"]
assert e["salt"] == "dExNPiUB4fBd39dXxiGLvA==" and e["hash"] == "Ow5nPPcyWgy11lUmF/rK45aReQVTMXsiJ237PZKmbBk="' "$F"
}

@test "mkcreds: the senders EXAMPLE runs as printed (the credentials file the test's)" {
    load ../integration/lib
    mk add alice pw
    mk add home pw
    script=$(man_example orouboros-mkcreds.8 "Let alice send")
    [[ "$script" == *"senders home add '*'"* ]]
    run bash -c "${script//\/etc\/orouboros\/creds.json/$F}"
    [ "$status" -eq 0 ]
    [ "$output" = $'alice@example.org\n@example.net' ]
    [ "$(senders_on_disk home)" = '*' ]
}
