#!/bin/bash
# Runs the shipped units the way systemd would, without systemd as PID 1:
# each socket unit's ListenStream= under `systemd-socket-activate`, with
# --accept and the template NAME@.service for Accept=yes, or handing the
# listening socket to NAME.service for Accept=no, running the service's
# own ExecStart= line, with the service's
# LoadCredential= files copied into a CREDENTIALS_DIRECTORY and its
# StateDirectory= made under DIR/state (%S), as systemd does.  Run inside
# a private mount namespace (unshare -m), where
#   /etc  is an overlay whose upper layer is DIR/etc (orouboros.conf, the
#         TLS files, the credentials file: read by the programs by default)
#   /run  is a fresh tmpfs: /run/orouboros/*.sock as in the units, and
#         /run/systemd/journal/socket, a catcher writing DIR/journal.jsonl
# Each program's stderr is DIR/<unit>.stderr, and JOURNAL_STREAM names it,
# as with StandardError=journal.  Stops every server on TERM.
#
# usage: unshare -m units.bash DIR BINDIR UNITDIR (NAME[:PORT] | once:NAME)...
#   NAME is a socket unit without "orouboros-" and ".socket"; PORT replaces
#   a TCP ListenStream= (bound on 127.0.0.1).  once:NAME runs the service
#   orouboros-NAME.service once, before the next ones start.
set -euo pipefail
dir=$1 bin=$2 units=$3
shift 3
pids=()

stop_all() {
    local p
    for p in "${pids[@]}"; do kill -TERM "$p" 2>/dev/null || true; done
    for p in "${pids[@]}"; do wait "$p" 2>/dev/null || true; done
    pids=()
}
trap 'stop_all; exit 0' TERM INT
trap 'stop_all' EXIT

# The value of KEY= in a unit file (the first, or every one with "all").
unit_key() {  # file key [all]
    local lines
    lines=$(sed -n "s/^$2=//p" "$1")
    [ "${3:-}" = all ] && printf '%s\n' "$lines" || printf '%s\n' "$lines" | head -1
}

# LoadCredential=ID:PATH, as systemd does it: PATH copied to DIR/ID, 0400.
load_credentials() {  # service credentials-dir
    local line
    mkdir -p "$2"
    while IFS= read -r line; do
        [ -n "$line" ] || continue
        install -m 0400 "${line#*:}" "$2/${line%%:*}"
    done < <(unit_key "$1" LoadCredential all)
}

# StateDirectory=NAME, as systemd does it: %S/NAME made, %S being DIR/state.
make_state_dirs() {  # service
    local name
    for name in $(unit_key "$1" StateDirectory all); do mkdir -p "$dir/state/$name"; done
}

# ExecStart=, its @SBINDIR@, %S and ${CREDENTIALS_DIRECTORY} expanded.
exec_start() {  # service credentials-dir
    local cmd
    cmd=$(unit_key "$1" ExecStart)
    cmd=${cmd//@SBINDIR@/$bin}
    cmd=${cmd//%S/$dir/state}
    printf '%s\n' "${cmd//\$\{CREDENTIALS_DIRECTORY\}/$2}"
}

wait_listening() {  # address
    local i
    for ((i = 0; i < 200; i++)); do
        if [[ $1 == /* ]]; then [ -S "$1" ] && return 0
        else python3 -c 'import socket,sys; h,p=sys.argv[1].rsplit(":",1); socket.create_connection((h,int(p)),0.2).close()' \
            "$1" 2>/dev/null && return 0; fi
        sleep 0.05
    done
    echo "units.bash: nothing listens on $1" >&2
    return 1
}

start_unit() {  # name [port]
    local name=$1 port=${2:-} socket service listen creds argv stream accept=()
    socket=$units/orouboros-$name.socket
    service=$units/orouboros-$name.service
    if [ "$(unit_key "$socket" Accept)" = yes ]; then
        service=$units/orouboros-$name@.service
        accept=(--accept)
    fi
    listen=$(unit_key "$socket" ListenStream)
    [ -z "$port" ] || listen=127.0.0.1:$port
    creds=$dir/credentials/$name
    load_credentials "$service" "$creds"
    make_state_dirs "$service"
    read -r -a argv < <(exec_start "$service" "$creds")
    : >"$dir/$name.stderr"
    stream=$(stat -c '%d:%i' "$dir/$name.stderr")
    systemd-socket-activate "${accept[@]}" -l "$listen" -E CREDENTIALS_DIRECTORY="$creds" \
        -E JOURNAL_STREAM="$stream" "${argv[@]}" 2>"$dir/$name.stderr" &
    pids+=($!)
    wait_listening "$listen"
}

mount -t overlay overlay -o "lowerdir=/etc,upperdir=$dir/etc,workdir=$dir/etc-work" /etc
mount -t tmpfs tmpfs /run
mkdir -p /run/systemd/journal /run/orouboros
python3 - "$dir/journal.jsonl" <<'PY' &
import json, socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind("/run/systemd/journal/socket")
with open(sys.argv[1], "a") as out:
    while True:
        data = s.recv(1 << 16).decode("utf-8", "replace")
        entry = dict(line.split("=", 1) for line in data.split("\n") if "=" in line)
        out.write(json.dumps(entry) + "\n")
        out.flush()
PY
pids+=($!)
wait_listening /run/systemd/journal/socket
# A service without a socket (Type=oneshot): its ExecStart= run once, its
# exit status in DIR/NAME.status.
run_once() {  # name
    local service=$units/orouboros-$1.service argv
    make_state_dirs "$service"
    read -r -a argv < <(exec_start "$service" "$dir/credentials/$1")
    : >"$dir/$1.stderr"
    JOURNAL_STREAM=$(stat -c '%d:%i' "$dir/$1.stderr") "${argv[@]}" 2>"$dir/$1.stderr" && echo 0 >"$dir/$1.status" ||
        echo $? >"$dir/$1.status"
}

for spec in "$@"; do
    case $spec in
    once:*) run_once "${spec#once:}" ;;
    *) start_unit "${spec%%:*}" "$([[ $spec == *:* ]] && echo "${spec#*:}")" ;;
    esac
done
echo ready >"$dir/ready"
sleep 3600 &  # a bound on the whole run: stopped on TERM long before
pids+=($!)
wait "$!" || true
