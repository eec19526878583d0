"""The photo pipeline (daptar.lib.images): types by content, limits, orientation, no metadata."""

from __future__ import annotations

import io
import time

from django.test import SimpleTestCase
from django.utils import translation
from PIL import Image, ImageCms, ImageOps

from daptar.lib import images
from daptar.reports.tests.support import (
    GPS_IFD,
    TEXT,
    bomb,
    encode,
    exif,
    heic,
    jpeg,
    picture,
    png,
    webp,
)

LIMITS = {"max_bytes": 5 * 2**20, "max_pixels": 20_000_000}
WIDTHS = [320, 800, 1600]


def inspect(data: bytes, **limits: int) -> images.Inspected:
    return images.inspect(io.BytesIO(data), **{**LIMITS, **limits})


def render(data: bytes, widths: list[int] = WIDTHS) -> list[images.Rendition]:
    return images.render(io.BytesIO(data), widths, max_pixels=LIMITS["max_pixels"])


def opened(data: bytes) -> Image.Image:
    image = Image.open(io.BytesIO(data))
    image.load()
    return image


def assert_clean(test: SimpleTestCase, data: bytes) -> None:
    """Read the file back with Pillow: no EXIF (so no GPS), no XMP, no ICC, no comment."""
    image = opened(data)
    test.assertEqual(dict(image.getexif()), {})
    test.assertEqual(image.getexif().get_ifd(GPS_IFD), {})
    for key in ("exif", "xmp", "XML:com.adobe.xmp", "icc_profile", "comment", "photoshop"):
        test.assertNotIn(key, image.info)
    for marker in (b"Exif", b"PhoneMaker", b"taken at the meeting", b"http://ns.adobe.com"):
        test.assertNotIn(marker, data)


class AcceptedTypesTests(SimpleTestCase):
    def test_each_accepted_format_is_recognised_by_its_content(self) -> None:
        for data, kind in (
            (jpeg(), "image/jpeg"),
            (png(), "image/png"),
            (webp(), "image/webp"),
            (heic(), "image/heif"),
        ):
            with self.subTest(kind=kind):
                info = inspect(data)
                self.assertEqual(info.content_type, kind)
                self.assertEqual((info.width, info.height), (64, 48))
                self.assertEqual(info.size, len(data))
                self.assertEqual(len(info.sha256), 64)

    def test_a_heic_photo_from_a_phone_becomes_webp_and_jpeg(self) -> None:
        made = render(heic(120, 90))
        self.assertEqual([(r.width, r.height) for r in made], [(120, 90)])
        self.assertEqual(opened(made[0].webp).format, "WEBP")
        self.assertEqual(opened(made[0].jpeg).format, "JPEG")
        assert_clean(self, made[0].webp)
        assert_clean(self, made[0].jpeg)

    def test_the_same_bytes_give_the_same_hash(self) -> None:
        data = jpeg()
        self.assertEqual(inspect(data).sha256, inspect(data).sha256)
        self.assertNotEqual(inspect(data).sha256, inspect(jpeg(colour="blue")).sha256)


class RefusedTests(SimpleTestCase):
    def setUp(self) -> None:
        # The reasons are asserted in English.
        self.enterContext(translation.override("en"))

    def test_a_text_file_named_like_a_photo_is_refused_naming_the_accepted_types(self) -> None:
        with self.assertRaisesMessage(images.Refused, "JPEG, PNG, WebP, HEIC"):
            inspect(TEXT)

    def test_a_pdf_and_a_gif_are_refused(self) -> None:
        gif = encode(picture(), "GIF")
        for data in (b"%PDF-1.4\n%%EOF\n", gif):
            with self.subTest(head=data[:6]), self.assertRaises(images.Refused):
                inspect(data)

    def test_a_file_over_the_size_limit_is_refused_before_it_is_read(self) -> None:
        data = jpeg()
        with self.assertRaisesMessage(images.Refused, "the limit is"):
            inspect(data, max_bytes=len(data) - 1)

    def test_a_photo_with_more_pixels_than_allowed_is_refused(self) -> None:
        with self.assertRaisesMessage(images.Refused, "megapixels"):
            inspect(jpeg(200, 100), max_pixels=200 * 100 - 1)

    def test_a_decompression_bomb_is_refused_without_decoding_it(self) -> None:
        for data in (bomb(), bomb(10_000, 10_000)):  # past Pillow's own limit, and past ours
            with self.subTest(size=len(data)):
                started = time.perf_counter()
                with self.assertRaises(images.Refused):
                    inspect(data)
                with self.assertRaises(images.Refused):
                    render(data)
                self.assertLess(time.perf_counter() - started, 1.0)
                self.assertLess(len(data), 1000)

    def test_a_damaged_photo_is_refused(self) -> None:
        data = jpeg()
        with self.assertRaises(images.Refused):
            inspect(data[:20])

    def test_an_empty_file_is_refused(self) -> None:
        with self.assertRaisesMessage(images.Refused, "empty"):
            inspect(b"")


