"""Who may use a web UI that other computers can reach: a users file with hashed passwords.

One line per user, ``name:scrypt$N$r$p$salt$hash`` (salt and hash in base64), ``#`` for comments. The passwords are
never stored, only their scrypt hash (memory-hard, from Python's standard library); a check compares in constant
time. ``beleidsscan ui-user add --users FILE NAME`` writes the file (atomically, readable by its owner only).

Bound to loopback (this computer only) the UI needs no login; bound to any other address it refuses to start
without a users file (``beleidsscan ui --host 0.0.0.0 --users FILE``), and each user sees only their own
documents and scans (``ui.store.UiStore.for_user``).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import ipaddress
import os
import re
import secrets
from pathlib import Path

from scanner.errors import BeleidsscanError

__all__ = ["UsersFile", "hash_password", "is_loopback", "verify_password"]

_N, _R, _P = 2**14, 8, 1  # about 50 ms and 16 MB per check on one core
_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._@-]{0,63}$")
MIN_PASSWORD = 10


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def hash_password(password: str, salt: bytes | None = None) -> str:
    salt = salt or secrets.token_bytes(16)
    digest = hashlib.scrypt(password.encode("utf-8"), salt=salt, n=_N, r=_R, p=_P, dklen=32)
    return f"scrypt${_N}${_R}${_P}${_b64(salt)}${_b64(digest)}"


def verify_password(stored: str, password: str) -> bool:
    try:
        scheme, n, r, p, salt, digest = stored.split("$")
        if scheme != "scrypt":
            return False
        expected = base64.b64decode(digest)
        got = hashlib.scrypt(
            password.encode("utf-8"), salt=base64.b64decode(salt), n=int(n), r=int(r), p=int(p),
            dklen=len(expected), maxmem=2**26,
        )  # fmt: skip
    except (ValueError, TypeError):
        return False
    return hmac.compare_digest(got, expected)


def is_loopback(host: str) -> bool:
    """Whether only this computer can reach the address (127.0.0.0/8, ::1, localhost)."""
    if host.strip().lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:  # a host name: it may resolve to anything
        return False


class UsersFile:
    def __init__(self, path: Path) -> None:
        self.path = path

    def read(self) -> dict[str, str]:
        """Name -> stored hash. A missing file, or a line that is not ``name:scrypt$...``, is a clear error."""
        try:
            text = self.path.read_text(encoding="utf-8")
        except FileNotFoundError:
            raise BeleidsscanError(
                f"{self.path}: het gebruikersbestand bestaat niet. Maak het met "
                f"'beleidsscan ui-user add --users {self.path} NAAM'."
            ) from None
        except OSError as exc:
            raise BeleidsscanError(f"{self.path}: het gebruikersbestand kan niet worden gelezen ({exc}).") from exc
        users: dict[str, str] = {}
        for n, line in enumerate(text.splitlines(), start=1):
            line = line.strip()
            if not line or line.startswith("#"):
                continue
            name, sep, stored = line.partition(":")
            if not sep or not _NAME.match(name) or not stored.startswith("scrypt$"):
                raise BeleidsscanError(
                    f"{self.path}, regel {n}: verwacht 'naam:scrypt$…' (gemaakt met 'beleidsscan ui-user add')."
                )
            users[name] = stored
        return users

    def users(self) -> list[str]:
        return sorted(self.read()) if self.path.exists() else []

    def check(self, name: str, password: str) -> bool:
        stored = self.read().get(name)
        if stored is None:
            verify_password(hash_password("x" * MIN_PASSWORD), password)  # the same time for unknown names
            return False
        return verify_password(stored, password)

    def add(self, name: str, password: str) -> bool:
        """Add a user or set a new password; True when the user is new."""
        if not _NAME.match(name):
            raise BeleidsscanError(
                f"'{name}': een gebruikersnaam bestaat uit letters, cijfers en . _ @ - (hoogstens 64 tekens)."
            )
        if len(password) < MIN_PASSWORD:
            raise BeleidsscanError(f"Het wachtwoord moet minstens {MIN_PASSWORD} tekens lang zijn.")
        users = self.read() if self.path.exists() else {}
        new = name not in users
        users[name] = hash_password(password)
        self._write(users)
        return new

    def remove(self, name: str) -> bool:
        users = self.read()
        if users.pop(name, None) is None:
            return False
        self._write(users)
        return True

    def _write(self, users: dict[str, str]) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        tmp = self.path.with_name(self.path.name + ".tmp")
        body = "# beleidsscan: gebruikers van de webinterface (naam:scrypt-hash); beheer met 'beleidsscan ui-user'\n"
        body += "".join(f"{n}:{h}\n" for n, h in sorted(users.items()))
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(body)
        os.replace(tmp, self.path)
