#!/usr/bin/python3
"""Differential conformance test: teaparty's classic dialect against the book's server.

Every scenario is a list of steps over several named clients (connect, send,
trickle, close, reset, halfclose).  Both servers are started fresh for every
scenario and driven in lockstep: each step is done on both, then the harness
waits until no client of either server has received anything for the quiet
period, and compares, per client, the bytes received during the step and
whether the server closed the connection.  There is no expectation data: the
reference server (the book's Listing 24-6, ported to Python 3) is the oracle.

  classic_conformance.py --teaparty BUILD/teaparty --reference PATH/chatserver.py
  classic_conformance.py --teaparty PATH/chatserver.py --reference PATH/chatserver.py   # self-check
  classic_conformance.py --self-test --reference PATH/chatserver.py   # proves differences are caught

Standard library only (Python 3.11; the reference needs asyncore).  Loopback only.
"""

import argparse
import errno
import fnmatch
import io
import json
import os
import random
import re
import select
import selectors
import shlex
import signal
import socket
import struct
import subprocess
import sys
import tempfile
import time

LOOPBACK = '127.0.0.1'
STARTUP_TIMEOUT = 10.0      # seconds for a server to print its "listening on" line
IO_TIMEOUT = 2.0            # seconds for connect() / sending one step's bytes


class HarnessError(Exception):
    """A problem that is not a protocol difference (server did not start, ...)."""


# --------------------------------------------------------------------------
# Server processes

class ServerProc:
    """One server process, started in its own process group, stdout/stderr to temp files."""

    def __init__(self, label, argv):
        self.label = label
        self.argv = argv
        self.out = tempfile.TemporaryFile()
        self.err = tempfile.TemporaryFile()
        self.port = None
        try:
            self.proc = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=self.out,
                                         stderr=self.err, start_new_session=True)
        except OSError as e:
            self.out.close()
            self.err.close()
            raise HarnessError('%s: cannot start %s: %s' % (label, shlex.join(argv), e))

    def wait_ready(self, deadline):
        # The child shares the files' offsets; pread() leaves them alone.
        while True:
            data = os.pread(self.out.fileno(), 4096, 0)
            nl = data.find(b'\n')
            if nl >= 0:
                line = data[:nl].decode('utf-8', 'replace').strip()
                m = re.fullmatch(r'listening on (\S+):(\d+)', line)
                if not m:
                    raise HarnessError('%s: first stdout line is %r, expected "listening on HOST:PORT"'
                                       % (self.label, line))
                self.port = int(m.group(2))
                return
            if self.proc.poll() is not None:
                raise HarnessError('%s exited with status %s before listening; stderr:\n%s'
                                   % (self.label, self.proc.returncode, self.stderr_tail()))
            if time.monotonic() > deadline:
                raise HarnessError('%s printed no "listening on" line within %.0f s'
                                   % (self.label, STARTUP_TIMEOUT))
            time.sleep(0.002)

    def exited(self):
        return self.proc.poll() is not None

    def stderr_tail(self, limit=2000):
        size = os.fstat(self.err.fileno()).st_size
        data = os.pread(self.err.fileno(), limit, max(0, size - limit))
        return data.decode('utf-8', 'replace')

    def stop(self):
        try:
            if self.proc.poll() is None:
                try:
                    os.killpg(self.proc.pid, signal.SIGTERM)
                except ProcessLookupError:
                    pass
                try:
                    self.proc.wait(1.0)
                except subprocess.TimeoutExpired:
                    try:
                        os.killpg(self.proc.pid, signal.SIGKILL)
                    except ProcessLookupError:
                        pass
                    self.proc.wait(5.0)
        finally:
            self.out.close()
            self.err.close()


def server_argv(cmd, force_python, python):
    argv = shlex.split(cmd)
    if not argv:
        raise HarnessError('empty server command')
    if force_python or (len(argv) == 1 and argv[0].endswith('.py')):
        return [python] + argv + ['--port', '0', '--host', LOOPBACK]
    return argv + ['--port', '0', '--host', LOOPBACK, '--dialect', 'classic']


# --------------------------------------------------------------------------
# Clients

def _quickack(sock):
    if hasattr(socket, 'TCP_QUICKACK'):
        try:
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_QUICKACK, 1)
        except OSError:
            pass


def _errname(e):
    return errno.errorcode.get(e.errno, str(e.errno)) if e.errno else type(e).__name__


class Client:
    """One connection of one named client to one server."""

    def __init__(self, side, name):
        self.side = side
        self.name = name
        self.sock = None
        self.reading = False
        self.buf = bytearray()      # received during the current step
        self.event = None           # 'EOF', 'RESET', 'connect failed: ...' during the current step

    def note(self, event):
        self.event = event if self.event is None else self.event + ', ' + event

    def connect(self, sel, port):
        s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        _quickack(s)
        s.settimeout(IO_TIMEOUT)
        try:
            s.connect((LOOPBACK, port))
        except OSError as e:
            s.close()
            self.note('connect failed: ' + _errname(e))
            return
        s.setblocking(False)
        _quickack(s)
        self.sock = s
        self.reading = True
        sel.register(s, selectors.EVENT_READ, self)

    def stop_reading(self, sel):
        if self.reading:
            sel.unregister(self.sock)
            self.reading = False

    def on_readable(self, sel):
        """Read once; True if anything (bytes or a close) was seen."""
        try:
            data = self.sock.recv(65536)
        except (BlockingIOError, InterruptedError):
            return False
        except ConnectionResetError:
            self.note('RESET')
            self.stop_reading(sel)
            return True
        except OSError as e:
            self.note('recv error: ' + _errname(e))
            self.stop_reading(sel)
            return True
        if not data:
            self.note('EOF')
            self.stop_reading(sel)
            return True
        self.buf += data
        _quickack(self.sock)       # re-armed after every recv (Linux clears it)
        return True

    def drain(self, sel):
        while self.reading and self.on_readable(sel):
            pass

    def send(self, data):
        if self.sock is None:
            self.note('send on unconnected client')
            return
        view = memoryview(data)
        deadline = time.monotonic() + IO_TIMEOUT
        while view:
            try:
                n = self.sock.send(view)
                view = view[n:]
            except (BlockingIOError, InterruptedError):
                left = deadline - time.monotonic()
                if left <= 0:
                    self.note('send timed out')
                    return
                select.select([], [self.sock], [], left)
            except OSError as e:
                self.note('send failed: ' + _errname(e))
                return

    def discard(self, sel, linger0=False):
        if self.sock is None:
            return
        self.stop_reading(sel)
        if linger0:
            try:
                self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack('ii', 1, 0))
            except OSError:
                pass
        self.sock.close()
        self.sock = None


