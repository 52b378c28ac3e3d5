#!/bin/sh
# certbot deploy hook: after a renewal, Orouboros serves the renewed
# certificate to the next connection, and no session is cut.
# Install it as /etc/letsencrypt/renewal-hooks/deploy/orouboros (mode 0755).
#
# 1. When /etc/orouboros/tls/cert.pem and key.pem are copies (not symbolic
#    links to /etc/letsencrypt/live/NAME/), the renewed fullchain.pem and
#    privkey.pem of $RENEWED_LINEAGE replace them, keeping their owner,
#    group and mode (so the orouboros-smtpd group can still read the key).
# 2. The listener (orouboros(8)) gets SIGHUP: the process of
#    $OROUBOROS_PIDFILE when set, else every process named exactly
#    "orouboros".  It reloads gracefully and keeps the running
#    configuration if the new certificate does not load (its log says why).
# 3. Under systemd, each active orouboros*.service that can reload is
#    reloaded (ExecReload=, e.g. an orouboros-smtpd with Accept=no, or the
#    listener run by a unit of your own).  The socket units of the suite
#    need nothing: with Accept=yes every connection starts orouboros-smtpd
#    anew, and LoadCredential= reads the files as they are then.
set -eu
tls_dir=${OROUBOROS_TLS_DIR:-/etc/orouboros/tls}

# Replaces $2 by $1 atomically, with $2's owner, group and mode.
replace_keeping_mode() {
    tmp="$2.new.$$"
    cp "$1" "$tmp"
    chown --reference="$2" "$tmp" 2>/dev/null || true
    chmod --reference="$2" "$tmp"
    mv -f "$tmp" "$2"
}

if [ -n "${RENEWED_LINEAGE:-}" ]; then
    for ours in cert.pem key.pem; do
        theirs=fullchain.pem
        [ "$ours" = cert.pem ] || theirs=privkey.pem
        if [ -f "$tls_dir/$ours" ] && [ ! -L "$tls_dir/$ours" ]; then
            replace_keeping_mode "$RENEWED_LINEAGE/$theirs" "$tls_dir/$ours"
        fi
    done
fi

if [ -n "${OROUBOROS_PIDFILE:-}" ]; then
    [ ! -s "$OROUBOROS_PIDFILE" ] || kill -HUP "$(cat "$OROUBOROS_PIDFILE")"
else
    pkill -HUP -x orouboros || true   # none running is fine
fi

if [ -d /run/systemd/system ] && command -v systemctl >/dev/null; then
    systemctl list-units --type=service --state=active --plain --no-legend 'orouboros*.service' |
        while read -r unit _; do
            case $unit in *@*) continue ;; esac   # one session each: the next reads the new files
            if [ "$(systemctl show -p CanReload --value "$unit")" = yes ]; then
                systemctl reload "$unit" || echo "orouboros-deploy-hook: $unit did not reload" >&2
            fi
        done
fi
exit 0
