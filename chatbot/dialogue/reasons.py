"""Why this item, for this person: reasons made of specific, true catalog facts, in English or Chinese.

Each reason compares the item with what the person said in this conversation (films they liked, the
genres, moods, country, people, price and years they asked for, the list they just saw). Only likes the
person stated are cited; nothing the bot itself showed is called "mentioned". Wording varies with the
item's place in the list so three reasons do not read like one template.
"""

from __future__ import annotations

import re

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from chatbot.filters import Constraints
from chatbot.genres import genre_label
from chatbot.items import Item, Lang
from chatbot.dialogue.phrases import say
from chatbot.dialogue.state import DialogueState
from chatbot.item_text import join_words, key_fact, person_name, price_text, quoted_title
from chatbot.ranking.candidate import Candidate

MAX_FACTS = 3
COUNTRY_NAMES = {
    "CN": ("Chinese", "国产"), "HK": ("Hong Kong", "香港"), "TW": ("Taiwanese", "台湾"), "JP": ("Japanese", "日本"),
    "KR": ("Korean", "韩国"), "US": ("American", "美国"), "GB": ("British", "英国"), "FR": ("French", "法国"),
    "DE": ("German", "德国"), "IT": ("Italian", "意大利"), "ES": ("Spanish", "西班牙"), "IN": ("Indian", "印度"),
    "SE": ("Swedish", "瑞典"), "IR": ("Iranian", "伊朗"), "MX": ("Mexican", "墨西哥"), "TH": ("Thai", "泰国"),
}
# phrasings per fact kind: {0} etc. are filled with the fact's parts; the item's position picks one
_EN = {
    "director": ["same director as {1} ({0})", "directed by {0}, who also made {1}", "from {0}, the director of {1}"],
    "cast": ["{0} stars, as in {1}", "with {0}, whom you saw in {1}"],
    "brand": ["from {0}, like {1}"],
    "shared": ["the {0} you liked in {1}", "{0}, like {1}", "shares the {0} of {1}"],
    "genre": ["{0}, as you asked", "a {0} pick", "{0}, what you were after"],
    "mood": ["{0}", "tagged {0}", "its tags say {0}"],
    "country": ["a {0} title, as you asked", "{0}, as requested"],
    "country_of_many": ["a {0} title"],
    "person": ["{0}, as you asked", "from {0}, the person you asked about"],
    "price": ["{0}, within your {1} limit", "{0}, under your {1} cap", "at {0}, inside your budget of {1}"],
    "price_band": ["{0}, in your {1} range"],
    "cheaper": ["{0}, cheaper than the last picks", "at {0}, below most of the last list"],
    "year": ["from {0}, in the years you asked for", "released in {0}, in your range"],
    "older": ["from {0}, older than the last picks"],
    "newer": ["from {0}, newer than the last picks"],
    "collaborative": ["people who liked {0} also liked it"],
    "popular": ["a crowd favourite", "widely loved"],
}
_ZH = {
    "director": ["和你喜欢的{1}同一位导演（{0}）", "{0}执导，和{1}出自同一位导演", "导演是拍{1}的{0}"],
    "cast": ["{0}主演，你在{1}里见过", "有{1}里的{0}"],
    "brand": ["和{1}同为{0}出品"],
    "shared": ["和{1}一样属于{0}类", "同{1}一样是{0}类", "和你喜欢的{1}同属{0}类"],
    "genre": ["正是你要的{0}类", "{0}类，正合你意", "属于你说的{0}类"],
    "mood": ["{0}", "风格{0}", "标签里有{0}"],
    "country": ["{0}作品，符合你的要求", "是{0}的片子"],
    "country_of_many": ["是{0}的片子"],
    "person": ["{0}的作品，正是你要找的", "有你想看的{0}"],
    "price": ["售价{0}，在你的{1}预算内", "{0}，不超过你说的{1}", "价格{0}，没超出{1}"],
    "price_band": ["{0}，在{1}的价位里"],
    "cheaper": ["{0}，比上一批便宜", "价格{0}，比刚才那批低"],
    "year": ["{0}年的作品，在你要的年份里", "{0}年上映，符合你要的年代"],
    "older": ["{0}年的老片，比上一批更早"],
    "newer": ["{0}年的作品，比上一批更新"],
    "collaborative": ["喜欢{0}的人也喜欢它"],
    "popular": ["很受大家欢迎", "口碑很好"],
}
_TAG_ZH = {"epic": "宏大", "feel-good": "轻松温暖", "heartwarming": "温馨", "twisty": "情节反转", "puzzle": "烧脑",
           "plot twists": "多重反转", "psychological": "心理向", "classic": "经典", "cult classic": "经典邪典",
           "tearjerker": "催泪", "time travel": "时间旅行", "space": "太空", "first contact": "外星接触",
           "friendship": "友情", "coming of age": "成长", "kung fu": "功夫", "revenge": "复仇", "studio ghibli": "吉卜力",
           "artificial intelligence": "人工智能", "cyberpunk": "赛博朋克", "dystopia": "反乌托邦", "philosophical": "哲思",
           "hidden gem": "冷门佳作", "true story": "真实故事", "road trip": "公路", "zombies": "丧尸"}


