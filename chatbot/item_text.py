"""Catalog facts as text: titles, prices, people, selling points and interest tags, built only from the
item's own data. Below the dialogue and LLM layers: both use it (the LLM layer for prompts and
fallbacks, the dialogue layer for answers).

Every sentence here is made of the item's own data; what the dialogue says to a
person (its reasons, answers and phrases) lives in chatbot/dialogue.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence

from chatbot.genres import genre_label
from chatbot.items import Item

_PAREN = re.compile(r"^(.*?)\s*[(（]([^)）]*)[)）]\s*$")
_SENTENCE_EN = re.compile(r"(?<=[.!?])\s+")
_SENTENCE_ZH = re.compile(r"(?<=[。！？])")
_CJK = re.compile(r"[\u4e00-\u9fff]")

# attribute key suffix -> (English unit, Chinese unit)
_UNITS: dict[str, tuple[str, str]] = {
    "g": (" g", "克"), "kg": (" kg", "千克"), "hours": (" hours", "小时"), "inch": ('"', "英寸"),
    "mah": (" mAh", "毫安时"), "l": (" L", "升"), "ml": (" ml", "毫升"), "gb": (" GB", "GB"), "tb": (" TB", "TB"),
    "w": (" W", "瓦"), "days": (" days", "天"), "cm": (" cm", "厘米"), "mm": (" mm", "毫米"), "m": (" m", "米"),
    "min": (" min", "分钟"), "db": (" dB", "分贝"), "mp": (" MP", "百万像素"), "pct": ("%", "%"), "c": ("°C", "°C"),
    "hz": (" Hz", "赫兹"), "months": (" months", "个月"), "s": (" s", "秒"), "years": (" years", "年"),
}
_ZH_LABELS: dict[str, str] = {
    "weight": "重量", "battery": "续航", "screen": "屏幕", "capacity": "容量", "storage": "存储", "waterproof": "防水",
    "power": "功率", "output": "输出功率", "ram": "内存", "format": "版本", "edition language": "语言", "pieces": "件数",
    "min age": "适用年龄", "max load": "最大承重", "volume": "容量", "material": "材质", "size": "尺寸",
    "height": "高度", "resolution": "分辨率", "runtime": "运行时间", "roast": "烘焙", "water resistance": "防水",
    "sensor": "传感器", "noise": "噪音", "charging": "充电", "refresh": "刷新率", "battery with case": "含充电盒续航",
    "timer": "定时", "screen inch": "屏幕", "battery mah": "电池", "max speed": "最高速度", "capacity people": "可容纳人数",
}
_SKIP_ATTRIBUTES = {"country", "new_arrival"}
_KIND = {"movie": ("film", "电影"), "series": ("series", "剧集"), "product": ("product", "商品")}


def _zh(lang: str) -> bool:
    return lang == "zh"


def person_name(name: str, lang: str = "en") -> str:
    """'Frant Gwo (郭帆)' -> 'Frant Gwo' in English, '郭帆' in Chinese; other names unchanged."""
    match = _PAREN.match(name)
    if not match:
        return name
    latin, native = match.group(1).strip(), match.group(2).strip()
    if _zh(lang):
        return native if _CJK.search(native) else latin
    return latin or native


def price_text(item: Item) -> str:
    if item.price is None:
        return ""
    symbol = {"CNY": "¥", "RMB": "¥", "USD": "$", "EUR": "€", "GBP": "£", "JPY": "¥"}.get(item.currency or "")
    return f"{symbol}{item.price:g}" if symbol else f"{item.price:g} {item.currency or ''}".strip()


def quoted_title(item: Item, lang: str = "en") -> str:
    """The title as a sentence cites it: 《流浪地球》 in Chinese for films, plain otherwise."""
    title = item.display_title(lang)
    if _zh(lang):
        return f"“{title}”" if item.kind == "product" else f"《{title}》"
    return title


def join_words(words: Sequence[str], lang: str) -> str:
    """A list as a sentence says it: 'a, b and c' / 'a、b、c'."""
    if _zh(lang):
        return "、".join(words)
    if len(words) <= 1:
        return "".join(words)
    return ", ".join(words[:-1]) + " and " + words[-1]


def _first_sentence(text: str, lang: str, limit: int) -> str:
    splitter = _SENTENCE_ZH if _CJK.search(text) else _SENTENCE_EN
    sentence = splitter.split(text.strip(), maxsplit=1)[0].strip() if text else ""
    return sentence if 0 < len(sentence) <= limit else ""


def _attribute_text(key: str, value: object, lang: str) -> str:
    parts = key.split("_")
    unit_at = next((i for i in range(len(parts) - 1, 0, -1) if parts[i] in _UNITS), None)
    unit = _UNITS[parts[unit_at]] if unit_at is not None else None
    label = " ".join(p for i, p in enumerate(parts) if i != unit_at)
    if _zh(lang):
        zh_label = _ZH_LABELS.get(label)
        if zh_label is None:
            return ""  # no natural Chinese label: the Chinese description carries this fact
        if isinstance(value, bool):
            return zh_label if value else ""
        shown = f"{value:g}" if isinstance(value, float) else str(value)
        return f"{zh_label}{shown}{unit[1] if unit else ''}"
    if isinstance(value, bool):
        return label if value else ""
    shown = f"{value:g}" if isinstance(value, float) else str(value)
    return f"{label} {shown}{unit[0] if unit else ''}"


def attribute_label(key: str) -> tuple[str, str]:
    """('ram', '内存') for 'ram_gb': an attribute's name in English and Chinese, without its unit."""
    parts = key.split("_")
    unit_at = next((i for i in range(len(parts) - 1, 0, -1) if parts[i] in _UNITS), None)
    label = " ".join(p for i, p in enumerate(parts) if i != unit_at)
    return label, _ZH_LABELS.get(label, "")


