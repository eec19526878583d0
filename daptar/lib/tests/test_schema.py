import tempfile

import yaml
from django.core.management import call_command
from django.test import TestCase


class SchemaTests(TestCase):
    def test_the_openapi_schema_builds_without_warnings_and_names_every_app(self) -> None:
        with tempfile.NamedTemporaryFile(suffix=".yml") as out:
            call_command("spectacular", "--validate", "--fail-on-warn", "--file", out.name)
            with open(out.name, encoding="utf-8") as text:
                schema = yaml.safe_load(text)
        paths = schema["paths"]
        for path in (
            "/api/v1/units/",
            "/api/v1/directives/",
            "/api/v1/reports/",
            "/api/v1/returns/",
            "/api/v1/meetings/",
            "/api/v1/letters/",
        ):
            self.assertIn(path, paths)
        self.assertEqual(
            paths["/api/v1/units/{id}/"]["get"]["parameters"][0]["schema"]["type"], "integer"
        )
