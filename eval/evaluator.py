"""Run a system over the golden set and judge every answer (InformationRetrievalEvaluator style: the
evaluator holds the queries and judgements, is called with a system, and returns a metrics object)."""

from __future__ import annotations

import logging
import math
import re
import statistics
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from sikkerby.assistant.matching import GENERIC_TERMS
from sikkerby.eval.golden import GoldenRow
from sikkerby.eval.systems import Passage, System, SystemAnswer
from sikkerby.ingest.danish import WORD_RE, fold, skeleton, split_sentences, terms
from sikkerby.ingest.frequencies import zipf

log = logging.getLogger(__name__)

RETRIEVE_K = 5
SUPPORTED = 0.8  # share of a sentence's terms a cited passage must contain for the sentence to be supported

#: Metric name -> (Danish-free description for the report, higher is better)
METRICS: dict[str, tuple[str, bool]] = {
    "recall@1": ("evidence passage ranked first (single-passage questions)", True),
    "recall@5": ("evidence passage among the first 5 retrieved", True),
    "mrr": ("mean reciprocal rank of the evidence passage", True),
    "principle_accuracy": ("first citation has the expected principle", True),
    "answer_correctness": ("answer contains every expected answer word", True),
    "citation_precision": (
        "share of cited passages that hold evidence or state an expected principle (answerable questions)",
        True,
    ),
    "abstention_precision": ("abstentions that were right (question not answerable)", True),
    "abstention_recall": ("unanswerable questions declined (or answered with what is missing said plainly)", True),
    "false_abstention": ("answerable questions (fully or partly) that were declined", False),
    "partial_named": ("partly answerable questions whose answer names the missing piece", True),
    "list_completeness": ("share of a list's expected initiatives that are cited", True),
    "faithfulness": ("answer sentences supported by a cited passage", True),
    "latency_p50_ms": ("median answer latency", False),
    "latency_p95_ms": ("95th percentile answer latency", False),
}


#: how an answer says the document is silent, and words that name each kind of missing piece
SILENCE = (
    "siger ikke",
    "nævner ikke",
    "oplyser ikke",
    "fremgår ikke",
    "står ikke",
    "beskriver ikke",
    "ikke oplyst",
    "does not say",
    "doesn't say",
    "does not mention",
    "does not state",
)
MISSING_WORDS: dict[str, tuple[str, ...]] = {
    "when": ("hvornår", "årstal", "dato", "tidspunkt", "when", "date", "year"),
    "how_many": ("hvor mange", "antal", "how many", "number"),
    "cost": ("koster", "beløb", "pris", "budget", "hvor meget", "cost", "how much", "amount"),
    "who": ("hvem", "navn", "who", "name"),
    "where": ("hvor", "sted", "where", "place"),
    "result": ("effekt", "resultat", "virkning", "result", "effect", "outcome"),
    "how": ("hvordan", "how"),
    "other": (),
}


def _folded(text: str) -> str:
    return " ".join(fold(w) for w in _words(text))


def _states_silence(sentence: str) -> bool:
    text = _folded(sentence)
    return any(p in text for p in _SILENCE_FOLDED)


def declined(answer: SystemAnswer) -> bool:
    """An abstention, or an answer that says plainly that the document does not say what was asked
    ("… men dokumentet siger ikke, hvor meget der er afsat"): either way nothing is made up."""
    return answer.abstained or _states_silence(answer.text)


def names_missing(answer: str, missing: str | None) -> bool:
    """Whether an answer says plainly that the document lacks the ``missing`` piece."""
    text = _folded(answer)
    if not _states_silence(answer):
        return False
    wanted = MISSING_WORDS.get(missing or "other", ())
    return not wanted or any(f" {_folded(p)} " in f" {text} " for p in wanted)


def _words(text: str) -> list[str]:
    return WORD_RE.findall(text)


#: the silence phrases as _folded() writes a text, computed once
_SILENCE_FOLDED = tuple(_folded(p) for p in SILENCE)


def contains(text: str, phrase: str) -> bool:
    """Whether ``text`` contains ``phrase`` word by word (case, æ/ø/å spellings and OCR damage aside;
    the phrase's last word may be the start of a longer word; a word may be part of a hyphenated one:
    "lørdag" in "torsdag-lørdag")."""
    if _contains(text, phrase):
        return True
    return "-" in text and _contains(text.replace("-", " "), phrase.replace("-", " "))


def _contains(text: str, phrase: str) -> bool:
    norm_text = " " + " ".join(fold(w) for w in _words(text))
    norm_phrase = " " + " ".join(fold(w) for w in _words(phrase))
    if norm_phrase.strip() and norm_phrase in norm_text:
        return True
    skel_phrase = " ".join(s for s in (skeleton(w) for w in _words(phrase)) if s)
    if len(skel_phrase.replace(" ", "")) < 4:
        return False
    skel_text = " " + " ".join(s for s in (skeleton(w) for w in _words(text)) if s)
    return " " + skel_phrase in skel_text


