"""The public site's generation: one number that every change a public page shows moves on."""

from __future__ import annotations

from django.db import models


class Generation(models.Model):
    """One row (id 1). Whole-page cache keys carry its number, so bumping it in the same
    transaction as a change drops every cached page at once, in every process."""

    number = models.PositiveBigIntegerField(default=1)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["pk"]

    def __str__(self) -> str:
        return f"public site generation {self.number}"
