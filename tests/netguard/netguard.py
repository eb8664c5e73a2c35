"""Socket guard: records and refuses every attempt to reach a host that is not this machine.

Patched: `socket.socket.connect`/`connect_ex`/`sendto`, `socket.getaddrinfo`, `socket.gethostbyname(_ex)`
(`socket.create_connection` goes through the first two). Loopback addresses (127.0.0.0/8, ::1, the
"localhost" names), the unspecified address and non-IP sockets (Unix sockets) pass untouched; anything
else is appended to `attempts` (and, with a log file, written as one JSON line) and refused with
`OutboundBlocked` / `socket.gaierror`, the way a firewall that drops outbound traffic would make it fail.

In process: `with NetGuard() as guard: ...; assert guard.attempts == []`.
In a subprocess: put this folder on PYTHONPATH and set NETGUARD_LOG=FILE; `sitecustomize.py` installs
the guard before the program's own code runs.

Only Python-level sockets are seen; native code that opens sockets itself is caught by the strace layer of
the subprocess tests (tests/test_offline.py).
"""

from __future__ import annotations

import errno
import ipaddress
import json
import os
import re
import socket
import sys
import threading
import traceback
from typing import Any

LOCAL_NAMES = frozenset({"localhost", "localhost.localdomain", "ip6-localhost", "ip6-loopback"})
_INET = (socket.AF_INET, socket.AF_INET6)


class OutboundBlocked(ConnectionRefusedError):
    """Raised instead of opening a connection to another machine."""


def is_local(host: object) -> bool:
    """True for loopback/unspecified IP literals and the localhost names; False for every other host."""
    if host is None:
        return True  # getaddrinfo(None, port): the local wildcard
    if isinstance(host, bytes):
        host = host.decode("ascii", "replace")
    if not isinstance(host, str):
        return False
    name = host.strip().strip("[]").split("%", 1)[0].lower().rstrip(".")
    if name in LOCAL_NAMES or name == "":
        return True
    try:
        ip = ipaddress.ip_address(name)
    except ValueError:
        return False
    mapped = getattr(ip, "ipv4_mapped", None)
    if mapped is not None:
        ip = mapped
    return bool(ip.is_loopback or ip.is_unspecified)


def _caller() -> list[str]:
    frames = [f for f in traceback.extract_stack()[:-3] if "netguard" not in f.filename]
    return [f"{f.filename}:{f.lineno} {f.name}" for f in frames[-6:]]


