"""Characters XML 1.0 forbids are dropped on input by every text field, and by outputs."""

from __future__ import annotations

import logging

from django import forms
from django.test import SimpleTestCase, override_settings
from rest_framework import serializers

from daptar.lib import notify, text
from daptar.lib.spreadsheets import csv_download, spreadsheet_safe

BAD = "\x00\x01\x08\x0b\x0c\x0e\x1f\ufffe\uffff\ud800\udfff"


class CleanTests(SimpleTestCase):
    def test_it_drops_every_forbidden_character_and_keeps_tab_newlines_and_bengali(self) -> None:
        self.assertEqual(text.clean(f"বৃক্ষ{BAD}রোপণ\t1\n2\r3"), "বৃক্ষরোপণ\t1\n2\r3")

    def test_it_keeps_characters_outside_the_basic_plane(self) -> None:
        self.assertEqual(text.clean("ok \U0001f33f"), "ok \U0001f33f")

    def test_clean_data_reaches_into_lists_tuples_and_dicts(self) -> None:
        data = {"a\x01": ["x\x0b", ("y\x0c", 3)], "n": None}
        self.assertEqual(text.clean_data(data), {"a": ["x", ("y", 3)], "n": None})


class Form(forms.Form):
    title = forms.CharField(max_length=20)
    email = forms.EmailField(required=False)
    data = forms.JSONField(required=False)


class Body(serializers.Serializer):
    title = serializers.CharField(max_length=20)
    slug = serializers.SlugField(required=False)
    data = serializers.JSONField(required=False)
    tags = serializers.ListField(child=serializers.CharField(), required=False)


class InputTests(SimpleTestCase):
    def test_a_form_text_field_drops_them(self) -> None:
        form = Form(
            {"title": f"  বৃক্ষ{BAD}রোপণ ", "email": "a\x0b@example.org", "data": '{"k": "v\\u000b"}'}
        )
        self.assertTrue(form.is_valid(), form.errors)
        self.assertEqual(form.cleaned_data["title"], "বৃক্ষরোপণ")
        self.assertEqual(form.cleaned_data["email"], "a@example.org")
        self.assertEqual(form.cleaned_data["data"], {"k": "v"})

    def test_a_form_title_of_nothing_but_them_is_required_not_empty(self) -> None:
        form = Form({"title": "\x01\x0b"})
        self.assertFalse(form.is_valid())
        self.assertIn("title", form.errors)

    def test_a_serializer_text_field_drops_them(self) -> None:
        body = Body(
            data={
                "title": f"Trees{BAD}",
                "slug": "a\x0bb",
                "data": {"k": ["v\x0c"]},
                "tags": ["t\x01"],
            }
        )
        self.assertTrue(body.is_valid(), body.errors)
        self.assertEqual(
            body.validated_data,
            {"title": "Trees", "slug": "ab", "data": {"k": ["v"]}, "tags": ["t"]},
        )

    def test_a_serializer_title_of_nothing_but_them_is_400_material(self) -> None:
        body = Body(data={"title": "\x0b\x0c"})
        self.assertFalse(body.is_valid())
        self.assertIn("title", body.errors)


class OutputTests(SimpleTestCase):
    def test_a_spreadsheet_cell_is_cleaned_and_still_formula_safe(self) -> None:
        self.assertEqual(spreadsheet_safe("\x0b=1+1"), "'=1+1")
        self.assertEqual(spreadsheet_safe(5), 5)

    def test_a_csv_download_holds_none_of_them(self) -> None:
        response = csv_download("x.csv", ["h\x01"], ["a\x0bb"], lambda item: [item, "c\ufffe"])
        body = b"".join(response.streaming_content).decode()  # type: ignore[attr-defined]
        self.assertEqual(body, "\ufeffh\r\nab,c\r\n")

    @override_settings(DAPTAR_SMS_BACKEND="console")
    def test_an_sms_goes_out_cleaned(self) -> None:
        with self.assertLogs("daptar.notify", logging.INFO) as logs:
            notify.send_sms("+8801711000000", "সভা\x0b আজ\ud800")
        self.assertEqual(logs.records[0].getMessage(), "SMS to +8801711000000: সভা আজ")

    def test_an_email_goes_out_cleaned(self) -> None:
        from django.core import mail

        locmem = {"default": {"BACKEND": "django.core.mail.backends.locmem.EmailBackend"}}
        with override_settings(MAILERS=locmem):
            notify.send_email("a@example.org", "Meeting\x0b today", "Body\x01 text")
        self.assertEqual(
            (mail.outbox[0].subject, mail.outbox[0].body), ("Meeting today", "Body text")
        )
