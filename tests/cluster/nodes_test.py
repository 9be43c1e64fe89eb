#!/usr/bin/python3
"""Several teaparty nodes, one chat: integration tests of issue 8 over real processes.

Each scenario starts a real redis-server on a free loopback port and two or three teaparty
nodes (--redis 127.0.0.1:PORT --node-timeout 2, --dialect classic unless said), connects raw TCP
clients and checks the bytes they receive:

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
                   and chat across nodes works again; across nodes only the lines said during
                   the outage and those in flight at the break are missing

The modern dialect (--dialect modern), users in rooms:

  modern_across          rooms, a move, a line, /msg, /who, /nick, a name taken on the other
                         node
  modern_same_order      two rooms over three nodes, two concurrent senders in each: every
                         member of a room on every node hears its lines in one order, and
                         nothing of the other room
  modern_node_killed     kill -9 of a node: its users, in three rooms, announced as left to
                         those rooms on the others within the bound; /who without them; their
                         names free again
  modern_node_stopped    SIGTERM of a node: the same at once (the node timeout is a minute)
  modern_redis_restarted Redis killed and restarted under load in two rooms: loss and return
                         told, local chat meanwhile, chat across nodes again, /who complete,
                         and what is lost across nodes as for redis_restarted
  modern_node_restarted  kill -9 of a node and a new one started under its name: its users
                         see each room's history as the other node's users do

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

# Losing and finding the other nodes: the same words in both dialects (kClusterLost and
# kClusterBack in core/classic_texts.h and core/modern_texts.h).
LOST = b'Lost contact with the other servers; you can go on talking with those on this one.\r\n'
BACK = b'In contact with the other servers again.\r\n'

# The modern dialect's texts these tests read (core/modern_texts.h).
SHUTTING_DOWN = b'The server is shutting down. Goodbye!\r\n'


def joined_chat(name):
    return b'%s has joined the chat.\r\n' % name.encode()


def left_chat(name):
    return b'%s has left the chat.\r\n' % name.encode()


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

    def terminate(self):
        """SIGTERM; the node must exit, with 0, within WAIT."""
        self.proc.terminate()
        try:
            self.proc.wait(WAIT)
        except subprocess.TimeoutExpired:
            raise Failure('node %s did not exit within %.0f s of SIGTERM' % (self.name, WAIT))
        if self.proc.returncode != 0:
            raise Failure('node %s exited with %s' % (self.name, self.proc.returncode))

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
        self.node = node
        self.label = label
        self.name = label.split('@')[0]  # the user's, for the clients of Cluster.user
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

    def wait_for_any(self, options, start=0, limit=WAIT):
        """Waits until one of `options` is in what came since offset `start`, for `limit`
        seconds at most; returns the first found."""
        def found():
            self.pump()
            return next((o for o in options if self.got.find(o, start) >= 0), None)
        try:
            wait_until('%s to receive %s' % (self.label, ' or '.join(map(repr, options))),
                       found, limit)
        except Failure as e:
            raise Failure('%s; it got %r' % (e, self.got[-2000:]))
        return found()

    def wait_for(self, expected, start=0, limit=WAIT):
        """Waits until `expected` is in what came since offset `start`; returns its end."""
        self.wait_for_any([expected], start, limit)
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

    # --- the modern dialect ---

    def choose_name(self, name):
        """Answers the name prompt; whether the name was granted (the hello comes once the
        claim is answered) or refused as taken (the prompt comes again)."""
        self.wait_for(b'Your name: ')
        mark = len(self.got)
        self.send(b'%s\r\n' % name.encode())
        granted = b'Hello, %s! You are in ' % name.encode()
        taken = b'The name "%s" is taken; choose another.\r\n' % name.encode()
        return self.wait_for_any([granted, taken], mark) == granted

    def join(self, room):
        mark = len(self.got)
        self.send(b'/join %s\r\n' % room.encode())
        self.wait_for(b'You are now in %s.\r\n' % room.encode(), mark)

    def settle(self):
        """Says a line and waits to hear it: a sender hears its own line only when it comes
        back from Redis, after all its node published before (its arrival, its move), so
        from here on every node has them in the same place of the order."""
        say_heard(self, b'settled', [self])

    def who(self):
        """Sends /who; the people it lists, as b'NAME in ROOM', in its order."""
        mark = len(self.got)
        self.send(b'/who\r\n')
        reply = re.compile(rb'Logged in \((\d+)\):\r\n((?:  \S+ in \S+\r\n)*)')

        def whole():
            m = reply.search(self.got, mark)
            return m and m.group(2).count(b'\r\n') == int(m.group(1))
        wait_until('%s to get all /who lists' % self.label, lambda: self.pump() or whole())
        return re.findall(rb'  (\S+ in \S+)\r\n', reply.search(self.got, mark).group(2))

    def close(self):
        self.sock.close()


class Cluster:
    def __init__(self, binary, nodes, extra=(), node_timeout=NODE_TIMEOUT):
        self.binary = binary
        self.redis = Redis()
        self.redis.start()
        self.modern = 'modern' in extra
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
        if not self.modern:
            c.login(name)
        elif not c.choose_name(name):
            raise Failure('%s: the name was refused' % c.label)
        return c

    def place(self, plan):
        """Modern: logs in each (node, name, room) of `plan` in turn, moves them to their room
        and settles them (Client.settle), so everyone is where the plan says, in its order,
        on every node. Returns the clients by name."""
        users = {}
        for node, name, room in plan:
            c = users[name] = self.user(node, name)
            if room != 'main':
                c.join(room)
            c.settle()
        return users

    def wins_name(self, node, name, limit=WAIT):
        """Modern: a new client on `node` logs in as `name`, asking again (every 0.2 s, within
        the line rate) while it is refused, for `limit` seconds at most."""
        c = self.client(node, '%s@%s' % (name, node.name))

        def granted():
            return c.choose_name(name) or time.sleep(0.2)
        wait_until('the name %s to be free on %s' % (name, node.name), granted, limit)
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
# Pieces the scenarios share


def say_heard(speaker, text, hearers):
    """The speaker says `text`; each of `hearers` hears it."""
    marks = {c: len(c.got) for c in hearers}
    speaker.send(b'say %s\r\n' % text)
    for c in hearers:
        c.wait_for(b'%s: %s\r\n' % (speaker.name.encode(), text), marks[c])


def say_numbered(senders, lines, prefixes):
    """Each sender says `lines` lines, `prefix` + N for N from 0, all at once: one thread
    each, writing them in one go."""
    threads = [threading.Thread(target=s.send,
                                args=(b''.join(b'say %s%d\r\n' % (prefix, n)
                                               for n in range(lines)),))
               for s, prefix in zip(senders, prefixes)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()


def hear_all(clients, marks, pattern, total):
    """Waits until each client heard `total` lines matching `pattern` since its mark; returns
    what each heard (pattern.findall) by label."""
    sequences = {}
    for c in clients:
        def complete():
            c.pump()
            return len(pattern.findall(c.got, marks[c])) >= total
        try:
            wait_until('%s to hear all %d lines' % (c.label, total), complete)
        except Failure as e:
            raise Failure('%s (it heard %d)' % (e, len(pattern.findall(c.got, marks[c]))))
        sequences[c.label] = pattern.findall(c.got, marks[c])
    return sequences


def one_order(sequences, senders, lines):
    """Every sequence (by label) is the same, and in it each sender's lines (the first field
    names the sender, the last numbers the line) come once each, in order."""
    reference_label, reference = next(iter(sequences.items()))
    for label, sequence in sequences.items():
        if sequence != reference:
            first = next((i for i, (x, y) in enumerate(zip(sequence, reference)) if x != y),
                         min(len(sequence), len(reference)))
            raise Failure('%s and %s differ at line %d: %r vs %r'
                          % (label, reference_label, first, sequence[first:first + 1],
                             reference[first:first + 1]))
    for sender in senders:
        own = [int(fields[-1]) for fields in reference if fields[0] == sender]
        if own != list(range(lines)):
            raise Failure('sender %r\'s lines out of order or missing: %r' % (sender, own))


def heard_within_kill_bound(killed, expectations):
    """Each (client, mark, line) of `expectations` hears its line within the bound on telling
    a killed node's users as left: the node timeout, a heartbeat (a third of it), a round trip
    and slack, counted from `killed`."""
    bound = NODE_TIMEOUT + 4.0
    for c, mark, line in expectations:
        try:
            c.wait_for(line, mark, max(0.0, killed + bound - time.monotonic()))
        except Failure as e:
            raise Failure('not within %.0f s of the kill (node timeout %d s + slack): %s'
                          % (bound, NODE_TIMEOUT, e))
    return killed + bound


def never_heard(c, mark, lines):
    """None of `lines` came to `c` since `mark` (asked after a round trip that follows them)."""
    for line in lines:
        if line in c.got[mark:]:
            raise Failure('%s got %r, not for it; it got %r' % (c.label, line, c.got[mark:]))


class Load:
    """Clients saying numbered lines (`say tick N`) every 5 ms, a thread each, until stopped;
    said[label] counts what each has said."""

    def __init__(self, loaders):
        self.loaders = loaders
        self.said = {c.label: 0 for c in loaders}
        self.stopping = threading.Event()
        self.threads = [threading.Thread(target=self.load, args=(c,)) for c in loaders]
        for t in self.threads:
            t.start()

    def load(self, c):
        for n in range(100000):
            if self.stopping.is_set():
                return
            c.send(b'say tick %d\r\n' % n)
            self.said[c.label] = n + 1
            time.sleep(0.005)

    def wait(self, what, counts):
        wait_until(what, lambda: all(self.said[label] >= n for label, n in counts.items()))

    def stop(self):
        self.stopping.set()
        for t in self.threads:
            t.join()

    @staticmethod
    def ticks(loader, listener, at_least=0):
        """The numbers of the loader's lines the listener heard, in the order heard, once it
        heard `at_least` of them (bounded)."""
        pattern = re.compile(rb'^' + loader.name.encode() + rb': tick (\d+)\r$', re.M)

        def enough():
            listener.pump()
            return len(pattern.findall(listener.got)) >= at_least
        try:
            wait_until('%s to hear %d lines of %s' % (listener.label, at_least, loader.label),
                       enough)
        except Failure as e:
            raise Failure('%s; heard %d' % (e, len(pattern.findall(listener.got))))
        return [int(n) for n in pattern.findall(listener.got)]


# Lines of each loader heard by its listener on another node before Redis is killed.
HEARD_BEFORE_KILL = 50


def redis_outage(cluster, load, listeners, everyone, while_down):
    """Under `load`, once each listener on another node than its loader (`listeners` as for
    nothing_else_lost) heard HEARD_BEFORE_KILL of its lines, kills Redis and starts it again
    on its port: every client is told of the loss and of the return, every node joins Redis
    again, and the load goes on for 100 more lines each. `while_down(marks)` runs while Redis
    is down, `marks` being where each client was at the kill. Returns the marks and how many
    lines each loader had said by the time every client had been told of the return
    (load.said, then)."""
    for loader, _, remote in listeners:
        Load.ticks(loader, remote, HEARD_BEFORE_KILL)
    marks = {c: len(c.got) for c in everyone}
    cluster.redis.kill()
    for c in everyone:
        c.wait_for(LOST, marks[c])
    while_down(marks)
    cluster.redis.start()
    for c in everyone:
        c.wait_for(BACK, marks[c])
    back = dict(load.said)
    for node in cluster.nodes:
        node.wait_joined(2)
    load.wait('more load after the return', {label: n + 100 for label, n in back.items()})
    return marks, back


def heard_everything(loader, listener, said):
    """The listener, on the loader's node, heard every line the loader said, once each, in
    order: the node delivers its own users' lines to them even while cut off."""
    ticks = Load.ticks(loader, listener, said)
    if ticks != list(range(said)):
        missing = sorted(set(range(said)) - set(ticks))
        raise Failure('%s heard %s\'s lines not once each in order: %d heard, missing %r'
                      % (listener.label, loader.label, len(ticks), missing[:20]))


