"""The persistent compile cache: compiled .vmfb modules on disk.

Where: $IRAX_CACHE_DIR, else $XDG_CACHE_HOME/irax, else ~/.cache/irax.
Set IRAX_CACHE_DIR=off to disable it.  Size: at most $IRAX_CACHE_MAX_MB
(default 1024) MiB; the least recently used entries are evicted first.

Key: a SHA-256 of (IR text, compile flags, IREE compiler version, host CPU),
so a module compiled for `--iree-llvmcpu-target-cpu=host` is never reused on
a different CPU.  Each entry is written to a temporary file in the cache
directory and renamed into place (`os.replace` is atomic), so concurrent
writers of one entry cannot interleave and a reader never sees half a file.
Each entry carries a checksum of its payload: a corrupt or truncated entry is
deleted and recompiled, never loaded.  The cache is best-effort: an
unwritable directory only means nothing is cached.
"""
from __future__ import annotations

import hashlib
import os
import struct
import tempfile
import time

_MAGIC = b"IRAXVMFB\x01"
_HEADER = struct.Struct("<9s32sQ")  # magic, sha256(payload), payload length
_SUFFIX = ".vmfb"
_host_id = None


def cache_dir() -> str | None:
    """The cache directory, or None when caching is disabled."""
    d = os.environ.get("IRAX_CACHE_DIR")
    if d is not None and d.strip().lower() in ("off", "0", "none", "false"):
        return None
    if not d:
        base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
        d = os.path.join(base, "irax")
    return d


def max_bytes() -> int:
    return int(float(os.environ.get("IRAX_CACHE_MAX_MB", "1024")) * (1 << 20))


def _host() -> str:
    """What the host-CPU code depends on: architecture, CPU model and features."""
    global _host_id
    if _host_id is None:
        import platform
        info = [platform.machine()]
        try:
            with open("/proc/cpuinfo") as f:
                for line in f:
                    if line.startswith(("model name", "flags")):
                        info.append(line.strip())
                    if len(info) == 3:
                        break
        except OSError:
            info.append(platform.processor())
        _host_id = "\n".join(info)
    return _host_id


def key(text: str, flags) -> str | None:
    """The entry name for compiling `text` with `flags`; None when caching is off."""
    if cache_dir() is None:
        return None
    from iree.compiler import version
    h = hashlib.sha256()
    for part in (version.VERSION, str(getattr(version, "REVISIONS", "")), _host(),
                 "\0".join(flags), text):
        h.update(part.encode())
        h.update(b"\0\1")
    return h.hexdigest()


def _path(digest: str) -> str:
    return os.path.join(cache_dir(), digest + _SUFFIX)


def get(digest: str) -> bytes | None:
    """The cached module, or None (missing, unreadable, or failed its checksum)."""
    path = _path(digest)
    try:
        with open(path, "rb") as f:
            blob = f.read()
    except OSError:
        return None
    payload = _unpack(blob)
    if payload is None:
        _remove(path)
        return None
    try:
        os.utime(path)  # recency for LRU eviction
    except OSError:
        pass
    return payload


def put(digest: str, payload: bytes) -> None:
    """Store `payload` atomically, then evict least recently used entries over the bound."""
    d = cache_dir()
    try:
        os.makedirs(d, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=d, prefix=".tmp-", suffix=_SUFFIX)
        try:
            with os.fdopen(fd, "wb") as f:
                f.write(_HEADER.pack(_MAGIC, hashlib.sha256(payload).digest(), len(payload)))
                f.write(payload)
            os.replace(tmp, _path(digest))
        except BaseException:
            _remove(tmp)
            raise
    except OSError:
        return
    evict(max_bytes())


def _unpack(blob: bytes) -> bytes | None:
    if len(blob) < _HEADER.size:
        return None
    magic, checksum, length = _HEADER.unpack_from(blob)
    payload = blob[_HEADER.size:]
    if magic != _MAGIC or length != len(payload) or hashlib.sha256(payload).digest() != checksum:
        return None
    return payload


def entries() -> list[tuple[float, int, str]]:
    """(last use, size, path) of every entry, oldest first."""
    d = cache_dir()
    out = []
    try:
        names = os.listdir(d)
    except OSError:
        return out
    for n in names:
        if not n.endswith(_SUFFIX):
            continue
        p = os.path.join(d, n)
        try:
            st = os.stat(p)
        except OSError:
            continue
        if n.startswith(".tmp-"):
            if st.st_mtime < time.time() - 3600:  # left behind by a killed writer
                _remove(p)
            continue
        out.append((st.st_mtime, st.st_size, p))
    out.sort()
    return out


def evict(limit: int) -> None:
    """Delete least recently used entries until the cache holds at most `limit` bytes."""
    items = entries()
    total = sum(size for _, size, _ in items)
    for _, size, p in items:
        if total <= limit:
            break
        _remove(p)
        total -= size


def clear() -> None:
    evict(0)


def _remove(path: str) -> None:
    try:
        os.remove(path)
    except OSError:
        pass
