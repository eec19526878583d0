"""A cable between the browser and the live server that a test can cut: every open
connection dies at once (mid-upload, as when a phone loses its signal) and new ones
are refused until the cable is mended. Chromium's emulated "offline" lets requests
already on their way finish, so it cannot drop a line in the middle of an upload."""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager, suppress

PORTS = range(8400, 8500)  # the browser helper's own ports


class Cable:
    def __init__(self, upstream: tuple[str, int]) -> None:
        self.upstream = upstream
        self.listener = socket.socket()
        self.listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        for port in PORTS:
            try:
                self.listener.bind(("127.0.0.1", port))
                break
            except OSError:
                continue
        else:
            raise OSError("no free port for the cable")
        self.listener.listen(32)
        self.port = self.listener.getsockname()[1]
        self.up = True
        self.open: set[socket.socket] = set()
        self.lock = threading.Lock()
        threading.Thread(target=self._accept, daemon=True).start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def _accept(self) -> None:
        while True:
            try:
                client, _addr = self.listener.accept()
            except OSError:
                return
            if not self.up:
                client.close()
                continue
            server = socket.create_connection(self.upstream)
            with self.lock:
                self.open |= {client, server}
            for a, b in ((client, server), (server, client)):
                threading.Thread(target=self._pump, args=(a, b), daemon=True).start()

    def _pump(self, source: socket.socket, sink: socket.socket) -> None:
        try:
            while chunk := source.recv(65536):
                sink.sendall(chunk)
        except OSError:
            pass
        finally:
            for s in (source, sink):
                self._close(s)

    def _close(self, s: socket.socket) -> None:
        with self.lock:
            self.open.discard(s)
        with suppress(OSError):
            s.shutdown(socket.SHUT_RDWR)
        s.close()

    def cut(self) -> None:
        self.up = False
        with self.lock:
            victims = list(self.open)
        for s in victims:
            self._close(s)

    def mend(self) -> None:
        self.up = True

    def close(self) -> None:
        self.cut()
        self.listener.close()


@contextmanager
def cable_to(host: str, port: int) -> Iterator[Cable]:
    cable = Cable((host, port))
    try:
        yield cable
    finally:
        cable.close()