def heard_across_outage(loader, listener, said, back):
    """The listener, on another node than the loader, heard its lines across the outage, once
    each and in order: all from the first up to the break (HEARD_BEFORE_KILL at least), then
    every one from the return on. What may be missing is one run around the outage: the
    lines said while Redis was down (pub/sub keeps nothing for later) and those in flight at
    the break, that is said before the kill but not yet executed by Redis, or executed but not
    yet read by the listener's node when its link broke (a node closes both its Redis
    connections at the first error, dropping what it had not read). Every line said once both
    nodes were back arrives: `back` lines were said by the time every user had been told of
    the return, and only line number `back` may have been on its way then."""
    listener.wait_for(b'%s: tick %d\r\n' % (loader.name.encode(), said - 1))
    ticks = Load.ticks(loader, listener)
    before = next((i for i, n in enumerate(ticks) if n != i), len(ticks))
    after = ticks[before:]
    resumed = after[0] if after else said
    if after != list(range(resumed, said)) or resumed > back + 1 or before < HEARD_BEFORE_KILL:
        raise Failure('%s heard %s\'s lines 0..%d, then %r (%d said, %d by the return); '
                      'expected 0 to at least %d, then every one from at most %d on'
                      % (listener.label, loader.label, before - 1, after[:20], said, back,
                         HEARD_BEFORE_KILL - 1, back + 1))