def matches_group(text: str, group: Sequence[str]) -> bool:
    return all(contains(text, phrase) for phrase in group)


@dataclass
class RowResult:
    row: GoldenRow
    answer: SystemAnswer
    first_relevant_rank: int | None = None
    principle_ok: bool | None = None
    correct: bool | None = None
    supporting: int = 0
    cited: int = 0
    completeness: float | None = None
    faithfulness: float | None = None
    named_missing: bool | None = None
    failures: list[str] = field(default_factory=list)

    @property
    def passed(self) -> bool:
        return not self.failures


@dataclass
class EvalResult:
    """Metrics of one system over one split, with the judged rows behind them."""

    system: str
    split: str
    metrics: dict[str, float | None]
    rows: list[RowResult]
    info: dict[str, Any] = field(default_factory=dict)
    #: how many questions (citations, for citation_precision) each metric averages over
    counts: dict[str, int] = field(default_factory=dict)

    def by_type(self) -> dict[str, tuple[int, int]]:
        """Per question type: (rows passed, rows)."""
        out: dict[str, tuple[int, int]] = {}
        for r in self.rows:
            passed, total = out.get(r.row.type, (0, 0))
            out[r.row.type] = (passed + r.passed, total + 1)
        return out


def _sentences(answer: str) -> list[str]:
    out: list[str] = []
    for line in answer.splitlines():
        line = re.sub(r"\s*\[\d+\]", "", line).strip(" -")
        if not line or line.endswith(":"):  # list headings ("Alle 5 udvalgte indsatser under …:")
            continue
        # "Men dokumentet siger ikke, hvornår …" says what no passage holds: nothing to cite
        out.extend(s for s in split_sentences(line) if not _states_silence(s))
    return out


def _supported(sentence: str, passage_terms: set[str], passage_skeletons: set[str]) -> bool:
    # words that only say what the corpus is about ("indsatsen hører under") make no claim, nor do the
    # everyday English words that frame the Danish quotes for an English question ("It belongs under")
    wanted = [t for t in dict.fromkeys(terms(_without_english_frame(sentence))) if t not in GENERIC_TERMS]
    if not wanted:
        return True
    found = sum(1 for t in wanted if t in passage_terms or skeleton(t) in passage_skeletons)
    return found / len(wanted) >= SUPPORTED


def _passage_terms(passages: Sequence[Passage]) -> tuple[set[str], set[str]]:
    """Terms of the cited passages, their principle label included (it is the passage's metadata)."""
    found = {t for p in passages for t in terms(f"{p.text} {p.principle or ''}")}
    return found, {skeleton(t) for t in found}


def _without_english_frame(sentence: str) -> str:
    """The sentence without words that are everyday English and no Danish word (frame, not claim)."""
    return " ".join(w for w in _words(sentence) if not (zipf(w, "en") >= 4.0 and zipf(w, "da") < 3.0))


def faithfulness(answer: str, citations: Sequence[Passage]) -> float | None:
    """Share of the answer's sentences whose words are found in the cited passages (no LLM needed)."""
    sentences = _sentences(answer)
    if not sentences:
        return None
    passage_terms, passage_skeletons = _passage_terms(citations)
    return sum(_supported(s, passage_terms, passage_skeletons) for s in sentences) / len(sentences)


def _supports(passage: Passage, row: GoldenRow) -> bool:
    """A cited passage supports the answer when it holds the row's evidence or an expected answer word,
    or is the statement of an expected principle (cited for "Fagprincip 2: «…»")."""
    if any(matches_group(passage.text, g) for g in row.evidence):
        return True
    if any(contains(passage.text, w) for w in row.answer_words):
        return True
    return passage.principle in row.principles and passage.text.startswith(f"{passage.principle}:")


def _judge_retrieval(system: System, row: GoldenRow, result: RowResult) -> None:
    """Rank of the one evidence passage among the first RETRIEVE_K retrieved."""
    for rank, passage in enumerate(system.retrieve(row.question, RETRIEVE_K, context=row.context), start=1):
        if matches_group(passage.text, row.evidence[0]):
            result.first_relevant_rank = rank
            return
    result.failures.append("evidence not retrieved in top 5")


def _judge_content(row: GoldenRow, answer: SystemAnswer, result: RowResult) -> None:
    """Principle, answer words, list completeness and faithfulness of an answerable row's answer."""
    if row.principles:
        first = answer.citations[0].principle if answer.citations and not answer.abstained else None
        result.principle_ok = first in row.principles
        if not result.principle_ok:
            result.failures.append(f"first citation's principle is {first}, expected {' or '.join(row.principles)}")
    if row.answer_words:
        missing = [w for w in row.answer_words if not contains(answer.text, w)]
        result.correct = not answer.abstained and not missing
        if missing and not answer.abstained:
            result.failures.append("answer lacks " + ", ".join(f"«{w}»" for w in missing))
    if row.multi_evidence:
        found = sum(1 for g in row.evidence if any(matches_group(p.text, g) for p in answer.citations))
        result.completeness = found / len(row.evidence)
        if found < len(row.evidence):
            result.failures.append(f"list has {found} of {len(row.evidence)} expected initiatives")
    if not answer.abstained:
        result.faithfulness = faithfulness(answer.text, answer.citations)
        if result.faithfulness is not None and result.faithfulness < 1.0:
            result.failures.append(f"{result.faithfulness:.0%} of answer sentences supported by citations")