class Side:
    """One server plus the client connections made to it in the current scenario."""

    def __init__(self, label, server, sel):
        self.label = label
        self.server = server
        self.sel = sel
        self.clients = {}

    def client(self, name):
        cl = self.clients.get(name)
        if cl is None:
            cl = self.clients[name] = Client(self, name)
        return cl

    def begin_step(self):
        for cl in self.clients.values():
            cl.buf = bytearray()
            cl.event = None

    def result(self):
        return {n: (bytes(cl.buf), cl.event) for n, cl in self.clients.items()
                if cl.buf or cl.event}

    def act(self, step, chunk_index=None):
        kind, c = step[0], step[1]
        cl = self.client(c)
        if kind == 'connect':
            cl.discard(self.sel)            # a reconnect replaces the old connection
            cl.connect(self.sel, self.server.port)
        elif kind == 'send':
            cl.send(step[2])
        elif kind == 'trickle':
            cl.send(step[2][chunk_index])
        elif kind in ('close', 'reset'):
            if cl.sock is None:
                cl.note('close on unconnected client')
                return
            cl.drain(self.sel)              # unread data would turn close() into a RST
            cl.discard(self.sel, linger0=(kind == 'reset'))
        elif kind == 'halfclose':
            if cl.sock is None:
                cl.note('halfclose on unconnected client')
                return
            try:
                cl.sock.shutdown(socket.SHUT_WR)
            except OSError as e:
                cl.note('shutdown failed: ' + _errname(e))
        else:
            raise ValueError('unknown step kind %r' % kind)

    def close_all(self):
        for cl in self.clients.values():
            cl.discard(self.sel)


# --------------------------------------------------------------------------
# Steps and scenarios

def _b(x):
    return x.encode('utf-8') if isinstance(x, str) else bytes(x)


def connect(c):
    return ('connect', c)


def send(c, data):
    """One send() of raw bytes (str is UTF-8 encoded)."""
    return ('send', c, _b(data))


def line(c, *texts):
    """One send() holding one or more CRLF-terminated lines."""
    return ('send', c, b''.join(_b(t) + b'\r\n' for t in texts))


def trickle(c, chunks, gap_ms=5):
    """Several send()s, gap_ms apart, inside ONE step (compared once, after all of them)."""
    return ('trickle', c, [_b(x) for x in chunks], gap_ms)


def bytewise(c, text, gap_ms=2):
    data = _b(text) + b'\r\n'
    return trickle(c, [data[i:i + 1] for i in range(len(data))], gap_ms)


def close(c):
    return ('close', c)          # close(): FIN


def reset(c):
    return ('reset', c)          # SO_LINGER 0 + close(): RST


def halfclose(c):
    return ('halfclose', c)      # shutdown(SHUT_WR), keep reading


def login(c, name):
    return [connect(c), line(c, 'login ' + name)]


def step_repr(step):
    kind, c = step[0], step[1]
    if kind == 'send':
        return 'send(%s, %r)' % (c, step[2])
    if kind == 'trickle':
        if all(len(x) == 1 for x in step[2]):
            return 'trickle(%s, byte by byte %r, gap %d ms)' % (c, b''.join(step[2]), step[3])
        return 'trickle(%s, %r, gap %d ms)' % (c, step[2], step[3])
    return '%s(%s)' % (kind, c)


def flatten(items):
    out = []
    for it in items:
        if isinstance(it, list):
            out.extend(flatten(it))
        else:
            out.append(it)
    return out


SCENARIOS = []


def scenario(name, *steps):
    SCENARIOS.append((name, flatten(steps)))


