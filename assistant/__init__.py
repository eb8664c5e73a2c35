"""Beleidsassistent: answers questions about policy documents with verifiable citations."""

from assistant.core.offline import quiet_offline_environment

# Whatever entry point imports us (CLI, app, evaluation, a notebook), hub access and telemetry are off before
# any heavy library is imported.
quiet_offline_environment()

__version__ = "0.1.0"
