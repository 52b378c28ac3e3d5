# shellcheck shell=bash
# The rest of make bench, sourced by bench/run.sh once the message rows are
# in $table: the TLS handshake floor, the cost of starting one smtpd, the
# memory of sessions; then RESULTS.md.

# --- The TLS handshake floor ------------------------------------------------
# openssl s_time makes full handshakes (-new) for 3 s against each server;
# the server's CPU per handshake, its faults and processes per connection,
# from measure.py.  s_server is one process that forks nothing: the floor
# of a handshake; the fork floor forks a fresh process for each, as the
# listener does: the floor of a handshake in a fresh process.
mkdir -p "$T/rsa"
"$repo/contrib/make-cert.sh" "$T/rsa" localhost rsa >/dev/null 2>&1
S_EC=$(free_port) S_RSA=$(free_port)
start_ns s_server_ec openssl s_server -quiet -accept "127.0.0.1:$S_EC" -cert "$T/server.crt" -key "$T/server.key"
start_ns s_server_rsa openssl s_server -quiet -accept "127.0.0.1:$S_RSA" \
    -cert "$T/rsa/server.crt" -key "$T/rsa/server.key"
wait_port "$S_EC"
wait_port "$S_RSA"
handshakes=$T/handshakes.tsv
: >"$handshakes"
s_time() {  # label root port extra...
    local label=$1 root=$2 port=$3
    shift 3
    "$PY" bench/measure.py row "$root" "$label" s_time -- \
        openssl s_time -connect "127.0.0.1:$port" -time 3 "$@" | tee -a "$handshakes" >&2
}
s_time "openssl s_server, ECDSA P-256 (the floor)" "$s_server_ec" "$S_EC" -new
s_time "openssl s_server, RSA 2048" "$s_server_rsa" "$S_RSA" -new
s_time "listener, implicit TLS, ECDSA P-256" "$listener" "$L_SSL" -new
s_time "listener, implicit TLS, ECDSA P-256, resumed (-reuse)" "$listener" "$L_SSL" -reuse
s_time "accept (started per connection), implicit TLS" "$accept_tls" "$A_SSL" -new
s_time "fork floor (bench/floor.c -DFORKING), implicit TLS" "$fork_floor" "$FF_SSL" -new
s_time "postfix, smtpd_tls_wrappermode, ECDSA P-256" "$postfix" "$P_SSL" -new
# Plain connections that close at once (the greeting unread): the cost of
# a connection without TLS, to set against the rows above.
s_time_plain() {  # label root port
    "$PY" bench/measure.py row "$2" "$1" 200 -- "$PY" -c '
import socket, sys
for _ in range(200):
    s = socket.create_connection(("127.0.0.1", int(sys.argv[1])), 10)
    s.recv(512)
    s.close()' "$3" | tee -a "$handshakes" >&2
}
s_time_plain "listener, plain connection, greeting then close" "$listener" "$L_PORT"
s_time_plain "postfix, plain connection, greeting then close" "$postfix" "$P_PORT"
s_time_plain "floor, plain connection, greeting then close" "$floor" "$F_PORT"
s_time_plain "fork floor, plain connection, greeting then close" "$fork_floor" "$FF_PORT"
handshake_rows=$(awk -F'\t' '{printf "| %s | %d | %s | %s | %s |\n", $1, $2, $4, $5, $6}' "$handshakes")

# --- Starting one smtpd ------------------------------------------------------
# A program that reads QUIT and ends, started 100 times (perf stat
# task-clock when perf works here, else wall time): the fork+exec floor (the
# static C program), and orouboros-smtpd as built and linked other ways.
printf 'QUIT\r\n' >"$T/quit"
smtpd_args=(--tls starttls --cert "$T/server.crt" --key "$T/server.key" --log NONE
    --delivery-domain example.com --deliver "unix:$T/deliver.sock" --relay none)