class RenditionTests(SimpleTestCase):
    def test_renditions_are_webp_and_jpeg_at_each_width_never_wider_than_the_photo(self) -> None:
        made = render(jpeg(1000, 750))
        self.assertEqual([(r.width, r.height) for r in made], [(1000, 750), (800, 600), (320, 240)])
        for r in made:
            self.assertEqual(opened(r.webp).size, (r.width, r.height))
            self.assertEqual(opened(r.webp).format, "WEBP")
            self.assertEqual(opened(r.jpeg).format, "JPEG")

    def test_exif_and_gps_are_gone_from_every_rendition(self) -> None:
        source = jpeg(900, 600, gps=True, orientation=1)
        # The test has teeth: the source does carry the camera and the place.
        self.assertIn(b"PhoneMaker", source)
        self.assertEqual(Image.open(io.BytesIO(source)).getexif().get_ifd(GPS_IFD)[1], "N")
        for data in (source, webp(), heic(), png()):
            for rendition in render(data):
                assert_clean(self, rendition.webp)
                assert_clean(self, rendition.jpeg)

    def test_the_cameras_orientation_is_applied(self) -> None:
        # Orientation 6: the camera was turned; the picture is shown turned a quarter
        # clockwise, so the red left half of the stored pixels ends up on top.
        data = jpeg(64, 48, orientation=6)
        self.assertEqual((inspect(data).width, inspect(data).height), (48, 64))
        (rendition,) = render(data)
        image = opened(rendition.jpeg).convert("RGB")
        self.assertEqual(image.size, (48, 64))
        top, bottom = image.getpixel((24, 8)), image.getpixel((24, 56))
        self.assertGreater(top[0], 200)  # red
        self.assertLess(top[1], 80)
        self.assertGreater(bottom[1], 80)  # green
        self.assertLess(bottom[0], 80)

    def test_every_exif_orientation_comes_out_as_pillow_would_turn_it(self) -> None:
        quarters = Image.new("RGB", (80, 40), "white")
        for n, colour in enumerate(("red", "lime", "blue", "yellow")):
            quarters.paste(
                colour, ((n % 2) * 40, (n // 2) * 20, (n % 2) * 40 + 40, (n // 2) * 20 + 20)
            )
        for orientation in range(1, 9):
            with self.subTest(orientation=orientation):
                data = encode(quarters, "PNG", exif=exif(orientation=orientation))
                expected = ImageOps.exif_transpose(Image.open(io.BytesIO(data))).convert("RGB")
                (rendition,) = render(data)
                got = opened(rendition.webp).convert("RGB")
                self.assertEqual(got.size, expected.size)
                for x, y in (
                    (5, 5),
                    (got.width - 5, 5),
                    (5, got.height - 5),
                    (got.width - 5, got.height - 5),
                ):
                    want, have = expected.getpixel((x, y)), got.getpixel((x, y))
                    self.assertTrue(
                        all(abs(a - b) < 40 for a, b in zip(want, have, strict=True)),
                        (x, y, want, have),
                    )

    def test_a_colour_profile_is_applied_then_dropped(self) -> None:
        srgb = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()
        data = encode(picture(), "JPEG", icc_profile=srgb)
        self.assertIn("icc_profile", Image.open(io.BytesIO(data)).info)
        for rendition in render(data):
            assert_clean(self, rendition.jpeg)
            assert_clean(self, rendition.webp)

    def test_a_transparent_png_is_laid_on_white(self) -> None:
        image = Image.new("RGBA", (40, 30), (0, 0, 0, 0))
        (rendition,) = render(encode(image, "PNG"))
        self.assertEqual(opened(rendition.jpeg).convert("RGB").getpixel((20, 15)), (255, 255, 255))