@dataclass
class ReasonContext:
    """What the person said in this conversation, as the reasons need it."""

    lang: Lang
    liked: list[Item] = field(default_factory=list)  # items the person said they liked
    constraints: Constraints = field(default_factory=Constraints)
    preferred_genres: list[str] = field(default_factory=list)
    soft_tags: list[str] = field(default_factory=list)
    previous: list[Item] = field(default_factory=list)  # the list shown before this one
    older: bool = False  # "older than these" was asked
    newer: bool = False


def reason_context(state: DialogueState, items: Mapping[str, Item], lang: Lang,
                   previous_ids: Sequence[str] = ()) -> ReasonContext:
    """The reasons' view of the session: what was liked and asked for, and the list shown before."""
    previous = [items[i] for i in previous_ids if i in items]
    years = [i.year for i in previous if i.year]
    c = state.constraints
    liked = [items[i] for i in reversed(state.liked_ids) if i in items]  # the latest first: what this request is about
    return ReasonContext(lang=lang, liked=liked, constraints=c,
                         preferred_genres=list(state.preferred_genres), soft_tags=list(state.soft_tags),
                         previous=previous, older=bool(years and c.year_max is not None and min(years) > c.year_max),
                         newer=bool(years and c.year_min is not None and max(years) < c.year_min))


def _tag(tag: str, lang: Lang) -> str:
    return _TAG_ZH.get(tag, "") if lang == "zh" else tag


def _people(item: Item, role: str) -> list[str]:
    return list(item.people.get(role, []))


def _liked_facts(item: Item, ctx: ReasonContext) -> list[tuple[str, tuple[str, ...]]]:
    """Same director / actor / brand as a liked item; genres or themes shared with a liked one (another liked
    item than the one the people fact named, when one shares something: both of their films get a word)."""
    facts: list[tuple[str, tuple[str, ...]]] = []
    cited = ""
    for role in ("director", "cast", "brand", "author"):
        for liked in ctx.liked:
            shared = [n for n in _people(item, role) if n in _people(liked, role)]
            if shared and liked.id != item.id:
                kind = "director" if role in ("director", "author") else role
                facts.append((kind, (person_name(shared[0], ctx.lang), quoted_title(liked, ctx.lang))))
                cited = liked.id
                break
        if facts:
            break
    shares = []
    for liked in ctx.liked:  # the latest first
        if liked.id == item.id:
            continue
        tags = [_tag(t, ctx.lang) for t in item.tags if t in liked.tags]
        genres = [genre_label(g, ctx.lang) for g in item.genres if g in liked.genres][:2]
        words = ([t for t in tags if t][:1] + genres)[:2]
        if words:
            shares.append((liked, words))
    if shares:  # the liked item sharing most; on a tie, not the one the people fact cited
        liked, words = max(shares, key=lambda s: (len(s[1]), s[0].id != cited))
        facts.append(("shared", (("、" if ctx.lang == "zh" else " ").join(words), quoted_title(liked, ctx.lang))))
    return facts


def _said_genres(facts: list[tuple[str, tuple[str, ...]]], item: Item, lang: Lang) -> set[str]:
    """The item's genres a shared-with-a-liked-item fact already names (not to be said again as asked for)."""
    named = " ".join(values[0] for kind, values in facts if kind == "shared")
    return {g for g in item.genres if named and genre_label(g, lang) in named}


