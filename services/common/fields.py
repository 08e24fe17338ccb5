"""Field formats more than one service validates, defined once so they cannot drift."""

SKU_PATTERN = r"^[A-Z0-9][A-Z0-9-]{2,31}$"
"""A stock-keeping unit such as ``MUG-001``: the catalog's key and the inventory's."""

EMAIL_PATTERN = r"^[^@\s]{1,64}@[^@\s]+\.[^@\s]{2,}$"
"""Deliberately loose: the mail system, not a regex, decides what is deliverable."""
