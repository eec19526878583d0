"""A letter's attachment downloads through the API whatever the client's Accept."""

from __future__ import annotations

from django.core.files.uploadedfile import SimpleUploadedFile

from daptar.letters.tests.support import IN_MEMORY_STORAGE, PDF, write
from daptar.letters.tests.test_api import APITestCase, detail


class AcceptTests(APITestCase):
    @IN_MEMORY_STORAGE
    def test_the_attachment_answers_the_file_to_accept_json_or_anything(self) -> None:
        letter = write(self.jalalabad, self.root, attachments=[SimpleUploadedFile("a.pdf", PDF)])
        path = f"{detail(letter)}attachments/{letter.attachments.get().pk}/"
        for accept in ("application/json", "application/pdf", "text/csv"):
            with self.subTest(accept=accept):
                response = self.as_user(self.central).get(path, HTTP_ACCEPT=accept)
                self.assertEqual(response.status_code, 200)
                self.assertEqual(b"".join(response.streaming_content), PDF)  # type: ignore[attr-defined]
