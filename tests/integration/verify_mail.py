#!/usr/bin/python3
"""orouboros-verify's tests: a sender on the internet, and a reader of the
verdicts home gets.

  verify_mail.py send PORT SOURCE_ADDR HELO MAIL_FROM RCPT SUBJECT KEY|- [AR_FIELD...]
      sends a message from SOURCE_ADDR (bound to it) to 127.0.0.1:PORT, From
      MAIL_FROM, DKIM-signed for its domain with selector sel1 when KEY is a
      private key file (python3-dkim), with AR_FIELD (each a whole
      "Authentication-Results: ..." field) on top; prints the final reply:
      "250", or the code and text of a refusal.
  verify_mail.py results MBOX SUBJECT
      prints, for the message with SUBJECT in MBOX, the Authentication-Results
      fields that python3-authres reads there, one line each:
      "AUTHSERV_ID spf=RESULT(PROPERTY) ... dkim=RESULT(d) ... dmarc=RESULT(from)",
      the first line the topmost field.
"""
import mailbox
import smtplib
import sys

import authres
import dkim


def message(mail_from, rcpt, subject, key, fields):
    body = (f"From: Sender <{mail_from}>\r\nTo: <{rcpt}>\r\nSubject: {subject}\r\n"
            "Message-ID: <" + subject.replace(" ", "-") + "@sender.example>\r\n\r\n"
            "a line of the body\r\n").encode()
    if key != "-":
        domain = mail_from.rsplit("@", 1)[1].encode()
        with open(key, "rb") as f:
            body = dkim.sign(body, b"sel1", domain, f.read(),
                             include_headers=[b"from", b"to", b"subject", b"message-id"]) + body
    return b"".join(f.encode() + b"\r\n" for f in fields) + body


def send(port, source, helo, mail_from, rcpt, subject, key, *fields):
    data = message(mail_from, rcpt, subject, key, fields)
    with smtplib.SMTP("127.0.0.1", int(port), local_hostname=helo, timeout=60,
                      source_address=(source, 0)) as s:
        try:
            s.sendmail(mail_from, [rcpt], data)
        except smtplib.SMTPDataError as e:
            print(e.smtp_code, e.smtp_error.decode())
            return
        except smtplib.SMTPRecipientsRefused as e:
            code, text = next(iter(e.recipients.values()))
            print(code, text.decode())
            return
    print(250)


def describe(field):
    ar = authres.AuthenticationResultsHeader.parse(field)
    words = [ar.authserv_id]
    for r in ar.results:
        props = ",".join(p.value for p in r.properties if (p.type, p.name) in
                         (("smtp", "mailfrom"), ("smtp", "helo"), ("header", "d"), ("header", "from")))
        words.append(f"{r.method}={r.result}" + (f"({props})" if props else ""))
    return " ".join(words)


def results(mbox, subject):
    for msg in mailbox.mbox(mbox):
        if msg["Subject"] != subject:
            continue
        for value in msg.get_all("Authentication-Results") or []:
            field = "Authentication-Results: " + str(value).replace("\n", "\r\n")
            print(describe(field))
        return
    sys.exit(f"no message {subject!r} in {mbox}")


if __name__ == "__main__":
    {"send": send, "results": results}[sys.argv[1]](*sys.argv[2:])
