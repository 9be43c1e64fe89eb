#!/usr/bin/env python3
"""Open COUNT connections to a chat server and hold them, silent, for at most SECONDS.

The fan-out generator's clients all log in, and in a one-room chat every logged-in client
receives every line; so it cannot show what a crowd of connections that are merely *there*
costs a server. This can: bench/run starts it beside a fan-out run to see whether the server's
event loop slows with the number of open connections (poll(2) scans them all on every wake,
epoll does not). The connections never send a byte and never read one; the server's welcome
waits in their kernel buffers.

Prints "holding N connections" once all are open, then sleeps until SECONDS have passed since
it started or it is sent SIGTERM/SIGINT, and closes them all. Exits 1 if it could not open
them all within --connect-within seconds (the error says why), so a run never goes on with a
smaller crowd than it reports, nor waits for ever on a server that accepts slowly.
"""

import argparse
import resource
import signal
import socket
import sys
import time


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--count", type=int, default=10000)
    parser.add_argument("--seconds", type=float, default=120.0, help="hold at most this long")
    parser.add_argument("--connect-within", type=float, default=60.0,
                        help="give up unless all are open this many seconds after the start")
    args = parser.parse_args()

    started = time.monotonic()
    deadline = started + args.seconds
    connect_deadline = started + min(args.seconds, args.connect_within)
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft < args.count + 16:
        resource.setrlimit(resource.RLIMIT_NOFILE, (min(hard, args.count + 16), hard))

    stop = False

    def on_signal(_signum, _frame):
        nonlocal stop
        stop = True

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)

    held = []
    try:
        for _ in range(args.count):
            if stop or time.monotonic() > connect_deadline:
                print(f"hold_connections: only {len(held)} of {args.count} connections open "
                      f"after {time.monotonic() - started:.0f} s", file=sys.stderr)
                return 1
            held.append(socket.create_connection((args.host, args.port), timeout=10))
    except OSError as error:
        print(f"hold_connections: connection {len(held) + 1} of {args.count} failed: {error}",
              file=sys.stderr)
        return 1
    print(f"holding {len(held)} connections after {time.monotonic() - started:.1f} s", flush=True)

    while not stop and time.monotonic() < deadline:
        time.sleep(0.1)
    for connection in held:
        connection.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
