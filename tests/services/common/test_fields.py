"""Shared field formats: what the OpenAPI document says is what the validation does."""

import re
import sys
from collections.abc import Callable
from typing import Annotated

import jsonschema_rs
import pytest
from pydantic import BaseModel, Field, TypeAdapter, ValidationError

from services.common.fields import EMAIL_PATTERN, WHITESPACE, Trimmed


class Note(BaseModel):
    title: Annotated[str, Field(min_length=1, max_length=5), Trimmed()]
    body: Annotated[str, Field(max_length=5), Trimmed(blank=True)] = ""


def test_text_is_stored_trimmed() -> None:
    note = Note(title=" ab\t", body="\n cd ")
    assert (note.title, note.body) == ("ab", "cd")


def test_the_length_bound_applies_to_the_text_as_sent() -> None:
    """Six characters break a 5-character bound even if trimming would leave four: the
    document's maxLength says so, and trimming first accepted what it refuses."""
    with pytest.raises(ValidationError, match="at most 5 characters"):
        Note(title="\u00a0abcd ")
    with pytest.raises(ValidationError, match="at most 5 characters"):
        Note(title="ab", body=" abcd ")


@pytest.mark.parametrize("blank", [" ", "\u00a0\u3000", "\x1c\x85", "\t\n"])
def test_required_text_must_be_more_than_whitespace(blank: str) -> None:
    with pytest.raises(ValidationError, match="more than whitespace"):
        Note(title=blank)
    assert Note(title="x", body=blank).body == ""


def test_the_document_states_the_not_blank_rule_as_a_pattern() -> None:
    properties = Note.model_json_schema()["properties"]
    assert properties["title"] == {
        "maxLength": 5, "minLength": 1, "pattern": f"[^{WHITESPACE}]", "title": "Title",
        "type": "string",
    }  # fmt: skip
    assert "pattern" not in properties["body"]


def _characters() -> list[str]:
    return [chr(code) for code in range(sys.maxunicode + 1) if not 0xD800 <= code <= 0xDFFF]


def _python_re(pattern: str) -> Callable[[str], bool]:
    return lambda text: re.search(pattern, text) is not None


def _ecmascript(pattern: str) -> Callable[[str], bool]:
    return jsonschema_rs.validator_for({"pattern": pattern}).is_valid


READERS = pytest.mark.parametrize("reader", [_python_re, _ecmascript], ids=["re", "ecmascript"])
"""How a client reads a pattern of the document: Python's re (clients generated in Python),
or ECMAScript's dialect, the one JSON Schema specifies, as jsonschema-rs implements it (the
validator with which the API fuzzer decides whether a request was valid)."""


def _accepted(check: TypeAdapter[str], text: str) -> bool:
    try:
        check.validate_python(text)
    except ValidationError:
        return False
    return True


@READERS
def test_the_pattern_and_the_trimming_agree_on_every_character(
    reader: Callable[[str], Callable[[str], bool]],
) -> None:
    """A client generating text from the pattern and the check agree on which single
    characters are whitespace, so neither side accepts what the other refuses. With the
    pattern ``\\S``, ECMAScript refused a name of U+FEFF that the check kept."""
    document = reader(Note.model_json_schema()["properties"]["title"]["pattern"])
    assert [hex(ord(c)) for c in _characters() if document(c) != bool(c.strip())] == []


def test_whitespace_is_exactly_what_strip_removes() -> None:
    spelled_out = re.compile(f"[{WHITESPACE}]")
    assert [c for c in _characters() if bool(spelled_out.fullmatch(c)) != c.isspace()] == []


@READERS
def test_the_email_pattern_means_the_same_to_the_document_and_the_check(
    reader: Callable[[str], Callable[[str], bool]],
) -> None:
    """The check runs the pattern on pydantic's Rust engine. With ``\\s`` in it, that engine
    and Python's re disagreed on U+001C to U+001F, and it and ECMAScript on U+FEFF: orders for
    ``a\\x1c@b.cc`` and ``a\\ufeff@b.cc`` were placed although the document refuses them."""
    document = reader(EMAIL_PATTERN)
    check = TypeAdapter(Annotated[str, Field(pattern=EMAIL_PATTERN)])
    addresses = [f"a{c}@b.cc" for c in _characters()]
    assert [a for a in addresses if document(a) != _accepted(check, a)] == []
