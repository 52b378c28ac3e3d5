#!/bin/bash
# make bench: load on the full chain, the orouboros listener -> one
# orouboros-smtpd per port, forking a session per connection ->
# orouboros-mbox-deliver on its unix socket, forking an LMTP session per
# connection (every message fsynced into one mbox), on loopback.  Writes
# bench/RESULTS.md.
#
#   plain: Postfix's smtp-source (Debian package postfix), 1 KiB messages,
#          one message per connection, at concurrency 1, 10 and 50;
#   TLS:   bench/tls_source.py (Python smtplib + ssl, worker processes),
#          implicit TLS, the same messages and concurrencies;
#   then the memory of one session (plain and TLS) and the cost of starting
#   one smtpd (perf stat, when perf works here).
#
# usage: bench/run.sh BIN_DIR   (BENCH_MESSAGES=N per run, default 1000)
set -euo pipefail
bin=$(cd "${1:-build/bin}" && pwd)
cd "$(dirname "$0")/.."
repo=$PWD
messages=${BENCH_MESSAGES:-1000}
concurrencies=${BENCH_CONCURRENCY:-"1 10 50"}
out=${BENCH_RESULTS:-bench/RESULTS.md}
PY=/usr/bin/python3

command -v smtp-source >/dev/null || PATH=$PATH:/usr/sbin
command -v smtp-source >/dev/null || {
    echo "bench: smtp-source is missing: apt-get install postfix (make deps does)" >&2
    exit 1
}

T=$(mktemp -d /tmp/orouboros-bench.XXXXXX)
listener=
cleanup() {
    [ -n "$listener" ] && kill "$listener" 2>/dev/null && wait "$listener" 2>/dev/null
    rm -rf "$T"
}
trap cleanup EXIT

