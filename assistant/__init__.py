"""Beleidsassistent: answers questions about policy documents with verifiable citations."""

__version__ = "0.1.0"
