"""Installs the socket guard in every Python process started with this folder on PYTHONPATH and
NETGUARD_LOG set (tests/test_offline.py). Each process also appends its pid to NETGUARD_LOG + ".pids", so
a test can tell the guard was active rather than silently missing."""

import os

_log = os.environ.get("NETGUARD_LOG")
if _log:
    from netguard import NetGuard

    NetGuard(_log).install()
    with open(_log + ".pids", "a", encoding="utf-8") as _fh:
        _fh.write(f"{os.getpid()}\n")
