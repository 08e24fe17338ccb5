"""Field formats more than one service validates, defined once so they cannot drift."""

from typing import Annotated, Any

from pydantic import AfterValidator, BaseModel, model_validator

from services.common.dynamodb import refuse_unstorable

SKU_PATTERN = r"^[A-Z0-9][A-Z0-9-]{2,31}$"
"""A stock-keeping unit such as ``MUG-001``: the catalog's key and the inventory's."""

EMAIL_PATTERN = r"^[^@\s]{1,64}@[^@\s]+\.[^@\s]{2,}$"
"""Deliberately loose: the mail system, not a regex, decides what is deliverable."""

StoredNumber = Annotated[int | float, AfterValidator(refuse_unstorable)]
"""A number as DynamoDB stores it: refused with a 422 when it would not fit, not a 500."""


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
