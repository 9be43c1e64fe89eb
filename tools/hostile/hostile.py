#!/usr/bin/env python3
"""hostile: throw everything a chat server meets on the open internet at teaparty at once,
while two well-behaved observers chat, and check that nothing changed for them.

Runs together, against a live server on loopback, for --duration seconds:
  storm      waves of hundreds of connections opened at once, held, then closed or reset
  slowloris  connections that type one byte at a time and never finish a line
  bigline    1 MiB lines, one after another
  flood      logged-in users sending long lines as fast as the socket takes them
  lookflood  not-logged-in connections sending commands as fast as the socket takes them
  garbage    random bytes (control characters, CR, LF, 0xFF, invalid UTF-8)
  iac        telnet storms: endless negotiations, IAC IAC, subnegotiations without an end
  deaf       logged-in users with a tiny receive window that never read (slow consumers)
  deafiac    connections that never read and request telnet options without end
  reset      users who ask for output, then reset the connection while it is being written
and checks, printing the figures:
  - the server stayed alive, and still serves a fresh client and stops cleanly on SIGTERM;
  - its RSS (VmRSS in /proc/PID/status) never passed a bound computed from its limits and
    the attack's size, printed before the run;
  - each observer received every observer message, in order, and neither was disconnected;
  - no observer message took longer than --latency-bound seconds to arrive;
  - the limits were hit (slow consumers closed, lines rate-limited, logins timed out, long
    lines dropped): the attack was real.

  hostile.py --server build/teaparty                   # starts the server itself (short run)
  hostile.py --server build/teaparty --duration 600 --scale 3    # a soak, by hand
  hostile.py --connect 127.0.0.1:5005 --pid PID ...   # a server you started (loopback only)

A server it starts runs with --max-per-address 0 (every attacker is 127.0.0.1, and the
per-address cap would otherwise turn most of the attack away at the door), --max-output 256K
(so the memory bound is tight), --login-timeout 5 (so slowloris is cut off within the run), and
the default line rate. Standard library only; every loop is bounded by the deadline.
"""

import argparse
import multiprocessing
import os
import random
import re
import resource
import selectors
import signal
import socket
import struct
import subprocess
import sys
import tempfile
import time

KIB = 1024
MIB = 1024 * KIB
LOOPBACK = ('127.0.0.1', '::1', 'localhost')

# What a server started here runs with; the memory bound is computed from its --max-output
# and --max-line (for a server started by hand, pass them: they default to teaparty's).
SERVER_FLAGS = ['--dialect', 'classic', '--max-per-address', '0', '--max-output', '256K',
                '--login-timeout', '5', '--log-level', 'info']
STARTED_MAX_OUTPUT = 256 * KIB
DEFAULT_MAX_OUTPUT = 1 * MIB
DEFAULT_MAX_LINE = 4 * KIB
READ_SIZE = 64 * KIB          # io/shell.cpp reads at most this much at a time
SUBNEGOTIATION = 1 * KIB      # core/input_decoder.h kMaxSubnegotiation
PER_CONNECTION = 16 * KIB     # session, decoder, telnet state, outbox ring, maps, malloc slack
SLACK = 24 * MIB              # allocator fragmentation and the like

# The attack at --scale 1: how many connections of each kind run at once.
ATTACK = {'storm': 200, 'slowloris': 30, 'bigline': 3, 'flood': 6, 'lookflood': 4,
          'garbage': 6, 'iac': 4, 'deaf': 12, 'deafiac': 4, 'reset': 4}
# Kinds whose connections can make the server queue output or hold input up to the caps.
HEAVY = ('bigline', 'flood', 'lookflood', 'garbage', 'iac', 'deaf', 'deafiac', 'reset')


def log(text):
    print(text, flush=True)


# --------------------------------------------------------------------------------------------
# The server under test

