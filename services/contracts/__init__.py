"""Event contracts between services: one module per publisher, one JSON Schema per event.

A service that consumes another's events imports the contract from here, never
the publisher's package, so either can change (or be removed) on its own.
Every event is published with the message attribute ``event_type`` set to its
``type``, which is what subscription filter policies match on.
"""

EVENT_TYPE_ATTRIBUTE = "event_type"