def _genres(item: Item, lang: str, limit: int = 3) -> list[str]:
    return [genre_label(g, lang) for g in item.genres[:limit]]


def _people_line(item: Item, lang: str) -> str:
    directors = [person_name(n, lang) for n in item.people.get("director", [])[:1]]
    cast = [person_name(n, lang) for n in item.people.get("cast", [])[:2]]
    authors = [person_name(n, lang) for n in item.people.get("author", [])[:1]]
    if _zh(lang):
        bits = ([f"导演{join_words(directors, lang)}"] if directors else []) + \
               ([f"主演{join_words(cast, lang)}"] if cast else []) + ([f"作者{join_words(authors, lang)}"] if authors else [])
        return "，".join(bits)
    bits = ([f"directed by {join_words(directors, lang)}"] if directors else []) + \
           ([f"starring {join_words(cast, lang)}"] if cast else []) + ([f"written by {join_words(authors, lang)}"] if authors else [])
    line = ", ".join(bits)
    return line[:1].upper() + line[1:]


def _capital(text: str) -> str:
    return text[:1].upper() + text[1:] if text else text


def selling_points_from_facts(item: Item, lang: str = "en") -> list[str]:
    """Two or three bullets made of the item's own facts, in `lang`."""
    if item.selling_points:
        return list(item.selling_points[:3])
    zh = _zh(lang)
    points: list[str] = []
    description = item.display_description(lang)
    sentence = _first_sentence(description, lang, 90 if zh else 170)
    if item.kind == "product":
        if sentence:
            points.append(sentence)
        attributes = [_attribute_text(k, v, lang) for k, v in item.attributes.items() if k not in _SKIP_ATTRIBUTES]
        attributes = [a for a in attributes if a][:3]
        if attributes:
            points.append(("，" if zh else " · ").join(_capital(a) if not zh else a for a in attributes))
        brand = [person_name(n, lang) for n in item.people.get("brand", [])[:1]]
        price = price_text(item)
        if zh:
            tail = "，".join(([f"售价{price}"] if price else []) + ([f"品牌：{brand[0]}"] if brand else []))
        else:
            tail = " from ".join(([price] if price else []) + brand) if price else (f"By {brand[0]}" if brand else "")
        if tail:
            points.append(tail)
    else:
        kind_en, kind_zh = _KIND.get(item.kind, ("title", "作品"))
        genres = _genres(item, lang)
        if zh:
            head = (f"{item.year}年的" if item.year else "") + ("、".join(genres) + ("片" if item.kind == "movie" else "")
                                                               if genres else kind_zh)
            if genres and item.kind != "movie":
                head += kind_zh
        else:
            head = _capital(f"{join_words(genres, lang)} {kind_en}".strip()) + (f" from {item.year}" if item.year else "")
        points.append(head)
        people = _people_line(item, lang)
        if people:
            points.append(people)
        if sentence:
            points.append(sentence)
        elif item.tags and not zh:
            points.append("Themes: " + ", ".join(item.tags[:3]))
    if len(points) < 2 and item.tags and not zh:
        points.append("Tags: " + ", ".join(item.tags[:3]))
    if len(points) < 2 and item.genres:
        points.append(("类别：" if zh else "Category: ") + join_words(_genres(item, lang), lang))
    return [p for p in points if p][:3]


def key_fact(item: Item, lang: str = "en", with_price: bool = True, with_year: bool = True) -> str:
    """One short line that tells items apart: price and brand for products, director and year for films."""
    zh = _zh(lang)
    if item.kind == "product":
        brand = [person_name(n, lang) for n in item.people.get("brand", [])[:1]]
        price = price_text(item) if with_price else ""
        if zh:
            return "，".join(([f"售价{price}"] if price else []) + ([f"{brand[0]}出品"] if brand else []))
        return " from ".join(([price] if price else []) + brand) if price else (f"By {brand[0]}" if brand else "")
    director = [person_name(n, lang) for n in item.people.get("director", [])[:1]]
    year = item.year if with_year else None
    if zh:
        return "，".join(([f"{director[0]}执导"] if director else []) + ([f"{year}年"] if year else []))
    bits = ([f"Directed by {director[0]}"] if director else []) + ([str(year)] if year else [])
    return ", ".join(bits)


def interest_tags_from_facts(liked: Sequence[Item], lang: str = "en", stated_genres: Sequence[str] = (),
                             budget: bool = False, max_tags: int = 4) -> list[str]:
    """Interest tags from what the user asked for and what they liked: genres first, then common tags."""
    tags: list[str] = [genre_label(g, lang) for g in stated_genres]
    genre_counts = Counter(g for item in liked for g in item.genres)
    tags += [genre_label(g, lang) for g, _ in genre_counts.most_common(3)]
    if not _zh(lang):
        tag_counts = Counter(t for item in liked for t in item.tags)
        tags += [t for t, n in tag_counts.most_common(4) if n >= 2 or len(liked) == 1]
    if budget:
        tags.append("性价比" if _zh(lang) else "value for money")
    return list(dict.fromkeys(t for t in tags if t))[:max_tags]
