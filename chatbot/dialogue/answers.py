"""Answers to questions about items already shown ("which is cheaper?", "who directed it?", "does it come
in black?"), made only of catalog facts. When the catalog does not hold the fact, the answer says so."""

from __future__ import annotations

import re
from collections.abc import Sequence

from chatbot.dialogue.cues import COLOUR_ZH
from chatbot.dialogue.message import FactQuestion
from chatbot.dialogue.phrases import say
from chatbot.genres import genre_label
from chatbot.items import Item, Lang
from chatbot.item_text import attribute_label, join_words, person_name, price_text, quoted_title

_UNIT_KEYS = {
    "weight": (("weight_g", 1.0, "g"), ("weight_kg", 1000.0, "g")),
    "battery": (("battery_hours", 1.0, "h"), ("battery_days", 24.0, "h"), ("battery_hours_with_case", 1.0, "h"),
                ("battery_mah", None, "mAh")),
    "runtime": (("runtime_min", 1.0, "min"), ("runtime_hours", 60.0, "min")),
    "size": (("capacity_l", 1.0, "L"), ("volume_ml", 0.001, "L"), ("tank_l", 1.0, "L"), ("screen_inch", None, "inch"),
             ("capacity_people", None, "people")),
}
MAX_LISTED = 6
_FACT_NAMES = {"weight": ("weight", "重量"), "battery": ("battery life", "续航"), "runtime": ("running time", "片长"),
               "size": ("size or capacity", "尺寸或容量"), "price": ("price", "价格"), "year": ("year", "年份")}


def measure_of(item: Item, fact: str, key: str = "", lang: str = "en") -> tuple[float, str] | None:
    """(comparable value, shown text) of a measured fact, or None when the catalog does not hold it."""
    if fact == "attribute":
        value = item.attributes.get(key)
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            unit = key.rsplit("_", 1)[-1] if "_" in key else ""
            return float(value), f"{value:g} {unit.upper() if unit in ('gb', 'tb', 'mp', 'w') else unit}".strip()
        return None
    if fact == "price":
        return (item.price, price_text(item)) if item.price is not None else None
    if fact == "year":
        return (float(item.year), str(item.year)) if item.year else None
    for key, scale, unit in _UNIT_KEYS.get(fact, ()):
        value = item.attributes.get(key)
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            shown = f"{value:g} {key.rsplit('_', 1)[-1].replace('hours', 'h').replace('with', '')}".strip()
            return (value * scale if scale is not None else float(value), _units(shown, lang))
    return None


_UNITS = {"l": ("L", "升"), "people": ("people", "人"), "inch": ("inch", "英寸"), "days": ("days", "天"),
          "h": ("h", "小时"), "min": ("min", "分钟"), "mah": ("mAh", "mAh")}


def _units(shown: str, lang: str) -> str:
    number, _, unit = shown.partition(" ")
    names = _UNITS.get(unit.lower())
    if names is None:
        return shown
    return f"{number}{names[1]}" if lang == "zh" else f"{number} {names[0]}"


def best_of(question: FactQuestion, items: Sequence[Item]) -> Item | None:
    """The item a comparative question points at ("the cheapest"), or None (no direction, no facts)."""
    if question.direction == "which" or question.fact in ("people", "colour", "feature"):
        return None
    known = [(item, m) for item in items if (m := measure_of(item, question.fact, question.value)) is not None]
    if not known:
        return None
    return (min if question.direction == "min" else max)(known, key=lambda pair: pair[1][0])[0]


def answer(question: FactQuestion, items: Sequence[Item], lang: Lang) -> str:
    """The answer text for a question about `items` (the ones shown or referred to)."""
    if question.fact == "people":
        return _people(items, lang)
    if question.fact in ("colour", "feature"):
        return _mentions(items, question.value, lang)
    if question.fact == "children":
        return "\n".join(_for_children(item, lang) for item in items)
    return _compare(items, question, lang)


