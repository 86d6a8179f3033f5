"""Sikker By-assistenten: Danish search and cited answers over Copenhagen's Sikker By strategy 2022-2025.

The layers live in sub-packages, each importing only the ones below it:
``sikkerby.ingest`` → ``sikkerby.index`` → ``sikkerby.assistant`` → ``sikkerby.ui`` / ``sikkerby.eval`` → the CLI.
"""

from sikkerby.errors import SikkerbyError

__version__ = "0.2.0"
__all__ = ["SikkerbyError", "__version__"]