class AnswerEvaluator:
    """Judges a system's retrieval and answers against golden rows."""

    def __init__(self, rows: Sequence[GoldenRow], *, split: str = "all") -> None:
        self.rows = list(rows)
        self.split = split

    def __call__(self, system: System) -> EvalResult:
        results = [self.judge(system, row) for row in self.rows]
        return EvalResult(system.name, self.split, self.aggregate(results), results, counts=self.counts(results))

    @staticmethod
    def judge(system: System, row: GoldenRow) -> RowResult:
        answer = system.answer(row.question, context=row.context)
        result = RowResult(row=row, answer=answer)
        if row.answerable and len(row.evidence) == 1:
            _judge_retrieval(system, row, result)
        if not row.answerable:
            if not declined(answer):
                result.failures.append("answered a question the document does not answer")
        elif answer.abstained:
            result.failures.append("abstained although the document answers")
        if row.answerable:
            _judge_content(row, answer, result)
        if row.partial:
            result.named_missing = names_missing(answer.text, row.missing)
            if not result.named_missing:
                result.failures.append(f"does not say that the document lacks the {row.missing} asked for")
        if answer.citations and row.answerable:  # an unanswerable row is judged by whether it declined
            result.cited = len(answer.citations)
            result.supporting = sum(1 for p in answer.citations if _supports(p, row))
            if result.supporting < result.cited and row.answerable:
                result.failures.append(f"{result.cited - result.supporting} of {result.cited} citations lack evidence")
        return result

    @staticmethod
    def counts(results: Sequence[RowResult]) -> dict[str, int]:
        """The denominator of each ratio metric: one of them is what one question can move it by."""
        single = sum(1 for r in results if r.row.answerable and len(r.row.evidence) == 1)
        return {
            "recall@1": single,
            "recall@5": single,
            "mrr": single,
            "principle_accuracy": sum(1 for r in results if r.principle_ok is not None),
            "answer_correctness": sum(1 for r in results if r.correct is not None),
            "citation_precision": sum(r.cited for r in results),
            "abstention_precision": sum(1 for r in results if r.answer.abstained),
            "abstention_recall": sum(1 for r in results if not r.row.answerable),
            "false_abstention": sum(1 for r in results if r.row.answerable),
            "partial_named": sum(1 for r in results if r.named_missing is not None),
            "list_completeness": sum(1 for r in results if r.completeness is not None),
            "faithfulness": sum(1 for r in results if r.faithfulness is not None),
        }

    @staticmethod
    def aggregate(results: Sequence[RowResult]) -> dict[str, float | None]:
        def mean(values: Sequence[float]) -> float | None:
            return sum(values) / len(values) if values else None

        single = [r for r in results if r.row.answerable and len(r.row.evidence) == 1]
        ranks = [r.first_relevant_rank for r in single]
        abstained = [r for r in results if r.answer.abstained]
        unanswerable = [r for r in results if not r.row.answerable]
        cited = sum(r.cited for r in results)
        latencies = sorted(r.answer.latency_ms for r in results)
        return {
            "recall@1": mean([1.0 if k == 1 else 0.0 for k in ranks]),
            "recall@5": mean([1.0 if k is not None else 0.0 for k in ranks]),
            "mrr": mean([1.0 / k if k else 0.0 for k in ranks]),
            "principle_accuracy": mean([1.0 if r.principle_ok else 0.0 for r in results if r.principle_ok is not None]),
            "answer_correctness": mean([1.0 if r.correct else 0.0 for r in results if r.correct is not None]),
            "citation_precision": sum(r.supporting for r in results) / cited if cited else None,
            "abstention_precision": mean([0.0 if r.row.answerable else 1.0 for r in abstained]),
            "abstention_recall": mean([1.0 if declined(r.answer) else 0.0 for r in unanswerable]),
            "false_abstention": mean([1.0 if r.answer.abstained else 0.0 for r in results if r.row.answerable]),
            "partial_named": mean([1.0 if r.named_missing else 0.0 for r in results if r.named_missing is not None]),
            "list_completeness": mean([r.completeness for r in results if r.completeness is not None]),
            "faithfulness": mean([r.faithfulness for r in results if r.faithfulness is not None]),
            "latency_p50_ms": statistics.median(latencies) if latencies else None,
            "latency_p95_ms": latencies[min(len(latencies) - 1, math.ceil(0.95 * len(latencies)) - 1)]
            if latencies
            else None,
        }
