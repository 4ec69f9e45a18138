"""The candidates a recommendation turn shows: the ranker's list under the conversation's filters, and the small
adjustments that belong to the conversation, not to the ranker."""

from __future__ import annotations

from collections.abc import Sequence

from chatbot.dialogue.answers import measure_of
from chatbot.dialogue.message import FactQuestion
from chatbot.dialogue.state import DialogueState
from chatbot.engine import CatalogEngine
from chatbot.filters import Constraints
from chatbot.items import Item
from chatbot.ranking.candidate import Candidate
from chatbot.ranking.request import RankRequest


ACCLAIMED_POOL = 5  # "top rated": the best-loved among this many times the list's length of the ranker's best


def soft_tag_first(candidates: Sequence[Candidate], tags: Sequence[str]) -> list[Candidate]:
    """Items carrying more of the moods/themes asked for come first; the ranker's order breaks ties."""
    wanted = set(tags)
    if not wanted:
        return list(candidates)
    return sorted(candidates, key=lambda c: -len(wanted & set(c.item.tags)))


def ranked_candidates(engine: CatalogEngine, request: RankRequest, state: DialogueState, wanted: int, k: int,
                      narrowing: bool = False, named_only: bool = False, acclaimed: bool = False) -> list[Candidate]:
    """The ranker's list under the hard filters; tags narrow unless nothing carries them. A narrowing
    critique ("under 600") may show again items shown before that fit, when too few new ones do.
    Items with the moods and themes asked for come first, from the whole catalog when the top few lack them.
    `acclaimed` ("要评分高的"): the best-loved (catalog popularity) of the ranker's top few times k first."""
    candidates = engine.ranker.rank(request, k=k * ACCLAIMED_POOL if acclaimed else k)
    if acclaimed:
        candidates = sorted(candidates, key=lambda c: -(c.item.popularity or 0.0))[:k]
    if narrowing and len(candidates) < wanted:
        keep_out = {*state.liked_ids, *state.disliked_ids, *state.mentioned_ids, *state.seen_ids}
        again = engine.ranker.rank(request.model_copy(update={"exclude_ids": list(keep_out)}), k=k)
        have = {c.item.id for c in candidates}
        candidates += [c for c in again if c.item.id not in have][: k - len(candidates)]
    # asked for by name ("电饭煲有吗"), a shown item may come back; a rejected one never
    rejected = {*state.disliked_ids, *state.seen_ids} if named_only else set(request.exclude_ids)
    named = [i for i in engine.titles.title_word_hits(request.query_text) if i not in rejected
             and request.constraints.accepts(engine.items[i])]
    rare = [i for i in engine.titles.terms.items_tagged(state.soft_tags) if i in engine.items
            and i not in request.exclude_ids and request.constraints.accepts(engine.items[i])]
    named = named or (sorted(rare) if len(rare) <= wanted else [])  # "loves cooking": the few items tagged so
    if named:  # "电饭煲有吗": the products whose title says so come first (alone, when that is all it asks)
        first = engine.ranker.rank(request, k=len(named), only_ids=named)
        candidates = first + ([] if named_only else [c for c in candidates if c.item.id not in set(named)])
    wanted_tags = set(state.soft_tags)
    if wanted_tags and rare and sum(bool(wanted_tags & set(c.item.tags)) for c in candidates) < wanted:
        have = {c.item.id for c in candidates}  # "World War Two specifically": the tagged items beyond the top k
        candidates += engine.ranker.rank(request, k=wanted, only_ids=[i for i in rare if i not in have])
    if not candidates and request.constraints.tags_any and _loosen_tags(engine, request):
        genres = request.constraints.genres_include or list(state.preferred_genres)
        looser = request.constraints.model_copy(update={"tags_any": [], "genres_include": genres})
        more = engine.ranker.rank(request.model_copy(update={"constraints": looser}), k=k)
        have = {c.item.id for c in candidates}
        candidates += [c for c in more if c.item.id not in have][: k - len(candidates)]
    return soft_tag_first(candidates, [*state.soft_tags, *request.constraints.tags_any])


def cheapest_fitting_the_rest(engine: CatalogEngine, constraints: Constraints) -> Item | None:
    """Nothing fits under a price limit: the cheapest item that meets every other condition, to name in the
    answer ("the cheapest kitchen item is ¥89"), or None when the limit is not what rules everything out."""
    if constraints.price_max is None:
        return None
    rest = constraints.model_copy(update={"price_min": None, "price_max": None})
    fitting = [item for item in engine.items.values() if item.price is not None and rest.accepts(item)]
    return min(fitting, key=lambda item: item.price, default=None)


def _loosen_tags(engine: CatalogEngine, request: RankRequest) -> bool:
    """Nothing carries the tags within the other filters: the category's items instead, when the tags name a
    feature ("beginner") or belong to another category ("cooking" is a camp stove). Not when they name the kind
    of thing wanted and a price or a year rules it out ("a laptop under 1000"): that limit cannot be met."""
    terms, tags = engine.titles.terms, request.constraints.tags_any
    if not set(tags) <= terms.kind_tags:
        return True
    others = request.constraints.model_copy(update={"tags_any": [], "tags_and": [], "genres_include": []})
    return any(others.accepts(engine.items[i]) for i in terms.items_tagged(tags) if i in engine.items)


def past_the_shown(engine: CatalogEngine, state: DialogueState, shown_ids: Sequence[str], want: FactQuestion,
                   lang: str) -> tuple[Item, str, list[str]] | None:
    """'Anything lighter?': (the shown item to beat, its value as shown, the ids of the same kind of item past it
    that still fit the filters and were not shown); None when no shown item has that measure."""
    shown = [engine.items[i] for i in shown_ids if i in engine.items]
    measured = [(item, m) for item in shown if (m := measure_of(item, want.fact, lang=lang)) is not None]
    if not measured:
        return None
    best, (bound, value) = (min if want.direction == "min" else max)(measured, key=lambda pair: pair[1][0])
    kinds = (set(best.tags) & engine.titles.terms.kind_tags) or set(best.tags[:1])  # the kind of the one to beat
    gone = {*state.shown_ids, *state.disliked_ids, *state.seen_ids}

    def past(item: Item) -> bool:
        m = measure_of(item, want.fact)
        return m is not None and (m[0] < bound if want.direction == "min" else m[0] > bound)

    pool = [i.id for i in engine.items.values() if i.id not in gone and state.constraints.accepts(i) and past(i)
            and (set(i.tags) & kinds if kinds else set(i.genres) & set(best.genres))]
    return best, value, pool
