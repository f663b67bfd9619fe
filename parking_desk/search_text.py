"""How the desk's search box matches a booking: written once, used by both stores.

Firestore has no substring search, so a booking carries a small list of *search tokens*
(``searchTokens``): for every word of its name, e-mail, phone, plate and number, the word's
first two letters and each run of three and of four letters in it. A query word of three
letters or more is then found with one ``array_contains`` on the token it starts with (the
run of four, or the whole word when it is shorter); the candidates are checked here, in
``matches_text``, against the whole query. SQLite keeps the same tokens in a side table.

Folding makes "tirca" find "Țîrcă": letters lose their diacritics (ș and ş, ț and ţ alike,
ă, â, î, and any other accent Unicode decomposes), case is folded, and a few letters that do
not decompose (ł, ø, đ, æ, œ, ß) are spelled out.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from typing import Any

# The longest token: longer query words are looked up by their first (letters) or last
# (digits: people type the end of a phone number) run of this many characters.
TOKEN_LENGTH = 4
# A token list is bounded, so a hostile or absurd name cannot make a document huge.
MAX_TOKENS = 400
_SPELLED = str.maketrans(
    {"ł": "l", "ø": "o", "đ": "d", "ð": "d", "þ": "th", "æ": "ae", "œ": "oe", "ı": "i"}
)
_WORD = re.compile(r"[^\W_]+")
_PHONE = re.compile(r"[\d\s+().\-/]+")


def fold(text: str) -> str:
    """*text* without diacritics, in folded case: ``"Țîrcă Ştefan"`` → ``"tirca stefan"``."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    plain = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return plain.translate(_SPELLED)


def words(text: str) -> list[str]:
    """The folded words of *text*: runs of letters and digits (punctuation separates)."""
    return _WORD.findall(fold(text))


def phone_digits(phone: str) -> str:
    """A phone number's digits in the national form a Romanian clerk types: ``+40 722 …``,
    ``0040722…`` and ``0722…`` are all ``0722…``. Other countries keep their digits."""
    digits = "".join(ch for ch in phone if ch.isdigit())
    if digits.startswith("0040"):
        digits = "0" + digits[4:]
    elif digits.startswith("40") and len(digits) == 11:
        digits = "0" + digits[2:]
    return digits


def _booking_words(booking: Any) -> list[str]:
    """The words a booking is found by. *booking* is a ``Booking`` (read by attribute, so
    this module needs nothing from the rest of the domain)."""
    found = [
        *words(booking.client_name),
        *words(booking.client_email),
        *words(booking.plate),
        *words(booking.phone),
    ]
    plate = "".join(words(booking.plate))  # "B 123 ABC" is also found as "b123"
    if plate:
        found.append(plate)
    digits = phone_digits(booking.phone)
    if digits:
        found.append(digits)
    if booking.booking_number:
        found.extend(words(str(booking.booking_number)))
    return found


def word_tokens(word: str) -> set[str]:
    """The tokens of one folded word."""
    if len(word) < 3:
        return {word}
    out = {word[:2]}
    for size in range(3, TOKEN_LENGTH + 1):
        out.update(word[i : i + size] for i in range(len(word) - size + 1))
    return out


def search_tokens(booking: Any) -> list[str]:
    """The booking's tokens, sorted (a document written twice is written the same)."""
    out: set[str] = set()
    for word in _booking_words(booking):
        out |= word_tokens(word)
    return sorted(out)[:MAX_TOKENS]


def haystack(booking: Any) -> list[str]:
    """The folded words ``matches_text`` looks in."""
    return _booking_words(booking)


def query_terms(text: str) -> list[str]:
    """The words of what was typed, folded. A phone number typed with spaces or a leading
    + (``+40 722 123 456``) is one term, in its national form."""
    stripped = text.strip()
    if len(stripped) >= 6 and _PHONE.fullmatch(stripped) and any(c.isdigit() for c in stripped):
        digits = phone_digits(stripped)
        if len(digits) >= 6:
            return [digits]
    return words(text)


def term_token(term: str) -> str | None:
    """The one token a query term is looked up by, or None for a term too short to search
    by token (one or two characters find only by the prefix searches)."""
    if len(term) < 3:
        return None
    if len(term) <= TOKEN_LENGTH:
        return term
    return term[-TOKEN_LENGTH:] if term.isdigit() else term[:TOKEN_LENGTH]


def lookup_token(text: str) -> str | None:
    """The token a store looks *text* up by: that of the longest term (the first of equals),
    or None when no term is long enough and only the prefix searches apply."""
    terms = query_terms(text)
    if not terms:
        return None
    return term_token(max(terms, key=len))


def lookup_tokens(text: str) -> list[str]:
    """Each term's token, longest term first (a store able to pick the rarest uses them)."""
    found = [term_token(t) for t in sorted(query_terms(text), key=len, reverse=True)]
    return list(dict.fromkeys(t for t in found if t is not None))


def required_tokens(text: str) -> list[str]:
    """Every token a matching booking must hold: each term's, and a two-letter term itself
    (every word's first two letters are a token). A store that can intersect uses them all."""
    found = [
        term_token(t) or (t if len(t) == 2 else None)
        for t in sorted(query_terms(text), key=len, reverse=True)
    ]
    return list(dict.fromkeys(t for t in found if t is not None))


def matches_text(booking: Any, text: str) -> bool:
    """Does *booking* answer the search *text*? Every term must: one of three characters
    or more anywhere in a word, a shorter one at the start of a word."""
    terms = query_terms(text)
    if not terms:
        return True
    found = haystack(booking)
    return all(_term_found(term, found) for term in terms)


def _term_found(term: str, found: Iterable[str]) -> bool:
    if len(term) < 3:
        return any(word.startswith(term) for word in found)
    return any(term in word for word in found)
