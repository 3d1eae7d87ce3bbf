"""Registry text as Markdown: real records' escapes resolved, hostile text made harmless, and the
detailed description without the summary it repeats."""

from __future__ import annotations

import gzip
import json
from pathlib import Path
from typing import Any

import lxml.html

from ketnav.trials.criteria import split_criteria
from ketnav.trials.richtext import to_html, to_inline_html, to_inline_text, to_text, without_repeat


def _description(study: dict[str, Any]) -> dict[str, str]:
    module: dict[str, str] = study["protocolSection"].get("descriptionModule", {})
    return module


def test_criteria_of_nct04179266_lose_their_escapes(v2_studies: dict[str, dict[str, Any]]) -> None:
    criteria = v2_studies["NCT04179266"]["protocolSection"]["eligibilityModule"]["eligibilityCriteria"]
    assert "Systolic\\> 140" in criteria  # the registry's own text carries the escape
    _inclusion, exclusion, _ = split_criteria(criteria)
    bp = next(item for item in exclusion if item.startswith("BP measured"))
    assert "Systolic&gt; 140" in to_inline_html(bp) and "\\" not in to_inline_html(bp)
    assert "(Systolic> 140 mmHg or / and diastolic blood pressure> 90 mm Hg)" in to_inline_text(bp)
    page = to_html(criteria)
    assert "<li>Known hypersensitivity to ketamine</li>" in page
    assert "\\" not in page


def test_summary_escapes_and_paragraphs(v2_studies: dict[str, dict[str, Any]]) -> None:
    summary = _description(v2_studies["NCT04179266"])["briefSummary"]
    assert "NRS \\< 4" in summary
    html = to_html(summary)
    assert "NRS &lt; 4" in html and html.count("<p>") == 2
    text = to_text(summary)
    assert "NRS < 4" in text and "\\" not in text and "\n\n" in text


def test_lists_and_emphasis_become_plain_text_for_a_terminal() -> None:
    text = to_text("**Inclusion Criteria:**\n\n* Age \\>= 18\n* Either:\n\n  1. one\n  2. two\n\nDone _now_.")
    assert text == "Inclusion Criteria:\n\n- Age >= 18\n- Either:\n  1. one\n  2. two\n\nDone now."


def test_indented_text_is_not_shown_as_code() -> None:
    assert "<pre>" not in to_html("Background\n\n      An indented paragraph, as registry text often has.")


def test_it_strips_scripts_handlers_styles_and_images_from_registry_text() -> None:
    hostile = (
        '<script>alert(1)</script> <img src=x onerror="alert(2)"> [click](javascript:alert(3)) '
        '![tracker](https://example.org/pixel.png) <b style="color:red" onclick="x()">bold</b> **real**'
    )
    html = to_html(hostile)
    tree = lxml.html.fragment_fromstring(html, create_parent="div")
    elements = [el for el in tree.iter() if el is not tree]
    assert [el.tag for el in elements] == ["p", "strong"]  # raw HTML and the image never became elements
    assert all(not el.attrib for el in elements)
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html  # shown as the text it is, never run
    assert 'href="javascript' not in html
    inline = to_inline_html("[site](https://example.org) <iframe src=//evil>")
    assert '<a href="https://example.org" rel="noopener noreferrer nofollow">site</a>' in inline
    assert "<iframe" not in inline


def test_headings_in_registry_text_sit_under_the_page_headings() -> None:
    assert to_html("# Background\n\nText") == "<h3>Background</h3>\n<p>Text</p>\n"


def test_legacy_xml_text_is_reflowed_not_parsed_as_markdown() -> None:
    block = "\n        Inclusion Criteria:\n\n          -  Age 18 to 65 *years*\n             or older\n"
    block += "          -  Anxiety"
    assert to_text(block, source_format="xml") == "Inclusion Criteria:\n\n- Age 18 to 65 *years* or older\n- Anxiety"
    assert to_html(block, source_format="xml") == (
        "<p>Inclusion Criteria:</p><p>- Age 18 to 65 *years* or older<br>- Anxiety</p>"
    )


def test_a_description_equal_to_the_summary_is_dropped(v2_studies: dict[str, dict[str, Any]]) -> None:
    module = _description(v2_studies["NCT04814381"])
    assert module["detailedDescription"].strip() == module["briefSummary"].strip()
    assert without_repeat(module["detailedDescription"], module["briefSummary"]) == ""


def test_a_description_that_starts_with_the_summary_keeps_only_what_is_new() -> None:
    summary = "Ketamine is given once.\n\nWe measure  anxiety."
    detailed = "Ketamine is given once.\n\nWe measure anxiety. Then we follow people up for a month.\n\nMore."
    assert without_repeat(detailed, summary) == "Then we follow people up for a month.\n\nMore."
    assert without_repeat("Something else entirely.", summary) == "Something else entirely."


def test_no_real_description_repeats_its_summary_word_for_word(shared_data: Path) -> None:
    repeated = shown = 0
    with gzip.open(shared_data / "ctgov" / "ctgov_v2_studies.jsonl.gz", "rt", encoding="utf-8") as handle:
        for line in handle:
            module = _description(json.loads(line))
            summary, detailed = module.get("briefSummary", ""), module.get("detailedDescription", "")
            if not summary.strip() or not detailed.strip():
                continue
            said = " ".join(summary.split()).casefold()
            repeated += said in " ".join(detailed.split()).casefold()
            rest = without_repeat(detailed, summary)
            shown += bool(rest)
            assert said not in " ".join(rest.split()).casefold()
    assert repeated >= 30  # the shared records have 32 such descriptions: the check is not vacuous
    assert shown >= 690  # and nearly every description still has something of its own to say
