import io

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import SimpleTestCase, override_settings
from django.utils import translation
from PIL import Image

from daptar.lib import uploads

PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"


def camera_jpeg() -> bytes:
    """A portrait photo stored sideways, with the camera's make and a GPS block."""
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"  # Make
    exif[0x0112] = 6  # Orientation: turn a quarter to show it upright
    exif.get_ifd(0x8825)[2] = (23.0, 45.0, 0.0)  # GPSLatitude
    out = io.BytesIO()
    Image.new("RGB", (60, 40), (200, 30, 30)).save(out, "JPEG", exif=exif)
    return out.getvalue()


class CheckDocumentTests(SimpleTestCase):
    def test_an_attached_photo_loses_its_exif_and_gps_and_stands_upright(self) -> None:
        document = uploads.check_document(SimpleUploadedFile("p.jpg", camera_jpeg()))
        self.assertEqual(document.content_type, "image/jpeg")
        with Image.open(io.BytesIO(document.content.read())) as cleaned:
            self.assertEqual(dict(cleaned.getexif()), {})
            self.assertEqual(cleaned.size, (40, 60))
        self.assertEqual(document.size, len(document.content))

    def test_a_pdf_is_kept_byte_for_byte(self) -> None:
        document = uploads.check_document(SimpleUploadedFile("a.pdf", PDF))
        self.assertEqual(document.content_type, "application/pdf")
        self.assertEqual(document.content.read(), PDF)

    def test_text_named_like_a_photo_is_refused_by_name(self) -> None:
        with self.assertRaisesMessage(ValidationError, "notes.jpg"):
            uploads.check_document(SimpleUploadedFile("notes.jpg", b"just words"))

    @override_settings(DAPTAR_ATTACHMENT_MAX_MB=0)
    def test_a_file_over_the_limit_is_refused(self) -> None:
        with translation.override("en"), self.assertRaisesMessage(ValidationError, "larger than"):
            uploads.check_document(SimpleUploadedFile("a.pdf", PDF))
