from __future__ import annotations

from django.template import Context, Template

from ketnav.web.templatetags.ketnav_tags import count


def test_counts_have_thousands_separators() -> None:
    assert [count(0), count(999), count(1582), count(1234567)] == ["0", "999", "1,582", "1,234,567"]


def test_nothing_counted_shows_nothing() -> None:
    assert count(None) == "" and count("") == ""


def test_count_is_available_in_every_template_without_load() -> None:
    assert Template("{{ n|count }} studies").render(Context({"n": 36825})) == "36,825 studies"