def nothing_else_lost(cluster, load, back, listeners):
    """After an outage under `load` (`back` as redis_outage returns it): for each (loader, a
    listener on its node, a listener on another node) of `listeners`, the one on its node
    heard everything it said, the other all but a run around the outage; and every node is
    still running."""
    for loader, local, remote in listeners:
        heard_everything(loader, local, load.said[loader.label])
        heard_across_outage(loader, remote, load.said[loader.label], back[loader.label])
    for node in cluster.nodes:
        if node.proc.poll() is not None:
            raise Failure('node %s exited with %s' % (node.name, node.proc.returncode))


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
    say_numbered(senders, lines, [b'%d-' % i for i in range(len(senders))])
    sequences = hear_all(senders + receivers, marks, re.compile(rb's(\d+): (\d+)-(\d+)\r\n'),
                         lines * len(senders))
    one_order(sequences, [b'%d' % i for i in range(len(senders))], lines)


def node_killed(cluster):
    a, c_node = cluster.nodes[0], cluster.nodes[2]
    alice = cluster.user(a, 'alice')
    cluster.user(c_node, 'dave')
    cluster.user(c_node, 'erin')
    alice.wait_for(b'erin has entered the room.\r\n')
    bob = cluster.user(cluster.nodes[1], 'bob')
    mark_a, mark_b = len(alice.got), len(bob.got)
    c_node.kill9()
    heard_within_kill_bound(time.monotonic(), [
        (c, mark, b'%s has left the room.\r\n' % who)
        for who in (b'dave', b'erin') for c, mark in ((alice, mark_a), (bob, mark_b))])
    # Their names are free again, and the room lists only who is left.
    bob.expect_answer(b'look\r\n', b'The following are in this room:\r\nalice\r\nbob\r\n')
    cluster.user(a, 'dave')


