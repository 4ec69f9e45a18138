"""What people call a product instead of its full title, read from the catalog's own titles."""

from __future__ import annotations

import re
from collections.abc import Sequence

from chatbot.dialogue.tokens import is_cjk, tokenize
from chatbot.items import Item


def short_product_names(items: Sequence[Item], generic: frozenset[str]) -> dict[str, str]:
    """What people call a product instead of its full title: 'Buds Pro', 'Cirrus Buds Pro', 'SkyBook 13',
    '西湖龙井', '普洱茶饼'. Only spans of the title that name exactly one item and hold a word that is not
    generic (a category, a tag, a common word) or a model number are kept."""
    spans: dict[str, set[str]] = {}
    by_id = {item.id: item for item in items}
    for item in items:
        if item.kind != "product":
            continue
        for span in _title_spans(item):
            spans.setdefault(span, set()).add(item.id)
    names: dict[str, str] = {}
    for span, ids in spans.items():
        if len(ids) != 1:
            continue
        tokens = [t for t, _, _ in tokenize(span)]
        cjk = all(is_cjk(t) for t in tokens)
        if cjk:
            # a product's own name ("西湖龙井", "普洱茶饼"), not a kind of product ("蓝牙音箱", "真无线耳[机]")
            item_id = next(iter(ids))
            if len(tokens) >= 4 and span not in generic and not any(span.endswith(w) for w in generic if is_cjk(w[:1])) \
                    and not _cuts_a_kind_word(span, by_id[item_id].title_zh or "", generic):
                names[span] = item_id
            continue
        distinctive = [t for t in tokens if t not in generic and not t.isdigit() and len(t) >= 3]
        if len(tokens) >= 2 and tokens[-1] in generic and all(t.isalpha() for t in tokens):
            continue  # "Bluetooth Speaker", "Party Speaker": a kind of product described, not a name
        if distinctive and (len(tokens) >= 2 or (len(tokens[0]) >= 6 and any(c.isdigit() for c in span) is False
                                                  and tokens[0] not in generic)):
            names[span] = next(iter(ids))
    return names


def _cuts_a_kind_word(span: str, title: str, generic: frozenset[str]) -> bool:
    """The span ends inside a word for a kind of product in the title: "真无线耳" of "真无线耳机"."""
    end = title.find(span) + len(span)
    if end < len(span):
        return False
    return any(title[end - k: end - k + len(w)] == w for w in generic if len(w) >= 2 and is_cjk(w[:1])
               for k in range(1, len(w)))


def _title_spans(item: Item) -> set[str]:
    spans: set[str] = set()
    brands = [n for n in item.people.get("brand", [])]
    for title in (item.title, item.title_zh or ""):
        words = title.split()
        brand_words = next((b.split() for b in brands if title.startswith(b)), [])
        rest = words[len(brand_words):]
        latin = [w for w in rest if not any(is_cjk(c) for c in w)]
        for n in range(1, 4):
            for k in range(0, max(0, len(latin) - n + 1)):
                span = " ".join(latin[k:k + n]).strip(",")
                spans.add(span)
                if brand_words:
                    spans.add(f"{brand_words[0]} {span}")
        for run in re.findall(r"[\u3400-\u9fff]{2,}", title):
            for n in range(2, min(len(run), 6) + 1):
                for k in range(0, len(run) - n + 1):
                    spans.add(run[k:k + n])
    return {s for s in spans if s}
