"""A subprocess that runs batches with irax, so a crash or hang cannot take the test run down.

Protocol: length-prefixed pickles over the worker's stdin/stdout; the request
is a list of (transform, program) items, the reply `harness.run_batch("irax", ...)`.  The
worker's fd 1 is pointed at stderr so nothing irax prints can corrupt it.
"""
from __future__ import annotations

import os
import pickle
import select
import struct
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def _send(f, obj):
    data = pickle.dumps(obj)
    f.write(struct.pack("<Q", len(data)) + data)
    f.flush()


def _recv(f):
    head = f.read(8)
    if len(head) < 8:
        raise EOFError
    (n,) = struct.unpack("<Q", head)
    return pickle.loads(f.read(n))


def serve():
    out = os.fdopen(os.dup(1), "wb")
    os.dup2(2, 1)
    inp = os.fdopen(0, "rb")
    from . import harness
    lib = harness.Lib("irax")
    _send(out, "ready")
    while True:
        try:
            items = _recv(inp)
        except EOFError:
            return
        _send(out, harness.run_batch(lib, items))


class Crash(Exception):
    """The worker died (signal / exit code) or timed out."""


class Worker:
    def __init__(self, timeout=1200):
        self.timeout = timeout
        self.proc = None

    def _start(self):
        # the parent's import path and package name, so pickled programs load in the worker
        env = dict(os.environ, PYTHONPATH=os.pathsep.join(p for p in sys.path if p))
        self.proc = subprocess.Popen(
            [sys.executable, "-c", f"from {__package__}.worker import serve; serve()"],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, cwd=ROOT, env=env)
        self._read(self.timeout)

    def _read(self, timeout):
        ready, _, _ = select.select([self.proc.stdout], [], [], timeout)
        if not ready:
            self.close()
            raise Crash(f"timed out after {timeout} s")
        try:
            return _recv(self.proc.stdout)
        except (EOFError, pickle.UnpicklingError):
            code = self.proc.wait()
            self.proc = None
            raise Crash(f"irax worker died (exit code {code})") from None

    def run(self, items):
        if self.proc is None:
            self._start()
        try:
            _send(self.proc.stdin, items)
        except BrokenPipeError:
            self.close()
            raise Crash("irax worker died") from None
        return self._read(self.timeout)

    def close(self):
        if self.proc is not None:
            self.proc.kill()
            self.proc.wait()
            self.proc = None