def build_scenarios():
    a, b, c, d, e = 'a', 'b', 'c', 'd', 'e'

    # --- connecting and logging in
    scenario('welcome', connect(a))
    scenario('welcome-several', connect(a), connect(b), connect(c), line(b, 'look'))
    scenario('login-ok', login(a, 'alice'), line(a, 'look'), line(a, 'who'), line(a, 'say hi'))
    scenario('login-extra-spaces',
             connect(a), line(a, 'login    alice   '), line(a, 'who'),
             connect(b), line(b, 'login \t bob \t'), line(b, 'look'))
    scenario('empty-login',
             connect(a), line(a, 'login'), line(a, 'login '), line(a, 'login   '),
             line(a, 'login \t '), line(a, 'login alice'), line(a, 'look'))
    scenario('taken-name',
             login(a, 'alice'),
             connect(b), line(b, 'login alice'), line(b, 'login alice '), line(b, 'login  alice'),
             line(b, 'login Alice'), line(b, 'who'),
             connect(c), line(c, 'login Alice'), line(c, 'login alice'), line(c, 'login carol'),
             line(a, 'who'))
    scenario('taken-then-ok-one-read',
             login(a, 'alice'), connect(b), line(b, 'login alice', 'login bob', 'look'))
    scenario('login-twice-one-read',
             connect(a), connect(b), line(b, 'login bob'),
             line(a, 'login alice', 'login bob', 'who'))
    scenario('names-with-spaces',
             login(a, 'Mary Ann'), login(b, 'Mary  Ann'), connect(c), line(c, 'login   Mary Ann  '),
             line(c, 'login Mary'), line(c, 'who'), line(a, 'say hello Mary'), line(b, 'look'))
    scenario('names-quotes-colons',
             login(a, '"quoted"'), login(b, "it's"), login(c, 'a:b'),
             connect(d), line(d, 'login "quoted"'), line(d, "login it's"), line(d, 'login x: y'),
             line(a, 'look'), line(b, 'say :: "hi" ::'), line(d, 'who'))
    scenario('names-utf8',
             login(a, 'Zoë'), login(b, '日本語'), connect(c), line(c, 'login Zoë'),
             line(c, 'login Zoe'), line(c, 'who'), line(b, 'say こんにちは'), line(a, 'say ça va? €5'),
             connect(d), line(d, 'login 🙂 smile'), line(d, 'look'))
    scenario('names-like-commands',
             login(a, 'login'), login(b, 'say'), login(c, 'logout'), line(a, 'who'),
             line(b, 'say I am say'), line(c, 'look'), line(c, 'logout'), line(a, 'look'))
    scenario('name-with-colon-and-text',
             login(a, 'bob: hi'), login(b, 'x'), line(a, 'say hello: there'), line(b, 'who'))

    # --- before login
    scenario('prodding-before-login',
             connect(a), line(a, 'say hi'), line(a, 'say'), line(a, 'look'), line(a, 'who'),
             line(a, 'foo'), line(a, 'foo bar baz'), line(a, 'LOGIN x'), line(a, 'Login x'),
             line(a, ' login x'), line(a, ' look'), line(a, 'logouts'), line(a, 'LOGOUT'),
             line(a, 'login\tx'), line(a, 'logins x'), line(a, 'héllo'), line(a, 'login x'),
             line(a, 'look'))
    scenario('prodding-many-in-one-read',
             connect(a), line(a, 'say a', 'look', 'who', 'foo'), line(a, 'login z', 'look'))
    scenario('blank-lines-login-state',
             connect(a), line(a, ''), line(a, ' '), line(a, '    '), line(a, '\t'), line(a, ' \t \t '),
             line(a, '', ' ', '\t', ''), line(a, 'login al'), line(a, 'who'))
    scenario('blank-lines-chat',
             login(a, 'al'), login(b, 'bo'), line(a, ''), line(a, ' '), line(a, '\t\t'),
             line(b, '', 'say between blanks', '  ', ''), line(a, ' \t ', 'look'))
    scenario('logout-login-state',
             connect(a), login(b, 'bob'), line(a, 'logout'), line(b, 'who'))
    scenario('logout-login-state-with-args',
             connect(a), line(a, 'logout now please'), connect(b), line(b, 'say x', 'logout'))
    scenario('login-state-gets-no-broadcasts',
             login(a, 'alice'), connect(b), login(c, 'carol'), line(a, 'say hi all'),
             line(c, 'say hi alice'), line(a, 'logout'), line(b, 'login bob'), line(b, 'look'),
             line(c, 'say welcome bob'))

    # --- say
    scenario('say-variants',
             login(a, 'alice'), login(b, 'bob'),
             line(a, 'say hello'), line(a, 'say'), line(a, 'say '), line(a, 'say    '),
             line(a, 'say   spaced   text  '), line(a, 'say \t tabbed \t'), line(a, 'say a  b   c'),
             line(a, 'say say'), line(a, 'say :'), line(a, 'say "q" \'s\''),
             line(b, 'say Größe 日本 €'), line(b, 'say ~!@#$%^&*()_+{}|<>?,./;[]'))
    scenario('tab-not-a-separator',
             login(a, 'alice'), login(b, 'bob'), line(a, 'say\tx'), line(a, 'look\t'),
             line(b, 'say x'))
    scenario('leading-space-command',
             login(a, 'alice'), login(b, 'bob'), line(a, ' look'), line(a, '  say hi'),
             line(a, ' '), line(b, 'look '), line(b, 'who   '))
    scenario('case-sensitivity',
             login(a, 'alice'), login(b, 'bob'),
             line(a, 'SAY hi'), line(a, 'Say hi'), line(a, 'LOOK'), line(a, 'Look'), line(a, 'WHO'),
             line(a, 'Who'), line(a, 'LOGOUT'), line(a, 'Logout'), line(a, 'logouts'),
             line(a, 'looks'), line(a, 'whoami'), line(a, 'says hi'), line(b, 'look'))
    scenario('unknown-in-chat',
             login(a, 'alice'), login(b, 'bob'), line(a, 'foo'), line(a, 'foo bar'),
             line(a, 'héllo there'), line(a, 'x'), line(a, '::'), line(a, '"say" hi'),
             line(b, 'who'))
    scenario('login-in-chat-room',
             login(a, 'alice'), login(b, 'bob'), line(a, 'login'), line(a, 'login carol'),
             line(a, 'login alice'), line(b, 'who'))
    scenario('who-look-with-arguments',
             login(a, 'alice'), login(b, 'bob'), line(a, 'look around'), line(a, 'who is there'),
             line(a, 'look   '), line(b, 'who \t'), line(b, 'look a b c'))
    scenario('long-line', login(a, 'alice'), login(b, 'bob'),
             line(a, 'say ' + ('0123456789abcdef ' * 20)), line(b, 'say ' + 'é' * 150))

    # --- membership: look / who ordering, entering and leaving
    scenario('who-look-ordering',
             login(a, 'mike'), login(b, 'alice'), login(c, 'zed'), login(d, 'bob'), login(e, 'kim'),
             line(a, 'look'), line(a, 'who'), line(e, 'who'),
             line(c, 'logout'), line(a, 'look'), line(b, 'who'),
             login(c, 'zed'), line(c, 'who'), line(a, 'look'),
             close(b), line(a, 'who'),
             halfclose(d), line(e, 'look'),
             reset(a), line(c, 'look'),
             login(b, 'alice'), login(a, 'bob'), line(e, 'who'), line(c, 'look'))
    scenario('relogin-moves-to-end',
             login(a, 'ann'), login(b, 'ben'), login(c, 'cat'), line(a, 'logout'),
             login(a, 'ann'), line(b, 'who'), line(b, 'look'),
             line(b, 'logout'), login(b, 'ben'), line(c, 'who'))
    scenario('entered-left-notices',
             connect(a), login(b, 'bob'), connect(c), login(d, 'dan'), line(a, 'login amy'),
             line(c, 'say nothing'), line(d, 'logout'), line(c, 'login cy'), close(a),
             line(b, 'look'), halfclose(c), line(b, 'who'))
    scenario('logout-in-chat',
             login(a, 'alice'), login(b, 'bob'), login(c, 'carol'), line(b, 'logout'),
             line(a, 'look'), line(c, 'logout now'), line(a, 'who'), line(a, 'logout'))
    scenario('logout-variants-chat',
             login(a, 'alice'), login(b, 'bob'), login(c, 'carol'), line(a, 'logout '),
             line(b, 'logout please go'), line(c, 'who'))
    scenario('name-freed-on-leave',
             login(a, 'alice'), connect(b), line(b, 'login alice'), line(a, 'logout'),
             line(b, 'login alice'), line(b, 'who'),
             login(c, 'carol'), close(b), connect(d), line(d, 'login alice'), line(d, 'who'))
    scenario('close-chat',
             login(a, 'alice'), login(b, 'bob'), login(c, 'carol'), close(b), line(a, 'look'),
             close(c), close(a), login(d, 'dave'), line(d, 'who'))
    scenario('close-login-state',
             login(a, 'alice'), connect(b), close(b), line(a, 'who'), connect(c),
             line(c, 'login carol'), connect(d), close(d), line(c, 'look'))
    scenario('reset-chat',
             login(a, 'alice'), login(b, 'bob'), login(c, 'carol'), reset(b), line(a, 'who'),
             reset(a), line(c, 'look'))
    scenario('reset-login-state',
             login(a, 'alice'), connect(b), reset(b), connect(c), line(c, 'foo'), reset(c),
             line(a, 'look'))
    scenario('halfclose-chat',
             login(a, 'alice'), login(b, 'bob'), login(c, 'carol'), halfclose(b), line(a, 'look'),
             halfclose(a), line(c, 'who'))
    scenario('halfclose-login-state',
             login(a, 'alice'), connect(b), halfclose(b), connect(c), line(c, 'look'), halfclose(c),
             line(a, 'who'))
    scenario('halfclose-after-lines',
             login(a, 'alice'), login(b, 'bob'), line(b, 'say last words'), halfclose(b),
             line(a, 'who'))
    scenario('partial-line-at-close',
             login(a, 'alice'), login(b, 'bob'), login(c, 'carol'), send(b, 'say never sent'),
             close(b), send(c, 'say half'), halfclose(c), line(a, 'look'),
             connect(d), send(d, 'login dave'), reset(d), line(a, 'who'))
    scenario('everyone-leaves-then-new',
             login(a, 'alice'), login(b, 'bob'), line(a, 'logout'), close(b), login(c, 'alice'),
             line(c, 'who'), line(c, 'look'), login(a, 'bob'), line(c, 'say back'))
    scenario('reconnect-same-client',
             login(a, 'alice'), login(b, 'bob'), close(a), connect(a), line(a, 'look'),
             line(a, 'login alice'), line(b, 'who'), reset(a), connect(a), line(a, 'login bob'),
             line(a, 'login al'), line(a, 'who'))

    # --- framing: several lines per read, lines across reads
    scenario('several-lines-one-read',
             login(a, 'alice'), login(b, 'bob'), line(a, 'say a', 'say b', 'look'),
             line(b, 'who', 'say c', '', 'look', 'foo'))
    scenario('login-and-more-one-read',
             login(a, 'alice'), connect(b), line(b, 'login bob', 'say hi', 'who', 'look'),
             connect(c), line(c, 'foo', 'login carol', 'login x', 'say yo'))
    scenario('many-says-one-read',
             login(a, 'alice'), login(b, 'bob'), login(c, 'carol'),
             line(a, *['say message %d' % i for i in range(12)]), line(c, 'look'))
    scenario('say-then-logout-one-read',
             login(a, 'alice'), login(b, 'bob'), line(a, 'say bye', 'look', 'logout'),
             line(b, 'who'))
    scenario('login-then-logout-one-read',
             login(a, 'alice'), connect(b), line(b, 'login bob', 'say hi and bye', 'logout'),
             line(a, 'who'))
    scenario('split-across-sends',
             login(a, 'alice'), login(b, 'bob'), send(a, 'sa'), send(a, 'y hel'),
             send(a, 'lo\r\n'), send(b, 'lo'), send(b, 'ok\r\nsay x'), send(b, 'yz\r\nwho'),
             send(b, '\r\n'), connect(c), send(c, 'login ca'), send(c, 'rol\r\nlook\r\n'))
    scenario('split-utf8-across-sends',
             login(a, 'alice'), login(b, 'bob'), send(a, b'say caf\xc3'), send(a, b'\xa9 \xe2\x82'),
             send(a, b'\xac\r\n'), connect(c), send(c, b'login Zo\xc3'), send(c, b'\xab\r\n'),
             line(b, 'who'))
    scenario('split-cr-lf',
             login(a, 'alice'), login(b, 'bob'), trickle(a, ['say x\r', '\n'], 15),
             trickle(b, ['look\r', '\n'], 15), trickle(a, ['say y\r', '\nsay z\r', '\n'], 15),
             connect(c), trickle(c, ['login carol\r', '\nwho\r', '\n'], 15))
    scenario('byte-by-byte',
             connect(a), bytewise(a, 'login alice'), login(b, 'bob'), bytewise(a, 'say byte by byte'),
             bytewise(b, 'say ünïcödé €'), bytewise(a, 'look'), bytewise(a, 'logout'),
             line(b, 'who'))
    scenario('trickle-mixed',
             login(a, 'alice'), login(b, 'bob'),
             trickle(a, ['s', 'ay', ' one\r\nsa', 'y two', '\r', '\n', 'lo', 'ok\r\n']),
             trickle(b, ['\r\n', ' ', '\r\n', 'who\r\n']))

    # --- a long conversation
    conv = [
        login(a, 'alice'), login(b, 'bob'),
        line(a, 'say hi bob'), line(b, 'say hi alice'),
        connect(c), line(c, 'say can anyone hear me?'), line(c, 'login carol'),
        line(a, 'say welcome carol'), line(c, 'look'), line(c, 'say thanks :)'),
        connect(d), line(d, 'login bob'), line(d, 'login dave'), line(b, 'who'),
        line(d, 'say hello everyone'), line(a, 'say how is everyone?'),
        line(b, 'say fine'), line(c, 'say good'), line(d, 'say great'),
        line(b, 'logout'), line(a, 'say bye bob'), connect(e), line(e, 'login eve'),
        line(e, 'who'), line(e, 'say what did I miss?'), line(c, 'say nothing much'),
        close(d), line(a, 'look'), connect(b), line(b, 'login bob'), line(b, 'say I am back'),
        line(b, 'who'), line(e, 'say wb'), halfclose(c), line(a, 'say carol left?'),
        line(b, 'look'), reset(e), line(a, 'who'), line(a, 'say just us again'),
        line(b, 'say yes', 'logout'), line(a, 'look'), line(a, 'logout'),
    ]
    scenario('conversation-long', conv)