class Server:
    def __init__(self, args):
        self.proc = None
        self.stderr = None
        if args.connect:
            host, _, port = args.connect.rpartition(':')
            if host.strip('[]') not in LOOPBACK:
                sys.exit('hostile: only loopback targets (%s)' % ', '.join(LOOPBACK))
            self.address = (host.strip('[]'), int(port))
            self.pid = args.pid
            return
        env = dict(os.environ)
        if args.sanitized:
            # ASan keeps freed memory in quarantine (256 MiB by default) and would look like
            # growth; a small quarantine still catches use-after-free in a short run.
            env['ASAN_OPTIONS'] = (env.get('ASAN_OPTIONS', '') + ':quarantine_size_mb=16').strip(':')
        argv = [args.server, '--host', '127.0.0.1', '--port', '0'] + SERVER_FLAGS
        log('server: ' + ' '.join(argv))
        self.stderr = tempfile.TemporaryFile()
        self.proc = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=self.stderr,
                                     stdin=subprocess.DEVNULL, env=env, start_new_session=True)
        line = self.proc.stdout.readline().decode(errors='replace')
        match = re.match(r'listening on (\S+):(\d+)', line)
        if not match:
            self.stop()
            sys.exit('hostile: the server did not start: %r' % line)
        self.address = ('127.0.0.1', int(match.group(2)))
        self.pid = self.proc.pid

    def alive(self):
        if self.proc is not None:
            return self.proc.poll() is None
        try:
            os.kill(self.pid, 0)
            return True
        except OSError:
            return False

    def rss(self):
        try:
            with open('/proc/%d/status' % self.pid) as status:
                for line in status:
                    if line.startswith('VmRSS:'):
                        return int(line.split()[1]) * KIB
        except OSError:
            pass
        return 0

    def log_text(self):
        if self.stderr is None:
            return ''
        self.stderr.seek(0)
        return self.stderr.read().decode(errors='replace')

    def terminate(self, limit=10.0):
        """SIGTERM, and the exit status if it exits within `limit` seconds."""
        if self.proc is None:
            return None
        self.proc.send_signal(signal.SIGTERM)
        try:
            return self.proc.wait(timeout=limit)
        except subprocess.TimeoutExpired:
            return None

    def stop(self):
        if self.proc is not None and self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait()


# --------------------------------------------------------------------------------------------
# Attackers: each kind is a small state machine over one non-blocking socket, ticked by a
# selector loop. Every kind reconnects when the server closes it, until the deadline.

class Agent:
    reads = True          # read (and throw away) whatever the server sends
    receive_buffer = None

    def __init__(self, ctx, index):
        self.ctx = ctx
        self.index = index
        self.sock = None
        self.generation = 0
        # Staggered starts: bursts that all land in one wake of the server would test the
        # output cap against the attack's own timing, not against what readers can take.
        self.next_at = time.monotonic() + ctx.rng.uniform(0, 1.5)

    def name(self):
        self.generation += 1
        return '%s%d_%d_%d' % (type(self).__name__.lower(), self.ctx.part, self.index,
                               self.generation)

    def open(self):
        self.close()
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        if self.receive_buffer:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, self.receive_buffer)
        sock.setblocking(False)
        sock.connect_ex(self.ctx.address)
        self.sock = sock
        self.ctx.stats['connects'] += 1
        if self.reads:
            self.ctx.selector.register(sock, selectors.EVENT_READ, self)
        self.opened()

    def opened(self):
        pass

    def close(self, reset=False):
        if self.sock is None:
            return
        if reset:
            self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack('ii', 1, 0))
            self.ctx.stats['resets'] += 1
        if self.reads:
            self.ctx.selector.unregister(self.sock)
        self.sock.close()
        self.sock = None

    def send(self, data):
        """Sends what the socket takes now; False if the connection is gone."""
        if self.sock is None:
            return False
        try:
            sent = self.sock.send(data)
            self.ctx.stats['bytes_sent'] += sent
            return True
        except (BlockingIOError, InterruptedError):
            return True
        except OSError:
            self.ctx.stats['closed_by_server'] += 1
            self.close()
            return False

    def readable(self):
        try:
            data = self.sock.recv(256 * KIB)
        except (BlockingIOError, InterruptedError):
            return
        except OSError:
            data = b''
        if not data:
            self.ctx.stats['closed_by_server'] += 1
            self.close()
            return
        self.ctx.stats['bytes_received'] += len(data)
        self.received(data)

    def received(self, data):
        pass

    def tick(self, now):
        if now < self.next_at:
            return
        if self.sock is None:
            self.open()
        else:
            self.act(now)

    def act(self, now):
        pass


