"""Pagination: the API's one page shape (count, next, previous, results), and PeekPage."""

from collections.abc import Iterator
from typing import Any

from django.utils.translation import gettext as _
from rest_framework.exceptions import ValidationError
from rest_framework.pagination import PageNumberPagination
from rest_framework.request import Request


class Pagination(PageNumberPagination):
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 500

    def get_page_size(self, request: Request) -> int | None:
        """The asked size, at most 500; a size that is not a whole number above 0 is a 400
        (DRF would quietly give the default page instead)."""
        asked = request.query_params.getlist(self.page_size_query_param)
        if asked and not all(value.isdigit() and int(value) > 0 for value in asked):
            raise ValidationError(
                {self.page_size_query_param: [_("Give a page size from 1 to 500.")]}
            )
        return super().get_page_size(request)


class PeekPage:
    """A page found by reading one row past it: no COUNT(*) over a large search.

    Quacks like a Paginator page for includes/pager.html; the total is unknown
    (paginator.count and paginator.num_pages are None).
    """

    class _Unknown:
        count = None
        num_pages = None

    paginator = _Unknown()

    def __init__(self, rows: Any, number: object, per_page: int = 50) -> None:
        try:
            self.number = max(int(str(number)), 1)
        except (TypeError, ValueError):
            self.number = 1
        start = (self.number - 1) * per_page
        found = list(rows[start : start + per_page + 1])
        self.object_list = found[:per_page]
        self._more = len(found) > per_page

    def __iter__(self) -> Iterator[Any]:
        return iter(self.object_list)

    def __len__(self) -> int:
        return len(self.object_list)

    def has_next(self) -> bool:
        return self._more

    def has_previous(self) -> bool:
        return self.number > 1

    def next_page_number(self) -> int:
        return self.number + 1

    def previous_page_number(self) -> int:
        return self.number - 1