# --------------------------------------------------------------------------
# Random scenarios

NAME_POOL = ['ann', 'bob', 'Bob', 'Zoë', 'Mary Ann', '"q"', 'x:y', '日本', 'café crème', "o'neil"]
TEXT_ALPHABET = list('abcZ1:"!?') + [' ', ' ', ' ', 'é', '€', '日', 'ß']
PROD_LINES = ['say hi', 'say', 'look', 'who', 'foo', 'LOGIN x', ' login x', ' look', 'logouts',
              'LOGOUT', 'Login ann', 'login\tann', '日本', 'who are you']
UNKNOWN_CHAT = ['SAY hi', 'Say x', 'Look', 'WHO', 'logouts', 'LOGOUT', 'login', 'login zed', 'foo',
                'foo bar', ' look', ' say hi', 'héllo there', 'says x', 'whoami']
BLANKS = ['', ' ', '   ', '\t', ' \t ']
WS = ' \t\n\r\x0b\x0c'          # what the reference strips


def random_scenario(rng):
    nclients = rng.randint(3, 5)
    clients = 'abcde'[:nclients]
    state = {c: 'off' for c in clients}      # off | login | chat (gone == off)
    names = {}
    steps = []
    target = rng.randint(14, 26)

    def text():
        t = ''.join(rng.choice(TEXT_ALPHABET) for _ in range(rng.randint(0, 12)))
        return rng.choice(['', ' ', '  ', ' \t']) + t + rng.choice(['', ' ', ' \t '])

    def taken():
        return {names[x] for x in clients if state[x] == 'chat'}

    def simulate(c, ln):
        """Track login state for one line (the generator must know who is logged in)."""
        if not ln.strip(WS):
            return
        parts = ln.split(' ', 1)
        arg = parts[1].strip(WS) if len(parts) > 1 else ''
        if parts[0] == 'logout':
            state[c] = 'off'
        elif state[c] == 'login' and parts[0] == 'login' and arg and arg not in taken():
            state[c] = 'chat'
            names[c] = arg

    def chat_line():
        r = rng.random()
        if r < 0.45:
            return 'say' + (' ' + text() if rng.random() < 0.9 else '')
        if r < 0.60:
            return rng.choice(['look', 'who', 'look ', 'who now'])
        if r < 0.80:
            return rng.choice(UNKNOWN_CHAT)
        if r < 0.90:
            return rng.choice(BLANKS)
        return 'login ' + rng.choice(NAME_POOL)

    def login_line():
        r = rng.random()
        if r < 0.6:
            return 'login ' + rng.choice(['', ' ', '  ']) + rng.choice(NAME_POOL) + rng.choice(['', ' '])
        if r < 0.7:
            return rng.choice(['login', 'login ', 'login   '])
        if r < 0.9:
            return rng.choice(PROD_LINES)
        return rng.choice(BLANKS)

    def emit_lines(c, lines, how):
        data = ''.join(ln + '\r\n' for ln in lines).encode('utf-8')
        if how == 'send':
            steps.append(('send', c, data))
        elif how == 'split':                  # separate steps, never between CR and LF
            cut = sorted(rng.sample(range(1, len(data) - 1), min(2, len(data) - 2)))
            cut = [x for x in cut if data[x - 1:x + 1] != b'\r\n']
            bounds = [0] + cut + [len(data)]
            for i in range(len(bounds) - 1):
                steps.append(('send', c, data[bounds[i]:bounds[i + 1]]))
        elif how == 'bytes':
            steps.append(trickle(c, [data[i:i + 1] for i in range(len(data))], 1))
        else:                                 # trickle in random chunks, CR|LF splits allowed
            cuts = sorted(set(rng.randint(1, len(data) - 1) for _ in range(rng.randint(1, 4))))
            bounds = [0] + cuts + [len(data)]
            steps.append(trickle(c, [data[bounds[i]:bounds[i + 1]]
                                     for i in range(len(bounds) - 1)], 3))
        for ln in lines:
            simulate(c, ln)

    while len(steps) < target:
        c = rng.choice(clients)
        st = state[c]
        if st == 'off':
            steps.append(connect(c))
            state[c] = 'login'
            continue
        r = rng.random()
        how = rng.choices(['send', 'split', 'bytes', 'trickle'], [0.82, 0.06, 0.04, 0.08])[0]
        if r < 0.08:                                   # leave, one way or another
            kind = rng.choice(['logout', 'close', 'reset', 'halfclose'])
            if kind == 'logout':
                emit_lines(c, [rng.choice(['logout', 'logout', 'logout now', 'logout '])], how)
            else:
                if rng.random() < 0.2:                 # a partial line the server must drop
                    steps.append(send(c, 'say lost'))
                steps.append((kind, c))
            state[c] = 'off'
        elif r < 0.18:                                 # several lines in one read
            lines = [(chat_line() if state[c] == 'chat' else login_line())
                     for _ in range(rng.randint(2, 4))]
            if rng.random() < 0.15:
                lines.append('logout')                 # only ever last, only ever one
            # simulate() follows the lines one by one (a login may happen mid-read)
            emit_lines(c, lines, rng.choice(['send', 'send', 'trickle']))
        else:
            emit_lines(c, [chat_line() if st == 'chat' else login_line()], how)
    # a closing look/who by someone still in the room
    inroom = [x for x in clients if state[x] == 'chat']
    if inroom:
        steps.append(line(rng.choice(inroom), rng.choice(['look', 'who'])))
    return steps