class Storm(Agent):
    """One wave: hundreds of connections at once, held a moment, then closed or reset."""

    def __init__(self, ctx, index, size):
        super().__init__(ctx, index)
        self.size = size
        self.wave = []
        self.until = 0.0

    def tick(self, now):
        if now < self.until:
            return
        for i, sock in enumerate(self.wave):
            if i % 2:
                sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack('ii', 1, 0))
            sock.close()
        self.ctx.stats['storm_waves'] += 1 if self.wave else 0
        self.wave = []
        for _ in range(self.size):
            sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            sock.setblocking(False)
            sock.connect_ex(self.ctx.address)
            self.wave.append(sock)
        self.ctx.stats['connects'] += self.size
        self.until = now + self.ctx.rng.uniform(0.5, 1.5)

    def close(self, reset=False):
        for sock in self.wave:
            sock.close()
        self.wave = []


class Slowloris(Agent):
    reads = False

    def opened(self):
        self.pending = b'login ' + self.name().encode() + b' and more and more and more' * 100

    def act(self, now):
        if self.send(self.pending[:1]):
            self.pending = self.pending[1:] or self.pending
        self.next_at = now + self.ctx.rng.uniform(0.2, 0.6)


class Bigline(Agent):
    line = memoryview(b'say ' + b'B' * MIB + b'\r\n')

    def opened(self):
        self.send(b'login ' + self.name().encode() + b'\r\n')
        self.left = self.line

    def act(self, now):
        if self.sock is None:
            return
        try:
            sent = self.sock.send(self.left[:256 * KIB])
            self.ctx.stats['bytes_sent'] += sent
            self.left = self.left[sent:] if sent < len(self.left) else self.line
        except (BlockingIOError, InterruptedError):
            pass
        except OSError:
            self.ctx.stats['closed_by_server'] += 1
            self.close()
        self.next_at = now + 0.02


class Flood(Agent):
    def opened(self):
        self.send(b'login ' + self.name().encode() + b'\r\n')
        # The server's burst of 20 of these from each flooder lands in one wake: all six
        # together stay under --max-output, or readers would be cut off for the burst alone.
        self.lines = b''.join(b'say flood %d %s\r\n' % (i, b'F' * 1000) for i in range(64))

    def act(self, now):
        self.send(self.lines)
        self.next_at = now + 0.01


class Lookflood(Agent):
    lines = b'look\r\nwho\r\nsay hi\r\n' * 1000

    def act(self, now):
        self.send(self.lines)
        self.next_at = now + 0.01


class Garbage(Agent):
    def act(self, now):
        self.send(self.ctx.rng.randbytes(4 * KIB))
        self.next_at = now + 0.01


class Iac(Agent):
    def act(self, now):
        rng = self.ctx.rng
        kind = rng.randrange(4)
        if kind == 0:    # negotiations for every option, every verb
            data = b''.join(bytes([255, rng.choice((251, 252, 253, 254)), rng.randrange(256)])
                            for _ in range(1000))
        elif kind == 1:  # a subnegotiation that never ends
            data = b'\xff\xfa\x18' + b'S' * (16 * KIB)
        elif kind == 2:  # IAC IAC: data bytes 255, in a line that never ends
            data = b'\xff\xff' * (4 * KIB)
        else:            # commands without arguments
            data = bytes([255, 241, 255, 246, 255, 249] * 1000)
        self.send(data)
        self.next_at = now + 0.01


class Deaf(Agent):
    """Logged in, with a tiny window, and never reads: it must be closed as a slow consumer.
    Its long name makes every `who` reply long, and it asks for them at the rate limit: without
    the output cap each deaf client would grow the server by a third of a megabyte a second."""
    reads = False
    receive_buffer = 4096

    def opened(self):
        self.send(b'login ' + self.name().encode() + b'_' + b'D' * 3000 + b'\r\n')

    def act(self, now):
        self.send(b'who\r\nlook\r\n')
        self.next_at = now + 0.1


class DeafIac(Agent):
    """Never reads, and asks for telnet options as fast as the server reads: every request is
    refused with a reply of the same size, queued for a reader that is not there. Without the
    output cap this alone would grow the server's memory by megabytes a second."""
    reads = False
    receive_buffer = 4096
    requests = bytes([255, 253, 24]) * (16 * KIB)  # IAC DO TTYPE

    def act(self, now):
        self.send(self.requests)
        self.next_at = now + 0.01


class Reset(Agent):
    """Asks for output, then resets the connection while the server is writing to it."""
    receive_buffer = 4096
    reads = False

    def opened(self):
        self.send(b'login ' + self.name().encode() + b'\r\n' + b'who\r\nlook\r\n' * 10)
        self.reset_at = time.monotonic() + self.ctx.rng.uniform(0.2, 0.8)

    def act(self, now):
        if now >= self.reset_at:
            self.close(reset=True)


