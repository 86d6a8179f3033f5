"""Who may use the app when it is reachable from the network: never a default password."""

from __future__ import annotations

import logging
import os
from pathlib import Path

from sikkerby.errors import SikkerbyError

log = logging.getLogger(__name__)

LOCAL_HOSTS = ("127.0.0.1", "localhost", "::1")
MIN_PASSWORD = 8


class AuthError(SikkerbyError, ValueError):
    """Credentials that cannot be used; the message names the source and the reason."""


def _parse(entries: list[str], source: str) -> list[tuple[str, str]]:
    users: list[tuple[str, str]] = []
    for number, entry in enumerate(entries, start=1):
        entry = entry.strip()
        if not entry or entry.startswith("#"):
            continue
        user, sep, password = entry.partition(":")
        where = f"{source}:{number}" if source != "SIKKERBY_AUTH" else source
        if not sep or not user.strip():
            raise AuthError(f"{where}: expected user:password")
        if len(password) < MIN_PASSWORD:
            raise AuthError(f"{where}: the password for {user.strip()!r} must have at least {MIN_PASSWORD} characters")
        users.append((user.strip(), password))
    return users


def load_credentials(auth_file: str | None = None) -> list[tuple[str, str]]:
    """Users from ``--auth-file`` (one user:password per line) and ``$SIKKERBY_AUTH`` (user:password,…)."""
    users: list[tuple[str, str]] = []
    if auth_file:
        path = Path(auth_file)
        try:
            lines = path.read_text(encoding="utf-8").splitlines()
        except FileNotFoundError as exc:
            raise AuthError(f"{path}: file not found") from exc
        except (OSError, UnicodeDecodeError) as exc:
            raise AuthError(f"{path}: unreadable ({exc})") from exc
        users += _parse(lines, str(path))
        if not users:
            raise AuthError(f"{path}: no user:password lines")
    env = os.environ.get("SIKKERBY_AUTH", "")
    if env.strip():
        users += _parse(env.split(","), "SIKKERBY_AUTH")
    return users


def require_auth(host: str, users: list[tuple[str, str]]) -> None:
    """Binding beyond this machine without users is refused."""
    if host not in LOCAL_HOSTS and not users:
        raise AuthError(
            f"binding to {host} makes the assistant reachable from the network; give users with "
            "SIKKERBY_AUTH=user:password or --auth-file FILE (one user:password per line)"
        )
