"""The usual routine on a real server: `migrate`, then serve; stopped by a signal, cleanly."""

from __future__ import annotations

import contextlib
import os
import pty
import select
import signal
import sqlite3
import sys
import time
from pathlib import Path

import httpx
import pytest

from daptar.operations.tests.stack import (
    BASE,
    MANAGE,
    SLOW,
    Stack,
    environment,
    free_port,
    login,
    query,
    shell,
)

pytestmark = SLOW


def task_states(var: Path) -> list[str]:
    rows = query(
        var,
        "SELECT status FROM django_tasks_database_dbtaskresult WHERE task_path LIKE '%note_run'",
    )
    return [str(status) for (status,) in rows]


def enqueue_note(var: Path, seconds: float) -> None:
    shell(
        var,
        "from daptar.operations.tests.probe import note_run; "
        f"note_run.enqueue({str(var / 'runs.txt')!r}, 'slow', {seconds})",
    )


def wait_for(predicate: object, seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if predicate():  # type: ignore[operator]
            return
        time.sleep(0.2)
    raise AssertionError("timed out waiting")


def test_a_login_works_on_a_database_made_by_migrate_alone(
    var: Path, stack_factory: type[Stack]
) -> None:
    # The template was made by `manage.py migrate` and seed_demo: no createcachetable.
    tables = sqlite3.connect(var / "daptar.sqlite3").execute(
        "SELECT name FROM sqlite_master WHERE type='table' AND name='daptar_cache'"
    )
    assert tables.fetchall() == [("daptar_cache",)]
    stack = stack_factory(var)
    with httpx.Client(base_url=stack.url, timeout=30) as client:
        answer = login(client, "sylhet")
        assert answer.status_code == 302, answer.text[:500]
        assert client.get("/").status_code == 200
    with httpx.Client(base_url=stack.url, timeout=30) as stranger:
        failed = login(stranger, "sylhet-sadar", "wrong password")  # counted in the cache
        assert failed.status_code == 200
        assert "sessionid" not in stranger.cookies


@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGTERM])
def test_a_signal_stops_server_worker_and_periodic_job_cleanly(
    var: Path, stack_factory: type[Stack], signum: int
) -> None:
    stack = stack_factory(var, None, "--every", "2")
    enqueue_note(var, 3)
    wait_for(lambda: task_states(var) == ["RUNNING"])
    code = stack.stop(signum)
    output = stack.output()
    assert code == 0, output
    for bad in ("Traceback", "Segmentation", "RecursionError", "terminating current task"):
        assert bad not in output, output
    # The worker finished the task it held before it went.
    assert task_states(var) == ["SUCCESSFUL"]
    assert (var / "runs.txt").read_text().startswith("slow ")
    with pytest.raises(httpx.TransportError):
        httpx.get(stack.url, timeout=2)


def test_a_second_signal_hands_the_task_back_to_the_queue(
    var: Path, stack_factory: type[Stack]
) -> None:
    stack = stack_factory(var, None, "--every", "0")
    enqueue_note(var, 20)
    wait_for(lambda: task_states(var) == ["RUNNING"])
    stack.process.send_signal(signal.SIGTERM)  # the worker gets one SIGTERM from serve
    wait_for(lambda: "finishing the task in hand" in stack.output())
    stack.process.send_signal(signal.SIGINT)  # a second Ctrl-C: hand the task back
    code = stack.process.wait(timeout=30)
    output = stack.output()
    assert code == 0, output
    assert "Traceback" not in output
    assert task_states(var) == ["READY"]
    assert not (var / "runs.txt").exists()


def test_a_locked_sqlite_database_answers_503_with_retry_after_then_works(
    var: Path, stack_factory: type[Stack]
) -> None:
    stack = stack_factory(var, environment(var, DAPTAR_SQLITE_BUSY_SECONDS="1"), "--every", "0")
    with httpx.Client(base_url=stack.url, timeout=30) as client:
        page = client.get("/accounts/login/")
        assert page.status_code == 200
        holder = sqlite3.connect(var / "daptar.sqlite3", isolation_level=None)
        holder.execute("BEGIN IMMEDIATE")  # another writer holds SQLite's one write lock
        try:
            answer = login(client, "sylhet")  # a login writes: the session, the last login
            assert answer.status_code == 503, answer.text[:500]
            assert int(answer.headers["Retry-After"]) > 0
            assert "আবার চেষ্টা করুন" in answer.text  # the Bengali message, the default
        finally:
            holder.execute("ROLLBACK")
            holder.close()
        again = login(client, "sylhet")
        assert again.status_code == 302, again.text[:500]


def serve_line_of_make_run() -> str:
    """The recipe line of `make run` that starts Daptar, as the Makefile has it."""
    lines = (BASE / "Makefile").read_text().splitlines()
    start = lines.index("run: setup var/demo-password")
    recipe = [line for line in lines[start + 1 :] if line.startswith("\t")]
    serve = [line for line in recipe if "manage.py serve" in line]
    assert len(serve) == 1, recipe
    return serve[0]


def test_ctrl_c_in_a_terminal_stops_make_run_with_status_0(var: Path, tmp_path: Path) -> None:
    port = free_port()
    makefile = tmp_path / "Makefile"
    makefile.write_text(
        f"SHELL := /bin/bash\nPY := {sys.executable}\nHOST := 127.0.0.1\nPORT := {port}\n"
        f"run:\n{serve_line_of_make_run().replace('manage.py', MANAGE)}\n"
    )
    env = environment(var, DAPTAR_PERIODIC_SECONDS="0")
    pid, terminal = pty.fork()
    if pid == 0:  # the child: make, in a terminal of its own, as a person would run it
        os.execvpe("make", ["make", "-s", "-f", str(makefile), "run"], env)  # noqa: S606, S607
    output = b""
    deadline = time.monotonic() + 60
    up = False
    while time.monotonic() < deadline and not up:
        ready, _, _ = select.select([terminal], [], [], 0.5)
        if ready:
            output += os.read(terminal, 4096)
        with contextlib.suppress(httpx.HTTPError):
            up = httpx.get(f"http://127.0.0.1:{port}/", timeout=2).status_code == 200
    assert up, output.decode(errors="replace")
    os.write(terminal, b"\x03")  # Ctrl-C: the terminal signals its foreground process group
    while True:
        ready, _, _ = select.select([terminal], [], [], 60)
        if not ready:
            break
        try:
            chunk = os.read(terminal, 4096)
        except OSError:
            break
        if not chunk:
            break
        output += chunk
    _, status = os.waitpid(pid, 0)
    text = output.decode(errors="replace")
    assert os.waitstatus_to_exitcode(status) == 0, text
    assert "Daptar stopped." in text
    for bad in ("Traceback", "Segmentation", "RecursionError", "Interrupt"):
        assert bad not in text, text