KINDS = {'storm': Storm, 'slowloris': Slowloris, 'bigline': Bigline, 'flood': Flood,
         'lookflood': Lookflood, 'garbage': Garbage, 'iac': Iac, 'deaf': Deaf, 'deafiac': DeafIac,
         'reset': Reset}


class AttackContext:
    def __init__(self, address, part, seed):
        self.address = address
        self.part = part
        self.rng = random.Random(seed)
        self.selector = selectors.DefaultSelector()
        self.stats = {k: 0 for k in ('connects', 'bytes_sent', 'bytes_received',
                                     'closed_by_server', 'resets', 'storm_waves')}


def attacker(address, part, parts, counts, deadline, seed, results):
    """One attacker process: its share of every kind, until the deadline."""
    ctx = AttackContext(address, part, seed)
    agents = []
    for kind, count in counts.items():
        mine = count // parts + (1 if part < count % parts else 0)
        if kind == 'storm':
            if mine:
                agents.append(Storm(ctx, 0, mine))
            continue
        agents.extend(KINDS[kind](ctx, i) for i in range(mine))
    while time.monotonic() < deadline:
        for key, _ in ctx.selector.select(timeout=0.01):
            key.data.readable()
        now = time.monotonic()
        for agent in agents:
            agent.tick(now)
    for agent in agents:
        agent.close()
    results.put(('attacker', part, ctx.stats))


# --------------------------------------------------------------------------------------------
# The observers: two well-behaved users chatting at a human pace, checking order and latency.

MESSAGE = re.compile(rb'^(observer_[ab]): OBS (observer_[ab]) (\d+) (\d+)$')


class Observer:
    def __init__(self, name, address):
        self.name = name
        self.sock = socket.create_connection(address, timeout=10)
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.buffer = b''
        self.sent = 0
        self.expected = {'observer_a': 0, 'observer_b': 0}   # next sequence number from each
        self.problems = []
        self.latencies = []
        self.disconnected = False
        self.sock.sendall(b'login %s\r\n' % name.encode())
        self.sock.setblocking(False)

    def say(self):
        self.sock.sendall(b'say OBS %s %d %d\r\n' % (self.name.encode(), self.sent,
                                                      time.monotonic_ns()))
        self.sent += 1

    def read(self):
        try:
            data = self.sock.recv(256 * KIB)
        except (BlockingIOError, InterruptedError):
            return
        except OSError:
            data = b''
        if not data:
            if not self.disconnected:
                self.problems.append('%s was disconnected' % self.name)
            self.disconnected = True
            return
        arrived = time.monotonic_ns()
        self.buffer += data
        *lines, self.buffer = self.buffer.split(b'\r\n')
        for line in lines:
            match = MESSAGE.match(line)
            if not match:
                continue
            speaker, sender, seq, sent_at = match.groups()
            sender = sender.decode()
            if speaker.decode() != sender:
                self.problems.append('%s: message of %s under the name %s' % (self.name, sender,
                                                                              speaker))
            seq = int(seq)
            if seq != self.expected[sender]:
                self.problems.append('%s: from %s got message %d, expected %d' % (
                    self.name, sender, seq, self.expected[sender]))
            self.expected[sender] = seq + 1
            self.latencies.append((arrived - int(sent_at)) / 1e9)


def observers(address, deadline, results):
    """Both observers in one process: each says something twice a second until the deadline,
    then both wait (up to 30 s) until each has heard every message of both."""
    a = Observer('observer_a', address)
    b = Observer('observer_b', address)
    selector = selectors.DefaultSelector()
    selector.register(a.sock, selectors.EVENT_READ, a)
    selector.register(b.sock, selectors.EVENT_READ, b)
    time.sleep(0.2)  # both logged in before the first message
    next_say = time.monotonic()
    turn = 0
    while time.monotonic() < deadline:
        now = time.monotonic()
        if now >= next_say and not (a.disconnected or b.disconnected):
            (a, b)[turn % 2].say()
            turn += 1
            next_say = now + 0.25
        for key, _ in selector.select(timeout=max(0.0, min(0.05, next_say - now))):
            key.data.read()
    drain_until = time.monotonic() + 30
    def heard_all(o):
        return o.expected['observer_a'] == a.sent and o.expected['observer_b'] == b.sent
    while not (heard_all(a) and heard_all(b)) and time.monotonic() < drain_until:
        if a.disconnected and b.disconnected:
            break
        for key, _ in selector.select(timeout=0.1):
            key.data.read()
    report = {'sent': {'observer_a': a.sent, 'observer_b': b.sent}, 'problems': [],
              'latencies': sorted(a.latencies + b.latencies)}
    for o in (a, b):
        report['problems'] += o.problems
        for sender, obs in (('observer_a', a), ('observer_b', b)):
            if o.expected[sender] != obs.sent:
                report['problems'].append('%s heard %d of the %d messages of %s' % (
                    o.name, o.expected[sender], obs.sent, sender))
    results.put(('observers', 0, report))


