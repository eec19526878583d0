from django.apps import AppConfig


class LibConfig(AppConfig):
    """Model-free helpers; an app so its template tags are found, the tasks are known and the
    input rules installed."""

    name = "daptar.lib"
    label = "daptar_lib"

    def ready(self) -> None:
        from daptar.lib import jobs, text

        jobs.discover()
        text.install()
