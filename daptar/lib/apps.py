from django.apps import AppConfig


class LibConfig(AppConfig):
    """Model-free helpers; an app only so its template tags are found."""

    name = "daptar.lib"
    label = "daptar_lib"
