# Shared by the integration suites: certificates, free ports, servers that
# the test starts and always stops, readiness polls with deadlines.

CREDS_ASDF='{"asdf": {"salt": "dExNPiUB4fBd39dXxiGLvA==", "hash": "Ow5nPPcyWgy11lUmF/rK45aReQVTMXsiJ237PZKmbBk="}}'
PY=/usr/bin/python3

# A port on 127.0.0.1 for a server the test starts, free now and leased to
# this caller for PORT_LEASE_SECONDS (default 600), so that suites running
# at the same time never get the same port between free_port and the bind.
# The ports lie outside the kernel's ephemeral range, which client sockets
# and bind(0) take theirs from.  A lease is a file named after the port in
# ${TMPDIR:-/tmp}/orouboros-test-ports; expired ones are swept on the way.
free_port() {
    "$PY" - "${TMPDIR:-/tmp}/orouboros-test-ports" "${PORT_LEASE_SECONDS:-600}" <<'PY'
import os, random, socket, sys, time
leases, lifetime = sys.argv[1], float(sys.argv[2])
try:
    os.mkdir(leases)
    os.chmod(leases, 0o1777)  # shared by root and the other users' runs
except FileExistsError:
    pass
now = time.time()
for name in os.listdir(leases):
    try:
        if now - os.stat(os.path.join(leases, name)).st_mtime > lifetime:
            os.unlink(os.path.join(leases, name))
    except OSError:
        pass  # gone already, or another user's
with open("/proc/sys/net/ipv4/ip_local_port_range") as f:
    lo, hi = map(int, f.read().split())
ranges = [r for r in (range(10000, lo), range(hi + 1, 65536)) if len(r) >= 1000] or [range(10000, 65536)]
for _ in range(1000):
    port = random.choice(random.choice(ranges))
    try:
        os.close(os.open(os.path.join(leases, str(port)), os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o644))
    except FileExistsError:
        continue  # leased to another caller
    with socket.socket() as s:
        try:
            s.bind(("127.0.0.1", port))
        except OSError:
            continue  # in use by something that took no lease
    print(port)
    sys.exit(0)
sys.exit("free_port: no free port found")
PY
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

# Signs the zone file $1/$2 (origin $2) with a fresh KSK and ZSK into
# $1/$2.signed, and appends the zone's DS record to the trust anchor $1/anchor.
sign_zone() {
    local dir=$1 zone=$2 ksk zsk
    ksk=$(cd "$dir" && ldns-keygen -a ECDSAP256SHA256 -k "$zone.")
    zsk=$(cd "$dir" && ldns-keygen -a ECDSAP256SHA256 "$zone.")
    (cd "$dir" && ldns-signzone -n -f "$zone.signed" "$zone" "$ksk" "$zsk")
    cat "$dir/$ksk.ds" >>"$dir/anchor"
}

# Serves the signed zones $2... (files $1/ZONE.signed) with nsd on
# 127.0.0.1:$DNS_PORT (set here); its pid goes into PIDS for teardown.
start_nsd() {
    local dir=$1 zone
    shift
    DNS_PORT=$(free_port)
    printf '%s\n' server: "ip-address: 127.0.0.1" "port: $DNS_PORT" 'username: ""' 'chroot: ""' 'database: ""' \
        "zonesdir: \"$dir\"" "pidfile: \"$dir/nsd.pid\"" "xfrdfile: \"$dir/xfrd.state\"" \
        "zonelistfile: \"$dir/zone.list\"" "xfrdir: \"$dir\"" "server-count: 1" \
        remote-control: "control-enable: no" >"$dir/nsd.conf"
    for zone in "$@"; do printf '%s\n' zone: "name: $zone" "zonefile: $zone.signed" >>"$dir/nsd.conf"; done
    nsd -d -c "$dir/nsd.conf" 2>"$dir/nsd.log" &
    PIDS+=($!)
    wait_port "$DNS_PORT"
}

# Makes $DIR/server.crt, $DIR/server.key and $DIR/creds.json (asdf/asdf).
make_fixtures() {
    local dir=$1
    "$BATS_TEST_DIRNAME/../../contrib/make-cert.sh" "$dir" localhost
    printf '%s\n' "$CREDS_ASDF" >"$dir/creds.json"
}

# The chain's fixtures in $1: home/ and vps/ with certificates and
# credentials, the VPS's account "vps" at home (its password, which must
# never be logged, in vps/home-password; any sender mapped), and FP, the SHA-256 fingerprint
# of home's certificate.
make_chain_fixtures() {
    local t=$1
    mkdir -p "$t/vps" "$t/home" "$t/home/mail" "$t/vps/mail"
    make_fixtures "$t/home"
    make_fixtures "$t/vps"
    printf 's3cret-home-pw\n' | orouboros-mkcreds --file "$t/home/creds.json" add vps --password-stdin
    # it hands on mail from anyone on the internet: any sender (orouboros-mkcreds(8))
    orouboros-mkcreds --file "$t/home/creds.json" senders vps add '*'
    printf 's3cret-home-pw\n' >"$t/vps/home-password"
    FP=$(openssl x509 -in "$t/home/server.crt" -noout -fingerprint -sha256 | cut -d= -f2)
}

# The original program's walkthrough, as typed into openssl s_client
# (the message's Subject: $1).
walkthrough_dialogue() {
    printf '%s\n' 'EHLO asdf' 'AUTH PLAIN' YXNkZgBhc2Rm 'MAIL FROM: test@example.com' \
        'rcpt to: another_test@example.com' DATA 'From: test@example.com' 'To: another_test@example.com' \
        "Subject: $1" '' 'the body line' . QUIT
}

# Starts `orouboros ARGS...` in the background (log in $dir/orouboros.log),
# waits for each port given in ORO_WAIT_PORTS.  As root it runs with
# --single-user: these tests are about the relay, not about its users
# (tests/integration/listener_users.bats is).  ORO_LAUNCH, when set, names
# a command or function that execs its arguments (into a namespace, say):
# no subshell may stand between $! and the listener, or stop_orouboros
# would signal the subshell and the listener outlive the test.  The
# listener does not get bats's fd 3, so a stray one cannot hang bats.  Its
# private socket directory goes in $dir (TMPDIR), even if it is killed.
start_orouboros() {
    local dir=$1 pid p
    shift
    [ "$(id -u)" -ne 0 ] || set -- --single-user "$@"
    TMPDIR=$dir ${ORO_LAUNCH:-} orouboros "$@" >"$dir/orouboros.out" 2>"$dir/orouboros.log" 3>&- &
    pid=$!
    echo "$pid" >"$dir/orouboros.pid"
    for p in $ORO_WAIT_PORTS; do wait_port "$p" || { cat "$dir/orouboros.log" >&2; return 1; }; done
    [ "$(cat "/proc/$pid/comm" 2>/dev/null)" = orouboros ] || { echo "pid $pid is not the listener" >&2; return 1; }
}

# Prints the pid of the child of the listener started by start_orouboros
# in $1 whose command line matches the pgrep pattern $2 (waits at most 5 s).
listener_child() {
    local pid child i
    pid=$(cat "$1/orouboros.pid")
    for ((i = 0; i < 100; i++)); do
        child=$(pgrep -P "$pid" -f "$2") && { echo "$child"; return 0; }
        sleep 0.05
    done
    echo "no child of $pid matches $2" >&2
    return 1
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

# The SHA-256 fingerprint of the certificate in file $1, as openssl prints it.
cert_fingerprint() {
    openssl x509 -in "$1" -noout -fingerprint -sha256 | cut -d= -f2
}

# The fingerprint of the certificate a new TLS connection to 127.0.0.1:$1 gets.
served_fingerprint() {
    timeout 10 openssl s_client -connect "127.0.0.1:$1" </dev/null 2>/dev/null |
        openssl x509 -noout -fingerprint -sha256 | cut -d= -f2
}

# The shell lines of an EXAMPLES block of a man page, as printed: the
# literal block after the paragraph that contains $2, in man/$1 rendered by
# mandoc.  In a block with "$ " prompts, only the prompted lines and their
# continuations, the lines after one that ends in |, \ or && (the output
# left out).
man_example() {
    local page="$BATS_TEST_DIRNAME/../../man/$1"
    mandoc -Tascii "$page" | col -b | awk -v marker="$2" '
        index($0, marker) { found = 1; next }
        found && /^$/ { if (++blank == 2) exit; next }
        found && blank == 1 { sub(/^\t   /, ""); lines[n++] = $0; if ($0 ~ /^\$ /) prompted = 1 }
        END {
            for (i = 0; i < n; i++) {
                l = lines[i]
                if (!prompted) { print l; continue }
                if (l ~ /^\$ /) l = substr(l, 3)
                else if (!keep) continue
                print l
                keep = l ~ /(\||\\|&&)$/
            }
        }'
}
