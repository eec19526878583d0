"""What the worker tests run in real worker processes: a task that notes each run, and a
slow mailbox, so a test can kill a worker in the middle of a fan-out."""

from __future__ import annotations

import os
import time
from collections.abc import Sequence
from typing import Any

from django.core.mail.backends.base import BaseEmailBackend
from django.tasks import task


def _append(path: str, line: str) -> None:
    fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
    try:
        os.write(fd, f"{line}\n".encode())  # one write with O_APPEND: whole lines only
    finally:
        os.close(fd)


@task
def note_run(path: str, label: str, seconds: float = 0.0) -> str:
    """Take *seconds*, then note "<label> <pid>" in *path*: one line per run."""
    time.sleep(seconds)
    _append(path, f"{label} {os.getpid()}")
    return label


class SlowMailbox(BaseEmailBackend):
    """Each message takes DAPTAR_TEST_MAIL_DELAY seconds, then is delivered: one line
    "<to> <subject>" in DAPTAR_TEST_MAILBOX. Delivery comes after the wait, as with a
    real server, so a worker killed while waiting has sent nothing."""

    def send_messages(self, email_messages: Sequence[Any]) -> int:
        delay = float(os.environ.get("DAPTAR_TEST_MAIL_DELAY", "0"))
        for message in email_messages:
            time.sleep(delay)
            _append(os.environ["DAPTAR_TEST_MAILBOX"], f"{','.join(message.to)} {message.subject}")
        return len(email_messages)