def node_stopped(cluster):
    a, b = cluster.nodes[0], cluster.nodes[1]
    alice = cluster.user(a, 'alice')
    bob = cluster.user(b, 'bob')
    alice.wait_for(b'bob has entered the room.\r\n')
    mark = len(alice.got)
    b.terminate()
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
    loaders = [cluster.user(a, 'loadA'), cluster.user(b, 'loadB')]
    amy.wait_for(b'loadB has entered the room.\r\n')
    listeners = [(loaders[0], amy, bob), (loaders[1], bob, amy)]
    load = Load(loaders)
    try:
        def while_down(marks):
            # Cut off, A still serves its own users.
            say_heard(alice, b'while Redis is down', [alice, amy])
        _, back = redis_outage(cluster, load, listeners, (alice, amy, bob), while_down)
    finally:
        load.stop()
    # Chat across nodes works again, both ways.
    say_heard(alice, b'back again', [alice, amy, bob])
    say_heard(bob, b'hello A', [alice, amy, bob])
    # Nothing lost for the local users of a node that stayed up (what was said while cut off
    # included); across nodes, only a run around the outage.
    nothing_else_lost(cluster, load, back, listeners)


def modern_across(cluster):
    """The modern dialect across two nodes: rooms, a move, a line, /msg, /who, /nick, a name
    taken on the other node."""
    a, b = cluster.nodes[0], cluster.nodes[1]
    alice = cluster.user(a, 'alice')
    bob = cluster.user(b, 'bob')
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