free_port() { "$PY" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
wait_port() {
    for _ in $(seq 200); do
        "$PY" -c 'import socket,sys; socket.create_connection(("127.0.0.1",int(sys.argv[1])),0.2).close()' "$1" \
            2>/dev/null && return 0
        sleep 0.05
    done
    echo "bench: nothing listens on $1" >&2
    return 1
}

# utime+stime+cutime+cstime, in clock ticks, of the listener and of the
# programs it runs (sessions count once reaped by their smtpd or
# mbox-deliver, which wait_idle waits for).
children() { cat /proc/"$1"/task/*/children 2>/dev/null; }
cpu_ticks() {
    local p t=0
    for p in "$1" $(children "$1"); do
        t=$((t + $(awk '{print $14 + $15 + $16 + $17}' "/proc/$p/stat" 2>/dev/null || echo 0)))
    done
    echo "$t"
}
sessions() {  # the sessions running under the listener's programs
    local p n=0
    for p in $(children "$1"); do n=$((n + $(children "$p" | wc -w))); done
    echo "$n"
}
wait_idle() {
    for _ in $(seq 600); do [ "$(sessions "$listener")" -eq 0 ] && return 0; sleep 0.05; done
}
entries() { grep -c '^From ' "$T/mail/bob/INBOX" 2>/dev/null || echo 0; }

"$repo/contrib/make-cert.sh" "$T" localhost >/dev/null 2>&1
mkdir -p "$T/mail"
printf '{}\n' >"$T/creds.json"
PORT=$(free_port) SSL_PORT=$(free_port)
single=()
[ "$(id -u)" -ne 0 ] || single=(--single-user)
listener_cmd=("$bin/orouboros" "${single[@]}" --host 127.0.0.1 --port "$PORT" --ssl-port "$SSL_PORT"
    --cert "$T/server.crt" --key "$T/server.key" --hostname bench.test --delivery-domain example.com
    --local --mboxdir "$T/mail" --user-credentials "$T/creds.json" --max-connections 200
    --max-message-size 60000000 --log NONE
    --max-client-connections 0 --max-client-rate 0)  # the load comes from one address
"${listener_cmd[@]}" &
listener=$!
wait_port "$PORT"
wait_port "$SSL_PORT"
wait_idle
hz=$(getconf CLK_TCK)

load_before=$(cut -d' ' -f1-3 /proc/loadavg)
rows=()
run_one() {  # mode concurrency
    local mode=$1 conc=$2 before after cpu0 cpu1 t0 t1 status=0
    before=$(entries)
    cpu0=$(cpu_ticks "$listener")
    t0=$(date +%s.%N)
    if [ "$mode" = plain ]; then
        smtp-source -s "$conc" -m "$messages" -l 1024 -f bench@client.example -t bob@example.com \
            -M client.example "127.0.0.1:$PORT" || status=$?
    else
        "$PY" bench/tls_source.py "127.0.0.1:$SSL_PORT" "$messages" "$conc" implicit >/dev/null || status=$?
    fi
    t1=$(date +%s.%N)
    wait_idle
    cpu1=$(cpu_ticks "$listener")
    after=$(entries)
    local delivered=$((after - before))
    rows+=("$(awk -v m="$mode" -v c="$conc" -v n="$delivered" -v w="$(echo "$t1 - $t0" | bc)" \
        -v cpu="$((cpu1 - cpu0))" -v hz="$hz" -v s="$status" 'BEGIN {
        printf "| %s | %d | %d | %.2f | %.0f | %.2f |%s\n", m, c, n, w, n / w, cpu / hz / n * 1000,
            s == 0 ? "" : " driver exit " s }')")
    echo "bench: ${rows[-1]}" >&2
}

for mode in plain tls; do
    for conc in $concurrencies; do run_one "$mode" "$conc"; done
done

# The memory of one session: a client that has said EHLO (and, for TLS,
# finished the handshake) and waits; smtpd's /proc figures meanwhile.
session_memory() {  # port implicit(0/1)
    "$PY" - "$1" "$2" "$listener" <<'PY'
import re, socket, ssl, sys, time
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
import glob
def children(pid):
    return " ".join(open(p).read() for p in glob.glob("/proc/%s/task/*/children" % pid)).split()
pid = [s for c in children(listener) for s in children(c)
       if open("/proc/%s/comm" % s).read().strip() == "orouboros-smtpd"][0]
status = open("/proc/%s/status" % pid).read()
def kib(key, text):
    m = re.search(r"^%s:\s+(\d+) kB" % key, text, re.M)
    return int(m.group(1)) if m else 0
rollup = open("/proc/%s/smaps_rollup" % pid).read()
private = kib("Private_Clean", rollup) + kib("Private_Dirty", rollup)
print("| %s | %d | %d | %d | %d |" % ("TLS (implicit)" if implicit else "plain", kib("VmHWM", status),
      kib("VmRSS", status), private, kib("Pss", rollup)))
s.sendall(b"QUIT\r\n")
PY
}
# What one connection costs now: sessions forked by the ready smtpd that
# read QUIT and end, the server's CPU per connection.
quit_sessions=1000
cpu0=$(cpu_ticks "$listener")
"$PY" - "$PORT" "$quit_sessions" <<'PY'
import socket, sys
for _ in range(int(sys.argv[2])):
    s = socket.create_connection(("127.0.0.1", int(sys.argv[1])), 10)
    f = s.makefile("rb")
    f.readline()
    s.sendall(b"QUIT\r\n")
    f.readline()
    s.close()
PY
wait_idle
cpu1=$(cpu_ticks "$listener")
start_forked="| a session forked by the listening smtpd (what a connection costs) | $(awk -v t=$((cpu1 - cpu0)) -v hz="$hz" -v n=$quit_sessions 'BEGIN {printf "%.2f", t * 1000 / hz / n}') | $quit_sessions connections, server CPU from /proc |"
mem_plain=$(session_memory "$PORT" 0)
mem_tls=$(session_memory "$SSL_PORT" 1)

# Memory flat in message size: the peak RSS of every session of the chain
# (smtpd's and mbox-deliver's) while each takes a 1 KiB and a 50 MiB message.
declare -A peak
for size in 1024 52428800; do
    while read -r name kb; do
        [ "$name" != accepted ] || continue
        peak[$name,$size]=$kb
    done < <("$PY" tests/integration/session_rss.py "$PORT" "$size" bob@example.com "$listener")
    wait_idle
done
size_rows=()
for name in orouboros-smtpd orouboros-mbox-; do
    small=${peak[$name,1024]:-?} big=${peak[$name,52428800]:-?}
    size_rows+=("| $name | $small | $big | $((${big/\?/0} - ${small/\?/0})) |")
done

# 100 idle connections from one address: how many sessions it gets, and
# the memory of the whole relay meanwhile (the listener's tree, PSS).
idle_row=$("$PY" - "$PORT" "$listener" <<'PY'
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
conns, greeted = [], 0
for _ in range(100):
    s = socket.create_connection(("127.0.0.1", port), 10)
    conns.append(s)
    if s.recv(512).startswith(b"220"):
        greeted += 1
time.sleep(0.5)
procs = tree(listener)
total = sum(pss(p) for p in procs)
print("| 100 from 127.0.0.1 | %d | %d | %d |" % (greeted, len(procs), total))
for s in conns:
    s.close()
PY
)
wait_idle

# The cost of starting one smtpd: a session that reads QUIT and ends,
# without and with a certificate to load (STARTTLS offered, not used).
printf 'QUIT\r\n' >"$T/quit"
smtpd_plain=("$bin/orouboros-smtpd" --tls none --log NONE --delivery-domain example.com
    --deliver "unix:$T/deliver.sock" --relay none)  # a route for the domain, never used: the session reads QUIT
smtpd_tls=("$bin/orouboros-smtpd" --tls starttls --cert "$T/server.crt" --key "$T/server.key" --log NONE
    --delivery-domain example.com --deliver "unix:$T/deliver.sock" --relay none)
startup() {  # label command...
    local label=$1 ms
    shift
    if perf stat -x, -r 200 -e task-clock -o "$T/perf" -- "$@" <"$T/quit" >/dev/null 2>&1; then
        ms=$(awk -F, '/task-clock/ {printf "%.2f", $1}' "$T/perf")
        echo "| $label | $ms | perf stat -r 200 -e task-clock |"
    else
        local t0 t1
        t0=$(date +%s%N)
        for _ in $(seq 200); do "$@" <"$T/quit" >/dev/null 2>&1; done
        t1=$(date +%s%N)
        echo "| $label | $(echo "scale=2; ($t1 - $t0) / 200 / 1000000" | bc) (wall) | 200 runs, no perf |"
    fi
}
start_true=$(startup "/bin/true (the floor of fork+exec)" /bin/true)
start_plain=$(startup "orouboros-smtpd --tls none" "${smtpd_plain[@]}")
start_tls=$(startup "orouboros-smtpd --tls starttls (certificate loaded)" "${smtpd_tls[@]}")
# One cheap cut, measured: the same objects linked with libstdc++, Boost and
# OpenSSL static and --as-needed (drops libunbound, which smtpd never uses).
start_static=
objs=$(dirname "$bin")
if [ -f "$objs/cmd/orouboros-smtpd/main.o" ] && [ -f "$objs/liborouboros.a" ] &&
    g++ -O2 -o "$T/smtpd-static" "$objs/cmd/orouboros-smtpd/main.o" "$objs/liborouboros.a" \
        -static-libstdc++ -static-libgcc -Wl,-O1 -Wl,--as-needed \
        -Wl,-Bstatic -lboost_program_options -lssl -lcrypto -Wl,-Bdynamic -lsystemd -lunbound -lseccomp -ldl -pthread \
        2>/dev/null; then
    start_static=$(startup "the same, static libstdc++/Boost/OpenSSL, --as-needed ($(ldd "$T/smtpd-static" | grep -c '=>') libraries)" \
        "$T/smtpd-static" --tls starttls --cert "$T/server.crt" --key "$T/server.key" --log NONE --delivery-domain example.com --deliver "unix:$T/deliver.sock" --relay none)
fi
start_deliver=$(startup "orouboros-mbox-deliver --lmtp, started per session" \
    "$bin/orouboros-mbox-deliver" --lmtp --mboxdir "$T/mail" --log NONE)
# orouboros-forward started per session (as under Accept=yes): with a
# system trust store to load (a home server verified by its CA chain), and
# without one (a pinned certificate, or opportunistic STARTTLS to MX hosts).
forward=("$bin/orouboros-forward" --lmtp --helo bench.test --log NONE --host 127.0.0.1 --port 9 --tls starttls)
start_forward_store=$(startup "orouboros-forward --lmtp, started per session, system trust store loaded" "${forward[@]}")
start_forward_pin=$(startup "orouboros-forward --lmtp, started per session, pinned certificate (no store)" \
    "${forward[@]}" --tls-fingerprint "$(printf 'ab%.0s' $(seq 32))")
libs=$(ldd "$bin/orouboros-smtpd" | grep -c '=>')
link_stats=$(LD_DEBUG=statistics "${smtpd_plain[@]}" <"$T/quit" 2>&1 >/dev/null |
    sed -nE 's/.*total startup time in dynamic loader: *([0-9]+) cycles.*/\1/p' | head -1)

kernel=$(uname -r)
cpu=$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -1)
{
    echo "# make bench: results"
    echo
    echo "Written by \`bench/run.sh\` ($(date -u +%Y-%m-%d)); re-run with \`make bench\`"
    echo "(\`BENCH_MESSAGES\`, \`BENCH_CONCURRENCY\` change the runs)."
    echo
    echo "Machine: $(nproc) CPUs, ${cpu:-unknown CPU}, Linux $kernel, $(awk '/MemTotal/ {printf "%d MiB", $2/1024}' /proc/meminfo) RAM."
    echo "Load average (1, 5, 15 min) when the runs started: $load_before; at the end (with the benchmark's own load): $(cut -d' ' -f1-3 /proc/loadavg)."
    echo "Build: \`$(basename "$(dirname "$bin")")\` ($(grep -m1 -o -- '-O[0-9s]' Makefile || echo default) from the Makefile)."
    echo
    echo "## Messages through the whole chain"
    echo
    echo "The listener and its sessions, on loopback:"
    echo
    echo '```'
    echo "${listener_cmd[*]}" | sed "s|$T|\$T|g; s|$bin|\$BIN|g"
    echo '```'
    echo
    echo "Each message: one connection, EHLO/HELO, MAIL, one RCPT, DATA with a 1 KiB"
    echo "body, QUIT; the session smtpd forked for it passes it over LMTP to the"
    echo "orouboros-mbox-deliver on its unix socket, whose forked session appends it"
    echo "to one mbox and fsyncs it before the 250."
    echo "Plain: \`smtp-source -s C -m $messages -l 1024 -f bench@client.example -t bob@example.com -M client.example 127.0.0.1:PORT\`."
    echo "TLS: \`bench/tls_source.py 127.0.0.1:SSL_PORT $messages C implicit\` (Python smtplib, C worker processes)."
    echo "CPU is the server's only (the listener and the programs it runs, with every"
    echo "session they reaped: utime+stime+cutime+cstime), per message delivered."
    echo
    echo "| mode | concurrency | delivered | seconds | messages/s | server CPU ms/message |"
    echo "|---|---|---|---|---|---|"
    printf '%s\n' "${rows[@]}"
    echo
    echo "## Memory of one session"
    echo
    echo "One smtpd holding a session after EHLO (for TLS after the handshake), from"
    echo "\`/proc/PID/status\` (VmHWM, VmRSS) and \`/proc/PID/smaps_rollup\` (Private_Clean +"
    echo "Private_Dirty, Pss), KiB:"
    echo
    echo "| session | peak RSS | RSS | private | PSS |"
    echo "|---|---|---|---|---|"
    echo "$mem_plain"
    echo "$mem_tls"
    echo
    echo "## Memory and message size"
    echo
    echo "The peak RSS (VmHWM, KiB) of each session of the chain while it takes one"
    echo "message of 1 KiB and one of 50 MiB (\`tests/integration/session_rss.py\`, read"
    echo "after the 250 and before QUIT): no process holds a whole message."
    echo
    echo "| session | 1 KiB message | 50 MiB message | grown |"
    echo "|---|---|---|---|"
    printf '%s\n' "${size_rows[@]}"
    echo
    echo "## Idle connections"
    echo
    echo "100 connections from one address, held open after the greeting: how many"
    echo "were greeted (220), and the whole relay meanwhile (the listener and every"
    echo "process below it: count, total PSS in KiB).  The bench's listener has the"
    echo "limits per address off (all its load comes from one address): this is the"
    echo "cost of 100 idle sessions; with the defaults one address holds 10 of them."
    echo
    echo "| connections | greeted | processes | total PSS |"
    echo "|---|---|---|---|"
    echo "$idle_row"
    echo
    echo "## Starting one session"
    echo
    echo "CPU milliseconds per session that reads QUIT and ends: forked by the ready"
    echo "smtpd, as the listener runs it, and, for comparison, started as a program"
    echo "(task-clock), as under a systemd socket with Accept=yes or inetd's nowait."
    echo "The listener runs orouboros-mbox-deliver and orouboros-forward the same"
    echo "way as smtpd: once, forking a session per connection."
    echo
    echo "| what | ms | how |"
    echo "|---|---|---|"
    echo "$start_forked"
    echo "$start_true"
    echo "$start_plain"
    echo "$start_tls"
    [ -z "$start_static" ] || echo "$start_static"
    echo "$start_deliver"
    echo "$start_forward_store"
    echo "$start_forward_pin"
    echo
    echo "orouboros-smtpd links $libs shared libraries (\`ldd\`); the dynamic loader takes"
    echo "${link_stats:-?} cycles of its start (\`LD_DEBUG=statistics\`)."
} >"$out"
echo "bench: wrote $out" >&2
cat "$out"
