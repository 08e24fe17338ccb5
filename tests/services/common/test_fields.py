"""Shared field formats: what the OpenAPI document says is what the validation does."""

import re
import sys
from typing import Annotated

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


def test_the_pattern_and_the_trimming_agree_on_every_character() -> None:
    """A client generating text from the pattern (with Python's re) and the check agree on
    which single characters are whitespace, so neither side accepts what the other refuses."""
    pattern = re.compile(Note.model_json_schema()["properties"]["title"]["pattern"])
    disagreements = [
        code
        for code in range(sys.maxunicode + 1)
        if not 0xD800 <= code <= 0xDFFF
        and bool(pattern.search(chr(code))) != bool(chr(code).strip())
    ]
    assert disagreements == []


def _characters() -> list[str]:
    return [chr(code) for code in range(sys.maxunicode + 1) if not 0xD800 <= code <= 0xDFFF]


def test_whitespace_is_exactly_what_strip_removes() -> None:
    spelled_out = re.compile(f"[{WHITESPACE}]")
    assert [c for c in _characters() if bool(spelled_out.fullmatch(c)) != c.isspace()] == []


def test_the_email_pattern_means_the_same_to_the_document_and_the_check() -> None:
    """The check runs the pattern on pydantic's Rust engine, a fuzzer reads the document
    with Python's re; with ``\\s`` they disagreed on U+001C to U+001F, so an order for
    ``a\\x1c@b.cc`` was placed although the document refuses its customer."""
    check = TypeAdapter(Annotated[str, Field(pattern=EMAIL_PATTERN)])
    document = re.compile(EMAIL_PATTERN)

    def accepted(address: str) -> bool:
        try:
            check.validate_python(address)
        except ValidationError:
            return False
        return True

    addresses = [f"a{c}@b.cc" for c in _characters()]
    assert [a for a in addresses if accepted(a) != bool(document.search(a))] == []
    assert not accepted("a\x1c@b.cc")