# --------------------------------------------------------------------------
# Running

class Runner:
    def __init__(self, args, tp_argv, ref_argv):
        self.args = args
        self.tp_argv = tp_argv
        self.ref_argv = ref_argv
        self.quiet = args.quiet_ms / 1000.0
        self.max_wait = args.max_wait_ms / 1000.0

    def settle(self, sel, sides):
        """Wait until nothing arrived for the quiet period.  If the two sides then differ, keep
        listening (a slow server may still catch up) until they agree and are quiet again, or
        until max_wait after the step began."""
        start = time.monotonic()
        last = start
        deadline = start + self.max_wait
        while True:
            now = time.monotonic()
            if now - last >= self.quiet:
                if sides[0].result() == sides[1].result():
                    return
                timeout = deadline - now
            else:
                timeout = min(last + self.quiet - now, deadline - now)
            if timeout <= 0:
                return
            got = False
            for key, _ in sel.select(timeout):
                if key.data.reading and key.data.on_readable(sel):
                    got = True
            if got:
                last = time.monotonic()

    def run_steps(self, sel, sides, steps):
        """Returns None when all steps agree, else (index, ref_result, tp_result)."""
        ref, tp = sides
        for i, step in enumerate(steps):
            for s in sides:
                s.begin_step()
            if step[0] == 'trickle':
                chunks, gap = step[2], step[3] / 1000.0
                for k in range(len(chunks)):
                    for s in sides:
                        s.act(step, k)
                    if k + 1 < len(chunks):
                        self.pump(sel, gap)
            else:
                for s in sides:
                    s.act(step)
            self.settle(sel, sides)
            r_ref, r_tp = ref.result(), tp.result()
            if self.args.verbose >= 2:
                print('    %3d %-50s %s' % (i + 1, step_repr(step), _fmt_result(r_ref)))
            if r_ref != r_tp or ref.server.exited() or tp.server.exited():
                return i, r_ref, r_tp
        return None

    @staticmethod
    def pump(sel, duration):
        end = time.monotonic() + duration
        while True:
            left = end - time.monotonic()
            if left <= 0:
                return
            for key, _ in sel.select(left):
                if key.data.reading:
                    key.data.on_readable(sel)

    def run_scenario(self, name, steps, out):
        servers = []
        sel = selectors.DefaultSelector()
        sides = []
        try:
            servers.append(ServerProc('reference', self.ref_argv))
            servers.append(ServerProc('teaparty', self.tp_argv))
            deadline = time.monotonic() + STARTUP_TIMEOUT
            for s in servers:
                s.wait_ready(deadline)
            sides = [Side(s.label, s, sel) for s in servers]
            if self.args.verbose >= 2:
                print('  %s' % name, file=out)
            diff = self.run_steps(sel, sides, steps)
            if diff is None:
                return True
            report_diff(out, name, steps, diff, sides)
            return False
        except HarnessError as e:
            print('FAIL %s: %s' % (name, e), file=out)
            return False
        finally:
            for s in sides:
                s.close_all()
            sel.close()
            for s in servers:
                s.stop()