startup() {  # label command...
    local label=$1 ms
    shift
    if perf stat -x, -r 100 -e task-clock,minor-faults -o "$T/perf" -- "$@" <"$T/quit" >/dev/null 2>&1; then
        ms=$(awk -F, '/task-clock/ {printf "%.2f", $1}' "$T/perf")
        echo "| $label | $ms | $(awk -F, '/minor-faults/ {printf "%.0f", $1}' "$T/perf") | perf stat -r 100 |"
    else
        local t0 t1
        t0=$(date +%s%N)
        for _ in $(seq 100); do "$@" <"$T/quit" >/dev/null 2>&1; done
        t1=$(date +%s%N)
        echo "| $label | $(echo "scale=2; ($t1 - $t0) / 100 / 1000000" | bc) (wall) | ? | 100 runs, no perf |"
    fi
}
start_rows=("$(startup "the floor: bench/floor.c, gcc -static" "$T/floor")")
start_rows+=("$(startup "/bin/true" /bin/true)")
# The same floor linked dynamically, then with Debian's libssl and
# libcrypto loaded and unused: what loading OpenSSL costs a start.
gcc -O2 -o "$T/floor-dynamic" bench/floor.c
gcc -O2 -o "$T/floor-openssl" bench/floor.c -Wl,--no-as-needed -lssl -lcrypto
start_rows+=("$(startup "the floor, dynamic (libc)" "$T/floor-dynamic")")
start_rows+=("$(startup "the floor, dynamic, libssl and libcrypto loaded (not used)" "$T/floor-openssl")")
start_rows+=("$(startup "orouboros-smtpd as built ($(ldd "$bin/orouboros-smtpd" | grep -c '=>') libraries)" \
    "$bin/orouboros-smtpd" "${smtpd_args[@]}")")
