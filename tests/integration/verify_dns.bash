# orouboros-verify's tests: the sender domain's records, served by nsd on
# 127.0.0.1:$DNS_PORT from $T/dns; $T/dkim.key signs for it.

# sender.example: SPF for 127.0.0.2 (the domain and the HELO name
# mail.sender.example), a DKIM key (selector sel1), DMARC p=reject.
start_dns() {
    mkdir -p "$T/dns"
    openssl genrsa -out "$T/dkim.key" 1024 2>/dev/null
    local pub chunks
    pub=$(openssl rsa -in "$T/dkim.key" -pubout -outform DER 2>/dev/null | base64 -w0)
    chunks=$(printf '%s' "v=DKIM1; k=rsa; p=$pub" | fold -w 200 | sed 's/.*/"&"/' | tr '\n' ' ')
    printf '%s\n' '$ORIGIN sender.example.' '$TTL 300' "@ SOA ns hostmaster 1 3600 600 86400 300" "@ NS ns" \
        "ns A 127.0.0.1" '@ TXT "v=spf1 ip4:127.0.0.2 -all"' 'mail TXT "v=spf1 ip4:127.0.0.2 -all"' \
        "sel1._domainkey TXT ( $chunks )" '_dmarc TXT "v=DMARC1; p=reject"' >"$T/dns/sender.example"
    printf '%s\n' server: "ip-address: 127.0.0.1" "port: $DNS_PORT" 'username: ""' 'chroot: ""' 'database: ""' \
        "zonesdir: \"$T/dns\"" "pidfile: \"$T/dns/nsd.pid\"" "xfrdfile: \"$T/dns/xfrd.state\"" \
        "zonelistfile: \"$T/dns/zone.list\"" "xfrdir: \"$T/dns\"" "server-count: 1" \
        remote-control: "control-enable: no" zone: "name: sender.example" "zonefile: sender.example" \
        >"$T/dns/nsd.conf"
    nsd -d -c "$T/dns/nsd.conf" 2>"$T/nsd.log" 3>&- &
    DNS_PID=$!
    wait_port "$DNS_PORT"
}

stop_dns() {
    [ -n "${DNS_PID:-}" ] || return 0
    kill "$DNS_PID" 2>/dev/null || true
    wait "$DNS_PID" 2>/dev/null || true
    DNS_PID=
}