def _fmt_event(ev):
    return '' if ev is None else '  + ' + ev


def _fmt_result(res):
    if not res:
        return '-'
    return '  '.join('%s:%r%s' % (c, bts, '' if ev is None else '+' + ev)
                     for c, (bts, ev) in sorted(res.items()))


def report_diff(out, name, steps, diff, sides):
    i, r_ref, r_tp = diff
    ref, tp = sides
    print('FAIL %s: step %d of %d: %s' % (name, i + 1, len(steps), step_repr(steps[i])), file=out)
    for c in sorted(set(r_ref) | set(r_tp)):
        x = r_ref.get(c, (b'', None))
        y = r_tp.get(c, (b'', None))
        if x != y:
            print('    client %s:' % c, file=out)
            print('      reference: %r%s' % (x[0], _fmt_event(x[1])), file=out)
            print('      teaparty:  %r%s' % (y[0], _fmt_event(y[1])), file=out)
    for s in sides:
        if s.server.exited():
            print('    %s server EXITED with status %s; stderr tail:\n%s'
                  % (s.label, s.server.proc.returncode, _indent(s.server.stderr_tail())), file=out)
    if ref.server.exited():
        print('    (the reference died: the scenario probably breaks the logout rules)', file=out)
    print('    steps before it: %s' % '; '.join(step_repr(s) for s in steps[max(0, i - 4):i]),
          file=out)


