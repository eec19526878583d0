from django.apps import AppConfig


class LibConfig(AppConfig):
    """Model-free helpers; an app so its template tags are found and the tasks are known."""

    name = "daptar.lib"
    label = "daptar_lib"

    def ready(self) -> None:
        from daptar.lib import jobs

        jobs.discover()
