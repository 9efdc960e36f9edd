"""Anonymous learner ids: 18 random bytes from the OS, URL-safe base64 (as ``secrets.token_urlsafe(18)``).

A class arriving at once means one new id per request; reading the OS's randomness once per 256 ids
instead of once per id keeps that off the request's path (the bytes are as unpredictable either way)."""

from __future__ import annotations

import base64
import os
import threading

_BATCH = 256
_SIZE = 18
_pool: list[str] = []
_lock = threading.Lock()


def new_learner_id() -> str:
    with _lock:
        if not _pool:
            raw = os.urandom(_SIZE * _BATCH)
            _pool.extend(base64.urlsafe_b64encode(raw[i : i + _SIZE]).decode() for i in range(0, len(raw), _SIZE))
        return _pool.pop()
