"""The one base class of every error a user can cause; the CLI prints it as one ``error:`` line."""

from __future__ import annotations


class SikkerbyError(Exception):
    """An error with a message meant for the user: it names the file, field or setting and the reason."""
