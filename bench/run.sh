#!/bin/bash
# make bench: the cost of a message, against a private Postfix and a fork
# floor measured in the same run, on loopback.  Writes bench/RESULTS.md.
#
# Five servers, each in its own PID namespace (so every process it makes is
# counted, bench/measure.py):
#   listener  the orouboros listener: a ready orouboros-smtpd forks a session
#             per connection, which hands each message over LMTP to the
#             orouboros-mbox-deliver on its unix socket (fsync into one mbox);
#   accept    orouboros-smtpd started per connection by
#             systemd-socket-activate --inetd (systemd Accept=yes, inetd
#             nowait), handing each message to orouboros-mbox-deliver's
#             pool on its unix socket, as the units run them;
#   postfix   the Debian postfix package from a private configuration and
#             queue, virtual(8) delivering into an mbox (fsynced);
#   floor     a tiny static C program (bench/floor.c, gcc -static) under
#             systemd-socket-activate --inetd: fork+exec and a dialogue,
#             nothing kept.  Plain SMTP only.
#   fork-floor  the same dialogue from a C server that forks a session per
#             connection (bench/floor.c built -DFORKING), plain and implicit
#             TLS, its TLS context made and warmed before any fork: the
#             floor of the listener's design.
# Loads: plain (Postfix's smtp-source) and implicit TLS (bench/tls_source.py),
# at concurrency 1, 10 and 50, one message per connection or all of a
# driver's messages over one connection, bodies of 1 KiB and 100 KiB.
# Every row is one run of BENCH_MESSAGES messages (default 60).  Then the
# TLS handshake floor (openssl s_time), the cost of starting one smtpd
# (linked dynamic and static), the memory of one session and of idle
# sessions.
#
# usage: bench/run.sh [--quick] BIN_DIR
#   --quick: concurrency 10, 1 KiB, one message per connection, 30
#            messages a row, no extra sections; RESULTS.md is not written
#            (the table goes to stdout).
set -euo pipefail
quick=
[ "${1:-}" != --quick ] || { quick=1; shift; }
bin=$(cd "${1:-build/bin}" && pwd)
cd "$(dirname "$0")/.."
repo=$PWD
PY=/usr/bin/python3
PATH=$PATH:/usr/sbin
if [ -n "$quick" ]; then
    messages=${BENCH_MESSAGES:-30} concurrencies=${BENCH_CONCURRENCY:-10} sizes=1024 pers=one
    out=/dev/null
else
    messages=${BENCH_MESSAGES:-60} concurrencies=${BENCH_CONCURRENCY:-"1 10 50"} sizes="1024 102400" pers="one many"
    out=${BENCH_RESULTS:-bench/RESULTS.md}
fi
for tool in smtp-source postfix systemd-socket-activate unshare nsenter gcc openssl; do
    command -v "$tool" >/dev/null || {
        echo "bench: $tool is missing (make deps installs what the bench needs)" >&2
        exit 1
    }
done
[ "$(id -u)" -eq 0 ] || { echo "bench: run as root (PID namespaces, Postfix's master)" >&2; exit 1; }

T=$(mktemp -d /tmp/orouboros-bench.XXXXXX)
chmod 755 "$T"
servers=() inits=()
cleanup() {
    local pid
    # Each namespace's first process, killed from outside it, takes every
    # process of the namespace with it (Postfix's master -i, the first of
    # its namespace, outlived unshare's --kill-child).
    for pid in "${inits[@]}"; do kill -KILL "$pid" 2>/dev/null || true; done
    for pid in "${servers[@]}"; do
        kill -KILL "$pid" 2>/dev/null || true
        wait "$pid" 2>/dev/null || true
    done
    rm -rf "$T"
}
trap cleanup EXIT

