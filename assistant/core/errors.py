"""Domain exceptions. Edges (CLI, app) translate these into one-line messages; nothing else should."""

from __future__ import annotations


class AssistantError(Exception):
    """Base of every error the user can act on. `hint` says what to do about it."""

    exit_code = 1

    def __init__(self, message: str, *, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint

    def __str__(self) -> str:
        return f"{self.message} — {self.hint}" if self.hint else self.message


class ConfigurationError(AssistantError):
    """Settings are inconsistent or point at something that does not exist."""

    exit_code = 2


class DependencyMissingError(ConfigurationError):
    """An optional backend was selected but its package is not installed."""

    @classmethod
    def for_package(cls, feature: str, package: str, extra: str | None = None) -> DependencyMissingError:
        install = f"pip install 'beleidsassistent[{extra}]'" if extra else f"pip install {package}"
        return cls(f"{feature} needs the package '{package}', which is not installed", hint=f"run: {install}")


class ModelError(AssistantError):
    """A model is missing, incomplete or fails verification."""

    exit_code = 3


class IngestError(AssistantError):
    """A single document could not be read or processed. Carries the file it concerns."""

    exit_code = 4

    def __init__(self, message: str, *, path: str | None = None, hint: str | None = None) -> None:
        super().__init__(message, hint=hint)
        self.path = path

    def __str__(self) -> str:
        base = f"{self.path}: {self.message}" if self.path else self.message
        return f"{base} — {self.hint}" if self.hint else base


class UnsupportedFormatError(IngestError):
    """The file type is not one we can read."""


class StoreError(AssistantError):
    """The vector store is unreachable or inconsistent."""

    exit_code = 5


class EvalInputError(AssistantError):
    """A question set or benchmark file is malformed."""

    exit_code = 6


class AccessDeniedError(AssistantError):
    """The user may not see or change this document (access groups), or may not sign in."""

    exit_code = 7
