"""Register work for the worker: reading a big sheet into its preview."""

from __future__ import annotations

from django.tasks import task

from daptar.register import actions
from daptar.register.models import ImportBatch


@task
def read_import(batch_id: int) -> str:
    batch = ImportBatch.objects.select_related("unit", "created_by").get(pk=batch_id)
    return actions.read_import(batch).state