def _indent(text):
    if not text.strip():
        return '      | (empty)'
    return '\n'.join('      | ' + ln for ln in text.rstrip('\n').split('\n'))


SIM_STEP_KINDS = {'connect': 'connect', 'close': 'close', 'half_close': 'halfclose'}


def parse_sim_sessions(text, origin):
    """Scenarios from `teaparty-sim sessions`: one JSON object a line, {"name": ..., "steps":
    [["connect", c], ["send", c, HEX], ["close", c], ["half_close", c]]}."""
    items = []
    for number, text_line in enumerate(text.splitlines(), 1):
        if not text_line.strip():
            continue
        try:
            doc = json.loads(text_line)
            steps = []
            for step in doc['steps']:
                if step[0] == 'send':
                    steps.append(('send', step[1], bytes.fromhex(step[2])))
                else:
                    steps.append((SIM_STEP_KINDS[step[0]], step[1]))
            items.append((doc['name'], steps))
        except (ValueError, KeyError, IndexError, TypeError) as e:
            raise HarnessError('%s:%d: not a session (%s)' % (origin, number, e))
    return items


def sim_sessions(args):
    items = []
    for path in args.sessions_from or []:
        with open(path, encoding='utf-8') as f:
            items.extend(parse_sim_sessions(f.read(), path))
    if args.sim:
        argv = [args.sim, 'sessions', '--seed', str(args.sim_seed), '--count', str(args.sim_count),
                '--clients', str(args.sim_clients), '--steps', str(args.sim_steps)]
        done = subprocess.run(argv, capture_output=True, text=True, timeout=60)
        if done.returncode != 0:
            raise HarnessError('%s failed (%d): %s' % (' '.join(argv), done.returncode, done.stderr))
        items.extend(parse_sim_sessions(done.stdout, args.sim))
    return items


def selected(args):
    build_scenarios()
    items = list(SCENARIOS)
    rng = random.Random(args.seed)
    for k in range(args.random):
        items.append(('random-s%d-%d' % (args.seed, k), random_scenario(rng)))
    items.extend(sim_sessions(args))
    if args.filter:
        pats = args.filter
        items = [(n, s) for n, s in items
                 if any(fnmatch.fnmatchcase(n, p) if any(ch in p for ch in '*?[') else p in n
                        for p in pats)]
    return items


# --------------------------------------------------------------------------
# Self-test: altered copies of the reference must be caught

MUTANTS = [
    # (what, old, new, scenario that must FAIL, scenario that must still PASS)
    ('one reply text changed',
     "'Please enter a name\\r\\n'", "'Please enter a nick\\r\\n'", 'empty-login', 'login-ok'),
    ('who lists names sorted instead of in login order',
     'for name in self.server.users:', 'for name in sorted(self.server.users):',
     'who-look-ordering', 'say-variants'),
    ('bare LF ends a line (CR kept in the line)',
     'self.set_terminator(b"\\r\\n")', 'self.set_terminator(b"\\n")', 'login-ok', 'welcome'),
    ('no "has left" notice',
     "        self.broadcast(session.name + ' has left the room.\\r\\n')", '        pass',
     'close-chat', 'taken-name'),
    ('logout in the login room does not close',
     '    def unknown(self, session, cmd):\n        # All unknown',
     '    def do_logout(self, session, line):\n        pass\n\n'
     '    def unknown(self, session, cmd):\n        # All unknown',
     'logout-login-state', 'names-utf8'),
    ('say reply delayed by 0.3 s (timing only: must NOT be reported)',
     "        self.broadcast(session.name+': '+line+'\\r\\n')",
     "        import time; time.sleep(0.3)\n        self.broadcast(session.name+': '+line+'\\r\\n')",
     None, 'say-variants'),
]


