"""The crisis contacts every suicidal-thoughts pathway shows."""

from ketnav.safety.crisis import CRISIS_CONTACTS, crisis_lines, crisis_payload


def test_the_us_lifeline_and_an_emergency_number_are_always_listed() -> None:
    text = "\n".join(crisis_lines())
    assert "988" in text
    assert "emergency number" in text
    assert [c["service"] for c in crisis_payload()["contacts"]] == [c.service for c in CRISIS_CONTACTS]
