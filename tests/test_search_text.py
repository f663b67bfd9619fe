"""Folding and search tokens: what the search box finds, whatever the keyboard."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from parking_desk.booking import Booking
from parking_desk.search_text import (
    fold,
    lookup_token,
    matches_text,
    phone_digits,
    query_terms,
    search_tokens,
)


@pytest.mark.parametrize(
    ("typed", "folded"),
    [
        ("Țîrcă", "tirca"),
        ("ŢÎRCĂ", "tirca"),  # T with a cedilla, as old keyboards type it
        ("Ștefănescu", "stefanescu"),
        ("Ştefănescu", "stefanescu"),  # s with a cedilla
        ("Ârgeș", "arges"),
        ("Łukasz Øster", "lukasz oster"),
        ("Straße", "strasse"),
        ("ANA-MARIA", "ana-maria"),
    ],
)
def test_fold(typed: str, folded: str) -> None:
    assert fold(typed) == folded


def test_phone_numbers_in_national_form() -> None:
    assert phone_digits("+40 722 123 456") == "0722123456"
    assert phone_digits("0040722123456") == "0722123456"
    assert phone_digits("0722-123-456") == "0722123456"
    assert phone_digits("+33 6 11 22 33 44") == "33611223344"
    assert query_terms("+40 722 123 456") == ["0722123456"]
    assert query_terms("ion  ȚÎRCĂ") == ["ion", "tirca"]


def _booking(name: str, phone: str = "", email: str = "", plate: str = "") -> Booking:
    now = datetime(2026, 12, 3, tzinfo=UTC)
    return Booking(name, email, phone, plate, now, now, booking_number="867962")


def test_a_booking_matches_any_part_of_its_words() -> None:
    b = _booking("Ion Țîrcă-Pop", "+40 722 123 456", "ion.tirca@example.ro", "B12TIR")
    for text in ("tirca", "irc", "ion pop", "TÎRCĂ", "0722 123 456", "3456", "example.ro", "8679"):
        assert matches_text(b, text), text
    for text in ("tircaa", "ion x", "7777"):
        assert not matches_text(b, text), text
    # one or two characters match the start of a word only
    assert matches_text(b, "po") and not matches_text(b, "rc")


def test_the_token_looked_up_is_in_the_booking_tokens() -> None:
    b = _booking("Ion Țîrcă-Pop", "+40 722 123 456", "ion.tirca@example.ro", "B12TIR")
    tokens = set(search_tokens(b))
    assert {lookup_token(t) for t in ("tirca", "irc", "123 456", "example", "8679")} <= tokens
    assert lookup_token("io") is None  # too short: the prefix searches answer it
    assert search_tokens(b) == sorted(tokens)


letters = st.text(alphabet="aăâbcdeiîlmnoprsștțuşţ", min_size=1, max_size=12)


@given(st.lists(letters, min_size=1, max_size=3), st.data())
def test_any_run_of_three_or_more_is_found_by_its_token(words: list[str], data) -> None:
    b = _booking(" ".join(words))
    word = data.draw(st.sampled_from(words))
    assume(len(word) >= 3)
    start = data.draw(st.integers(0, len(word) - 3))
    part = word[start : data.draw(st.integers(start + 3, len(word)))]
    assert matches_text(b, part)
    assert matches_text(b, word[:2])
    token = lookup_token(part)
    assert token is None or token in search_tokens(b)
