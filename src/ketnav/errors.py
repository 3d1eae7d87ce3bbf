"""One exception tree for the whole application.

The web layer maps each class to an HTTP status and the single JSON error shape; the CLI maps it
to a one-line message and an exit code. Anything else reaching a user is a bug.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field


@dataclass(frozen=True)
class ErrorDetail:
    """Where in the input a problem is (a field, a line, a record) and what is wrong there."""

    location: str
    message: str


@dataclass
class KetnavError(Exception):
    """Base class: carries a user-facing message and optional per-field details."""

    message: str
    details: Sequence[ErrorDetail] = field(default_factory=tuple)

    code = "error"
    http_status = 500
    exit_code = 1

    def __post_init__(self) -> None:
        super().__init__(self.message)

    def __str__(self) -> str:
        return self.message


class InvalidInput(KetnavError):
    """The caller gave us something we cannot use; nothing was changed."""

    code = "invalid_input"
    http_status = 422
    exit_code = 2


class NotFound(KetnavError):
    code = "not_found"
    http_status = 404
    exit_code = 3


class ConfigurationError(KetnavError):
    """A setting is missing or invalid; the message names the setting."""

    code = "configuration_error"
    http_status = 500
    exit_code = 2


class UpstreamUnavailable(KetnavError):
    """A remote service (the registry API) could not be reached or kept failing."""

    code = "upstream_unavailable"
    http_status = 503
    exit_code = 4
