"""`manage.py serve` (what `make run` starts): the web server, the task worker(s) and the
periodic job as child processes, stopped cleanly together.

One SIGINT (Ctrl-C), SIGTERM or SIGHUP to this process sends exactly one SIGTERM to each
child: granian finishes the requests in flight, each worker finishes the task in hand
(`manage.py worker`), the periodic job finishes its pass. A second signal passes on a
second SIGTERM: the workers then hand their task back to the queue and exit at once.
Children that are still there after DAPTAR_SHUTDOWN_SECONDS are killed (a worker's task
then goes back to the queue when its lease runs out). The exit status is 0 when every
child stopped as asked.

Each child runs in a process group of its own, so a Ctrl-C in the terminal reaches only
this process, never the children twice. When started from a terminal, this process also
takes the terminal's foreground, so the Ctrl-C does not reach `make` either (make would
otherwise report it as an interrupted recipe).
"""

from __future__ import annotations

import contextlib
import ctypes
import os
import signal
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from types import FrameType
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandParser

PR_SET_PDEATHSIG = 1
RESTART_PAUSE = 2.0  # seconds before a worker or the periodic job that died is started again


def _die_with_parent() -> None:
    """In the child, before exec: a SIGTERM when this supervisor dies, however it dies."""
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGTERM)


@dataclass
class Child:
    name: str
    command: list[str]
    essential: bool  # the web server: when it cannot run, neither can the site
    process: subprocess.Popen[bytes] | None = None
    restarts: int = 0
    started_at: float = field(default=0.0)

    def start(self) -> None:
        self.process = subprocess.Popen(  # noqa: S603
            self.command, process_group=0, preexec_fn=_die_with_parent
        )
        self.started_at = time.monotonic()

    @property
    def alive(self) -> bool:
        return self.process is not None and self.process.poll() is None


class Terminal:
    """The controlling terminal's foreground group: taken on start, given back on exit."""

    def __init__(self) -> None:
        self.fd: int | None = None
        self.previous = 0

    def take(self) -> None:
        try:
            fd = os.open("/dev/tty", os.O_RDWR)
        except OSError:
            return  # no terminal (systemd, a test): signals come straight to this process
        try:
            if os.tcgetpgrp(fd) != os.getpgrp():
                return  # started in the background: leave the terminal alone
            self.previous = os.tcgetpgrp(fd)
            os.setpgid(0, 0)
            self._set(fd, os.getpgrp())
            self.fd = fd
        except OSError:
            os.close(fd)

    def give_back(self) -> None:
        if self.fd is not None:
            with contextlib.suppress(OSError):
                self._set(self.fd, self.previous)
            os.close(self.fd)
            self.fd = None

    @staticmethod
    def _set(fd: int, group: int) -> None:
        old = signal.signal(signal.SIGTTOU, signal.SIG_IGN)
        try:
            os.tcsetpgrp(fd, group)
        finally:
            signal.signal(signal.SIGTTOU, old)


class Command(BaseCommand):
    help = "Serve Daptar: granian, the task worker(s) and the periodic job, stopped together."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=8000)
        parser.add_argument("--web-workers", type=int, default=settings.DAPTAR_WEB_WORKERS)
        parser.add_argument("--threads", type=int, default=settings.DAPTAR_WEB_THREADS)
        parser.add_argument("--task-workers", type=int, default=settings.DAPTAR_TASK_WORKERS)
        parser.add_argument(
            "--every",
            type=int,
            default=settings.DAPTAR_PERIODIC_SECONDS,
            help="seconds between passes of the periodic job (0: no periodic job)",
        )

    def children(self, options: dict[str, Any]) -> list[Child]:
        python = sys.executable
        manage = str(Path(settings.BASE_DIR) / "manage.py")
        granian = str(Path(python).with_name("granian"))
        web = [
            granian, "--interface", "wsgi", "--host", options["host"],
            "--port", str(options["port"]), "--workers", str(options["web_workers"]),
            "--blocking-threads", str(options["threads"]), "daptar.wsgi:application",
        ]  # fmt: skip
        found = [Child("web", web, essential=True)]
        for n in range(options["task_workers"]):
            found.append(
                Child(
                    f"worker-{n + 1}",
                    [python, manage, "worker", "--no-reload", "--worker-id",
                     f"{os.uname().nodename}-{os.getpid()}-{n + 1}"],
                    essential=False,
                )
            )  # fmt: skip
        if options["every"]:
            found.append(
                Child(
                    "periodic",
                    [python, manage, "send_reminders", "--every", str(options["every"])],
                    essential=False,
                )
            )
        return found

    def handle(self, *args: Any, **options: Any) -> None:
        stopping: list[int] = []

        def on_signal(signum: int, frame: FrameType | None) -> None:
            stopping.append(signum)

        for signum in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
            signal.signal(signum, on_signal)
        terminal = Terminal()
        terminal.take()
        children = self.children(options)
        failed = False
        try:
            for child in children:
                child.start()
            while not stopping:
                time.sleep(0.2)
                for child in children:
                    if child.alive or stopping:
                        continue
                    code = child.process.returncode if child.process else None
                    if child.essential:
                        self.stderr.write(f"{child.name} stopped (exit {code}); stopping Daptar")
                        failed = True
                        stopping.append(0)
                        break
                    if time.monotonic() - child.started_at >= RESTART_PAUSE:
                        self.stderr.write(f"{child.name} stopped (exit {code}); starting it again")
                        child.restarts += 1
                        child.start()
            failed = not self.stop(children, stopping) or failed
        finally:
            for child in children:
                if child.alive and child.process:
                    child.process.kill()
            terminal.give_back()
        if failed:
            sys.exit(1)
        self.stdout.write("Daptar stopped.")

    def stop(self, children: list[Child], stopping: list[int]) -> bool:
        """One SIGTERM each, a wait, then SIGKILL for what is left; True if all went cleanly.

        Another signal while waiting is passed on once more: a worker then hands its task
        back to the queue and exits at once.
        """
        running = [c for c in children if c.alive and c.process]
        passed_on = len(stopping)
        for child in running:
            self.terminate(child)
        deadline = time.monotonic() + settings.DAPTAR_SHUTDOWN_SECONDS
        while any(c.alive for c in running) and time.monotonic() < deadline:
            if len(stopping) > passed_on:
                passed_on = len(stopping)
                for child in running:
                    if child.alive:
                        self.terminate(child)
            time.sleep(0.1)
        clean = True
        for child in running:
            assert child.process is not None
            if child.alive:
                self.stderr.write(f"{child.name} did not stop in time; killing it")
                child.process.kill()
                child.process.wait()
                clean = False
            elif child.process.returncode not in (0, -signal.SIGTERM):
                self.stderr.write(f"{child.name} stopped with exit {child.process.returncode}")
                clean = False
        return clean

    @staticmethod
    def terminate(child: Child) -> None:
        if child.process is not None:
            with contextlib.suppress(ProcessLookupError):
                child.process.send_signal(signal.SIGTERM)
