"""The measured curves behind the AnswerPolicy's thresholds, on the question bank's dev split (never test
or blind). Usage: python bench/policy_curves.py (uses the index in $SIKKERBY_HOME; builds one if missing).

1. abstain_at: false abstentions (answerable questions declined) against missed abstentions (questions
   the document does not answer, answered), as the threshold on p(none) moves.
2. topic_relative and topic_margin: for topic lists (by the topic's words, and by meaning when no
   initiative names them), the share of expected initiatives listed against the share of listed ones that
   were expected.
"""

from __future__ import annotations

import dataclasses
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sikkerby.assistant.policy import AnswerPolicy  # noqa: E402
from sikkerby.assistant.router import RouteKind  # noqa: E402
from sikkerby.assistant.service import AssistantService  # noqa: E402
from sikkerby.assistant.understanding.training import fit_models, folds  # noqa: E402
from sikkerby.eval.evaluator import AnswerEvaluator, matches_group  # noqa: E402
from sikkerby.eval.golden import load_golden  # noqa: E402
from sikkerby.eval.runner import DEFAULT_GOLDEN, FIRST_GOLDEN  # noqa: E402
from sikkerby.eval.systems import AssistantSystem  # noqa: E402


def abstain_curve(service: AssistantService) -> None:
    """Each dev question judged by models fitted on the other folds (cross-validated, so that the curve
    is not the models' memory of their own training questions)."""
    understander = service.load().answerer.understanding
    assert understander is not None, "no fitted question models: run `sikkerby train`"
    features = understander.features
    rows = load_golden(DEFAULT_GOLDEN, split="dev") + load_golden(FIRST_GOLDEN, split="dev")
    seen = []
    for train, held in folds(len(rows)):
        models, _ = fit_models([rows[i] for i in train], features, embedder_id=service.embedder.id)
        for i in held:
            if rows[i].context:
                continue
            view = features.view(rows[i].question)
            understood = models.understand(features.kind_vector(view), lambda p, v=view: features.answer_vector(v, p))
            seen.append((rows[i], view, understood))
    answerable = sum(r.answerable for r, _, _ in seen)
    unanswerable = len(seen) - answerable
    print(f"## abstain_at (dev, 5-fold cross-validated: {answerable} answerable, {unanswerable} not)\n")
    print("| abstain_at | false abstentions | missed abstentions |\n|---|---|---|")
    for threshold in (0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9):
        policy = AnswerPolicy(abstain_at=threshold)
        out = [(r, policy.route(v, u).kind == RouteKind.OUT_OF_SCOPE) for r, v, u in seen]
        false = sum(1 for r, declined in out if r.answerable and declined)
        missed = sum(1 for r, declined in out if not r.answerable and not declined)
        print(f"| {threshold:.1f} | {false / answerable:.3f} ({false}) | {missed / unanswerable:.3f} ({missed}) |")
    print()


def topic_curve(service: AssistantService, setting: str, values: tuple[float, ...]) -> None:
    answerer = service.load().answerer
    assert answerer.understanding is not None
    rows = [r for r in load_golden(DEFAULT_GOLDEN, split="dev") if r.type == "list_topic" and not r.context]
    print(f"## {setting} ({len(rows)} dev topic questions)\n")
    print(f"| {setting} | completeness | precision |\n|---|---|---|")
    base = answerer.understanding
    for value in values:
        policy = dataclasses.replace(base.policy, **{setting: value})
        answerer.understanding = dataclasses.replace(base, policy=policy)
        results = [AnswerEvaluator.judge(AssistantSystem(service), r) for r in rows]
        pairs = [(x.row.evidence, x.answer.citations) for x in results]
        found = sum(sum(any(matches_group(p.text, g) for p in cites) for g in groups) for groups, cites in pairs)
        useful = sum(sum(any(matches_group(p.text, g) for g in groups) for p in cites) for groups, cites in pairs)
        expected = sum(len(groups) for groups, _ in pairs)
        cited = sum(len(cites) for _, cites in pairs)
        print(f"| {value:.3f} | {found / expected:.3f} | {useful / max(cited, 1):.3f} |")
    answerer.understanding = base
    print()


def main() -> None:
    service = AssistantService()
    service.build_index()
    abstain_curve(service)
    topic_curve(service, "topic_relative", (0.2, 0.3, 0.4, 0.5, 0.6, 0.7))
    topic_curve(service, "topic_margin", (0.005, 0.01, 0.015, 0.02, 0.03))


if __name__ == "__main__":
    main()
