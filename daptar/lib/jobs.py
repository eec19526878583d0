"""Background work started by name, so that an app's actions never import its tasks.

The dependency runs one way: a `tasks.py` imports its app's actions and calls them. An action
that must start work in the background names it, "<app label>.<task function>", and every
app's `tasks.py` is found once at start-up (`discover`, from this app's `ready`), the way the
admin finds `admin.py`.
"""

from __future__ import annotations

import datetime
import sys
from functools import partial
from typing import Any

from django.apps import apps
from django.db import transaction
from django.tasks import Task
from django.utils.module_loading import autodiscover_modules

_known: dict[str, Task] = {}


def discover() -> None:
    """Import every installed app's `tasks.py` and learn its tasks by name."""
    autodiscover_modules("tasks")
    for config in apps.get_app_configs():
        module = sys.modules.get(f"{config.name}.tasks")
        if module is None:
            continue
        for name, value in vars(module).items():
            if isinstance(value, Task) and value.func.__module__ == module.__name__:
                _known[f"{config.label}.{name}"] = value


def task_named(name: str) -> Task:
    try:
        return _known[name]
    except KeyError:
        raise LookupError(f"No task {name!r}: is it defined in that app's tasks.py?") from None


def enqueue(name: str, *args: Any, run_after: datetime.datetime | None = None) -> None:
    """Queue the task now. A task for later waits for the periodic sweep on a backend that
    cannot defer (the sweep finds what is due)."""
    task = task_named(name)
    if run_after is not None:
        if not task.get_backend().supports_defer:
            return
        task = task.using(run_after=run_after)
    task.enqueue(*args)


def after_commit(name: str, *args: Any, run_after: datetime.datetime | None = None) -> None:
    """Queue the task once the current transaction commits (never for a rolled-back write)."""
    task_named(name)  # a misspelt name fails here, inside the action, not after the commit
    transaction.on_commit(partial(enqueue, name, *args, run_after=run_after))
