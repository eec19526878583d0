"""Who may read a person's personal fields (phone, e-mail, national ID, address)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from daptar.people.models import Term

if TYPE_CHECKING:
    from daptar.accounts.models import User

ANALYST_POST = "research_cell"


def sees_personal_data(user: User) -> bool:
    """Everyone with a desk over the person's unit, except the research cell's analysts.

    Scope (visible_to) already keeps the people of other subtrees out; an analyst whose
    only desks come from the research cell post sees names but no contact details.
    """
    if user.is_superuser or not user.person_id:
        return bool(user.is_superuser)
    posts = set(
        Term.objects.current()
        .filter(person_id=user.person_id)
        .exclude(post__desk_role="")
        .values_list("post__slug", flat=True)
    )
    return bool(posts - {ANALYST_POST})
