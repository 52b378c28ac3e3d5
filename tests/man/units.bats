#!/usr/bin/env bats
# The unit text the man pages show is the installed units' own
# (tests/man/units.py says how a page names the file it shows).

@test "man: every unit a page shows is in units/ or contrib/, with the same names, users, sockets and options" {
    run "$BATS_TEST_DIRNAME/units.py" "$BATS_TEST_DIRNAME"/../../man/*.[0-9]
    echo "$output"
    [ "$status" -eq 0 ]
}

@test "man: a page that shows another socket user, another unit name or a unit of no name fails" {
    local page="$BATS_TEST_TMPDIR/orouboros-forward.8"
    sed 's/^SocketGroup=orouboros-smtpd$/SocketGroup=orouboros/' "$BATS_TEST_DIRNAME/../../man/orouboros-forward.8" >"$page"
    run "$BATS_TEST_DIRNAME/units.py" "$page"
    echo "$output"
    [ "$status" -eq 1 ]
    [[ "$output" == *"orouboros-forward.socket shows 'SocketGroup=orouboros', which units/orouboros-forward.socket does not have there"* ]]
    printf '.Sh EXAMPLES\n.Pa orouboros-smtpd.socket :\n.Bd -literal\n[Socket]\nListenStream=25\n.Ed\n.Pp\nA unit:\n.Bd -literal\n[Service]\nUser=x\n.Ed\n' >"$page"
    run "$BATS_TEST_DIRNAME/units.py" "$page"
    echo "$output"
    [[ "$output" == *"orouboros-smtpd.socket is no file of units/ or contrib/"* ]]
    [[ "$output" == *"a unit that names no file"* ]]
}