# --------------------------------------------------------------------------------------------
# The run

def memory_bound(baseline, counts, sanitized, max_output, max_line):
    """The most the server may hold: what it started with, plus for every attacking connection
    its fixed cost, plus for every connection that can make output queue or input wait the
    caps on those (core closes a slow consumer at --max-output; a rate-limited connection holds
    at most one read and one line; the decoder at most a line and a subnegotiation)."""
    connections = sum(counts.values()) + 2
    heavy = sum(counts[k] for k in HEAVY) + 2
    per_heavy = max_output + READ_SIZE + 2 * max_line + SUBNEGOTIATION
    bound = baseline + connections * PER_CONNECTION + heavy * per_heavy + SLACK
    if sanitized:  # redzones, allocation stacks and the (shrunk) quarantine
        bound = baseline + 3 * (bound - baseline) + 16 * MIB
    return bound


def percentile(sorted_values, fraction):
    if not sorted_values:
        return float('nan')
    return sorted_values[min(len(sorted_values) - 1, int(fraction * len(sorted_values)))]


def main():
    parser = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    target = parser.add_mutually_exclusive_group(required=True)
    target.add_argument('--server', help='the teaparty binary to start and attack')
    target.add_argument('--connect', help='HOST:PORT of a running server (loopback only)')
    parser.add_argument('--pid', type=int, help='with --connect: the server process, for RSS')
    parser.add_argument('--duration', type=float, default=15, help='seconds of attack')
    parser.add_argument('--scale', type=float,
                        help='multiplies every attack count (default 1, or 0.5 with --sanitized)')
    parser.add_argument('--latency-bound', type=float,
                        help='seconds an observer message may take (default 5, or 15 with '
                             '--sanitized): generous, never a speed test')
    parser.add_argument('--sanitized', action='store_true',
                        help='the server is built with ASan and UBSan, which make it several '
                             'times slower and larger: a lighter attack, looser bounds')
    parser.add_argument('--seed', type=int, default=6)
    parser.add_argument('--processes', type=int, default=2, help='attacker processes')
    parser.add_argument('--server-log', help='save the log of a server it started to this file')
    parser.add_argument('--max-output', type=int, default=DEFAULT_MAX_OUTPUT,
                        help='with --connect: the server\'s --max-output in bytes, for the bound')
    parser.add_argument('--max-line', type=int, default=DEFAULT_MAX_LINE,
                        help='with --connect: the server\'s --max-line, for the bound')
    args = parser.parse_args()
    if args.scale is None:
        args.scale = 0.5 if args.sanitized else 1.0
    if args.latency_bound is None:
        args.latency_bound = 15.0 if args.sanitized else 5.0
    if args.connect and not args.pid:
        parser.error('--connect needs --pid (the RSS is read from /proc/PID/status)')
    if not 1 <= args.duration <= 24 * 3600:
        parser.error('--duration must be between 1 s and a day')

    # Hundreds of sockets at once: raise our own descriptor limit as far as we may.
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))

    counts = {kind: max(1, int(n * args.scale)) for kind, n in ATTACK.items()}
    server = Server(args)
    failures = []
    try:
        time.sleep(0.3)
        baseline = server.rss()
        max_output = args.max_output if args.connect else STARTED_MAX_OUTPUT
        max_line = args.max_line if args.connect else DEFAULT_MAX_LINE
        bound = memory_bound(baseline, counts, args.sanitized, max_output, max_line)
        log('attack: %s for %.0f s' % (', '.join('%s %d' % kv for kv in counts.items()),
                                       args.duration))
        log('memory: baseline %.1f MiB, bound %.1f MiB' % (baseline / MIB, bound / MIB))

        results = multiprocessing.Queue()
        start = time.monotonic()
        deadline = start + args.duration
        children = [multiprocessing.Process(target=observers,
                                            args=(server.address, deadline, results))]
        for part in range(args.processes):
            children.append(multiprocessing.Process(
                target=attacker, args=(server.address, part, args.processes, counts, deadline,
                                       args.seed * 100 + part, results)))
        for child in children:
            child.start()

        peak = baseline
        samples = 0
        died_at = None
        while any(child.is_alive() for child in children) and time.monotonic() < deadline + 60:
            peak = max(peak, server.rss())
            samples += 1
            if died_at is None and not server.alive():
                died_at = time.monotonic() - start
            time.sleep(0.05)

        reports = {}
        for _ in children:
            try:
                role, part, report = results.get(timeout=5)
                reports[(role, part)] = report
            except Exception:  # queue.Empty: a child that died reports nothing
                break
        for child in children:
            child.join(timeout=5)
            if child.is_alive():
                child.kill()
                failures.append('a tool process did not finish')

        # --- figures
        totals = {}
        for (role, _), report in reports.items():
            if role == 'attacker':
                for key, value in report.items():
                    totals[key] = totals.get(key, 0) + value
        log('attackers: %s' % ', '.join('%s %d' % kv for kv in sorted(totals.items())))
        log('memory: peak %.1f MiB over %d samples (bound %.1f MiB)' % (
            peak / MIB, samples, bound / MIB))
        observed = reports.get(('observers', 0))
        if observed:
            lat = observed['latencies']
            log('observers: sent %s, %d messages heard; latency p50 %.3f s, p99 %.3f s, '
                'max %.3f s (bound %.1f s)' % (
                    observed['sent'], len(lat), percentile(lat, 0.5), percentile(lat, 0.99),
                    lat[-1] if lat else float('nan'), args.latency_bound))

        # --- checks
        if died_at is not None:
            failures.append('the server died %.1f s into the attack' % died_at)
        if peak > bound:
            failures.append('RSS peaked at %.1f MiB, over the bound of %.1f MiB' % (
                peak / MIB, bound / MIB))
        if not observed:
            failures.append('the observers reported nothing')
        else:
            failures += observed['problems']
            if min(observed['sent'].values()) < args.duration:
                failures.append('the observers said too little: %s' % observed['sent'])
            if observed['latencies'] and observed['latencies'][-1] > args.latency_bound:
                failures.append('an observer message took %.2f s' % observed['latencies'][-1])
        if server.alive():
            failures += still_serves(server.address)
        if server.proc is not None:
            limits_hit = {what: server.log_text().count(needle) for what, needle in (
                ('slow consumers closed', 'closed: slow consumer'),
                ('rate-limit pauses', 'over the line rate limit'),
                ('login timeouts', 'not logged in after'),
                ('long lines dropped', 'bytes dropped'),
                ('connections', 'connected from'))}
            log('server log: %s' % ', '.join('%s %d' % kv for kv in limits_hit.items()))
            if args.server_log:
                with open(args.server_log, 'w') as saved:
                    saved.write(server.log_text())
            for what, count in limits_hit.items():
                if count == 0 and args.duration >= 10:
                    failures.append('no %s in the server log: the attack missed' % what)
            if server.alive():
                status = server.terminate()
                log('SIGTERM: exit status %s' % status)
                if status != 0:
                    failures.append('the server did not stop cleanly on SIGTERM (%s)' % status)
    finally:
        server.stop()

    if failures:
        for failure in failures:
            log('FAIL: ' + failure)
        return 1
    log('PASS: the server stayed up within its memory bound, and the observers missed nothing')
    return 0


def still_serves(address):
    """A fresh client after the attack: welcome, login, an echo of its own say."""
    try:
        with socket.create_connection(address, timeout=10) as sock:
            sock.sendall(b'login afterwards\r\nsay all quiet\r\n')
            received = b''
            until = time.monotonic() + 10
            while b'afterwards: all quiet\r\n' not in received and time.monotonic() < until:
                chunk = sock.recv(4096)
                if not chunk:
                    break
                received += chunk
            if b'afterwards: all quiet\r\n' not in received:
                return ['a fresh client after the attack got %r' % received[:200]]
    except OSError as e:
        return ['a fresh client after the attack could not chat: %s' % e]
    return []


if __name__ == '__main__':
    sys.exit(main())
