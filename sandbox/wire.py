"""Framing and plain-data values shared by the host, the in-sandbox harness and the assert checker.

Stdlib only, no package imports: the harness loads this file with the system ``python3 -I -S`` inside the sandbox.

A frame is ``>II`` (header length, blob length) + a JSON header + raw bytes. Values returned by untrusted code
cross the boundary as *tagged JSON*: tuples, sets, bytes, complex numbers, non-finite floats and dicts with
non-string keys keep their type; anything else becomes an opaque marker that equals nothing. ``decode_value``
builds only builtin types, so no object of the program's making ever reaches a comparison.
"""

from __future__ import annotations

import json
import math
import os
import struct

HEADER = struct.Struct(">II")
MAX_DEPTH = 100


class WireClosed(EOFError):
    """The other end closed the pipe (or sent a truncated frame)."""


def read_exact(fd: int, n: int) -> bytes:
    chunks, left = [], n
    while left:
        chunk = os.read(fd, min(left, 1 << 20))
        if not chunk:
            raise WireClosed(f"pipe closed with {left} of {n} bytes unread")
        chunks.append(chunk)
        left -= len(chunk)
    return b"".join(chunks)


def write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view) :]


def send(fd: int, meta: dict, blob: bytes = b"") -> None:
    head = json.dumps(meta).encode()
    write_all(fd, HEADER.pack(len(head), len(blob)) + head + blob)


def recv(fd: int, max_bytes: int = 1 << 30) -> tuple[dict, bytes]:
    head_len, blob_len = HEADER.unpack(read_exact(fd, HEADER.size))
    if head_len + blob_len > max_bytes:
        raise WireClosed(f"frame of {head_len + blob_len} bytes exceeds the {max_bytes} byte cap")
    meta = json.loads(read_exact(fd, head_len))
    if not isinstance(meta, dict):
        raise WireClosed("frame header is not a JSON object")
    return meta, read_exact(fd, blob_len)


def _tag(value, depth: int):
    if depth > MAX_DEPTH:
        raise ValueError("value nested too deeply")
    if value is None or isinstance(value, bool):
        return value
    if isinstance(value, str):
        return str(value)
    if isinstance(value, int):
        return int(value)
    if isinstance(value, float):
        value = float(value)
        return value if math.isfinite(value) else {"$f": repr(value)}
    if isinstance(value, list):
        return [_tag(v, depth + 1) for v in value]
    if isinstance(value, tuple):
        return {"$t": [_tag(v, depth + 1) for v in value]}
    if isinstance(value, frozenset):
        return {"$fs": [_tag(v, depth + 1) for v in value]}
    if isinstance(value, set):
        return {"$s": [_tag(v, depth + 1) for v in value]}
    if isinstance(value, dict):
        if all(type(k) is str and not k.startswith("$") for k in value):
            return {k: _tag(v, depth + 1) for k, v in value.items()}
        return {"$d": [[_tag(k, depth + 1), _tag(v, depth + 1)] for k, v in value.items()]}
    if isinstance(value, bytes | bytearray):
        return {"$b": bytes(value).decode("latin-1")}
    if isinstance(value, complex):
        return {"$c": [_tag(value.real, depth + 1), _tag(value.imag, depth + 1)]}
    return {"$x": type(value).__name__[:80]}


def encode_value(value) -> bytes:
    """Tagged JSON of a value (run inside the sandbox); unknown types become ``{"$x": type name}``."""
    return json.dumps(_tag(value, 0)).encode()


class Opaque:
    """Stands for a value that could not cross the boundary as plain data; equal to nothing."""

    def __init__(self, what: str):
        self.what = what

    def __eq__(self, other):
        return False

    def __ne__(self, other):
        return True

    __hash__ = object.__hash__

    def __bool__(self):
        return False

    def __repr__(self):
        return f"<unrepresentable {self.what}>"


def _untag(obj: dict):
    if len(obj) == 1:
        ((key, val),) = obj.items()
        if key == "$t" and isinstance(val, list):
            return tuple(val)
        if key == "$s" and isinstance(val, list):
            return set(val)
        if key == "$fs" and isinstance(val, list):
            return frozenset(val)
        if key == "$d" and isinstance(val, list):
            return {k: v for k, v in val}
        if key == "$b" and isinstance(val, str):
            return val.encode("latin-1")
        if key == "$c" and isinstance(val, list) and len(val) == 2:
            return complex(*val)
        if key == "$f" and val in ("nan", "inf", "-inf"):
            return float(val)
        if key == "$x":
            return Opaque(str(val))
    return obj


def decode_value(data: bytes | str):
    """Plain builtin data from tagged JSON; malformed input becomes an ``Opaque`` (never raises)."""
    try:
        return json.loads(data, object_hook=_untag)
    except (ValueError, TypeError, RecursionError) as e:
        return Opaque(f"malformed value ({type(e).__name__})")
