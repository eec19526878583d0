"""Running an action from a page's button, the same way on every page."""

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest

from daptar.lib.exceptions import Conflict


def press(request: HttpRequest, action: Callable[[], Any], done: str) -> bool:
    """Run *action*; say *done* on the next page, or why nothing changed.

    A repeat or a stale page (Conflict) and bad input (ValidationError) come back as
    a message, so a double click costs nothing; a desk that may not act gets the
    403 from PermissionDenied, as everywhere else. True when the action ran.
    """
    try:
        action()
    except Conflict as exc:
        messages.info(request, str(exc))
    except ValidationError as exc:
        messages.error(request, " ".join(str(m) for m in exc.messages))
    else:
        messages.success(request, done)
        return True
    return False
