"""Any mention of suicidal thoughts in the pre-screen shows the crisis contacts first, on the study page,
in the API and in `ketnav trial --patient`, whatever the verdict and even beside an input error."""

from __future__ import annotations

import json
import re

import pytest
from django.test import Client

from ketnav.safety.crisis import CRISIS_HEADLINE
from ketnav.trials.eligibility import Answers
from ketnav.trials.eligibility.crisis import touches_suicidal_thoughts
from tests.conftest import current_database_url
from tests.trials.test_prescreen_boundaries import GLAUCOMA, _ketnav, one_study

__all__ = ["one_study"]  # the fixture, used by name below
pytestmark = pytest.mark.django_db(transaction=True)
PASSIVE = "A 45-year-old man with cluster headache; some days I wish I were not here"


@pytest.mark.parametrize(
    "text",
    [
        "history of suicidal ideation",
        "Suicide attempt in 2019",
        "denies suicidal thoughts",  # over-inclusive on purpose: negation is not read here
        "I have been self-harming",
        "sometimes I want to die",
        "I wish I was dead",
        "I don't want to be here any more",
        "thoughts of ending my life",
        "I might kill myself",
    ],
)
def test_the_words_that_show_the_crisis_contacts(text: str) -> None:
    assert touches_suicidal_thoughts(text)


@pytest.mark.parametrize("text", ["", GLAUCOMA, "no history of psychosis, BMI 25", "I take sertraline"])
def test_words_that_do_not(text: str) -> None:
    assert not touches_suicidal_thoughts(text)


def test_a_yes_answer_alone_is_enough_and_a_no_is_not() -> None:
    assert touches_suicidal_thoughts("", Answers(facts={"suicidal": True}))
    assert not touches_suicidal_thoughts("", Answers(facts={"suicidal": False}))
    assert touches_suicidal_thoughts("thoughts of suicide", Answers(facts={"suicidal": False}))


def test_the_api_puts_the_crisis_contacts_in_the_answer(client: Client, one_study: None) -> None:
    url = "/api/trials/NCT04179266/prescreen"
    with_words = client.post(url, {"patient": PASSIVE}, content_type="application/json").json()
    assert with_words["crisis"]["headline"] == CRISIS_HEADLINE
    assert any("988" in c["contact"] for c in with_words["crisis"]["contacts"])
    answered = client.post(url, {"answers": {"age": 45, "facts": {"suicidal": True}}}, content_type="application/json")
    assert answered.json()["crisis"] is not None
    plain = client.post(url, {"patient": GLAUCOMA}, content_type="application/json").json()
    assert plain["crisis"] is None and plain["verdict"] == "likely_excluded"


def test_the_study_page_shows_them_first_even_beside_an_input_error(one_study: None) -> None:
    client = Client()
    page = client.post("/trials/NCT04179266/", {"age": "two hundred", "about": PASSIVE}).content.decode()
    assert "age: not a number" in page
    section = page[page.index('id="prescreen-title"') :]
    assert section.index('role="alert"') < section.index("age: not a number")
    assert "988" in section[: section.index("age: not a number")]
    calm = client.post("/trials/NCT04179266/", {"age": "45", "about": GLAUCOMA}).content.decode()
    assert CRISIS_HEADLINE not in calm


def test_the_cli_prints_them_before_the_study(one_study: None, clean_env: dict[str, str]) -> None:
    env = clean_env | {"KETNAV_DATABASE_URL": current_database_url()}
    text = _ketnav(env, "trial", "NCT04179266", "--patient", PASSIVE)
    assert text.returncode == 0, text.stderr
    assert text.stdout.startswith(CRISIS_HEADLINE) and re.search(r"988", text.stdout.split("NCT04179266")[0])
    shown = _ketnav(env, "trial", "NCT04179266", "--patient", PASSIVE, "--json")
    assert next(iter(json.loads(shown.stdout))) == "crisis"
    calm = _ketnav(env, "trial", "NCT04179266", "--patient", GLAUCOMA, "--json")
    assert "crisis" not in json.loads(calm.stdout)
