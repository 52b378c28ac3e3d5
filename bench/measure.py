#!/usr/bin/python3
"""Measures one row of make bench, and formats the rows.

usage: measure.py row ROOT_PID LABEL MESSAGES|s_time [--mbox PATH] -- LOAD COMMAND...
       measure.py table ROWS_FILE

`row` runs the load command against a server whose processes all live in
their own PID namespace, whose first process is ROOT_PID (as the host sees
it), and prints one tab-separated line: LABEL, messages delivered, seconds,
then, per message, the server's CPU milliseconds, minor page faults and
processes created, and the peak RSS of each kind of process.

- CPU and faults: utime+stime+cutime+cstime and minflt+cminflt of every
  process of the tree (a process that ended is counted in its parent's
  c* fields once reaped; one that runs, in its own), before and after.
- Processes created: the namespace's last PID (/proc/sys/kernel/ns_last_pid,
  read through nsenter, which itself takes one PID a reading).
- Peak RSS: VmHWM of every process of the tree, sampled every 50 ms while
  the load runs, the largest per command name (a short session may end
  between two samples).
- Delivered: with --mbox, the "From " lines the mbox gained (waiting for
  MESSAGES of them while it grows, at most 15 s without a new one:
  Postfix delivers after its 250);
  without, MESSAGES when the load command succeeded; with s_time, the
  connections openssl s_time says it made.

`table` prints the rows as a Markdown table with each row's ratio to the
Postfix row of the same load (CPU per message and messages per second).
"""
import glob
import os
import re
import subprocess
import sys
import threading
import time

HZ = os.sysconf("SC_CLK_TCK")


def children(pid):
    out = []
    for path in glob.glob("/proc/%s/task/*/children" % pid):
        try:
            out += open(path).read().split()
        except OSError:
            pass
    return out


def tree(pid):
    out, todo = [], [str(pid)]
    while todo:
        p = todo.pop()
        out.append(p)
        todo += children(p)
    return out


def stat(pid):
    """(cpu ticks, minor faults) with those of its reaped children."""
    try:
        text = open("/proc/%s/stat" % pid).read()
    except OSError:
        return 0, 0
    f = text[text.rindex(")") + 2:].split()  # f[0] is field 3, the state
    return int(f[11]) + int(f[12]) + int(f[13]) + int(f[14]), int(f[7]) + int(f[8])


def totals(root):
    cpu = faults = 0
    for p in tree(root):
        c, m = stat(p)
        cpu, faults = cpu + c, faults + m
    return cpu, faults


def last_pid(root):
    out = subprocess.run(["nsenter", "-t", str(root), "-p", "cat", "/proc/sys/kernel/ns_last_pid"],
                         capture_output=True, text=True, check=True)
    return int(out.stdout)


def mbox_count(path):
    if not path:
        return 0
    try:
        with open(path, "rb") as f:
            return sum(1 for line in f if line.startswith(b"From "))
    except OSError:
        return 0


class PeakRss(threading.Thread):
    def __init__(self, root):
        super().__init__(daemon=True)
        self.root, self.peak, self.done = root, {}, threading.Event()

    def sample(self):
        for p in tree(self.root):
            try:
                name = open("/proc/%s/comm" % p).read().strip()
                for line in open("/proc/%s/status" % p):
                    if line.startswith("VmHWM:"):
                        kb = int(line.split()[1])
                        self.peak[name] = max(self.peak.get(name, 0), kb)
            except (OSError, ValueError):
                pass

    def run(self):
        while not self.done.wait(0.05):
            self.sample()


def row(argv):
    root, label = argv[0], argv[1]
    count_output = argv[2] == "s_time"  # the count is what openssl s_time says it made
    messages = 0 if count_output else int(argv[2])
    rest = argv[3:]
    mbox = None
    if rest[0] == "--mbox":
        mbox, rest = rest[1], rest[2:]
    load = rest[1:]  # after "--"
    before = mbox_count(mbox)
    pid0 = last_pid(root)
    cpu0, faults0 = totals(root)
    sampler = PeakRss(root)
    sampler.start()
    t0 = time.monotonic()
    done = subprocess.run(load, stdout=subprocess.PIPE if count_output else subprocess.DEVNULL, text=True)
    status = done.returncode
    delivered = messages if status == 0 else 0
    if count_output:
        made = re.search(r"(\d+) connections in [\d.]+s", done.stdout or "")
        delivered = int(made.group(1)) if made else 0
    if mbox:
        seen, since = 0, time.monotonic()
        while seen < messages and time.monotonic() - since < 15:
            time.sleep(0.02)
            now = mbox_count(mbox) - before
            if now != seen:
                seen, since = now, time.monotonic()
        delivered = mbox_count(mbox) - before
    seconds = time.monotonic() - t0
    time.sleep(0.2)  # sessions that said 221 end and are reaped
    sampler.done.set()
    sampler.join()
    sampler.sample()
    cpu1, faults1 = totals(root)
    forks = last_pid(root) - pid0 - 1
    n = max(delivered, 1)
    peaks = " ".join("%s=%.1f" % (k, v / 1024) for k, v in sorted(sampler.peak.items()))
    print("\t".join([label, str(delivered), "%.2f" % seconds, "%.2f" % ((cpu1 - cpu0) * 1000 / HZ / n),
                     "%.0f" % ((faults1 - faults0) / n), "%.2f" % (forks / n), peaks,
                     "" if status == 0 else "load exit %d" % status]))


def table(path):
    rows = [line.rstrip("\n").split("\t") for line in open(path) if line.strip()]
    postfix = {}
    for r in rows:
        server, load = r[0].split(" ", 1)
        if server == "postfix":
            postfix[load] = r
    print("| server | load | delivered | msg/s | CPU ms/msg | faults/msg | forks/msg | peak RSS MiB "
          "| CPU/msg ÷ Postfix | msg/s ÷ Postfix |")
    print("|---|---|---|---|---|---|---|---|---|---|")
    for r in rows:
        server, load = r[0].split(" ", 1)
        delivered, seconds, cpu = int(r[1]), float(r[2]), float(r[3])
        rate = delivered / seconds if seconds > 0 else 0
        ratio_cpu = ratio_rate = "—"
        p = postfix.get(load)
        if p and server != "postfix" and int(p[1]) > 0:
            p_rate = int(p[1]) / float(p[2])
            if float(p[3]) > 0:
                ratio_cpu = "%.2f" % (cpu / float(p[3]))
            ratio_rate = "%.2f" % (rate / p_rate)
        note = (" (%s)" % r[7]) if len(r) > 7 and r[7] else ""
        print("| %s | %s | %d%s | %.0f | %s | %s | %s | %s | %s | %s |" %
              (server, load, delivered, note, rate, r[3], r[4], r[5], r[6].replace(" ", ", "), ratio_cpu,
               ratio_rate))


if __name__ == "__main__":
    if sys.argv[1] == "row":
        row(sys.argv[2:])
    elif sys.argv[1] == "table":
        table(sys.argv[2])
    else:
        sys.exit(__doc__)