_NOT_FOR_CHILDREN = ("horror", "war", "crime", "thriller")


def _for_children(item: Item, lang: Lang) -> str:
    """"Is it OK for a 5 year old?": what the catalog's genres and tags say (it holds no age rating)."""
    title = quoted_title(item, lang)
    if item.kind == "product":
        marked = any(t in ("for kids", "for toddlers", "for children") for t in item.tags)
        return say(lang, "kids_product_yes" if marked else "fact_not_listed", title=title,
                   value="适合儿童" if lang == "zh" else "suitable for children")
    genres = join_words([genre_label(g, lang) for g in item.genres[:3]], lang)
    key = "kids_no" if set(item.genres) & set(_NOT_FOR_CHILDREN) else "kids_yes" if "family" in item.genres \
        else "kids_unsure"
    return say(lang, key, title=title, genres=genres)


def _compare(items: Sequence[Item], question: FactQuestion, lang: Lang) -> str:
    if question.fact == "attribute":
        en, zh = attribute_label(question.value)
        name = zh if lang == "zh" and zh else en
    else:
        name = _FACT_NAMES[question.fact][lang == "zh"]
    known = [(item, m) for item in items if (m := measure_of(item, question.fact, question.value, lang)) is not None]
    unknown = [item for item in items if all(item is not k for k, _ in known)]
    lines: list[str] = []
    if known and question.direction != "which" and len(known) >= 2:
        best = (min if question.direction == "min" else max)(known, key=lambda pair: pair[1][0])
        others = [f"{quoted_title(i, lang)} {m[1]}" for i, m in known if i is not best[0]][:MAX_LISTED]
        lines.append(say(lang, "fact_best", title=quoted_title(best[0], lang), value=best[1][1],
                         others=join_words(others, lang)))
    elif known:
        lines.append(join_words([f"{quoted_title(i, lang)}：{m[1]}" if lang == "zh" else f"{quoted_title(i, lang)}: {m[1]}"
                                 for i, m in known], lang) + ("。" if lang == "zh" else "."))
    if unknown and len(unknown) <= MAX_LISTED:
        lines.append(say(lang, "fact_unknown", fact=name, titles=join_words([quoted_title(i, lang) for i in unknown], lang)))
    return "\n".join(lines)


def _people(items: Sequence[Item], lang: Lang) -> str:
    lines = []
    for item in items:
        roles = [(role, names) for role, names in item.people.items() if names and role != "cast"]
        cast = item.people.get("cast", [])[:3]
        bits = [say(lang, f"role_{role}" if role in ("director", "brand", "author", "creator") else "role_other",
                    names=join_words([person_name(n, lang) for n in names[:2]], lang)) for role, names in roles]
        if cast:
            bits.append(say(lang, "role_cast", names=join_words([person_name(n, lang) for n in cast], lang)))
        if bits:
            lines.append(f"{quoted_title(item, lang)}{'：' if lang == 'zh' else ': '}" + ("，" if lang == "zh" else ", ").join(bits))
        else:
            lines.append(say(lang, "fact_unknown", fact="人员" if lang == "zh" else "people", titles=quoted_title(item, lang)))
    return "\n".join(lines)


def _mentions(items: Sequence[Item], value: str, lang: Lang) -> str:
    """Does the catalog's text about each item mention `value` (a colour, a feature)? Said plainly either way."""
    words = [w for w in re.split(r"\s+", value.lower()) if len(w) >= 2] or [value.lower()]
    english = COLOUR_ZH.get(value)
    lines = []
    for item in items:
        text = " ".join([item.title, item.title_zh or "", item.description, item.description_zh or "", *item.tags,
                         *item.selling_points, *(f"{k} {v}" for k, v in item.attributes.items())]).lower()
        found = all(w in text for w in words) or bool(english and english in text)
        lines.append(say(lang, "fact_yes" if found else "fact_not_listed", title=quoted_title(item, lang), value=value))
    return "\n".join(lines)
