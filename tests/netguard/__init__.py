"""Outbound-connection guard for the no-network tests (see netguard.py)."""