def _request_facts(item: Item, ctx: ReasonContext, said: set[str] = frozenset()) -> list[tuple[str, tuple[str, ...]]]:
    """What the person asked for and this item has (genres in `said` are named by another fact already)."""
    lang, c = ctx.lang, ctx.constraints
    facts: list[tuple[str, tuple[str, ...]]] = []
    asked = [g for g in [*c.genres_include, *ctx.preferred_genres] if g in item.genres and g not in said]
    if asked:
        facts.append(("genre", (join_words([genre_label(g, lang) for g in dict.fromkeys(asked)][:2], lang),)))
    moods = [_tag(t, lang) for t in ctx.soft_tags if t in item.tags]
    if [m for m in moods if m]:
        facts.append(("mood", (join_words([m for m in moods if m][:2], lang),)))
    country = str(item.attributes.get("country", ""))
    if c.countries and country in c.countries and country in COUNTRY_NAMES:
        # one country they named, or one of many ("foreign", "not Hong Kong"): they did not ask for this one
        facts.append(("country" if len(c.countries) <= 2 else "country_of_many", (COUNTRY_NAMES[country][lang == "zh"],)))
    named = [n for names in item.people.values() for n in names if n in c.people]
    if named:
        facts.append(("person", (person_name(named[0], lang),)))
    price = price_text(item)
    if price and c.price_max is not None and c.price_min is None and not float(c.price_max).is_integer():
        facts.append(("cheaper", (price,)))  # a limit read from "cheaper" / "too expensive", not a number they said
    elif price and c.price_max is not None:
        limit = f"{c.price_max:g}" if c.price_min is None else f"{c.price_min:g}–{c.price_max:g}"
        facts.append(("price_band" if c.price_min is not None else "price", (price, limit)))
    if item.year and ctx.older and ctx.previous:
        facts.append(("older", (str(item.year),)))
    elif item.year and ctx.newer and ctx.previous:
        facts.append(("newer", (str(item.year),)))
    elif item.year and (c.year_min is not None or c.year_max is not None):
        facts.append(("year", (str(item.year),)))
    return facts


def _ranker_facts(candidate: Candidate | None, ctx: ReasonContext, items: dict[str, Item]) -> list[tuple[str, tuple[str, ...]]]:
    if candidate is None:
        return []
    liked_ids = {i.id for i in ctx.liked}
    for reason in candidate.reasons:
        if reason.kind == "collaborative" and reason.detail in liked_ids and reason.detail in items:
            return [("collaborative", (quoted_title(items[reason.detail], ctx.lang),))]
    if any(r.kind == "popular" for r in candidate.reasons):
        return [("popular", ())]
    return []


def ties_to_liked(item: Item, ctx: ReasonContext) -> int:
    """How strongly an item is tied to what the person liked: a shared director counts most."""
    facts = _liked_facts(item, ctx)
    return sum(3 if kind == "director" else 2 if kind in ("cast", "brand") else 1 for kind, _ in facts)


def explain(item: Item, ctx: ReasonContext, position: int = 0, candidate: Candidate | None = None,
            items: dict[str, Item] | None = None) -> str:
    """One or two sentences: the strongest true facts of this item for this person, then a key fact."""
    liked = _liked_facts(item, ctx)
    facts = liked + _request_facts(item, ctx, _said_genres(liked, item, ctx.lang))
    if len(facts) < 2:
        facts += _ranker_facts(candidate, ctx, items or {})
    table = _ZH if ctx.lang == "zh" else _EN
    parts: list[str] = []
    for n, (kind, values) in enumerate(facts[:MAX_FACTS]):
        forms = table[kind]
        parts.append(forms[(position + n) % len(forms)].format(*values))
    used = {kind for kind, _ in facts[:MAX_FACTS]}
    year_said = bool(used & {"year", "older", "newer"})
    fact = key_fact(item, ctx.lang, with_price=not any(k.startswith("price") or k == "cheaper" for k in used),
                    with_year=not year_said)
    if used & {"director", "person"}:  # the director is named already: only the year, if not said either
        fact = "" if year_said or not item.year else f"{item.year}年" if ctx.lang == "zh" else str(item.year)
    if ctx.lang == "zh":
        return "；".join(parts) + ("。" if parts else "") + (f"{fact}。" if fact else "")
    text = re.sub(r"\b([Aa]) (?=[aeiouAEIOU])", r"\1n ", "; ".join(parts))  # "an animation pick"
    text = text[:1].upper() + text[1:] + ("." if parts else "")
    return (text + (f" {fact}." if fact else "")).strip()


def about_text(item: Item, lang: str, points: Sequence[str], why: str) -> str:
    """Facts about one item, all from the catalog."""
    lines = [say(lang, "about", title=quoted_title(item, lang))]
    fact = key_fact(item, lang)
    if fact:
        lines.append(fact + ("。" if lang == "zh" else "."))
    description = item.display_description(lang)
    if description:
        lines.append(description[:400])
    lines += [f"• {p}" for p in points if p.rstrip("。.") not in description]  # not the description's sentence again
    if why:
        lines.append(say(lang, "why_it_fits") + why)
    return "\n".join(lines)
