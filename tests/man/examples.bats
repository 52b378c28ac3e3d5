#!/usr/bin/env bats
# Every example of README.md, contrib/README.md and the man pages' EXAMPLES
# is in tests/man/examples.list, with the test that runs it as printed (or
# why none can); a new example fails here until it is listed.

@test "examples: every example of the READMEs and the man pages is listed, and every test the list names exists" {
    run "$BATS_TEST_DIRNAME/examples.py" check
    echo "$output"
    [ "$status" -eq 0 ]
}

@test "examples: a new example, or a list line that names no test, fails the check" {
    local repo="$BATS_TEST_TMPDIR/repo"
    mkdir -p "$repo/tests/man" "$repo/man" "$repo/contrib"
    cp -r "$BATS_TEST_DIRNAME/../cli" "$BATS_TEST_DIRNAME/../integration" "$repo/tests/"
    cp "$BATS_TEST_DIRNAME/examples.py" "$BATS_TEST_DIRNAME/examples.list" "$repo/tests/man/"
    cp "$BATS_TEST_DIRNAME"/../../man/*.[0-9] "$repo/man/"
    cp "$BATS_TEST_DIRNAME/../../README.md" "$repo/"
    cp "$BATS_TEST_DIRNAME/../../contrib/README.md" "$repo/contrib/"
    printf '\nA new one:\n\n    orouboros --something-new\n' >>"$repo/README.md"
    grep -q '^README.md	cmd/<program>/ ' "$repo/tests/man/examples.list"
    grep '^README.md	cmd/<program>/ ' "$repo/tests/man/examples.list" |
        sed 's/\t[^\t]*$/\ttest: no such test/' >>"$repo/tests/man/examples.list"
    run "$repo/tests/man/examples.py" check
    echo "$output"
    [ "$status" -eq 1 ]
    [[ "$output" == *"README.md: example not in tests/man/examples.list: orouboros --something-new"* ]]
    [[ "$output" == *'no @test "no such test"'* ]]
}
