#!/usr/bin/python3
"""A TLS load driver for make bench: smtp-source (Postfix) speaks no TLS.

usage: tls_source.py HOST:PORT MESSAGES CONCURRENCY [implicit|starttls [PER_CONNECTION [SIZE]]]

Sends MESSAGES messages with a body of SIZE bytes (default 1 KiB),
PER_CONNECTION of them over each connection (default one, as smtp-source
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



def body(size):
    """A message whose body is `size` bytes, in lines of 64."""
    return "Subject: bench\r\n\r\n" + ("x" * 62 + "\r\n") * max(1, size // 64)


def context():
    # No trust store: the bench's certificate is not checked, and loading
    # the system's CAs cost 20 ms of the driver's CPU a worker, 1 s at c50.
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    ctx.check_hostname = False
    ctx.verify_mode = ssl.CERT_NONE
    return ctx


def worker(args):
    host, port, count, mode, per, size = args
    ctx, sent, failed, message = context(), 0, 0, body(size)
    while sent + failed < count:
        batch = min(per, count - sent - failed)
        done = 0
        try:
            if mode == "implicit":
                s = smtplib.SMTP_SSL(host, port, context=ctx, timeout=60)
            else:
                s = smtplib.SMTP(host, port, timeout=60)
                s.starttls(context=ctx)
            for _ in range(batch):
                s.sendmail("bench@client.example", ["bob@example.com"], message)
                done += 1
            s.quit()
        except (OSError, smtplib.SMTPException):
            pass
        sent, failed = sent + done, failed + batch - done
    return sent, failed


def main():
    host, port = sys.argv[1].rsplit(":", 1)
    total, conc = int(sys.argv[2]), int(sys.argv[3])
    mode = sys.argv[4] if len(sys.argv) > 4 else "implicit"
    per = int(sys.argv[5]) if len(sys.argv) > 5 else 1
    size = int(sys.argv[6]) if len(sys.argv) > 6 else 1024
    shares = [total // conc + (1 if i < total % conc else 0) for i in range(conc)]
    start = time.monotonic()
    with multiprocessing.Pool(conc) as pool:
        results = pool.map(worker, [(host, int(port), n, mode, per, size) for n in shares if n])
    seconds = time.monotonic() - start
    sent, failed = sum(r[0] for r in results), sum(r[1] for r in results)
    print("sent %d failed %d seconds %.3f" % (sent, failed, seconds))
    sys.exit(1 if failed else 0)


main()