def modern_same_order(cluster):
    """Two rooms over three nodes, each with a listener on every node and senders on two of
    them saying numbered lines all at once: every member of a room, on every node, hears
    that room's lines in one order, and no line of the other room."""
    senders_at = {'Tea': cluster.nodes[:2], 'Ale': cluster.nodes[1:]}
    plan = []
    for room, nodes in senders_at.items():
        plan += [(node, '%s_hears%s' % (room.lower(), node.name), room) for node in cluster.nodes]
        plan += [(node, '%s_says%s' % (room.lower(), node.name), room) for node in nodes]
    users = cluster.place(plan)
    members = {room: [users[name] for _, name, r in plan if r == room] for room in senders_at}
    senders = [users[name] for _, name, _ in plan if '_says' in name]
    marks = {c: len(c.got) for c in users.values()}
    lines = 40
    say_numbered(senders, lines, [c.name.split('_')[0].encode() + b' ' for c in senders])
    pattern = re.compile(rb'(\w+): (tea|ale) (\d+)\r\n')
    for room in senders_at:
        hear_all(members[room], marks, pattern, lines * len(senders_at[room]))
    # A last line in each room, once all the numbered ones went through Redis: any of them
    # misdelivered to the other room would have come before it.
    for room in senders_at:
        say_heard(members[room][0], b'end', members[room])
    for room, clients in members.items():
        sequences = {c.label: pattern.findall(c.got, marks[c]) for c in clients}
        for label, sequence in sequences.items():
            strays = [fields for fields in sequence if fields[1] != room.lower().encode()]
            if strays:
                raise Failure('%s, in %s, heard lines of another room: %r'
                              % (label, room, strays[:5]))
        one_order(sequences, [c.name.encode() for c in senders if c in clients], lines)


def gone_from_rooms(cluster, users, marks, pairs, left, limit=WAIT):
    """After a node went, each survivor of the (survivor, gone) `pairs` having heard its
    room-mate leave: /who at every survivor lists exactly `left`, in order of login; no
    survivor heard another room's departure; and each name gone is free again on the
    survivor's node (within `limit` seconds)."""
    for survivor, _ in pairs:
        listed = users[survivor].who()
        if listed != left:
            raise Failure('/who for %s lists %r, expected %r' % (survivor, listed, left))
    # The /who round trips came after every departure.
    for survivor, gone in pairs:
        never_heard(users[survivor], marks[survivor],
                    [left_chat(other) for _, other in pairs if other != gone])
    for survivor, gone in pairs:
        cluster.wins_name(users[survivor].node, gone, limit)


