#!/usr/bin/python3
"""Several teaparty nodes, one chat: integration tests of issue 8 over real processes.

Each scenario starts a real redis-server on a free loopback port and two or three teaparty
nodes (--dialect classic --redis 127.0.0.1:PORT --node-timeout 2), connects raw TCP clients
and checks the bytes they receive:

  chat_across      a say on node A reaches the users on A and B, with the book's bytes;
                   look lists the members of every node
  taken_name       a name logged in on A is "taken" on B
  same_order       several senders on different nodes, numbered lines: every receiver on every
                   node sees the same sequence
  node_killed      kill -9 of a node: its users announced as left on the others within the
                   node timeout and some slack
  node_stopped     SIGTERM of a node: its users announced as left on the others at once (its
                   last words reach Redis before it exits; the node timeout here is a minute)
  redis_restarted  Redis killed and restarted under load: the nodes tell their users, keep
                   serving locally (lines said meanwhile reach the local users), come back,
                   and chat across nodes works again

  nodes_test.py --teaparty BUILD/teaparty SCENARIO

Every wait is bounded and waits for something expected to be present. Standard library only;
loopback only. Without redis-server the test fails, saying so (CI installs it).
"""

import argparse
import os
import re
import select
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time

LOOPBACK = '127.0.0.1'
NODE_TIMEOUT = 2  # seconds, --node-timeout of every node here
WAIT = 10.0  # seconds: the bound on waiting for anything expected

# The classic dialect's texts (core/classic_texts.h).
LOST = b'Lost contact with the other servers; you can go on talking with those on this one.\r\n'
BACK = b'In contact with the other servers again.\r\n'


class Failure(Exception):
    pass


def free_port():
    with socket.socket() as s:
        s.bind((LOOPBACK, 0))
        return s.getsockname()[1]


def wait_until(what, predicate, limit=WAIT):
    deadline = time.monotonic() + limit
    while not predicate():
        if time.monotonic() > deadline:
            raise Failure('gave up after %.0f s waiting for %s' % (limit, what))
        time.sleep(0.01)


class Redis:
    def __init__(self):
        self.binary = shutil.which('redis-server')
        if self.binary is None:
            raise Failure('redis-server is not on PATH: these tests need a real Redis. Install '
                          'the Debian package redis-server (scripts/install-deps does).')
        self.port = free_port()
        self.proc = None

    def start(self):
        self.proc = subprocess.Popen(
            [self.binary, '--port', str(self.port), '--bind', LOOPBACK, '--save', '',
             '--appendonly', 'no', '--daemonize', 'no', '--protected-mode', 'no'],
            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)

        def accepts():
            if self.proc.poll() is not None:
                raise Failure('redis-server exited with %s on port %d'
                              % (self.proc.returncode, self.port))
            try:
                socket.create_connection((LOOPBACK, self.port), timeout=1).close()
                return True
            except OSError:
                return False
        wait_until('redis-server on port %d' % self.port, accepts)

    def kill(self):
        if self.proc and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()

    @property
    def address(self):
        return '%s:%d' % (LOOPBACK, self.port)


class Node:
    def __init__(self, binary, redis, name, extra=(), node_timeout=NODE_TIMEOUT):
        self.name = name
        self.err = tempfile.TemporaryFile()
        self.proc = subprocess.Popen(
            [binary, '--host', LOOPBACK, '--port', '0'] +
            ([] if '--dialect' in extra else ['--dialect', 'classic']) +
            ['--redis', redis.address, '--node-name', name,
             '--node-timeout', str(node_timeout)] + list(extra),
            stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=self.err)
        line = self.proc.stdout.readline().decode('utf-8', 'replace').strip()
        m = re.fullmatch(r'listening on (\S+):(\d+)', line)
        if not m:
            raise Failure('node %s: first line %r, stderr:\n%s' % (name, line, self.log()))
        self.port = int(m.group(2))

    def log(self):
        return os.pread(self.err.fileno(), 1 << 20, 0).decode('utf-8', 'replace')

    def wait_joined(self, times=1):
        wait_until('node %s to join Redis (%d)' % (self.name, times),
                   lambda: self.log().count(' up, as node ') >= times)

    def kill9(self):
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()

    def stop(self):
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(5)
            except subprocess.TimeoutExpired:
                self.kill9()


