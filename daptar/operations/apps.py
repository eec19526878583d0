from django.apps import AppConfig


class OperationsConfig(AppConfig):
    """Running Daptar: the cache table, the supervisor, the worker's lease, backups, faults."""

    name = "daptar.operations"
    label = "operations"
