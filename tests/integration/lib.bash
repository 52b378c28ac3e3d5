# Shared by the integration suites: certificates, free ports, servers that
# the test starts and always stops, readiness polls with deadlines.

CREDS_ASDF='{"asdf": {"salt": "dExNPiUB4fBd39dXxiGLvA==", "hash": "Ow5nPPcyWgy11lUmF/rK45aReQVTMXsiJ237PZKmbBk="}}'
PY=/usr/bin/python3

# A port on 127.0.0.1 that nothing listens on now.
free_port() {
    "$PY" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'
}

# Waits until 127.0.0.1:$1 accepts connections (at most $2 seconds, default 10).
wait_port() {
    local port=$1 limit=${2:-10} i
    for ((i = 0; i < limit * 20; i++)); do
        "$PY" -c 'import socket,sys; socket.create_connection(("127.0.0.1",int(sys.argv[1])),0.2).close()' "$port" \
            2>/dev/null && return 0
        sleep 0.05
    done
    echo "nothing listens on port $port after ${limit}s" >&2
    return 1
}

# Waits until file $1 exists and is not empty (at most $2 seconds, default 10).
wait_file() {
    local file=$1 limit=${2:-10} i
    for ((i = 0; i < limit * 20; i++)); do
        [ -s "$file" ] && return 0
        sleep 0.05
    done
    echo "$file did not appear after ${limit}s" >&2
    return 1
}

# Makes $DIR/server.crt, $DIR/server.key and $DIR/creds.json (asdf/asdf).
make_fixtures() {
    local dir=$1
    "$BATS_TEST_DIRNAME/../../contrib/make-cert.sh" "$dir" localhost
    printf '%s\n' "$CREDS_ASDF" >"$dir/creds.json"
}

# Starts `orouboros ARGS...` in the background (log in $dir/orouboros.log),
# waits for each port given in ORO_WAIT_PORTS.  As root it runs with
# --single-user: these tests are about the relay, not about its users
# (tests/integration/listener_users.bats is).
start_orouboros() {
    local dir=$1
    shift
    [ "$(id -u)" -ne 0 ] || set -- --single-user "$@"
    orouboros "$@" >"$dir/orouboros.out" 2>"$dir/orouboros.log" &
    echo $! >"$dir/orouboros.pid"
    local p
    for p in $ORO_WAIT_PORTS; do wait_port "$p" || { cat "$dir/orouboros.log" >&2; return 1; }; done
}

# Stops the listener started by start_orouboros and waits for it (bounded).
stop_orouboros() {
    local dir=$1 pid i
    [ -f "$dir/orouboros.pid" ] || return 0
    pid=$(cat "$dir/orouboros.pid")
    kill -TERM "$pid" 2>/dev/null || true
    for ((i = 0; i < 200; i++)); do
        kill -0 "$pid" 2>/dev/null || break
        sleep 0.05
    done
    kill -KILL "$pid" 2>/dev/null || true
    rm -f "$dir/orouboros.pid"
}
