#!/usr/bin/python3
"""An HTTPS server for MTA-STS policies (RFC 8461 section 3.3), for tests.

usage: mta_sts_server.py PORT CERT KEY DIR

Serves /.well-known/mta-sts.txt for Host mta-sts.DOMAIN from DIR/DOMAIN as
text/plain; anything else is 404.  Each request is one line in DIR/requests.
Runs until killed.
"""
import http.server
import os
import ssl
import sys


def main():
    port, cert, key, root = int(sys.argv[1]), sys.argv[2], sys.argv[3], sys.argv[4]

    class Policy(http.server.BaseHTTPRequestHandler):
        def do_GET(self):
            host = (self.headers.get("Host") or "").split(":")[0].lower()
            domain = host[len("mta-sts."):] if host.startswith("mta-sts.") else ""
            path = os.path.join(root, domain)
            with open(os.path.join(root, "requests"), "a") as log:
                log.write(f"{host} {self.path}\n")
            if self.path != "/.well-known/mta-sts.txt" or not domain or "/" in domain or not os.path.isfile(path):
                self.send_error(404)
                return
            with open(path, "rb") as f:
                body = f.read()
            self.send_response(200)
            self.send_header("Content-Type", "text/plain")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    server = http.server.HTTPServer(("127.0.0.1", port), Policy)
    server.socket = context.wrap_socket(server.socket, server_side=True)
    server.serve_forever()


if __name__ == "__main__":
    main()