def self_test(args, python):
    build_scenarios()
    by_name = dict(SCENARIOS)
    with open(args.reference, encoding='utf-8') as f:
        original = f.read()
    ref_argv = server_argv(args.reference, True, python)
    passed = failed = 0
    with tempfile.TemporaryDirectory(prefix='teaparty-selftest-') as tmp:
        checks = [('the reference against itself', None, 'conversation-long', ref_argv, False)]
        for k, (what, old, new, must_fail, must_pass) in enumerate(MUTANTS):
            if original.count(old) != 1:
                print('self-test: cannot apply mutant %r (text not found once)' % what)
                failed += 1
                continue
            path = os.path.join(tmp, 'mutant%d_chatserver.py' % k)
            with open(path, 'w', encoding='utf-8') as f:
                f.write(original.replace(old, new))
            argv = server_argv(path, True, python)
            checks.append((what, must_fail, must_pass, argv, True))
        for what, must_fail, must_pass, argv, is_mutant in checks:
            runner = Runner(args, argv, ref_argv)
            if must_fail:
                buf = io.StringIO()
                ok = runner.run_scenario(must_fail, by_name[must_fail], buf)
                if ok:
                    print('self-test FAILED: mutant "%s" NOT detected by %s' % (what, must_fail))
                    failed += 1
                else:
                    print('self-test ok: mutant "%s" detected by %s; the harness said:' % (what, must_fail))
                    print(_indent(buf.getvalue()))
                    passed += 1
            if must_pass:
                ok = runner.run_scenario(must_pass, by_name[must_pass], sys.stdout)
                label = ('mutant "%s"' % what) if is_mutant else what
                if ok:
                    print('self-test ok: %s passes %s (no false alarm)' % (label, must_pass))
                    passed += 1
                else:
                    print('self-test FAILED: %s falsely fails %s' % (label, must_pass))
                    failed += 1
    print('%d passed, %d failed' % (passed, failed))
    return 0 if failed == 0 else 1


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('--teaparty', metavar='CMD',
                    help='teaparty server binary (shell-split; run as CMD --port 0 --host 127.0.0.1 '
                         '--dialect classic); a single *.py path is run with python3 like the reference')
    ap.add_argument('--teaparty-is-python', action='store_true',
                    help='run --teaparty with python3 and without --dialect (reference self-check)')
    ap.add_argument('--reference', metavar='PATH', required=True, help='the reference chatserver.py')
    ap.add_argument('--quiet-ms', type=float, default=40, help='quiet period after each step (40)')
    ap.add_argument('--max-wait-ms', type=float, default=2000, help='longest wait per step (2000)')
    ap.add_argument('--filter', metavar='NAME', action='append',
                    help='only scenarios whose name contains NAME (or matches it as a glob); repeatable')
    ap.add_argument('--random', type=int, default=20, metavar='N', help='generated scenarios (20)')
    ap.add_argument('--seed', type=int, default=1, metavar='S', help='seed for generated scenarios (1)')
    ap.add_argument('--sessions-from', metavar='FILE', action='append',
                    help='also run the scenarios in FILE, as written by `teaparty-sim sessions`')
    ap.add_argument('--sim', metavar='PATH', help='also run scenarios from `PATH sessions`')
    ap.add_argument('--sim-seed', type=int, default=1, metavar='S', help='its --seed (1)')
    ap.add_argument('--sim-count', type=int, default=10, metavar='N', help='its --count (10)')
    ap.add_argument('--sim-clients', type=int, default=3, metavar='C', help='its --clients (3)')
    ap.add_argument('--sim-steps', type=int, default=20, metavar='K', help='its --steps (20)')
    ap.add_argument('--list', action='store_true', help='list scenario names and step counts, run nothing')
    ap.add_argument('--self-test', action='store_true',
                    help='run altered copies of the reference and check that differences are caught')
    ap.add_argument('--python', default=sys.executable, help='interpreter for *.py servers')
    ap.add_argument('-v', '--verbose', action='count', default=0,
                    help='-v: a line per scenario; -vv: also every step with the reference\'s bytes')
    args = ap.parse_args(argv)

    if args.self_test:
        return self_test(args, args.python)
    try:
        scenarios = selected(args)
    except HarnessError as e:
        ap.error(str(e))
    if args.list:
        for name, steps in scenarios:
            print('%-32s %3d steps' % (name, len(steps)))
        return 0
    if not args.teaparty:
        ap.error('--teaparty is required (or --self-test / --list)')
    try:
        tp_argv = server_argv(args.teaparty, args.teaparty_is_python, args.python)
    except HarnessError as e:
        ap.error(str(e))
    ref_argv = server_argv(args.reference, True, args.python)
    runner = Runner(args, tp_argv, ref_argv)
    passed = failed = 0
    t0 = time.monotonic()
    for name, steps in scenarios:
        t = time.monotonic()
        ok = runner.run_scenario(name, steps, sys.stdout)
        if ok:
            passed += 1
        else:
            failed += 1
        if args.verbose:
            print('%s %s (%d steps, %.2f s)' % ('pass' if ok else 'FAIL', name, len(steps),
                                                time.monotonic() - t))
        sys.stdout.flush()
    if args.verbose:
        print('total %.1f s' % (time.monotonic() - t0))
    print('%d passed, %d failed' % (passed, failed))
    return 0 if failed == 0 else 1


if __name__ == '__main__':
    try:
        sys.exit(main())
    except KeyboardInterrupt:
        sys.exit(130)