class Client:
    """A raw TCP client; everything it receives accumulates in `got`."""

    def __init__(self, node, label):
        self.label = label
        self.sock = socket.create_connection((LOOPBACK, node.port), timeout=WAIT)
        self.sock.setblocking(False)
        self.got = b''
        self.lock = threading.Lock()

    def pump(self):
        while True:
            try:
                data = self.sock.recv(65536)
            except BlockingIOError:
                return
            except OSError:
                return
            if not data:
                return
            self.got += data

    def send(self, data):
        with self.lock:
            view = memoryview(data)
            deadline = time.monotonic() + WAIT
            while view:
                try:
                    view = view[self.sock.send(view):]
                except BlockingIOError:
                    if time.monotonic() > deadline:
                        raise Failure('%s: could not send' % self.label)
                    select.select([], [self.sock], [], 0.05)

    def wait_for(self, expected, start=0):
        """Waits until `expected` is in what came since offset `start`; returns its end."""
        def present():
            self.pump()
            return self.got.find(expected, start) >= 0
        try:
            wait_until('%s to receive %r' % (self.label, expected), present)
        except Failure as e:
            raise Failure('%s; it got %r' % (e, self.got[-2000:]))
        return self.got.find(expected, start) + len(expected)

    def expect_answer(self, line, expected):
        """Sends `line`; what comes back must be exactly `expected`."""
        mark = len(self.got)
        self.send(line)
        end = self.wait_for(expected, mark)
        if self.got[mark:end] != expected:
            raise Failure('%s: %r answered %r, expected %r'
                          % (self.label, line, self.got[mark:end], expected))

    def login(self, name):
        self.wait_for(b'\r\n')  # the welcome
        self.send(b'login %s\r\n' % name.encode())
        # look is answered once the login is settled (the node holds input until the claim
        # comes back from Redis), so its header says the login is done.
        mark = len(self.got)
        self.send(b'look\r\n')
        self.wait_for(b'The following are in this room:\r\n', mark)
        end = self.wait_for(b'%s\r\n' % name.encode(), mark)
        return end

    def close(self):
        self.sock.close()


class Cluster:
    def __init__(self, binary, nodes, extra=(), node_timeout=NODE_TIMEOUT):
        self.binary = binary
        self.redis = Redis()
        self.redis.start()
        self.nodes = []
        self.clients = []
        for name in nodes:
            self.nodes.append(Node(binary, self.redis, name, extra, node_timeout))
        for node in self.nodes:
            node.wait_joined()

    def client(self, node, label):
        c = Client(node, label)
        self.clients.append(c)
        return c

    def user(self, node, name):
        """A client on `node` logged in as `name` (labelled name@node)."""
        c = self.client(node, '%s@%s' % (name, node.name))
        c.login(name)
        return c

    def close(self):
        for c in self.clients:
            c.close()
        for node in self.nodes:
            node.stop()
        self.redis.kill()

    def logs(self):
        return '\n'.join('--- node %s stderr:\n%s' % (n.name, n.log()[-3000:]) for n in self.nodes)


# --------------------------------------------------------------------------
# Scenarios


