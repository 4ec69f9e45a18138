"""The decision trace in a stakeholder's terms: what counted for each candidate, grouped into reasons
a person names in plain words ("similar to Dune, which you liked"), plus what the turn understood.

The ranker's linear part is a sum of weight x signal; each signal belongs to one kind of reason, so
each kind's share of the score is the sum over its signals. What the learned networks add on top
(and the request's context, the same for every candidate) is left to the raw details. Anchors (the liked item a reason refers to) come from the ranker's own
reasons, which name only items the user liked.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from chatbot.items import Item
from chatbot.ranking.candidate import Candidate
from chatbot.turn import CandidateTrace, Contribution, DecisionTrace

TRACE_SIGNALS = 6  # raw signals kept per candidate for the details fold
MAX_CONTRIBUTIONS = 4  # reasons drawn per candidate
MIN_SHARE = 0.02  # smaller contributions are left out of the chart
LANGS = ("en", "zh")

# signal -> kind of reason; signals not listed (the request's context) do not count for one item
KIND_OF: dict[str, str] = {
    "text_sim": "text_match", "cold_text_sim": "text_match", "text_pop": "text_match", "seeker_sim": "text_match",
    "liked_max": "liked_similar", "liked_mean": "liked_similar", "recent_max": "liked_similar",
    "year_close": "liked_similar", "anchor_genre": "liked_similar", "anchor_genre_pop": "liked_similar",
    "mentioned_max": "mentioned_similar",
    "cf_ratings_liked": "collaborative", "cf_dialogue_liked": "collaborative",
    "cf_ratings_recent": "collaborative", "cf_dialogue_recent": "collaborative",
    "svd_ratings_liked": "collaborative", "svd_dialogue_liked": "collaborative",
    "svd_ratings_recent": "collaborative", "svd_dialogue_recent": "collaborative",
    "rec_max": "earlier_picks", "cf_ratings_rec": "earlier_picks", "cf_dialogue_rec": "earlier_picks",
    "disliked_max": "disliked_similar", "rejected_max": "disliked_similar",
    "pop_ratings": "popular", "pop_dialogue": "popular", "top_ratings": "popular", "top_dialogue": "popular",
    "pop_ratings_cold": "popular", "pop_dialogue_cold": "popular", "pop_item": "popular", "cold_top": "popular",
    "genre_match": "genre", "cold_genre_match": "genre", "genre_pop": "genre", "cold_genre_top": "genre",
    "person_match": "person",
    "era_match": "era", "recent_match": "era", "year_unknown": "era",
    "is_liked": "named", "is_mentioned": "named", "is_disliked": "named", "is_recommended": "named",
}
AGE_PREFIX = "age_"  # age_0_0, age_1_1, ...: how recent the item is


def kind_of(signal: str) -> str | None:
    if signal.startswith(AGE_PREFIX):
        return "recency"
    return KIND_OF.get(signal)


def contributions(candidate: Candidate, weights: Mapping[str, float], items: Mapping[str, Item],
                  liked_ids: Sequence[str]) -> list[Contribution]:
    """A candidate's score split into kinds of reasons, the biggest (by size) first."""
    sums: dict[str, float] = {}
    for name, value in candidate.signals.items():
        kind = kind_of(name)
        if kind is not None and weights.get(name):
            sums[kind] = sums.get(kind, 0.0) + weights[name] * value
    anchors = {r.kind: r.detail for r in candidate.reasons if r.detail}
    out: list[Contribution] = []
    for kind, value in sorted(sums.items(), key=lambda kv: -abs(kv[1])):
        if abs(value) < MIN_SHARE:
            continue
        contribution = Contribution(kind=kind, value=round(value, 4))
        anchor = anchors.get("liked_similar" if kind == "liked_similar" else kind)
        if kind == "liked_similar" and anchor not in liked_ids:
            anchor = closest_liked(candidate.item, items, liked_ids)
        if kind in ("liked_similar", "collaborative") and anchor in items and anchor in liked_ids:
            contribution.anchor_titles = {lang: items[anchor].display_title(lang) for lang in LANGS}
        if kind == "genre":
            shared = [g for g in candidate.item.genres if g == anchors.get("genre")]
            contribution.genre = shared[0] if shared else ""
        out.append(contribution)
        if len(out) == MAX_CONTRIBUTIONS:
            break
    return out


def closest_liked(item: Item, items: Mapping[str, Item], liked_ids: Sequence[str]) -> str:
    """The liked item sharing the most genres with `item` (the latest on a tie); "" when none shares one."""
    best, best_shared = "", 0
    for liked in liked_ids:
        shared = len(set(item.genres) & set(items[liked].genres)) if liked in items else 0
        if shared >= best_shared and shared:
            best, best_shared = liked, shared
    return best


def trace_candidates(trace: DecisionTrace, candidates: Sequence[Candidate], lang: str,
                     weights: Mapping[str, float], items: Mapping[str, Item], liked_ids: Sequence[str]) -> None:
    """Each candidate with its strongest raw signals (details) and its reasons in kinds (the chart)."""
    for c in candidates:
        strongest = sorted(c.signals.items(), key=lambda kv: -abs(kv[1]))[:TRACE_SIGNALS]
        trace.candidates.append(CandidateTrace(
            item_id=c.item.id, title=c.item.display_title(lang), score=round(c.score, 4),
            signals=dict(strongest), contributions=contributions(c, weights, items, liked_ids)))


def describe_turn(trace: DecisionTrace, constraints: dict, feedback: Mapping[str, str], items: Mapping[str, Item],
                  lang: str, catalog_size: int, whole_catalog: bool) -> None:
    """What the stakeholder view needs beyond the ranking: filters as data, card feedback, the search."""
    trace.constraints = {k: v for k, v in constraints.items() if v not in (None, [], "")}
    trace.feedback = {items[i].display_title(lang) if i in items else i: action for i, action in feedback.items()}
    trace.catalog_size = catalog_size
    trace.whole_catalog = whole_catalog