# implicit TLS makes the context at start (the QUIT then fails its handshake)
start_rows+=("$(startup "orouboros-smtpd as built, --tls implicit" "$bin/orouboros-smtpd" "${smtpd_args[@]/starttls/implicit}")")
objs=$(dirname "$bin")
link_variant() {  # label flags...
    local label=$1 exe
    shift
    exe=$T/smtpd-$((${#start_rows[@]}))
    g++ -O2 -o "$exe" "$objs/cmd/orouboros-smtpd/main.o" "$objs/liborouboros.a" "$@" 2>>"$T/link.log" || return 0
    start_rows+=("$(startup "$label ($(ldd "$exe" | grep -c '=>') libraries)" "$exe" "${smtpd_args[@]}")")
}
if [ -f "$objs/cmd/orouboros-smtpd/main.o" ]; then
    link_variant "the same objects, every library dynamic" -Wl,--as-needed \
        -lboost_program_options -lssl -lcrypto -lseccomp
    link_variant "every library dynamic, and libsystemd (as before it was dropped)" -Wl,--as-needed \
        -lboost_program_options -lssl -lcrypto -lseccomp -Wl,--no-as-needed -l:libsystemd.so.0
    link_variant "static libstdc++, libgcc, Boost, OpenSSL (only libc and libseccomp shared)" \
        -static-libstdc++ -static-libgcc -Wl,--as-needed \
        -Wl,-Bstatic -lboost_program_options -lssl -lcrypto -Wl,-Bdynamic -lseccomp -ldl -pthread
    link_variant "everything static, glibc too (its NSS then needs the same glibc at run time)" -static \
        -lboost_program_options -lssl -lcrypto -lseccomp -pthread
fi

# --- Memory ------------------------------------------------------------------
wait_idle() {  # no session under the listener's smtpds but the 4 forked ahead (--prefork 2, two ports)
    local p n
    for _ in $(seq 600); do
        n=0
        for p in $(cat /proc/"$listener"/task/*/children 2>/dev/null); do
            [ "$(cat /proc/"$p"/comm 2>/dev/null)" = orouboros-smtpd ] || continue  # the stages keep workers
            n=$((n + $(cat /proc/"$p"/task/*/children 2>/dev/null | wc -w)))
        done
        [ "$n" -le 4 ] && return 0
        sleep 0.05
    done
}
session_memory() {  # port implicit(0/1)
    "$PY" - "$1" "$2" "$listener" <<'PY'
import glob, re, socket, ssl, sys, time
port, implicit, listener = int(sys.argv[1]), sys.argv[2] == "1", sys.argv[3]
s = socket.create_connection(("127.0.0.1", port), 10)
if implicit:
    ctx = ssl.create_default_context(); ctx.check_hostname = False; ctx.verify_mode = ssl.CERT_NONE
    s = ctx.wrap_socket(s, server_hostname="localhost")
f = s.makefile("rb")
f.readline()
s.sendall(b"EHLO client.example\r\n")
while f.readline()[3:4] == b"-":
    pass
time.sleep(0.2)
def children(pid):
    return " ".join(open(p).read() for p in glob.glob("/proc/%s/task/*/children" % pid)).split()
def kib(key, text):
    m = re.search(r"^%s:\s+(\d+) kB" % key, text, re.M)
    return int(m.group(1)) if m else 0
# the session serving us: of smtpd's children (some forked ahead, idle), the largest
pid = max((s for c in children(listener) for s in children(c)
           if open("/proc/%s/comm" % s).read().strip() == "orouboros-smtpd"),
          key=lambda s: kib("VmRSS", open("/proc/%s/status" % s).read()))
status = open("/proc/%s/status" % pid).read()
rollup = open("/proc/%s/smaps_rollup" % pid).read()
private = kib("Private_Clean", rollup) + kib("Private_Dirty", rollup)
print("| %s | %d | %d | %d | %d | %d |" % ("TLS (implicit)" if implicit else "plain", kib("VmHWM", status),
      kib("VmRSS", status), private, kib("Pss", rollup), kib("VmPTE", status)))
s.sendall(b"QUIT\r\n")
PY
}
wait_idle
mem_plain=$(session_memory "$L_PORT" 0)
mem_tls=$(session_memory "$L_SSL" 1)
wait_idle
# 100 idle connections from one address: how many sessions it gets, and
# the memory of the whole relay meanwhile (the listener's tree, PSS).
idle_row=$("$PY" - "$L_PORT" "$listener" <<'PY'
import glob, socket, sys, time
port, listener = int(sys.argv[1]), sys.argv[2]
def children(pid):
    return " ".join(open(p).read() for p in glob.glob("/proc/%s/task/*/children" % pid)).split()
def tree(pid):
    out = [pid]
    for c in children(pid):
        out += tree(c)
    return out
def pss(pid):
    for line in open("/proc/%s/smaps_rollup" % pid):
        if line.startswith("Pss:"):
            return int(line.split()[1])
    return 0
before = tree(listener)
pss_before = sum(pss(p) for p in before)
conns, greeted = [], 0
for _ in range(100):
    s = socket.create_connection(("127.0.0.1", port), 10)
    conns.append(s)
    if s.recv(512).startswith(b"220"):
        greeted += 1
time.sleep(0.5)
procs = tree(listener)
total = sum(pss(p) for p in procs)
print("| 100 from 127.0.0.1 | %d | %d → %d | %d → %d | %d |"
      % (greeted, len(before), len(procs), pss_before, total, (total - pss_before) / 100))
for s in conns:
    s.close()
PY
)
wait_idle

# --- RESULTS.md ------------------------------------------------------------
cpu=$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -1)
floor_cost() {  # the CPU ms and faults of a row, in words
    grep "^$1 one/conn 1KiB" "$rows" | awk -F'\t' '{print $4 " ms of CPU and " $5 " minor faults"}' || true
}
{
    echo "# make bench: results"
    echo
    echo "Written by \`bench/run.sh\` ($(date -u +%Y-%m-%d)); re-run with \`make bench\`."
    echo
    echo "Machine: \`nproc\` $(nproc), ${cpu:-unknown CPU} (/proc/cpuinfo), Linux $(uname -r),"
    echo "$(awk '/MemTotal/ {printf "%d MiB", $2/1024}' /proc/meminfo) RAM; the machine is shared, so the load"
    echo "average (1, 5, 15 min) was $load_before when the runs started and $load_after after the message rows."
    echo "Build: \`$(basename "$(dirname "$bin")")\` ($(grep -m1 -o -- '-O[0-9s]' Makefile || echo default) from the Makefile)."
    echo "The floors (bench/floor.c, one 1 KiB message per connection, concurrency 1):"
    echo "started per connection (static), $(floor_cost "floor plain c1") a message;"
    echo "forked per connection by a ready server, $(floor_cost "fork-floor plain c1") plain,"
    echo "$(floor_cost "fork-floor tls c1") over implicit TLS."
    echo
    echo "## Messages"
    echo
    echo "Each row is one run of $messages messages, for \"many\" at least 200 and 10 a connection (not a median: the runs are short"
    echo "and the machine shared, so read differences under about 20% as noise)."
    echo "Load: plain, \`smtp-source -s C -m $messages -l SIZE [-d] -f bench@client.example -t bob@example.com\`;"
    echo "TLS (implicit), \`bench/tls_source.py\` (Python smtplib, C worker processes). \"one/conn\": a"
    echo "connection per message; \"many/conn\": each of the C connections carries an equal share."
    echo "A message counts once it is in the server's mbox (fsynced); Postfix's come"
    echo "after its 250, so its time runs until the last is delivered.  Per message: the"
    echo "server's CPU (its whole PID namespace: utime+stime of every process, reaped"
    echo "ones included), minor page faults, processes created (forks/msg); peak RSS"
    echo "per command name, sampled every 50 ms.  The ratios are against the Postfix"
    echo "row of the same load (lower CPU is better, higher msg/s is better)."
    echo
    echo "The listener: \`$(echo "${listener_cmd[*]}" | sed "s|$T|\$T|g; s|$bin|\$BIN|g")\`"
    echo
    echo "accept (the mbox-deliver pool, then smtpd per connection):"
    echo
    echo '```'
    sed -n '/^systemd-socket-activate/,$p' "$T/accept.sh" | sed "s|$T|\$T|g; s|$bin|\$BIN|g"
    echo '```'
    echo
    echo "with \`--tls none\` or \`--tls implicit --cert ... --key ...\`."
    echo
    echo "postfix: Postfix $(postconf -d -h mail_version 2>/dev/null), master.cf smtpd on two ports (one with"
    echo "\`smtpd_tls_wrappermode=yes\`), virtual(8) into one mbox, default limits."
    echo
    echo "$table"
    echo
    echo "## TLS handshakes"
    echo
    echo "\`openssl s_time -connect HOST:PORT -new -time 3\` (full handshakes; \`-reuse\`:"
    echo "resumed), and for comparison plain connections that read the greeting and"
    echo "close. Server CPU, faults and processes per connection:"
    echo
    echo "| server | connections | CPU ms/conn | faults/conn | forks/conn |"
    echo "|---|---|---|---|---|"
    echo "$handshake_rows"
    echo
    echo "## Starting one smtpd"
    echo
    echo "A program that reads QUIT and ends, as under Accept=yes: CPU ms and"
    echo "minor faults a start.  smtpd runs with \`--tls starttls\`: it reads its"
    echo "certificate and key, and would make its TLS context at STARTTLS."
    echo
    echo "| what | CPU ms | minor faults | how |"
    echo "|---|---|---|---|"
    printf '%s\n' "${start_rows[@]}"
    echo
    echo "## Memory of one session"
    echo
    echo "One session of the listener after EHLO (for TLS after the handshake), KiB,"
    echo "from \`/proc/PID/status\` (VmHWM, VmRSS, VmPTE: its page tables) and"
    echo "\`/proc/PID/smaps_rollup\` (Private_Clean + Private_Dirty, Pss):"
    echo
    echo "| session | peak RSS | RSS | private | PSS | page tables |"
    echo "|---|---|---|---|---|---|"
    echo "$mem_plain"
    echo "$mem_tls"
    echo
    echo "## Idle connections"
    echo
    echo "100 connections from one address held open after the greeting (the bench's"
    echo "listener has the limits per address off): greeted; the processes and the"
    echo "PSS (KiB) of the listener's whole tree before and while they are held (the"
    echo "stages' idle workers that the message rows left, up to 100 s, among them);"
    echo "and the PSS a held connection adds."
    echo
    echo "| connections | greeted | processes | total PSS | PSS a connection |"
    echo "|---|---|---|---|---|"
    echo "$idle_row"
} >"$out"
echo "bench: wrote $out" >&2
cat "$out"
