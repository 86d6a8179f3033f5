"""The measured curves behind the AnswerPolicy's thresholds: every point is a held-out figure, each
question judged by models fitted on the other four folds of the bank's train and dev splits (never test
or blind). Usage: python bench/policy_curves.py (uses the index in $SIKKERBY_HOME; builds one if missing).

1. abstain_at: answerable questions declined against unanswerable ones answered, as the threshold on
   p(none) moves.
2. scant_at: of the partly answerable questions, the share whose answer says the document says no more,
   against the same share of the fully answerable ones.
3. topic_at: for topic lists, the share of expected initiatives listed against the share of listed ones
   that were expected (the likeliest initiative is always listed).
4. focus_at: for the words of topic questions, the share of topic words kept against the share of kept
   words that are topic words.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sikkerby.assistant.policy import AnswerPolicy  # noqa: E402
from sikkerby.assistant.service import AssistantService  # noqa: E402
from sikkerby.assistant.understanding.training import TrainingReport  # noqa: E402
from sikkerby.eval.labelled import training_examples  # noqa: E402
from sikkerby.eval.runner import training_rows  # noqa: E402


def abstain_curve(report: TrainingReport, values: Sequence[float]) -> None:
    seen = [(e.answers, p.answers_proba["none"]) for e, p in zip(report.examples, report.predictions)]
    answerable = sum(1 for a, _ in seen if a != "none")
    unanswerable = len(seen) - answerable
    print(f"## abstain_at ({answerable} answerable questions, {unanswerable} not)\n")
    print("| abstain_at | false abstentions | missed abstentions |\n|---|---|---|")
    for t in values:
        false = sum(1 for a, p in seen if a != "none" and p >= t)
        missed = sum(1 for a, p in seen if a == "none" and p < t)
        print(f"| {t:.2f} | {false / answerable:.3f} ({false}) | {missed / unanswerable:.3f} ({missed}) |")
    print()


def scant_curve(report: TrainingReport, values: Sequence[float]) -> None:
    seen = [(e.answers, p.answers_proba["full"]) for e, p in zip(report.examples, report.predictions)]
    partial = [p for a, p in seen if a == "partial"]
    full = [p for a, p in seen if a == "full"]
    print(f"## scant_at ({len(partial)} partly answerable questions, {len(full)} fully)\n")
    print("| scant_at | partial ones flagged | full ones flagged |\n|---|---|---|")
    for t in values:
        flagged, wrong = sum(p < t for p in partial) / len(partial), sum(p < t for p in full) / len(full)
        print(f"| {t:.2f} | {flagged:.3f} | {wrong:.3f} |")
    print()


def list_curve(
    name: str,
    groups: Sequence[Sequence[tuple[float, bool]]],
    values: Sequence[float],
    *,
    best: bool,
    relative: bool = False,
) -> None:
    """Completeness (mean share of a question's expected items kept) and precision (mean share of kept
    items that were expected) per threshold; ``best``: the likeliest item is always kept; ``relative``:
    the threshold is a share of the likeliest item's probability."""
    print(f"## {name} ({len(groups)} questions)\n")
    print(f"| {name} | completeness | precision | F1 |\n|---|---|---|---|")
    for t in values:
        complete, precise = [], []
        for pairs in groups:
            top = max(p for p, _ in pairs)
            cut = t * top if relative else (min(t, top) if best else t)
            kept = [(p, y) for p, y in pairs if p >= cut]
            expected = sum(y for _, y in pairs)
            complete.append(sum(y for _, y in kept) / expected if expected else 1.0)
            precise.append(sum(y for _, y in kept) / len(kept) if kept else 1.0)
        c, p = sum(complete) / len(complete), sum(precise) / len(precise)
        print(f"| {t:.2f} | {c:.3f} | {p:.3f} | {2 * c * p / (c + p):.3f} |")
    print()


def main() -> None:
    service = AssistantService()
    service.build_index()
    _models, report = service.train_question_models(training_examples(training_rows()))
    policy = AnswerPolicy()
    print(f"Current policy: {policy}\n")
    abstain_curve(report, (0.3, 0.4, 0.5, 0.6, 0.7, 0.8))
    scant_curve(report, (0.2, 0.3, 0.35, 0.4, 0.5))
    # the passages an answer quotes: the best always, and those within rank_keep of its probability
    ranked = [sorted(p.ranked, reverse=True)[:5] for p in report.predictions if p.ranked]
    list_curve("rank_keep", ranked, (0.3, 0.5, 0.7, 0.8, 0.9, 0.95), best=True, relative=True)
    topics = [p.topic for p in report.predictions if p.topic]
    list_curve("topic_at", topics, (0.2, 0.3, 0.4, 0.5, 0.6, 0.7), best=True)
    # the same lists cut relative to the likeliest initiative (a share of its p) instead
    list_curve("topic_at (relative)", topics, (0.3, 0.4, 0.5, 0.6, 0.7, 0.8), best=True, relative=True)
    focus = [p.focus for p in report.predictions if p.focus and any(y for _, y in p.focus)]
    list_curve("focus_at", focus, (0.3, 0.4, 0.5, 0.6, 0.7), best=False)


if __name__ == "__main__":
    main()
