from django.core.paginator import Paginator
from django.template.loader import render_to_string
from django.test import RequestFactory, SimpleTestCase

from daptar.lib.pagination import PeekPage


class PagerTests(SimpleTestCase):
    def render(self, page: object, query: str = "") -> str:
        request = RequestFactory().get(f"/list/{query}")
        return render_to_string("includes/pager.html", {"page": page}, request=request)

    def test_links_keep_the_query_and_carry_one_question_mark(self) -> None:
        page = Paginator(list(range(120)), 50).get_page(2)
        html = self.render(page, "?q=Sylhet&page=2")
        self.assertIn('href="?q=Sylhet&amp;page=3"', html)
        self.assertIn('href="?q=Sylhet&amp;page=1"', html)
        self.assertNotIn("??", html)

    def test_a_single_page_shows_no_pager(self) -> None:
        self.assertNotIn("<nav", self.render(Paginator(list(range(10)), 50).get_page(1)))

    def test_a_peek_page_knows_its_next_page_without_a_total(self) -> None:
        page = PeekPage(list(range(120)), "2", 50)
        self.assertEqual(next(iter(page)), 50)
        self.assertTrue(page.has_next())
        html = self.render(page)
        self.assertIn('href="?page=3"', html)
        self.assertNotIn(" of ", html)

    def test_the_last_peek_page_has_no_next_link(self) -> None:
        page = PeekPage(list(range(120)), 3, 50)
        self.assertEqual(len(page), 20)
        self.assertFalse(page.has_next())
        self.assertNotIn('rel="next"', self.render(page))