def chat_across(cluster):
    a, b = cluster.nodes[0], cluster.nodes[1]
    alice = cluster.user(a, 'alice')
    bob = cluster.user(b, 'bob')
    alice.wait_for(b'bob has entered the room.\r\n')
    amy = cluster.user(a, 'amy')
    marks = {c: len(c.got) for c in (alice, bob, amy)}
    alice.send(b'say hello from A\r\n')
    for c in (alice, bob, amy):
        end = c.wait_for(b'alice: hello from A\r\n', marks[c])
        tail = c.got[marks[c]:end]
        # Whatever came before the line on this client is the entrances it was owed.
        tail = tail.replace(b'amy has entered the room.\r\n', b'')
        if tail != b'alice: hello from A\r\n':
            raise Failure('%s got %r, expected exactly the say line' % (c.label, tail))
    bob.send(b'say and back from B\r\n')
    for c in (alice, bob, amy):
        c.wait_for(b'bob: and back from B\r\n', marks[c])
    # look on B lists the members of both nodes, in order of entry.
    bob.expect_answer(b'look\r\n', b'The following are in this room:\r\nalice\r\nbob\r\namy\r\n')


def taken_name(cluster):
    a, b = cluster.nodes[0], cluster.nodes[1]
    alice = cluster.user(a, 'alice')
    other = cluster.client(b, 'other@B')
    other.wait_for(b'\r\n')
    other.expect_answer(b'login alice\r\n', b'The name "alice" is taken.\r\nPlease try again.\r\n')
    # And the name is free on B once alice logs out on A.
    alice.send(b'logout\r\n')

    def granted():
        # look answers either way: the room's list if the login went through, the book's
        # prodding if it did not.
        mark = len(other.got)
        other.send(b'login alice\r\nlook\r\n')
        wait_until('an answer on B', lambda: other.pump() or b'Please log in' in other.got[mark:]
                   or b'The following are in this room:' in other.got[mark:])
        return b'The following are in this room:\r\nalice\r\n' in other.got[mark:]
    wait_until('alice to be free on B after logout on A', granted)