def modern_node_killed(cluster):
    """kill -9 of a node with users in three rooms: each is told to the others' members of
    its room as having left the chat, within the bound; /who no longer lists them; their
    names are free again."""
    a, b, c = cluster.nodes
    users = cluster.place([(a, 'alice', 'Tea'), (b, 'bob', 'Ale'), (b, 'carl', 'main'),
                           (c, 'dave', 'Tea'), (c, 'erin', 'Ale'), (c, 'fay', 'main')])
    pairs = [('alice', 'dave'), ('bob', 'erin'), ('carl', 'fay')]
    marks = {name: len(users[name].got) for name, _ in pairs}
    c.kill9()
    deadline = heard_within_kill_bound(
        time.monotonic(), [(users[s], marks[s], left_chat(gone)) for s, gone in pairs])
    # The names are free within the node timeout of the kill, so by the same bound.
    gone_from_rooms(cluster, users, marks, pairs,
                    [b'alice in Tea', b'bob in Ale', b'carl in main'],
                    max(0.0, deadline - time.monotonic()))


def modern_node_stopped(cluster):
    """SIGTERM of a node with users in two rooms: they are told goodbye, and told to the other
    node's members of their rooms as having left the chat at once (the node timeout is a
    minute); /who no longer lists them; their names are free again at once."""
    a, b = cluster.nodes
    users = cluster.place([(a, 'alice', 'Tea'), (a, 'ann', 'Ale'), (b, 'bob', 'Tea'),
                           (b, 'bea', 'Ale')])
    pairs = [('alice', 'bob'), ('ann', 'bea')]
    marks = {name: len(c.got) for name, c in users.items()}
    b.terminate()
    for name in ('bob', 'bea'):
        users[name].wait_for(SHUTTING_DOWN, marks[name])
    # Well within the minute of node timeout: only B's own goodbye can have said it.
    for survivor, gone in pairs:
        users[survivor].wait_for(left_chat(gone), marks[survivor])
    gone_from_rooms(cluster, users, marks, pairs, [b'alice in Tea', b'ann in Ale'])


def modern_redis_restarted(cluster):
    """Redis killed and restarted while users chat in two rooms under load: told of the loss
    (each node tells its rooms the other node's users have left) and of the return (and that
    they have joined again); local chat meanwhile; chat across nodes in rooms again; /who
    lists everyone; nothing lost across nodes but a run around the outage."""
    a, b = cluster.nodes
    users = cluster.place([(a, 'alice', 'Tea'), (a, 'amy', 'Tea'), (a, 'ann', 'Ale'),
                           (b, 'bob', 'Tea'), (b, 'bea', 'Ale'),
                           (a, 'loadA', 'Tea'), (b, 'loadB', 'Ale')])
    alice, amy, ann, bob, bea = (users[n] for n in ('alice', 'amy', 'ann', 'bob', 'bea'))
    load_a, load_b = users['loadA'], users['loadB']
    # (a user, one of the other node in the same room)
    across = [(alice, 'bob'), (bob, 'alice'), (ann, 'bea'), (bea, 'ann')]
    listeners = [(load_a, amy, bob), (load_b, bea, ann)]
    load = Load([load_a, load_b])
    try:
        def while_down(marks):
            for c, other in across:
                c.wait_for(left_chat(other), marks[c])
            say_heard(alice, b'while Redis is down', [alice, amy])
        marks, back = redis_outage(cluster, load, listeners, list(users.values()), while_down)
        for c, other in across:
            c.wait_for(joined_chat(other), c.got.find(BACK, marks[c]))
    finally:
        load.stop()
    say_heard(alice, b'back again', [alice, amy, bob])
    say_heard(bea, b'hello Ale', [bea, ann])
    everyone = sorted(b'%s in %s' % (name.encode(), room.encode())
                      for name, room in (('alice', 'Tea'), ('amy', 'Tea'), ('ann', 'Ale'),
                                         ('bob', 'Tea'), ('bea', 'Ale'), ('loadA', 'Tea'),
                                         ('loadB', 'Ale')))
    # After an outage /who may list in another order on each node (docs/cluster.md).
    for c in (alice, bob):
        wait_until('/who for %s to list everyone' % c.label,
                   lambda: sorted(c.who()) == everyone or time.sleep(0.1))
    nothing_else_lost(cluster, load, back, listeners)
    # The rooms stayed apart.
    for loader, other_room in ((load_a, ann), (load_b, bob)):
        if Load.ticks(loader, other_room):
            raise Failure('%s heard %s\'s lines, said in another room'
                          % (other_room.label, loader.label))
    never_heard(ann, 0, [b'alice: while Redis is down\r\n', b'alice: back again\r\n'])


