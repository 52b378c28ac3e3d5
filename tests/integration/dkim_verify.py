#!/usr/bin/python3
"""Verifies every DKIM-Signature of a message with python3-dkim (dkimpy),
the keys looked up in DNS at a given server (the test's nsd).

usage: dkim_verify.py DNS_PORT FILE
Prints one line per signature: "d=DOMAIN s=SELECTOR a=ALGORITHM h=FIELDS pass|fail",
or "none" when the message has no signature.  Exits 0 when there is at least
one signature and all pass, 1 otherwise.
"""
import sys

import dkim
import dns.resolver


def main():
    port, path = int(sys.argv[1]), sys.argv[2]
    resolver = dns.resolver.Resolver(configure=False)
    resolver.nameservers, resolver.port = ["127.0.0.1"], port
    resolver.lifetime = 10

    def dnsfunc(name, timeout=5):
        try:
            answer = resolver.resolve(name.decode().rstrip("."), "TXT")
        except dns.exception.DNSException:
            return None
        return b"".join(b"".join(r.strings) for r in answer)

    message = open(path, "rb").read().replace(b"\r\n", b"\n").replace(b"\n", b"\r\n")
    d = dkim.DKIM(message)
    sigs = [v for k, v in d.headers if k.lower() == b"dkim-signature"]
    if not sigs:
        print("none")
        return 1
    ok = True
    for i, sig in enumerate(sigs):
        tags = dict(t.strip().split(b"=", 1) for t in sig.replace(b"\r\n", b"").split(b";") if b"=" in t)
        try:
            good, why = d.verify(idx=i, dnsfunc=dnsfunc), ""
        except dkim.ValidationError as e:
            good, why = False, " (%s)" % e
        ok = ok and good
        print("d=%s s=%s a=%s h=%s %s%s" % (tags[b"d"].decode(), tags[b"s"].decode(), tags[b"a"].decode(),
                                            b"".join(tags[b"h"].split()).decode(), "pass" if good else "fail", why))
    return 0 if ok else 1


sys.exit(main())
