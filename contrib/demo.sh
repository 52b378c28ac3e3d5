#!/bin/sh
# make demo: a relay on loopback with a self-signed certificate and the demo
# user asdf (password asdf).  Mail for example.com lands in demo/mail.
# usage: contrib/demo.sh BINDIR
set -eu
bin=$(cd "${1:-build/bin}" && pwd)
top=$(cd "$(dirname "$0")/.." && pwd)
demo=$top/demo
mkdir -p "$demo/mail"
[ -f "$demo/server.crt" ] || "$top/contrib/make-cert.sh" "$demo" localhost
# The original program's demo credentials: user asdf, password asdf.
[ -f "$demo/creds.json" ] || cat >"$demo/creds.json" <<'JSON'
{"asdf": {"salt": "dExNPiUB4fBd39dXxiGLvA==", "hash": "Ow5nPPcyWgy11lUmF/rK45aReQVTMXsiJ237PZKmbBk="}}
JSON
chmod 600 "$demo/creds.json"

cat <<EOF2
Orouboros demo: implicit TLS on 127.0.0.1:2255, STARTTLS on 127.0.0.1:2525.
Mail for example.com lands in $demo/mail/<local part>/INBOX.
User asdf, password asdf.  Stop with Ctrl-C.

Send a test mail, with swaks:
  swaks --server 127.0.0.1:2255 --tls-on-connect --auth PLAIN --auth-user asdf --auth-password asdf \\
        --from test@example.com --to another_test@example.com
  swaks --server 127.0.0.1:2525 --tls --to another_test@example.com
or by hand:
  openssl s_client -connect localhost:2255 -crlf -quiet
  EHLO asdf / AUTH PLAIN / YXNkZgBhc2Rm / MAIL FROM: test@example.com /
  rcpt to: another_test@example.com / DATA / Subject: hi / (blank line) / hello / . / QUIT
Then: cat $demo/mail/another_test/INBOX

EOF2
# Started as root, the listener runs each part as its own user (orouboros(8));
# the demo keeps them in one.
single=""
[ "$(id -u)" -ne 0 ] || single=--single-user
exec "$bin/orouboros" $single --cert "$demo/server.crt" --key "$demo/server.key" \
    --forward-domain example.com --delivery-domain example.com --local --mboxdir "$demo/mail" \
    --host 127.0.0.1 --port 2525 --ssl-port 2255 --user-credentials "$demo/creds.json" \
    --hostname orouboros-demo.localhost --log STDERR --log-level DEBUG
