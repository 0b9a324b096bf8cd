"""The persistent compile cache: compiled .vmfb modules on disk.

Where: $IRAX_CACHE_DIR, else $XDG_CACHE_HOME/irax, else ~/.cache/irax.
Set IRAX_CACHE_DIR=off to disable it.  Size: at most $IRAX_CACHE_MAX_MB
(default 1024) MiB; the least recently used entries are evicted first.  A
malformed setting is ignored with a warning (never a failed compile).

Key: a SHA-256 of (IR text, compile flags, IREE compiler version, host CPU),
so a module compiled for `--iree-llvmcpu-target-cpu=host` is never reused on
a different CPU.  Each entry is written to a temporary file in the cache
directory and renamed into place (`os.replace` is atomic), so concurrent
writers of one entry cannot interleave and a reader never sees half a file.
Each entry carries a checksum of its payload and the full key it was
compiled for (compressed): a corrupt or truncated entry, or one holding
another program's module (a copied or renamed file), is deleted and
recompiled, never loaded.  The cache is best-effort: an unwritable
directory only means nothing is cached.
"""
from __future__ import annotations

import functools
import hashlib
import os
import struct
import tempfile
import time
import warnings
import zlib

_MAGIC = b"IRAXVMFB\x02"
_HEADER = struct.Struct("<9s32sQQ")  # magic, sha256(key + payload), key and payload lengths
_DEFAULT_MAX_MB = 1024.0
_SUFFIX = ".vmfb"


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
    """$IRAX_CACHE_MAX_MB in bytes; a setting that is not a number >= 0 is ignored."""
    return int(env_float("IRAX_CACHE_MAX_MB", _DEFAULT_MAX_MB, minimum=0.0) * (1 << 20))


_warned: set = set()


def env_float(name: str, default: float, minimum: float | None = None) -> float:
    """A numeric environment setting; a malformed one warns once and gives `default`."""
    raw = os.environ.get(name)
    if raw is None or not raw.strip():
        return default
    try:
        value = float(raw)
        if value != value or (minimum is not None and value < minimum):  # NaN, negative
            raise ValueError
        return value
    except ValueError:
        if (name, raw) not in _warned:
            _warned.add((name, raw))
            bound = f" >= {minimum:g}" if minimum is not None else ""
            warnings.warn(f"irax: ignoring {name}={raw!r} (not a number{bound}); "
                          f"using {default:g}", RuntimeWarning, stacklevel=3)
        return default


@functools.cache
def _host() -> str:
    """What the host-CPU code depends on: architecture, CPU model and features."""
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
    return "\n".join(info)


def key_material(text: str, flags) -> bytes:
    """Everything a compiled module depends on, as bytes (what `key` hashes)."""
    from iree.compiler import version
    parts = (version.VERSION, str(getattr(version, "REVISIONS", "")), _host(),
             "\0".join(flags), text)
    return b"".join(p.encode() + b"\0\1" for p in parts)


def key(text: str, flags) -> str | None:
    """The entry name for compiling `text` with `flags`; None when caching is off."""
    if cache_dir() is None:
        return None
    return hashlib.sha256(key_material(text, flags)).hexdigest()


def entry_key(text: str, flags) -> tuple[str, bytes] | None:
    """(entry name, full key) for compiling `text` with `flags`; None when caching is off."""
    if cache_dir() is None:
        return None
    material = key_material(text, flags)
    return hashlib.sha256(material).hexdigest(), material


def discard(digest: str) -> None:
    """Delete an entry (one whose module the runtime rejected)."""
    if cache_dir() is not None:
        _remove(_path(digest))


def _path(digest: str) -> str:
    return os.path.join(cache_dir(), digest + _SUFFIX)


def get(digest: str, material: bytes | None = None) -> bytes | None:
    """The cached module, or None (missing, unreadable, failed its checksum, or
    stored for another key).  `material`: the full key (`key_material`); without
    it, the stored key must hash to `digest` (or be `digest` itself)."""
    path = _path(digest)
    try:
        with open(path, "rb") as f:
            blob = f.read()
    except OSError:
        return None
    payload = _unpack(blob, digest, material)
    if payload is None:
        _remove(path)
        return None
    try:
        os.utime(path)  # recency for LRU eviction
    except OSError:
        pass
    return payload


def put(digest: str, payload: bytes, material: bytes | None = None) -> None:
    """Store `payload` (with its key, `material` or else `digest`) atomically, then
    evict least recently used entries over the bound."""
    d = cache_dir()
    stored_key = zlib.compress(digest.encode() if material is None else material, 1)
    try:
        os.makedirs(d, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=d, prefix=".tmp-", suffix=_SUFFIX)
        try:
            with os.fdopen(fd, "wb") as f:
                checksum = hashlib.sha256(stored_key + payload).digest()
                f.write(_HEADER.pack(_MAGIC, checksum, len(stored_key), len(payload)))
                f.write(stored_key)
                f.write(payload)
            os.replace(tmp, _path(digest))
        except BaseException:
            _remove(tmp)
            raise
    except OSError:
        return
    evict(max_bytes())


def _unpack(blob: bytes, digest: str, material: bytes | None) -> bytes | None:
    """The payload of an intact entry stored for this key, else None."""
    if len(blob) < _HEADER.size:
        return None
    magic, checksum, key_len, length = _HEADER.unpack_from(blob)
    body = blob[_HEADER.size:]
    if magic != _MAGIC or key_len + length != len(body) or \
            hashlib.sha256(body).digest() != checksum:
        return None
    try:
        stored = zlib.decompress(body[:key_len])
    except zlib.error:
        return None
    if material is not None:
        ok = stored == material
    else:
        ok = stored == digest.encode() or hashlib.sha256(stored).hexdigest() == digest
    return body[key_len:] if ok else None  # else: another program's module under this name


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
