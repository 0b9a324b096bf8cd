"""A memo table safe under concurrent first calls: each key is built once.

Compiling is the expensive step of every cache in irax (an IREE compile is
~0.3 s), so when several threads ask for the same missing key, one builds it
and the others wait for its result instead of compiling again.  A build that
raises is not cached: the next caller tries again.
"""
from __future__ import annotations

import threading


class OnceCache:
    __slots__ = ("_values", "_building", "_lock")

    def __init__(self):
        self._values = {}
        self._building = {}  # key -> Event set when that key's build ends
        self._lock = threading.Lock()

    def get(self, key, default=None):
        return self._values.get(key, default)

    def get_or_build(self, key, build):
        """The value for `key`, calling `build()` once if no thread has made it yet."""
        try:
            return self._values[key]
        except KeyError:
            pass
        while True:
            with self._lock:
                if key in self._values:
                    return self._values[key]
                done = self._building.get(key)
                if done is None:
                    done = self._building[key] = threading.Event()
                    break
            done.wait()  # another thread is building it; it may also fail
        try:
            value = build()
            with self._lock:
                self._values[key] = value
            return value
        finally:
            with self._lock:
                del self._building[key]
            done.set()

    def __contains__(self, key):
        return key in self._values

    def __len__(self):
        return len(self._values)

    def clear(self):
        with self._lock:
            self._values.clear()