free_port() { "$PY" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
wait_port() {
    for _ in $(seq 400); do
        "$PY" -c 'import socket,sys; socket.create_connection(("127.0.0.1",int(sys.argv[1])),0.2).close()' "$1" \
            2>/dev/null && return 0
        sleep 0.05
    done
    echo "bench: nothing listens on $1" >&2
    return 1
}
# Starts a server in a new PID namespace (killed with it at the end); its
# first process's PID, as seen from here, goes to the variable named $1.
start_ns() {
    local var=$1 pid i
    shift
    unshare -p -f --kill-child -- "$@" </dev/null >>"$T/servers.log" 2>&1 &
    servers+=($!)
    for i in $(seq 100); do
        pid=$(cat /proc/$!/task/*/children 2>/dev/null | awk '{print $1}')
        [ -z "$pid" ] || break
        sleep 0.02
    done
    printf -v "$var" '%s' "$pid"
    inits+=("$pid")
}

"$repo/contrib/make-cert.sh" "$T" localhost >/dev/null 2>&1
gcc -static -O2 -o "$T/floor" bench/floor.c
gcc -O2 -DFORKING -o "$T/fork-floor" bench/floor.c -lssl -lcrypto
mkdir -p "$T/mail-listener" "$T/mail-accept"
printf '{}\n' >"$T/creds.json"

# The listener.
L_PORT=$(free_port) L_SSL=$(free_port)
listener_cmd=("$bin/orouboros" --single-user --host 127.0.0.1 --port "$L_PORT" --ssl-port "$L_SSL"
    --cert "$T/server.crt" --key "$T/server.key" --hostname bench.test --delivery-domain example.com
    --local --mboxdir "$T/mail-listener" --user-credentials "$T/creds.json" --max-connections 200
    --max-message-size 60000000 --log NONE
    --max-client-connections 0 --max-client-rate 0)  # the load comes from one address
start_ns listener "${listener_cmd[@]}"

# The programs per connection, as the units run them: orouboros-mbox-deliver
# serving its socket from its pool (orouboros-deliver.socket, Accept=no),
# and orouboros-smtpd started per connection (Accept=yes), which hands it
# the message over that socket.  One of each per namespace, so the pool's
# CPU is counted with the sessions'.
A_PORT=$(free_port) A_SSL=$(free_port)
cat >"$T/accept.sh" <<EOF
#!/bin/bash
# usage: accept.sh PORT DELIVER_SOCKET SMTPD_OPTIONS...
port=\$1 sock=\$2
shift 2
systemd-socket-activate -l "\$sock" "$bin/orouboros-mbox-deliver" --lmtp --mboxdir "$T/mail-accept" --log NONE &
for _ in \$(seq 200); do [ -S "\$sock" ] && break; sleep 0.02; done
exec systemd-socket-activate --inetd -a -l "127.0.0.1:\$port" "$bin/orouboros-smtpd" --hostname bench.test \\
    --delivery-domain example.com --relay none --deliver "unix:\$sock" --log NONE \\
    --max-message-size 60000000 --max-client-connections 0 --max-client-rate 0 "\$@"
EOF
chmod +x "$T/accept.sh"
start_ns accept_plain "$T/accept.sh" "$A_PORT" "$T/deliver-plain.sock" --tls none
start_ns accept_tls "$T/accept.sh" "$A_SSL" "$T/deliver-tls.sock" \
    --tls implicit --cert "$T/server.crt" --key "$T/server.key"

# The floor.
F_PORT=$(free_port)
start_ns floor systemd-socket-activate --inetd -a -l "127.0.0.1:$F_PORT" "$T/floor"
FF_PORT=$(free_port) FF_SSL=$(free_port)
start_ns fork_floor "$T/fork-floor" "$FF_PORT" "$FF_SSL" "$T/server.crt" "$T/server.key"

# Postfix.
P_PORT=$(free_port) P_SSL=$(free_port)
PF=$T/pf
mkdir -p "$PF/conf" "$PF/queue" "$PF/vmail"
chown nobody:nogroup "$PF/vmail"
cat >"$PF/conf/master.cf" <<EOF
127.0.0.1:$P_PORT inet n - n - - smtpd
127.0.0.1:$P_SSL inet n - n - - smtpd -o smtpd_tls_wrappermode=yes -o smtpd_tls_security_level=encrypt
pickup    unix  n       -       n       60      1       pickup
cleanup   unix  n       -       n       -       0       cleanup
qmgr      unix  n       -       n       300     1       qmgr
tlsmgr    unix  -       -       n       1000?   1       tlsmgr
rewrite   unix  -       -       n       -       -       trivial-rewrite
bounce    unix  -       -       n       -       0       bounce
defer     unix  -       -       n       -       0       bounce
trace     unix  -       -       n       -       0       bounce
verify    unix  -       -       n       -       1       verify
proxymap  unix  -       -       n       -       -       proxymap
virtual   unix  -       n       n       -       -       virtual
error     unix  -       -       n       -       -       error
retry     unix  -       -       n       -       -       error
discard   unix  -       -       n       -       -       discard
anvil     unix  -       -       n       -       1       anvil
scache    unix  -       -       n       -       1       scache
postlog   unix-dgram n  -       n       -       1       postlogd
EOF
cat >"$PF/conf/main.cf" <<EOF
compatibility_level = 3.6
queue_directory = $PF/queue
data_directory = $PF/data
mail_owner = postfix
setgid_group = postdrop
maillog_file = $PF/maillog
maillog_file_prefixes = $PF
inet_interfaces = 127.0.0.1
inet_protocols = ipv4
myhostname = bench.test
mydestination =
local_recipient_maps =
alias_maps =
alias_database =
biff = no
smtputf8_enable = no
message_size_limit = 60000000
virtual_mailbox_limit = 0
virtual_mailbox_domains = example.com
virtual_mailbox_base = $PF/vmail
virtual_mailbox_maps = inline:{bob@example.com=bob}
virtual_uid_maps = static:65534
virtual_gid_maps = static:65534
smtpd_tls_chain_files = $T/server.key, $T/server.crt
smtpd_tls_security_level = may
EOF
start_ns postfix postfix -c "$PF/conf" start-fg

for port in "$L_PORT" "$L_SSL" "$A_PORT" "$A_SSL" "$F_PORT" "$FF_PORT" "$FF_SSL" "$P_PORT" "$P_SSL"; do wait_port "$port"; done

mbox_of() {
    case $1 in
    listener) echo "$T/mail-listener/bob/INBOX" ;;
    accept) echo "$T/mail-accept/bob/INBOX" ;;
    postfix) echo "$PF/vmail/bob" ;;
    esac
}
root_of() {  # server mode
    case $1,$2 in
    listener,*) echo "$listener" ;;
    accept,plain) echo "$accept_plain" ;;
    accept,tls) echo "$accept_tls" ;;
    floor,*) echo "$floor" ;;
    fork-floor,*) echo "$fork_floor" ;;
    postfix,*) echo "$postfix" ;;
    esac
}
port_of() {
    case $1,$2 in
    listener,plain) echo "$L_PORT" ;; listener,tls) echo "$L_SSL" ;;
    accept,plain) echo "$A_PORT" ;; accept,tls) echo "$A_SSL" ;;
    floor,plain) echo "$F_PORT" ;;
    fork-floor,plain) echo "$FF_PORT" ;; fork-floor,tls) echo "$FF_SSL" ;;
    postfix,plain) echo "$P_PORT" ;; postfix,tls) echo "$P_SSL" ;;
    esac
}

load_before=$(cut -d' ' -f1-3 /proc/loadavg)
rows=$T/rows.tsv
: >"$rows"
run_row() {  # server mode concurrency one|many size
    local server=$1 mode=$2 conc=$3 per=$4 size=$5 port load mbox=() n m=$messages
    port=$(port_of "$server" "$mode")
    # "many": at least 10 messages over each connection, and 200 in all
    # (60 over one connection took 0.1 s: too short a run to time)
    if [ "$per" = many ]; then
        [ "$m" -ge $((10 * conc)) ] || m=$((10 * conc))
        [ "$m" -ge 200 ] || m=200
    fi
    n=$(((m + conc - 1) / conc))  # messages over one connection, for "many"
    if [ "$mode" = plain ]; then
        load=(smtp-source -s "$conc" -m "$m" -l "$size" -f bench@client.example -t bob@example.com
            -M client.example)
        [ "$per" = one ] || load+=(-d)
        load+=("127.0.0.1:$port")
    else
        [ "$per" = many ] || n=1
        load=("$PY" bench/tls_source.py "127.0.0.1:$port" "$m" "$conc" implicit "$n" "$size")
    fi
    # the floors (floor, fork-floor) keep nothing: no mbox to count
    [ "${server%floor}" != "$server" ] || mbox=(--mbox "$(mbox_of "$server")")
    "$PY" bench/measure.py row "$(root_of "$server" "$mode")" \
        "$server $mode c$conc $per/conn $((size / 1024))KiB" "$m" "${mbox[@]}" -- "${load[@]}" | tee -a "$rows" >&2
}
for size in $sizes; do
    for per in $pers; do
        for mode in plain tls; do
            for conc in $concurrencies; do
                for server in postfix listener accept floor fork-floor; do
                    [ "$server,$mode" != floor,tls ] || continue
                    run_row "$server" "$mode" "$conc" "$per" "$size"
                done
            done
        done
    done
done
table=$("$PY" bench/measure.py table "$rows")
if [ -n "$quick" ]; then
    echo "$table"
    exit 0
fi
load_after=$(cut -d' ' -f1-3 /proc/loadavg)
source bench/sections.sh