MODERN = ('--dialect', 'modern')
UNLIMITED = ('--line-rate', '0')
# name: (scenario, nodes, their further options, their --node-timeout)
def modern_node_restarted(cluster):
    """A node killed and started again (a crash, a rolling upgrade): the node that stayed
    tells it each room's history, so its users are shown what everyone else is."""
    a, b = cluster.nodes
    users = cluster.place([(a, 'alice', 'Tea'), (b, 'bob', 'main')])
    say_heard(users['alice'], b'steeping', [users['alice']])
    say_heard(users['bob'], b'pouring', [users['bob']])
    b.kill9()
    time.sleep(1.0)  # a's link has long been up: it answers the new node's Hello
    cluster.nodes[1] = b = Node(cluster.binary, cluster.redis, 'B', MODERN, NODE_TIMEOUT)
    b.wait_joined()
    carol = cluster.client(b, 'carol@B')
    if not carol.choose_name('carol'):
        raise Failure('carol@B: the name was refused')
    # Each placed user said `settled` first (Cluster.place).
    carol.wait_for(b'--- the last lines said in main ---\r\nbob: settled\r\nbob: pouring\r\n'
                   b'--- end of history ---\r\n')
    carol.send(b'/join tea\r\n')
    carol.wait_for(b'You are now in Tea.\r\n--- the last lines said in Tea ---\r\n'
                   b'alice: settled\r\nalice: steeping\r\n--- end of history ---\r\n')


SCENARIOS = {
    'chat_across': (chat_across, ['A', 'B'], (), NODE_TIMEOUT),
    'taken_name': (taken_name, ['A', 'B'], (), NODE_TIMEOUT),
    'same_order': (same_order, ['A', 'B', 'C'], UNLIMITED, NODE_TIMEOUT),
    'node_killed': (node_killed, ['A', 'B', 'C'], (), NODE_TIMEOUT),
    'node_stopped': (node_stopped, ['A', 'B'], (), 60),
    'redis_restarted': (redis_restarted, ['A', 'B'], UNLIMITED, NODE_TIMEOUT),
    'modern_across': (modern_across, ['A', 'B'], MODERN, NODE_TIMEOUT),
    'modern_same_order': (modern_same_order, ['A', 'B', 'C'], MODERN + UNLIMITED, NODE_TIMEOUT),
    'modern_node_killed': (modern_node_killed, ['A', 'B', 'C'], MODERN, NODE_TIMEOUT),
    'modern_node_stopped': (modern_node_stopped, ['A', 'B'], MODERN, 60),
    'modern_redis_restarted': (modern_redis_restarted, ['A', 'B'], MODERN + UNLIMITED,
                               NODE_TIMEOUT),
    'modern_node_restarted': (modern_node_restarted, ['A', 'B'], MODERN, NODE_TIMEOUT),
}


def main():
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument('--teaparty', required=True)
    parser.add_argument('scenario', choices=sorted(SCENARIOS))
    args = parser.parse_args()
    run, nodes, extra, node_timeout = SCENARIOS[args.scenario]
    cluster = None
    try:
        cluster = Cluster(args.teaparty, nodes, extra, node_timeout)
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
