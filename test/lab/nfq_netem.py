#!/usr/bin/env python3
"""nfq_netem.py - delay and loss for the test lab without sch_netem.

Some kernels (the CI VM's among them) are built without `tc qdisc netem`, but
have the iptables NFQUEUE target. netlab.sh sends every packet that crosses the
lab's public router to queue 0; this daemon (Python standard library only: it
speaks nfnetlink_queue over a raw AF_NETLINK socket) receives each packet's id
and, per packet and independently:

  * drops it with probability --loss percent, otherwise
  * accepts it --delay ms after it arrived (constant delay keeps the order).

Run inside the namespace that holds the NFQUEUE rules, e.g.
    ip netns exec rn1-pub python3 nfq_netem.py --queue 0 --delay 100 --loss 5
SIGTERM/SIGINT: releases the packets it holds, prints its counters, exits 0.
"""
import argparse
import heapq
import os
import random
import select
import signal
import socket
import struct
import sys
import time

NETLINK_NETFILTER = 12
NFNL_SUBSYS_QUEUE = 3
MSG_PACKET, MSG_VERDICT, MSG_CONFIG = 0, 1, 2
NLM_F_REQUEST, NLM_F_ACK, NLMSG_ERROR = 0x1, 0x4, 0x2
ATTR_PACKET_HDR, ATTR_VERDICT_HDR = 1, 2
CFG_CMD, CFG_PARAMS, CFG_QUEUE_MAXLEN = 1, 2, 3
CMD_BIND, COPY_META = 1, 1
NF_DROP, NF_ACCEPT = 0, 1


def attr(kind, payload):
    size = 4 + len(payload)
    return struct.pack("=HH", size, kind) + payload + bytes(-size % 4)


def messages(buf):
    """Yield (type, seq, payload) for each netlink message in buf."""
    at = 0
    while at + 16 <= len(buf):
        size, kind, _flags, seq, _port = struct.unpack_from("=IHHII", buf, at)
        if size < 16:
            return
        yield kind, seq, buf[at + 16:at + size]
        at += (size + 3) & ~3


class Queue:
    def __init__(self, number, maxlen):
        self.number, self.seq = number, 0
        self.sock = socket.socket(socket.AF_NETLINK, socket.SOCK_RAW, NETLINK_NETFILTER)
        try:
            self.sock.setsockopt(socket.SOL_SOCKET, 33, 8 << 20)  # SO_RCVBUFFORCE (root)
        except OSError:
            self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 8 << 20)
        self.sock.bind((0, 0))
        self.send(MSG_CONFIG, attr(CFG_CMD, struct.pack("=BxH", CMD_BIND, socket.htons(socket.AF_INET))), True)
        self.send(MSG_CONFIG, attr(CFG_PARAMS, struct.pack("!IB", 0, COPY_META)), True)  # ids only, no payload
        self.send(MSG_CONFIG, attr(CFG_QUEUE_MAXLEN, struct.pack("!I", maxlen)), True)

    def send(self, kind, attrs, ack=False):
        self.seq += 1
        body = struct.pack("=BBH", socket.AF_UNSPEC, 0, socket.htons(self.number)) + attrs
        flags = NLM_F_REQUEST | (NLM_F_ACK if ack else 0)
        self.sock.send(struct.pack("=IHHII", 16 + len(body), (NFNL_SUBSYS_QUEUE << 8) | kind, flags, self.seq, 0) + body)
        while ack:
            for mkind, mseq, payload in messages(self.sock.recv(65536)):
                if mkind == NLMSG_ERROR and mseq == self.seq:
                    err = struct.unpack_from("=i", payload)[0]
                    if err:
                        raise OSError(-err, "NFQUEUE config: " + os.strerror(-err))
                    ack = False

    def packet_ids(self, buf):
        for kind, _seq, payload in messages(buf):
            if kind != (NFNL_SUBSYS_QUEUE << 8) | MSG_PACKET:
                continue
            at = 4  # nfgenmsg
            while at + 4 <= len(payload):
                size, akind = struct.unpack_from("=HH", payload, at)
                if size < 4:
                    break
                if akind & 0x7FFF == ATTR_PACKET_HDR:
                    yield struct.unpack_from("!I", payload, at + 4)[0]
                    break
                at += (size + 3) & ~3

    def verdict(self, packet_id, verdict):
        self.send(MSG_VERDICT, attr(ATTR_VERDICT_HDR, struct.pack("!II", verdict, packet_id)))


class Stop(Exception):
    pass


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--queue", type=int, default=0)
    p.add_argument("--delay", type=float, default=100.0, help="one-way delay per packet (ms)")
    p.add_argument("--loss", type=float, default=0.0, help="loss per packet (percent)")
    p.add_argument("--seed", type=int)
    p.add_argument("--maxlen", type=int, default=16384)
    p.add_argument("--pidfile")
    a = p.parse_args()
    rng = random.Random(a.seed)
    q = Queue(a.queue, a.maxlen)

    def stop(_sig, _frame):
        raise Stop()

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    if a.pidfile:
        with open(a.pidfile, "w") as f:
            f.write("%d\n" % os.getpid())
    sys.stderr.write("nfq_netem: queue %d delay %.1f ms loss %.2f%%\n" % (a.queue, a.delay, a.loss))
    sys.stderr.flush()
    held, order, counts = [], 0, {"seen": 0, "dropped": 0, "accepted": 0}
    try:
        while True:
            now = time.monotonic()
            while held and held[0][0] <= now:
                q.verdict(heapq.heappop(held)[2], NF_ACCEPT)
                counts["accepted"] += 1
            wait = held[0][0] - now if held else 1.0
            if not select.select([q.sock], [], [], max(0.0, wait))[0]:
                continue
            buf = q.sock.recv(1 << 20)
            arrived = time.monotonic()
            for pid in q.packet_ids(buf):
                counts["seen"] += 1
                if rng.random() * 100.0 < a.loss:
                    q.verdict(pid, NF_DROP)
                    counts["dropped"] += 1
                else:
                    order += 1
                    heapq.heappush(held, (arrived + a.delay / 1000.0, order, pid))
    except Stop:
        pass
    for _, _, pid in held:
        try:
            q.verdict(pid, NF_ACCEPT)
        except OSError:
            pass
    sys.stderr.write("nfq_netem: %s\n" % counts)
    return 0


if __name__ == "__main__":
    sys.exit(main())
