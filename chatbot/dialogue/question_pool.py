"""Which items a superlative question ranges over: what was shown, or the catalog's items of the kind named.

"The newest one?" after a director's films looks at all of that director's films the filters allow; "the
cheapest laptop?" after "no laptop under 1000" looks at every laptop, whatever the old price limit said.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from chatbot.dialogue.catalog_terms import CatalogTerms
from chatbot.dialogue.message import ParsedMessage
from chatbot.filters import Constraints
from chatbot.items import Item

MAX_POOL = 30  # a superlative question looks at every item the filters allow, up to this many


def question_pool(parsed: ParsedMessage, targets: Sequence[Item], constraints: Constraints,
                  catalog: Mapping[str, Item], terms: CatalogTerms) -> list[Item]:
    items = list(targets)
    question = parsed.question
    if question is None or question.direction == "which" or parsed.referenced_ids:
        return items
    kind = [t for t in question.kinds if t in terms.kind_tags]
    if kind and not any(set(kind) & set(item.tags) for item in items):
        # a kind named that the items shown are not: all of that kind, price and year limits aside
        looser = constraints.model_copy(update={"price_min": None, "price_max": None, "year_min": None, "year_max": None,
                                                "tags_any": kind, "tags_and": [], "genres_include": []})
        pool = [catalog[i] for i in sorted(terms.items_tagged(kind)) if i in catalog and looser.accepts(catalog[i])]
        return pool[:MAX_POOL]
    if constraints.people:
        pool = [i for i in catalog.values() if constraints.accepts(i)]
        if len(pool) <= MAX_POOL:
            items += [i for i in pool if i not in items]
    return items
