#!/usr/bin/env bats
# orouboros-authcheck from the shell: one @test per promise of
# orouboros-authcheck(8).  Requests are built with printf; answers are
# compared as hex.

ORIGINAL='{"asdf": {"salt": "dExNPiUB4fBd39dXxiGLvA==", "hash": "Ow5nPPcyWgy11lUmF/rK45aReQVTMXsiJ237PZKmbBk="}}'
OK_HEX=00024f4b                                            # counted "OK"
NO_HEX=00184e4f2061757468656e7469636174696f6e206661696c6564 # counted "NO authentication failed"

setup() {
    T="$BATS_TEST_TMPDIR"
    printf '%s\n' "$ORIGINAL" >"$T/creds.json"
    AC=(orouboros-authcheck --credentials "$T/creds.json" --fail-delay 0)
}

# A saslauthd counted string (under 256 bytes), and a whole request.
counted() { printf "\\000\\$(printf '%03o' "${#1}")%s" "$1"; }
request() { counted "$1"; counted "$2"; counted "${3-smtp}"; counted ""; }
hex() { od -An -tx1 | tr -d ' \n'; }
checkpw() { printf '%s\0%s\0\0' "$1" "$2"; }
now_ms() { echo $(($(date +%s%N) / 1000000)); }

@test "authcheck: the original file verifies asdf/asdf in checkpassword mode" {
    run bash -c 'printf "asdf\0asdf\0\0" | "$@" --checkpassword 3<&0' _ "${AC[@]}"
    [ "$status" -eq 0 ]
}

@test "authcheck: a wrong password is refused with 1 in checkpassword mode" {
    run bash -c 'printf "asdf\0asdg\0\0" | "$@" --checkpassword 3<&0' _ "${AC[@]}"
    [ "$status" -eq 1 ]
}

@test "authcheck: an unknown user is refused with 1 in checkpassword mode" {
    run bash -c 'printf "nobody\0asdf\0\0" | "$@" --checkpassword 3<&0' _ "${AC[@]}"
    [ "$status" -eq 1 ]
}

@test "authcheck: saslauthd mode answers OK to a right password and exits 0 at EOF" {
    request asdf asdf | "${AC[@]}" >"$T/out"
    [ "$(hex <"$T/out")" = "$OK_HEX" ]
}

@test "authcheck: saslauthd mode answers NO to a wrong password or an unknown user" {
    { request asdf wrong; request nobody asdf; } | "${AC[@]}" >"$T/out"
    [ "$(hex <"$T/out")" = "$NO_HEX$NO_HEX" ]
}

@test "authcheck: saslauthd mode answers several requests in order" {
    { request asdf asdf; request asdf nope; request asdf asdf; } | "${AC[@]}" >"$T/out"
    [ "$(hex <"$T/out")" = "$OK_HEX$NO_HEX$OK_HEX" ]
}

@test "authcheck: saslauthd mode's OK carries the senders orouboros-mkcreds mapped to the user" {
    orouboros-mkcreds --file "$T/creds.json" senders asdf add Asdf@Example.org example.net
    { request asdf asdf; request asdf wrong; } | "${AC[@]}" >"$T/out"
    [ "$(hex <"$T/out")" = "$(counted 'OK sender=asdf@example.org sender=@example.net' | hex)$NO_HEX" ]
}

@test "authcheck: no input at all is a clean exit 0 with no answer" {
    run "${AC[@]}" </dev/null
    [ "$status" -eq 0 ]
    [ -z "$output" ]
}

@test "authcheck: an unreadable credentials file gives no answer, a clear message and 75" {
    run bash -c 'printf "\0\4asdf\0\4asdf\0\4smtp\0\0" | orouboros-authcheck --credentials "$1" 2>"$2"' _ "$T/missing.json" "$T/err"
    [ "$status" -eq 75 ]
    [ -z "$output" ]
    grep -q "fatal: credentials file: unable to open $T/missing.json" "$T/err"
}

@test "authcheck: bad JSON gives no answer, names the file and exits 75" {
    printf '{"asdf": ' >"$T/bad.json"
    run bash -c 'printf "\0\4asdf\0\4asdf\0\4smtp\0\0" | orouboros-authcheck --credentials "$1" 2>"$2"' _ "$T/bad.json" "$T/err"
    [ "$status" -eq 75 ]
    [ -z "$output" ]
    grep -q "credentials file $T/bad.json: not valid JSON" "$T/err"
}

@test "authcheck: a request cut short gives no answer and 76" {
    request asdf asdf | head -c 9 >"$T/req"
    run bash -c '"$@" <"$0" 2>/dev/null' "$T/req" "${AC[@]}"
    [ "$status" -eq 76 ]
    [ -z "$output" ]
}

@test "authcheck: a string over 1024 bytes is malformed: no answer and 76" {
    printf '\004\001' >"$T/req"
    head -c 1025 /dev/zero >>"$T/req"
    run bash -c '"$@" <"$0" 2>/dev/null' "$T/req" "${AC[@]}"
    [ "$status" -eq 76 ]
    [ -z "$output" ]
}

@test "authcheck: the credentials file is read for every request" {
    printf '{}\n' >"$T/empty.json"
    coproc AUTH { exec orouboros-authcheck --credentials "$T/empty.json" --fail-delay 0 --log NONE; }
    auth_pid=$AUTH_PID  # bash unsets AUTH_PID once the coprocess has ended
    request asdf asdf >&"${AUTH[1]}"
    timeout 10 head -c 26 <&"${AUTH[0]}" >"$T/first"
    cp "$T/creds.json" "$T/empty.json"
    request asdf asdf >&"${AUTH[1]}"
    timeout 10 head -c 4 <&"${AUTH[0]}" >"$T/second"
    exec {AUTH[1]}>&-
    wait "$auth_pid"
    [ "$(hex <"$T/first")" = "$NO_HEX" ]
    [ "$(hex <"$T/second")" = "$OK_HEX" ]
}

@test "authcheck: checkpassword runs PROG with USER set when the password is right" {
    run bash -c 'printf "asdf\0asdf\0\0" | "$@" --checkpassword sh -c "echo user=\$USER; exit 7" 3<&0' _ "${AC[@]}"
    [ "$status" -eq 7 ]
    [ "${lines[-1]}" = "user=asdf" ]
}

@test "authcheck: checkpassword does not run PROG when the password is wrong" {
    run bash -c 'printf "asdf\0bad\0\0" | "$@" --checkpassword touch "$0" 3<&0' "$T/ran" "${AC[@]}"
    [ "$status" -eq 1 ]
    [ ! -e "$T/ran" ]
}

@test "authcheck: checkpassword input over 512 bytes is misuse, 2" {
    run bash -c '{ printf "asdf\0asdf\0"; head -c 600 /dev/zero | tr "\0" 1; printf "\0"; } | "$@" --checkpassword 3<&0' _ "${AC[@]}"
    [ "$status" -eq 2 ]
}

@test "authcheck: checkpassword input without two NULs is misuse, 2" {
    run bash -c 'printf "asdf\0asdf" | "$@" --checkpassword 3<&0' _ "${AC[@]}"
    [ "$status" -eq 2 ]
}

@test "authcheck: checkpassword without descriptor 3 is misuse, 2" {
    run bash -c '"$@" --checkpassword 3<&-' _ "${AC[@]}"
    [ "$status" -eq 2 ]
    [[ "$output" == *"fd 3 is not open"* ]]
}

@test "authcheck: checkpassword with an unreadable credentials file is temporary, 111" {
    run bash -c 'printf "asdf\0asdf\0\0" | orouboros-authcheck --credentials "$0" --checkpassword 3<&0' "$T/missing.json"
    [ "$status" -eq 111 ]
}

@test "authcheck: checkpassword with a PROG that cannot run is temporary, 111" {
    run bash -c 'printf "asdf\0asdf\0\0" | "$@" --checkpassword "$0" 3<&0' "$T/no-such-prog" "${AC[@]}"
    [ "$status" -eq 111 ]
}

@test "authcheck: one log line per attempt with the user escaped and the result" {
    { request asdf asdf; request $'as\x01df' nope; } |
        orouboros-authcheck --credentials "$T/creds.json" --fail-delay 0 --log "$T/log" >/dev/null
    [ "$(grep -c 'event=auth' "$T/log")" -eq 2 ]
    grep -q 'event=auth user=asdf service=smtp result=ok' "$T/log"
    grep -q 'event=auth user=as\\x01df service=smtp result=refused' "$T/log"
}

@test "authcheck: no password reaches the log, even at DEBUG" {
    { request asdf asdf; request asdf Sw0rdf1sh-wrong; } |
        orouboros-authcheck --credentials "$T/creds.json" --fail-delay 0 --log-level DEBUG --log "$T/log" >/dev/null
    printf 'asdf\0Sw0rdf1sh-cp\0\0' |
        orouboros-authcheck --credentials "$T/creds.json" --fail-delay 0 --log-level DEBUG --checkpassword 3<&0 2>>"$T/log" || true
    grep -q 'event=credentials' "$T/log"
    [ "$(grep -c 'event=auth' "$T/log")" -eq 3 ]
    [ "$(grep -c 'Sw0rdf1sh' "$T/log")" -eq 0 ]
}

@test "authcheck: an unknown user takes about as long as a known one" {
    time_of() {  # user: milliseconds for 3 refused checks
        local start i
        start=$(now_ms)
        for i in 1 2 3; do
            checkpw "$1" wrong | "${AC[@]}" --log NONE --checkpassword 3<&0 || true
        done
        echo $(($(now_ms) - start))
    }
    known=$(time_of asdf)
    unknown=$(time_of nobody)
    echo "known=${known}ms unknown=${unknown}ms"
    [ $((unknown * 3)) -ge "$known" ]
    [ $((known * 3)) -ge "$unknown" ]
}

@test "authcheck: --fail-delay slows a refusal and not a success" {
    start=$(now_ms)
    checkpw asdf wrong | orouboros-authcheck --credentials "$T/creds.json" --fail-delay 0.6 --checkpassword 3<&0 2>/dev/null || true
    refused=$(($(now_ms) - start))
    start=$(now_ms)
    checkpw asdf asdf | orouboros-authcheck --credentials "$T/creds.json" --fail-delay 30 --checkpassword 3<&0 2>/dev/null
    accepted=$(($(now_ms) - start))
    echo "refused=${refused}ms accepted=${accepted}ms"
    [ "$refused" -ge 600 ]
    [ "$accepted" -lt 20000 ]
}

@test "authcheck: --user-credentials is the same as --credentials" {
    run bash -c 'printf "asdf\0asdf\0\0" | orouboros-authcheck --user-credentials "$0" --checkpassword 3<&0' "$T/creds.json"
    [ "$status" -eq 0 ]
}

@test "authcheck: creds.json in the working directory is the default" {
    cd "$T"
    run bash -c 'printf "asdf\0asdf\0\0" | orouboros-authcheck --checkpassword 3<&0'
    [ "$status" -eq 0 ]
}

@test "authcheck: --config reads the [authcheck] section" {
    printf '[authcheck]\ncredentials = %s\nfail-delay = 0\n[smtpd]\nauth = none\n' "$T/creds.json" >"$T/orouboros.conf"
    run bash -c 'printf "asdf\0asdf\0\0" | orouboros-authcheck --config "$0" --checkpassword 3<&0' "$T/orouboros.conf"
    [ "$status" -eq 0 ]
}

@test "authcheck: a bad option is a usage error, 64" {
    run orouboros-authcheck --no-such-option
    [ "$status" -eq 64 ]
    run orouboros-authcheck --fail-delay -1
    [ "$status" -eq 64 ]
}

@test "authcheck: a bad log level is a configuration error, 78" {
    run orouboros-authcheck --credentials "$T/creds.json" --log-level LOUD </dev/null
    [ "$status" -eq 78 ]
}

@test "authcheck: --help prints the usage and exits 0" {
    run orouboros-authcheck --help
    [ "$status" -eq 0 ]
    [[ "$output" == *"--checkpassword"* ]]
}

@test "authcheck: --version prints the program and its version and exits 0" {
    run orouboros-authcheck --version
    [ "$status" -eq 0 ]
    [[ "$output" =~ ^orouboros-authcheck\ [0-9]+\.[0-9]+\.[0-9]+$ ]]
}

@test "authcheck: --user-credentials on the command line wins over the configuration's credentials" {
    printf 'credentials = %s\n' "$T/nonexistent.json" >"$T/x.conf"
    printf '%s\n' '{"asdf": {"salt": "dExNPiUB4fBd39dXxiGLvA==", "hash": "Ow5nPPcyWgy11lUmF/rK45aReQVTMXsiJ237PZKmbBk="}}' >"$T/c.json"
    printf 'asdf\0asdf\0\0' | orouboros-authcheck --config "$T/x.conf" --user-credentials "$T/c.json" \
        --fail-delay 0 --log NONE --checkpassword 3<&0
}
