"""Errors a user can cause or fix. The CLI turns these into a message and an exit code in one place."""

from __future__ import annotations

from pathlib import Path

__all__ = [
    "BeleidsscanError",
    "ConfigError",
    "DocumentError",
    "EmbedderMismatchError",
    "FrameworkError",
    "ModelUnavailableError",
    "StoreUnavailableError",
]


class BeleidsscanError(Exception):
    """Base class: the message is meant for the user and says what to do."""

    exit_code = 1


class ConfigError(BeleidsscanError):
    exit_code = 2


class FrameworkError(BeleidsscanError):
    exit_code = 2


class ModelUnavailableError(BeleidsscanError):
    exit_code = 3


class EmbedderMismatchError(BeleidsscanError):
    exit_code = 3


class StoreUnavailableError(BeleidsscanError):
    """The vector store (a Chroma server) cannot be reached."""

    exit_code = 3


class DocumentError(BeleidsscanError):
    """A document cannot be read. ``reason`` is a short machine-readable cause."""

    exit_code = 4

    def __init__(self, path: Path | str, reason: str, message: str) -> None:
        self.path = Path(path)
        self.reason = reason
        self.detail = message
        super().__init__(f"{self.path}: {message}")
