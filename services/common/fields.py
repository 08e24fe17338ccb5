"""Field formats more than one service validates, defined once so they cannot drift."""

from dataclasses import dataclass
from typing import Annotated, Any

from pydantic import (
    AfterValidator,
    BaseModel,
    Field,
    GetCoreSchemaHandler,
    GetJsonSchemaHandler,
    model_validator,
)
from pydantic.json_schema import JsonSchemaValue
from pydantic_core import CoreSchema, core_schema

from services.common.dynamodb import refuse_unstorable

SKU_PATTERN = r"^[A-Z0-9][A-Z0-9-]{2,31}$"
"""A stock-keeping unit such as ``MUG-001``: the catalog's key and the inventory's."""

WHITESPACE = r"\t-\r\x1c-\x20\x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000"
"""What ``str.strip`` removes, spelled out for a character class such as ``[^...]``.

``\\s`` means three things: Python's ``re`` (with which a client or fuzzer reads the
document) counts U+001C to U+001F, the Rust engine that checks patterns here does not,
and ECMAScript, the dialect of the document's patterns, counts U+FEFF instead. Named
characters mean the same in all three, so the document and the check cannot disagree."""

EMAIL_PATTERN = rf"^[^@{WHITESPACE}]{{1,64}}@[^@{WHITESPACE}]+\.[^@{WHITESPACE}]{{2,}}$"
"""Deliberately loose: the mail system, not a regex, decides what is deliverable."""

StoredNumber = Annotated[int | float, AfterValidator(refuse_unstorable)]
"""A number as DynamoDB stores it: refused with a 422 when it would not fit, not a 500."""


@dataclass(frozen=True)
class Trimmed:
    """Free text, checked as sent and stored without leading and trailing whitespace.

    Put it after the text's length bounds: ``Annotated[str, Field(max_length=200), Trimmed()]``.
    The bounds then apply to the text as the client sent it, which is what the OpenAPI
    document's ``maxLength`` says; trimming first would accept a text the document refuses.

    Text that may not be ``blank`` must contain something besides whitespace. The document
    says so with a pattern of one character not in :data:`WHITESPACE`, which is exactly
    what ``str.strip`` leaves, so a client generating from the document and this check agree.
    """

    blank: bool = False

    def __get_pydantic_core_schema__(
        self, source: type[Any], handler: GetCoreSchemaHandler
    ) -> CoreSchema:
        return core_schema.no_info_after_validator_function(self._trim, handler(source))

    def __get_pydantic_json_schema__(
        self, schema: CoreSchema, handler: GetJsonSchemaHandler
    ) -> JsonSchemaValue:
        json_schema = handler(schema)
        if not self.blank:
            json_schema["pattern"] = f"[^{WHITESPACE}]"
        return json_schema

    def _trim(self, value: str) -> str:
        trimmed = value.strip()
        if not trimmed and not self.blank:
            raise ValueError("must contain more than whitespace")
        return trimmed


Name = Annotated[str, Field(min_length=1, max_length=200), Trimmed()]
"""What a thing is called: one line, never blank."""

Description = Annotated[str, Field(max_length=2000), Trimmed(blank=True)]
"""Free text about a thing; may be empty."""


class PartialUpdate(BaseModel):
    """A PATCH body: a field left out keeps its value; ``null`` is refused (422), since
    storing it would leave an item its own model cannot read back."""

    @model_validator(mode="before")
    @classmethod
    def _refuse_nulls(cls, data: Any) -> Any:
        if isinstance(data, dict):
            nulls = sorted(str(name) for name, value in data.items() if value is None)
            if nulls:
                raise ValueError(f"null is not a value for {', '.join(nulls)}: leave it out")
        return data