def same_order(cluster):
    senders, receivers = [], []
    for i, node in enumerate(cluster.nodes):
        senders.append(cluster.user(node, 's%d' % i))
        receivers.append(cluster.user(node, 'r%d' % i))
    # Everyone is in (every client heard the last entrance) before the lines start.
    last = receivers[-1]
    for c in senders + receivers:
        if c is not last:
            c.wait_for(b'r%d has entered the room.\r\n' % (len(cluster.nodes) - 1))
    marks = {c: len(c.got) for c in senders + receivers}
    lines = 40
    batches = [b''.join(b'say %d-%d\r\n' % (i, n) for n in range(lines))
               for i in range(len(senders))]
    threads = [threading.Thread(target=s.send, args=(batch,)) for s, batch in zip(senders, batches)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    total = lines * len(senders)
    pattern = re.compile(rb's(\d+): (\d+)-(\d+)\r\n')
    sequences = {}
    for c in senders + receivers:
        def complete():
            c.pump()
            return len(pattern.findall(c.got, marks[c])) >= total
        try:
            wait_until('%s to hear all %d lines' % (c.label, total), complete)
        except Failure as e:
            raise Failure('%s (it heard %d)' % (e, len(pattern.findall(c.got, marks[c]))))
        sequences[c.label] = pattern.findall(c.got, marks[c])
    reference_label, reference = next(iter(sequences.items()))
    for label, sequence in sequences.items():
        if sequence != reference:
            first = next(i for i, (x, y) in enumerate(zip(sequence, reference)) if x != y)
            raise Failure('%s and %s differ at line %d: %r vs %r'
                          % (label, reference_label, first, sequence[first], reference[first]))
    for i in range(len(senders)):
        own = [int(n) for s, _, n in reference if s == b'%d' % i]
        if own != list(range(lines)):
            raise Failure('sender %d\'s lines out of order or missing: %r' % (i, own))


def node_killed(cluster):
    a, c_node = cluster.nodes[0], cluster.nodes[2]
    alice = cluster.user(a, 'alice')
    cluster.user(c_node, 'dave')
    cluster.user(c_node, 'erin')
    alice.wait_for(b'erin has entered the room.\r\n')
    bob = cluster.user(cluster.nodes[1], 'bob')
    mark_a, mark_b = len(alice.got), len(bob.got)
    c_node.kill9()
    killed = time.monotonic()
    bound = NODE_TIMEOUT + 4.0
    for who in (b'dave', b'erin'):
        for c, mark in ((alice, mark_a), (bob, mark_b)):
            def left():
                c.pump()
                return c.got.find(who + b' has left the room.\r\n', mark) >= 0
            try:
                wait_until('%s to hear %s leave' % (c.label, who.decode()), left,
                           bound - (time.monotonic() - killed))
            except Failure as e:
                raise Failure('%s: not within %.0f s of the kill (node timeout %d s + slack); got %r'
                              % (e, bound, NODE_TIMEOUT, c.got[mark:]))
    # Their names are free again, and the room lists only who is left.
    bob.expect_answer(b'look\r\n', b'The following are in this room:\r\nalice\r\nbob\r\n')
    cluster.user(a, 'dave')


def node_stopped(cluster):
    a, b = cluster.nodes[0], cluster.nodes[1]
    alice = cluster.user(a, 'alice')
    bob = cluster.user(b, 'bob')
    alice.wait_for(b'bob has entered the room.\r\n')
    mark = len(alice.got)
    b.proc.terminate()
    try:
        b.proc.wait(WAIT)
    except subprocess.TimeoutExpired:
        raise Failure('node B did not exit within %.0f s of SIGTERM' % WAIT)
    if b.proc.returncode != 0:
        raise Failure('node B exited with %s' % b.proc.returncode)
    # Well within the minute of node timeout: only B's own goodbye can have said it.
    alice.wait_for(b'bob has left the room.\r\n', mark)
    alice.expect_answer(b'look\r\n', b'The following are in this room:\r\nalice\r\n')


def redis_restarted(cluster):
    a, b = cluster.nodes[0], cluster.nodes[1]
    alice = cluster.user(a, 'alice')
    amy = cluster.user(a, 'amy')
    bob = cluster.user(b, 'bob')
    alice.wait_for(b'bob has entered the room.\r\n')
    # Load: a sender on each node says numbered lines all along, until told to stop.
    stop = threading.Event()
    loaders = []
    for node, name in ((a, 'loadA'), (b, 'loadB')):
        loaders.append(cluster.user(node, name))
    amy.wait_for(b'loadB has entered the room.\r\n')
    sent = {c.label: 0 for c in loaders}

    def load(c):
        for n in range(100000):
            if stop.is_set():
                return
            c.send(b'say tick %d\r\n' % n)
            sent[c.label] = n + 1
            time.sleep(0.005)
    threads = [threading.Thread(target=load, args=(c,)) for c in loaders]
    for t in threads:
        t.start()
    try:
        wait_until('some load', lambda: min(sent.values()) >= 20)
        marks = {c: len(c.got) for c in (alice, amy, bob)}
        cluster.redis.kill()
        for c in (alice, amy, bob):
            c.wait_for(LOST, marks[c])
        # Cut off, A still serves its own users.
        alice.send(b'say while Redis is down\r\n')
        for c in (alice, amy):
            c.wait_for(b'alice: while Redis is down\r\n', marks[c])
        cluster.redis.start()
        for c in (alice, amy, bob):
            c.wait_for(BACK, marks[c])
        for node in (a, b):
            node.wait_joined(2)
        wait_until('more load after the return', lambda: min(sent.values()) >= 200)
    finally:
        stop.set()
        for t in threads:
            t.join()
    # Chat across nodes works again, both ways.
    marks = {c: len(c.got) for c in (alice, amy, bob)}
    alice.send(b'say back again\r\n')
    for c in (alice, amy, bob):
        c.wait_for(b'alice: back again\r\n', marks[c])
    bob.send(b'say hello A\r\n')
    for c in (alice, amy, bob):
        c.wait_for(b'bob: hello A\r\n', marks[c])
    # Nothing lost for the local users of a node that stayed up: each loader's own node
    # delivered every line it said, once, in order (what was said while cut off included).
    for loader, local in ((loaders[0], amy), (loaders[1], bob)):
        name = loader.label.split('@')[0].encode()
        want = sent[loader.label]
        pattern = re.compile(rb'^' + name + rb': tick (\d+)\r$', re.M)

        def heard_all():
            local.pump()
            return len(pattern.findall(local.got)) >= want
        try:
            wait_until('%s to hear all %d lines of %s' % (local.label, want, loader.label),
                       heard_all)
        except Failure as e:
            raise Failure('%s; heard %d' % (e, len(pattern.findall(local.got))))
        ticks = [int(n) for n in pattern.findall(local.got)]
        if ticks != list(range(want)):
            missing = sorted(set(range(want)) - set(ticks))
            raise Failure('%s heard %s\'s lines not once each in order: %d heard, missing %r'
                          % (local.label, loader.label, len(ticks), missing[:20]))
    for node in (a, b):
        if node.proc.poll() is not None:
            raise Failure('node %s exited with %s' % (node.name, node.proc.returncode))


def modern_across(cluster):
    """The modern dialect across two nodes: rooms, a move, a line, /msg, /who, /nick, a name
    taken on the other node."""
    a, b = cluster.nodes[0], cluster.nodes[1]

    def modern_user(node, name):
        c = cluster.client(node, '%s@%s' % (name, node.name))
        c.wait_for(b'Your name: ')
        c.send(b'%s\r\n' % name.encode())
        c.wait_for(b'Hello, %s! You are in main.' % name.encode())
        return c

    alice = modern_user(a, 'alice')
    bob = modern_user(b, 'bob')
    alice.wait_for(b'bob has joined the chat.\r\n')
    alice.send(b'/join Tea\r\n')
    alice.wait_for(b'You are now in Tea.\r\n')
    bob.wait_for(b'alice has gone to Tea.\r\n')
    bob.send(b'/join tea\r\n')
    bob.wait_for(b'You are now in Tea.\r\n')
    alice.wait_for(b'bob has come in from main.\r\n')
    alice.send(b'hello from A\r\n')
    for c in (alice, bob):
        c.wait_for(b'alice: hello from A\r\n')
    bob.send(b'/msg alice psst\r\n')
    alice.wait_for(b'bob whispers: psst\r\n')
    bob.wait_for(b'You whisper to alice: psst\r\n')
    bob.expect_answer(b'/who\r\n', b'Logged in (2):\r\n  alice in Tea\r\n  bob in Tea\r\n')
    alice.send(b'/nick alicia\r\n')
    alice.wait_for(b'You are now known as alicia.\r\n')
    bob.wait_for(b'alice is now known as alicia.\r\n')
    other = cluster.client(b, 'other@B')
    other.wait_for(b'Your name: ')
    other.send(b'alicia\r\n')
    other.wait_for(b'The name "alicia" is taken')


SCENARIOS = {
    'modern_across': (modern_across, ['A', 'B'], ('--dialect', 'modern')),
    'chat_across': (chat_across, ['A', 'B'], ()),
    'taken_name': (taken_name, ['A', 'B'], ()),
    'same_order': (same_order, ['A', 'B', 'C'], ('--line-rate', '0')),
    'node_killed': (node_killed, ['A', 'B', 'C'], ()),
    'node_stopped': (node_stopped, ['A', 'B'], ()),
    'redis_restarted': (redis_restarted, ['A', 'B'], ('--line-rate', '0')),
}


def main():
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument('--teaparty', required=True)
    parser.add_argument('scenario', choices=sorted(SCENARIOS))
    args = parser.parse_args()
    run, nodes, extra = SCENARIOS[args.scenario]
    cluster = None
    try:
        cluster = Cluster(args.teaparty, nodes, extra,
                          60 if args.scenario == 'node_stopped' else NODE_TIMEOUT)
        run(cluster)
    except Failure as e:
        print('FAIL %s: %s' % (args.scenario, e))
        if cluster:
            print(cluster.logs())
        return 1
    finally:
        if cluster:
            cluster.close()
    print('ok %s' % args.scenario)
    return 0


if __name__ == '__main__':
    sys.exit(main())
