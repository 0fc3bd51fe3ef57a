"""Domain errors. Services raise them; the web layer maps them to HTTP in one place
(council/web/errors.py) and the CLI prints them. Messages are gettext msgids in Simplified
Chinese with %(name)s parameters, translated where they are shown."""

from __future__ import annotations

from typing import Any


def N_(message: str) -> str:
    """Mark a message for translation without translating it here."""
    return message


class DomainError(Exception):
    status = 400

    def __init__(self, message: str, field: str | None = None, **params: Any) -> None:
        super().__init__(message % params if params else message)
        self.message = message
        self.field = field
        self.params = params


class Invalid(DomainError):
    """Bad input: shown next to the field it names."""

    status = 400


class InvalidMany(DomainError):
    """Several problems at once (a rejected import lists every bad line)."""

    status = 400

    def __init__(self, message: str, problems: list[str], **params: Any) -> None:
        super().__init__(message, **params)
        self.problems = problems


class NotFound(DomainError):
    status = 404


class Forbidden(DomainError):
    status = 403


class Conflict(DomainError):
    status = 409


class Throttled(DomainError):
    status = 429
