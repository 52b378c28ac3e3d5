#!/usr/bin/python3
"""A TLS load driver for make bench: smtp-source (Postfix) speaks no TLS.

usage: tls_source.py HOST:PORT MESSAGES CONCURRENCY [implicit|starttls]

Sends MESSAGES messages of 1 KiB body, one per connection (as smtp-source
does by default), from CONCURRENCY worker processes (processes, not
threads: the driver must not be the bottleneck it measures), over implicit
TLS or STARTTLS, with Python's smtplib and ssl (Debian: python3).  Prints
"sent N failed M seconds S".
"""
import multiprocessing
import smtplib
import ssl
import sys
import time

BODY = ("Subject: bench\r\n\r\n" + ("x" * 62 + "\r\n") * 16)  # 16 lines of 64 bytes: 1 KiB


def context():
    ctx = ssl.create_default_context()
    ctx.check_hostname = False
    ctx.verify_mode = ssl.CERT_NONE
    return ctx


def worker(args):
    host, port, count, mode = args
    ctx, sent, failed = context(), 0, 0
    for _ in range(count):
        try:
            if mode == "implicit":
                s = smtplib.SMTP_SSL(host, port, context=ctx, timeout=60)
            else:
                s = smtplib.SMTP(host, port, timeout=60)
                s.starttls(context=ctx)
            s.sendmail("bench@client.example", ["bob@example.com"], BODY)
            s.quit()
            sent += 1
        except (OSError, smtplib.SMTPException):
            failed += 1
    return sent, failed


def main():
    host, port = sys.argv[1].rsplit(":", 1)
    total, conc = int(sys.argv[2]), int(sys.argv[3])
    mode = sys.argv[4] if len(sys.argv) > 4 else "implicit"
    shares = [total // conc + (1 if i < total % conc else 0) for i in range(conc)]
    start = time.monotonic()
    with multiprocessing.Pool(conc) as pool:
        results = pool.map(worker, [(host, int(port), n, mode) for n in shares])
    seconds = time.monotonic() - start
    sent, failed = sum(r[0] for r in results), sum(r[1] for r in results)
    print("sent %d failed %d seconds %.3f" % (sent, failed, seconds))
    sys.exit(1 if failed else 0)


main()
