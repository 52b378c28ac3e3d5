#!/usr/bin/python3
"""Plays an SMTP/LMTP dialogue against a program on stdin/stdout, or a TCP port.

usage: dialog.py [--tcp HOST:PORT] [-- COMMAND ARGS...]   (the dialogue on stdin)

Dialogue lines:
  > TEXT      send TEXT and CRLF
  >> TEXT     send TEXT as is; \\r \\n \\0 \\\\ and \\xNN are escapes, {N*C} repeats C N times
  < CODE [TEXT]   the next reply has this code (and its last line contains TEXT)
  <eof        the peer closes the connection (within the timeout)
  # ...       comment
Each wait is bounded (10 s).  Prints every reply; exits 1 on the first mismatch.
"""
import os
import re
import select
import socket
import subprocess
import sys
import time

TIMEOUT = 10.0


def unescape(text):
    text = re.sub(r"\{(\d+)\*(.)\}", lambda m: m.group(2) * int(m.group(1)), text)
    out, i = bytearray(), 0
    while i < len(text):
        c = text[i]
        if c == "\\" and i + 1 < len(text):
            n = text[i + 1]
            if n == "x":
                out.append(int(text[i + 2:i + 4], 16))
                i += 4
                continue
            out += {"r": b"\r", "n": b"\n", "0": b"\0", "\\": b"\\"}.get(n, n.encode())
            i += 2
            continue
        out += c.encode()
        i += 1
    return bytes(out)


class Peer:
    def __init__(self, argv, tcp):
        self.buf = b""
        if tcp:
            host, port = tcp.rsplit(":", 1)
            self.sock = socket.create_connection((host, int(port)), TIMEOUT)
            self.rfd, self.proc = self.sock.fileno(), None
            self.send = self.sock.sendall
        else:
            self.proc = subprocess.Popen(argv, stdin=subprocess.PIPE, stdout=subprocess.PIPE)
            self.rfd = self.proc.stdout.fileno()
            self.send = self._send_pipe

    def _send_pipe(self, data):
        try:
            self.proc.stdin.write(data)
            self.proc.stdin.flush()
        except BrokenPipeError:
            pass

    def read_more(self, deadline):
        left = deadline - time.monotonic()
        if left <= 0 or not select.select([self.rfd], [], [], left)[0]:
            return None
        chunk = os.read(self.rfd, 65536)
        self.buf += chunk
        return chunk

    def line(self, deadline):
        while b"\r\n" not in self.buf:
            chunk = self.read_more(deadline)
            if not chunk:
                return None
        line, self.buf = self.buf.split(b"\r\n", 1)
        return line.decode("latin-1")

    def reply(self):
        deadline = time.monotonic() + TIMEOUT
        lines = []
        while True:
            line = self.line(deadline)
            if line is None:
                return lines or None
            lines.append(line)
            print("< " + line)
            if len(line) < 4 or line[3] != "-":
                return lines

    def eof(self):
        deadline = time.monotonic() + TIMEOUT
        while True:
            chunk = self.read_more(deadline)
            if chunk == b"":
                return True
            if chunk is None:
                return False

    def close(self):
        if self.proc:
            try:
                self.proc.stdin.close()
            except BrokenPipeError:
                pass
            try:
                return self.proc.wait(TIMEOUT)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                print("program did not exit", file=sys.stderr)
                return -1
        self.sock.close()
        return 0


def play(peer, script):
    for raw in script.splitlines():
        if not raw.strip() or raw.startswith("#"):
            continue
        if raw.startswith(">> "):
            peer.send(unescape(raw[3:]))
        elif raw == ">" or raw.startswith("> "):
            print(raw)
            peer.send(raw[2:].encode() + b"\r\n")
        elif raw.strip() == "<eof":
            if not peer.eof():
                return "expected the connection to close"
        elif raw.startswith("< "):
            want = raw[2:].split(" ", 1)
            got = peer.reply()
            if not got:
                return "expected %s, got nothing" % raw[2:]
            if got[-1][:3] != want[0] or (len(want) > 1 and want[1] not in got[-1]):
                return "expected %s, got %s" % (raw[2:], got[-1])
        else:
            return "bad dialogue line: " + raw
    return None


def main():
    args = sys.argv[1:]
    tcp = None
    if args[:1] == ["--tcp"]:
        tcp, args = args[1], args[2:]
    if args[:1] == ["--"]:
        args = args[1:]
    peer = Peer(args, tcp)
    error = play(peer, sys.stdin.read())
    status = peer.close()
    if error:
        print("dialog: " + error, file=sys.stderr)
        sys.exit(1)
    print("exit %s" % status)


main()
