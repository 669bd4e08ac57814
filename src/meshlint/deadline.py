"""A wall-clock deadline for one HTTP request, headers and body included.

Socket timeouts bound each read, not the request: a server that sends a byte every two
seconds never trips them. Here the sockets a request reads from are recorded (per thread,
as requests is synchronous) and shut down when the deadline passes, which ends any
blocked read at once.
"""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager

from requests.adapters import HTTPAdapter
from urllib3.connection import HTTPConnection, HTTPSConnection
from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool

_ACTIVE = threading.local()


def _track(sock: socket.socket | None) -> None:
    sockets = getattr(_ACTIVE, "sockets", None)
    if sockets is not None and sock is not None:
        sockets.append(sock)


class _TrackedHTTPConnection(HTTPConnection):
    def getresponse(self, *args, **kwargs):
        _track(self.sock)
        return super().getresponse(*args, **kwargs)


class _TrackedHTTPSConnection(HTTPSConnection):
    def getresponse(self, *args, **kwargs):
        _track(self.sock)
        return super().getresponse(*args, **kwargs)


class _HTTPPool(HTTPConnectionPool):
    ConnectionCls = _TrackedHTTPConnection


class _HTTPSPool(HTTPSConnectionPool):
    ConnectionCls = _TrackedHTTPSConnection


class DeadlineAdapter(HTTPAdapter):
    """requests' adapter whose connections report their sockets to `watchdog`."""

    def init_poolmanager(self, *args, **kwargs) -> None:
        super().init_poolmanager(*args, **kwargs)
        self.poolmanager.pool_classes_by_scheme = {"http": _HTTPPool, "https": _HTTPSPool}


@contextmanager
def watchdog(seconds: float) -> Iterator[threading.Event]:
    """Within the block, the sockets this thread reads from are shut down after `seconds`;
    the event says whether that happened."""
    expired = threading.Event()
    sockets: list[socket.socket] = []
    lock = threading.Lock()

    def expire() -> None:
        with lock:
            expired.set()
            for sock in sockets:
                try:
                    # the plain socket's shutdown: an SSLSocket's would drop its TLS state
                    # under a read running in the other thread
                    socket.socket.shutdown(sock, socket.SHUT_RDWR)
                except OSError:
                    pass

    timer = threading.Timer(seconds, expire)
    timer.daemon = True
    _ACTIVE.sockets = sockets
    timer.start()
    try:
        yield expired
    finally:
        timer.cancel()
        with lock:
            _ACTIVE.sockets = None
