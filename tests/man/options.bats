#!/usr/bin/env bats
# Each program's man page and its sections of orouboros.conf(5) against its
# own --help: the same options, the same defaults (tests/man/options.py
# says the convention).  The names and defaults come from --help at test
# time, so the check holds as options come and go.

PROGRAMS=(orouboros orouboros-smtpd orouboros-authcheck orouboros-mbox-deliver orouboros-forward orouboros-mkcreds
    orouboros-dkim-sign orouboros-verify)

check() { "$BATS_TEST_DIRNAME/options.py" "$OROUBOROS_BIN" "$1"; }

@test "man: every program has its page, and every page a program" {
    local page
    for p in "${PROGRAMS[@]}"; do [ -f "$BATS_TEST_DIRNAME/../../man/$p.8" ]; done
    for page in "$BATS_TEST_DIRNAME"/../../man/*.8; do
        [[ " ${PROGRAMS[*]} " == *" $(basename "$page" .8) "* ]] || { echo "$page: no program"; false; }
    done
}

@test "man: orouboros(8) and [orouboros] agree with orouboros --help" {
    run check orouboros
    echo "$output"
    [ "$status" -eq 0 ]
}

@test "man: orouboros-smtpd(8) and [smtpd] agree with orouboros-smtpd --help" {
    run check orouboros-smtpd
    echo "$output"
    [ "$status" -eq 0 ]
}

@test "man: orouboros-authcheck(8) and [authcheck] agree with orouboros-authcheck --help" {
    run check orouboros-authcheck
    echo "$output"
    [ "$status" -eq 0 ]
}

@test "man: orouboros-mbox-deliver(8) and [mbox-deliver] agree with orouboros-mbox-deliver --help" {
    run check orouboros-mbox-deliver
    echo "$output"
    [ "$status" -eq 0 ]
}

@test "man: orouboros-forward(8), [forward] and [relay] agree with orouboros-forward --help" {
    run check orouboros-forward
    echo "$output"
    [ "$status" -eq 0 ]
}

@test "man: orouboros-mkcreds(8) and [mkcreds] agree with orouboros-mkcreds --help" {
    run check orouboros-mkcreds
    echo "$output"
    [ "$status" -eq 0 ]
}

@test "man: every section of orouboros.conf(5) belongs to a program" {
    run awk '/^\.Ss "\[/ && !/: (orouboros-[a-z-]+|the listener)"$/' "$BATS_TEST_DIRNAME/../../man/orouboros.conf.5"
    [ -z "$output" ]
}

@test "man: a page that states another default, or leaves one out, or names a missing option, fails" {
    local man="$BATS_TEST_TMPDIR/man"
    cp -r "$BATS_TEST_DIRNAME/../../man" "$man"
    # next-hop-timeout: 120 in both pages, where the program says 280
    sed -i '/^\.It Fl -next-hop-timeout/,/^\.It/ s/^Default: [0-9]*/Default: 120/' "$man/orouboros-smtpd.8"
    sed -i '/^\.It Cm next-hop-timeout/,/^\.It/ s/^Default: [0-9]*/Default: 120/' "$man/orouboros.conf.5"
    # no default for --max-hops, and an option that is not there
    sed -i '/^\.It Fl -max-hops/,/^\.It/ { /^Default:/d }' "$man/orouboros-smtpd.8"
    sed -i 's/^\.It Fl -require-auth$/.It Fl -require-auth , Fl -require-nothing/' "$man/orouboros-smtpd.8"
    printf '.Ss "[smtpd]: orouboros-smtpd"\n.Bl -tag -width Ds\n.It Cm no-such-key No = Ar n\n.El\n' >>"$man/orouboros.conf.5"
    OROUBOROS_MAN=$man run check orouboros-smtpd
    echo "$output"
    [ "$status" -eq 1 ]
    [[ "$output" == *"orouboros-smtpd.8: --next-hop-timeout: states default '120', --help shows '280'"* ]]
    [[ "$output" == *"[smtpd]: next-hop-timeout: states default '120', --help shows '280'"* ]]
    [[ "$output" == *"--max-hops: --help shows default '50', the page does not say it"* ]]
    [[ "$output" == *"documents --require-nothing, which orouboros-smtpd --help does not show"* ]]
    [[ "$output" == *"key no-such-key is no option of orouboros-smtpd"* ]]
    # an option of --help without an item of its own
    sed -i '/^\.It Fl -max-hops/d' "$man/orouboros-smtpd.8"
    OROUBOROS_MAN=$man run check orouboros-smtpd
    [[ "$output" == *"--help shows --max-hops, the page has no item for it"* ]]
}

@test "man: orouboros-dkim-sign(8) and [dkim-sign] agree with orouboros-dkim-sign --help" {
    run check orouboros-dkim-sign
    echo "$output"
    [ "$status" -eq 0 ]
}

@test "man: orouboros-verify(8) and [verify] agree with orouboros-verify --help" {
    run check orouboros-verify
    echo "$output"
    [ "$status" -eq 0 ]
}
