"""Settings for the server bench/website.py starts: the app's own, plus a bare JSON view.

Bench-only: granian loads it (DJANGO_SETTINGS_MODULE=website_settings, bench/ on the
path) so the framework floor is measured on the same server, middleware and database.
"""

from daptar.settings import *  # noqa: F403

ROOT_URLCONF = "website_urls"