class NetGuard:
    def __init__(self, log_path: str | None = None) -> None:
        self.log_path = log_path
        self.attempts: list[dict[str, Any]] = []
        self._lock = threading.Lock()
        self._saved: dict[tuple[Any, str], Any] = {}

    # ------------------------------------------------------------------------------------------ recording

    def record(self, kind: str, target: str) -> None:
        entry = {"pid": os.getpid(), "argv": sys.argv[:3], "kind": kind, "target": target, "stack": _caller()}
        with self._lock:
            self.attempts.append(entry)
            if self.log_path:
                with open(self.log_path, "a", encoding="utf-8") as fh:
                    fh.write(json.dumps(entry) + "\n")

    # ---------------------------------------------------------------------------------------- installing

    def _patch(self, owner: Any, name: str, replacement: Any) -> None:
        self._saved[(owner, name)] = getattr(owner, name)
        setattr(owner, name, replacement)

    def install(self) -> NetGuard:
        guard = self
        real_connect = socket.socket.connect
        real_connect_ex = socket.socket.connect_ex
        real_sendto = socket.socket.sendto
        real_getaddrinfo = socket.getaddrinfo
        real_gethostbyname = socket.gethostbyname
        real_gethostbyname_ex = socket.gethostbyname_ex

        def blocked(sock: socket.socket, address: Any) -> bool:
            if sock.family not in _INET or not isinstance(address, tuple) or not address:
                return False
            if is_local(address[0]):
                return False
            guard.record("connect", f"{address[0]}:{address[1] if len(address) > 1 else '?'}")
            return True

        def connect(sock: socket.socket, address: Any) -> None:
            if blocked(sock, address):
                raise OutboundBlocked(errno.ECONNREFUSED, f"netguard: outbound connection to {address!r} refused")
            real_connect(sock, address)

        def connect_ex(sock: socket.socket, address: Any) -> int:
            if blocked(sock, address):
                return errno.ECONNREFUSED
            return int(real_connect_ex(sock, address))

        def sendto(sock: socket.socket, data: Any, *args: Any) -> int:
            if args and blocked(sock, args[-1]):
                raise OutboundBlocked(errno.ECONNREFUSED, f"netguard: datagram to {args[-1]!r} refused")
            return int(real_sendto(sock, data, *args))

        def getaddrinfo(host: Any, *args: Any, **kwargs: Any) -> Any:
            if not is_local(host) and not _is_ip_literal(host):
                guard.record("resolve", str(host))
                raise socket.gaierror(socket.EAI_NONAME, f"netguard: name resolution of {host!r} refused")
            return real_getaddrinfo(host, *args, **kwargs)

        def gethostbyname(host: str) -> str:
            if not is_local(host) and not _is_ip_literal(host):
                guard.record("resolve", host)
                raise socket.gaierror(socket.EAI_NONAME, f"netguard: name resolution of {host!r} refused")
            return real_gethostbyname(host)

        def gethostbyname_ex(host: str) -> Any:
            if not is_local(host) and not _is_ip_literal(host):
                guard.record("resolve", host)
                raise socket.gaierror(socket.EAI_NONAME, f"netguard: name resolution of {host!r} refused")
            return real_gethostbyname_ex(host)

        self._patch(socket.socket, "connect", connect)
        self._patch(socket.socket, "connect_ex", connect_ex)
        self._patch(socket.socket, "sendto", sendto)
        self._patch(socket, "getaddrinfo", getaddrinfo)
        self._patch(socket, "gethostbyname", gethostbyname)
        self._patch(socket, "gethostbyname_ex", gethostbyname_ex)
        return self

    def uninstall(self) -> None:
        for (owner, name), original in reversed(list(self._saved.items())):
            setattr(owner, name, original)
        self._saved.clear()

    def __enter__(self) -> NetGuard:
        return self.install()

    def __exit__(self, *exc: object) -> None:
        self.uninstall()


def _is_ip_literal(host: object) -> bool:
    # Resolving an IP literal sends nothing; a connect to it is judged by the connect patch.
    if isinstance(host, bytes):
        host = host.decode("ascii", "replace")
    try:
        ipaddress.ip_address(str(host).strip("[]").split("%", 1)[0])
    except ValueError:
        return False
    return True


def read_log(path: str | os.PathLike[str]) -> list[dict[str, Any]]:
    """The attempts a subprocess guard wrote (none when the file was never created)."""
    try:
        with open(path, encoding="utf-8") as fh:
            return [json.loads(line) for line in fh if line.strip()]
    except FileNotFoundError:
        return []


# ------------------------------------------------------------------------------------------ OS level

_SYSCALL = re.compile(r"^(?:\[pid\s+)?(\d+)\]?\s+(connect|sendto|sendmsg)\((.*)$")
_ADDR4 = re.compile(r'sa_family=AF_INET, sin_port=htons\((\d+)\), sin_addr=inet_addr\("([^"]+)"\)')
_ADDR6 = re.compile(r'sa_family=AF_INET6, sin6_port=htons\((\d+)\).*?inet_pton\(AF_INET6, "([^"]+)"')

STRACE_ARGS = ("-f", "-qq", "-e", "signal=none", "-e", "trace=connect,sendto,sendmsg")


def native_attempts(strace_log: str) -> list[str]:
    """Non-local IP destinations in an `strace -e trace=connect,sendto,sendmsg` log: what any code in the
    process (native libraries included) tried to reach. DNS (port 53) counts even to a local resolver,
    because the query itself is meant for the outside."""
    found: list[str] = []
    for line in strace_log.splitlines():
        match = _SYSCALL.match(line.strip())
        if not match:
            continue
        for pattern in (_ADDR4, _ADDR6):
            for port, host in pattern.findall(match.group(3)):
                if not is_local(host) or port == "53":
                    found.append(f"{match.group(2)} {host}:{port}")
    return found
