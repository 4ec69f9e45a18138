"""What a parsed message asks for: the intent, decided from what the parser found, in small steps.

Order matters and is written out once in `decide_intent`: a fresh start, a question about shown items,
choosing among named items, an item the catalog lacks, "more like", replacing a seen or rejected item,
asking about an item, small talk, a critique of the last list, a new request, or nothing to work with.
"""

from __future__ import annotations

import re

from chatbot.dialogue.constraint_reader import MASK as _MASK
from chatbot.dialogue.cues import (ADDITIVE, ANOTHER_WISH, ASK, GENERAL_QUESTION, COLOURS, COMPARE_AFTER, COMPARE_BEFORE, CRITIQUE, DOMAIN, FACT_WORDS,
                                   AS_THE_NAMED_AFTER, AS_THE_NAMED_BEFORE, FEATURE_Q, HAVE, HOW, JUST_ONE, LESS_WORDS, MEASURE_CRITIQUES, MORE_LIKE, MORE_WORDS, NEVER_CATALOG, NEW_TOPIC, REPLACE_ONE, SMALL_TALK, WANTS_ONE, WHICH)
from chatbot.dialogue.message import ConstraintUpdate, FactQuestion, ParseContext, ParsedMessage

_I = re.IGNORECASE
_REQUEST_NEW = re.compile(r"\b(?:recommend|suggest|show\s+me|give\s+me|find\s+me|something|anything|some|more|another|others?)\b"
                          r"|推荐|来点|来几|想看|想要|换|有没有(?:更|别的|其他)|再来|还有", _I)
_WHICH_ONE = re.compile(r"\bwhich\b|哪个|哪款|哪部|哪一|哪本", _I)
_SUPERLATIVE = re.compile(r"\b\w+est\b|\bthe\s+\w+er\s+one\b|最", _I)
_ASKS_COLOUR = re.compile(r"\bcome\s+in\b|\bavailable\s+in\b|\bcolou?rs?\b|\bin\s+(?:black|white|red|blue|green|pink|grey|gray|silver)\b"
                          r"|颜色|什么色|有.{0,3}色|色的吗|色吗", _I)
_COMPARATIVE_START = re.compile(r"(?:更|再|还|比较|稍微|便宜|贵|轻|新|老|大|小)|(?:a\s+|an\s+)?(?:\w+er|more|less)\b", _I)
_AS_THE_NAMED = re.compile(AS_THE_NAMED_BEFORE.pattern.removesuffix("$") + f"{_MASK}+" +
                           AS_THE_NAMED_AFTER.pattern.removeprefix("^"))  # "和《X》一样好笑的"
_NAME = re.compile(r"[A-Za-z][\w'+-]*(?:\s+[A-Za-z0-9][\w'+-]*){0,4}|[\u3400-\u9fff]{2,12}")
_NAME_STOP = re.compile(r"^(?:any|anything|something|some|a|an|the|more|other|others|one|ones|it|them|movies?|films?|"
                        r"products?|stuff|things?|else|good|new|cheap\w*|options?)$", _I)


def decide_intent(out: ParsedMessage, text: str, raw: str, context: ParseContext, start_over: bool,
                  named: bool, products: bool, attribute: str | None = None) -> None:
    """Set out.intent and the flags that go with it. `text` is the masked text, `raw` the message."""
    _small_talk(out, raw)
    out.wants_one = bool(WANTS_ONE.search(raw))
    out.just_one = bool(JUST_ONE.search(raw))
    out.replace_one = bool(REPLACE_ONE.search(text))
    if start_over:
        out.intent, out.referenced_ids = "start_over", []
        return
    out.question = _question(out, text, raw, context, attribute)
    if out.question is not None:
        out.question.kinds = list(out.soft_tags)
        # a question about what was shown changes no filter ("is the third one noise-cancelling?")
        out.intent, out.constraint_update, out.soft_tags = "question", ConstraintUpdate(), []
        out.target_ids = _question_targets(out, raw, context)
        return
    if products and context.last_ids and not (out.liked_ids or out.compare_ids or out.referenced_ids):
        for fact, direction, pattern in MEASURE_CRITIQUES:
            if pattern.search(raw):  # "anything lighter?": the same kind of thing, lighter than those shown
                out.intent, out.beyond, out.wants_more = "refine", FactQuestion(fact=fact, direction=direction), True
                return
    if out.compare_ids and (len(out.compare_ids) >= 2 or COMPARE_AFTER.search(text) or COMPARE_BEFORE.search(text)):
        out.intent = "compare"
        return
    if _WHICH_ONE.search(raw) and len(context.last_ids) >= 2 and not _has_content(out) and not out.wants_more:
        # "我一个人住，哪个合适": choose among what was just shown
        out.intent, out.compare_ids, out.wants_one = "compare", list(context.last_ids), True
        return
    out.missing = _missing(out, text, named)
    if out.missing:
        out.intent, out.query = "missing", out.missing  # "the closest thing?" next looks for what was named
        return
    if _more_like(out, text, context):
        return
    if _replace(out, context):
        return
    if _ask_about(out, text, context):
        return
    if out.beyond_list and not _has_content(out):
        out.intent, out.target_ids = "ask_about", []  # "the third one" after two: say how many were shown
        return
    _request(out, raw, context, products)


def _small_talk(out: ParsedMessage, raw: str) -> None:
    bare = re.sub(r"\s+", " ", re.sub(r"[^\w\s'\u3400-\u9fff]+", " ", raw)).strip()
    parts = re.split(r"[,，!！.。]", raw.strip(), maxsplit=1)
    head = parts[0].strip()
    if len(parts) > 1 and re.search(r"[?？]|吗|呢|\b(?:what|which|how|do\s+you|can\s+you|any)\b", parts[1], _I):
        head = ""  # "ok, what's the closest thing you have?": a question follows the "ok"
    for candidate in (bare, head):
        for kind, pattern in SMALL_TALK.items():
            if candidate and pattern.match(candidate):
                out.small_talk = kind  # type: ignore[assignment]
                return


def _has_content(out: ParsedMessage) -> bool:
    return bool(out.liked_ids or out.disliked_ids or out.mentioned_ids or out.compare_ids or out.target_ids
                or out.referenced_ids or out.preferences or out.preferred_genres or out.soft_tags or out.seen_ids
                or not out.constraint_update.is_empty() or out.not_found or out.catalog_words)


# -- questions about shown items -------------------------------------------------------------------

def _question(out: ParsedMessage, text: str, raw: str, context: ParseContext,
              attribute: str | None) -> FactQuestion | None:
    """'which is cheaper', 'who directed it', 'does it come in black': a fact about items already shown."""
    kind_superlative = bool(out.soft_tags and _SUPERLATIVE.search(raw))  # "最便宜的笔记本是哪款": over the catalog
    if not (context.last_ids or out.referenced_ids or len(out.compare_ids) >= 2 or kind_superlative):
        return None
    asks = bool(WHICH.search(raw) or HOW.search(raw)) or "?" in raw or "？" in raw or bool(re.search(r"吗|呢|比较|compare", raw, _I))
    if not asks or (_REQUEST_NEW.search(text) and not WHICH.search(raw)):
        return None
    colour = COLOURS.search(raw)
    if colour and _ASKS_COLOUR.search(raw):
        word = (colour.group(1) or "").lower() or colour.group(2)
        return FactQuestion(fact="colour", value=word)
    for fact, direction, pattern in FACT_WORDS:
        if not pattern.search(raw):
            continue
        if direction != "which" and not (WHICH.search(raw) or _SUPERLATIVE.search(raw) or out.referenced_ids
                                         or len(out.compare_ids) >= 2 or re.search(r"比较|compare", raw, _I)):
            return None  # "cheaper ones?" asks for a new list, not about this one
        return FactQuestion(fact=fact, direction=direction)  # type: ignore[arg-type]
    if attribute and (WHICH.search(raw) or HOW.search(raw) or MORE_WORDS.search(raw) or LESS_WORDS.search(raw)):
        direction = "max" if MORE_WORDS.search(raw) else "min" if LESS_WORDS.search(raw) else "which"
        return FactQuestion(fact="attribute", direction=direction, value=attribute)  # type: ignore[arg-type]
    feature = FEATURE_Q.search(raw)
    if feature and (out.referenced_ids or re.search(r"\b(?:it|they|that|this|either)\b|它|这个|这款|那款|这部", raw, _I)):
        value = (feature.group("en") or feature.group("zh") or feature.group("zh2") or feature.group("adj") or "").strip()
        # a question word anywhere ("第二个讲的是什么") asks what it is, not whether it has something
        if value and not _NAME_STOP.match(value) and not re.search(r"什|啥|哪|怎|谁", value) \
                and not re.match(r"多|更|别|其他|what|which|how|about\b|like\b", value, _I):
            return FactQuestion(fact="feature", value=value)
    return None


def _question_targets(out: ParsedMessage, raw: str, context: ParseContext) -> list[str]:
    if out.referenced_ids or out.compare_ids:
        return list(dict.fromkeys([*out.referenced_ids, *out.compare_ids]))
    if out.target_ids or out.mentioned_ids:
        return list(dict.fromkeys([*out.target_ids, *out.mentioned_ids]))
    singular = re.search(r"\b(?:it|its|this|that)\b|它|这个|这款|这部|那部|那个", raw, _I)
    if singular and not WHICH.search(re.sub(r"哪一?年", "", raw)):  # "它是哪一年的" asks about it, not which one
        focus = context.focus_id if context.focus_id in context.last_ids else None
        return [focus] if focus else list(context.last_ids[:1])  # "it" after a list: the top pick
    return list(context.last_ids)


# -- items the catalog lacks ---------------------------------------------------------------------

def _missing(out: ParsedMessage, text: str, named: bool) -> str:
    """'Do you have AirPods?' with nothing of the catalog recognised in it: the name asked for."""
    if named or out.liked_ids or out.compare_ids:
        return ""
    if out.not_found:
        return out.not_found[0]
    have = HAVE.search(text)
    if have is None or out.soft_tags or out.preferred_genres or not out.constraint_update.is_empty():
        return ""
    rest = text[have.end():]
    rest = re.split(r"[?？!！,，.。;；]|吗|么|呢|\bin\s+(?:stock|the\s+catalog)\b", rest, maxsplit=1)[0].strip()
    if _MASK in rest or DOMAIN.search(rest) or not rest or _COMPARATIVE_START.match(rest):
        return ""  # "有没有更轻的", "is there a cheaper one": a critique, not a name
    name = _NAME.match(rest)
    if name is None:
        return ""
    words = name.group().strip()
    first = words.split()[0] if words.split() else ""
    if _NAME_STOP.match(first) or (first.isascii() and first.islower() and not re.search(r"[A-Z]", text[have.end():])
                                    and len(words.split()) == 1 and len(words) < 4):
        return ""
    return words[:60]


# -- the rest, in order ----------------------------------------------------------------------------

def _more_like(out: ParsedMessage, text: str, context: ParseContext) -> bool:
    if not ((MORE_LIKE.search(text) or _AS_THE_NAMED.search(text)) and (out.referenced_ids or out.target_ids or out.liked_ids or context.focus_id
                                         or context.last_ids)):
        return False
    out.intent = "more_like"
    if not out.target_ids:
        out.target_ids = list(out.referenced_ids or out.liked_ids
                              or ([context.focus_id] if context.focus_id else list(context.last_ids[:1])))
    return True


def _replace(out: ParsedMessage, context: ParseContext) -> bool:
    """'I've seen the second one' / 'not that one' / '第二部我看过了，换一部': swap that item for a new one."""
    shown = set(context.last_ids)
    rejected = [i for i in [*out.seen_ids, *out.disliked_ids] if i in shown]
    if not rejected or out.liked_ids or out.preferences:
        return False
    # "I've seen the second one" swaps that one; "seen X, any others?" asks for a new list
    out.intent, out.replace_one = "refine", out.replace_one or not out.wants_more
    return True


def _only_names(text: str) -> bool:
    """The masked message holds item names and nothing else (punctuation aside)."""
    return _MASK in text and not re.sub(rf"[{_MASK}\s\W_]+", "", text)


def _ask_about(out: ParsedMessage, text: str, context: ParseContext) -> bool:
    if HAVE.search(text) and out.mentioned_ids and not (out.liked_ids or out.disliked_ids):
        out.intent, out.target_ids = "ask_about", list(out.mentioned_ids)  # "do you have X?" and X is here
        return True
    named_question = re.search(rf"\bwhat(?:'s|’s|\s+is|\s+was)\s+{_MASK}+\s+about\b", text, _I)  # "what's Inception about?"
    if out.mentioned_ids and (_only_names(text) or named_question) and not (out.liked_ids or out.disliked_ids or out.preferences):
        out.intent, out.target_ids = "ask_about", list(out.mentioned_ids)  # a bare title: show that item
        return True
    if out.target_ids or (out.referenced_ids and (ASK.search(text) or out.wants_explanation)
                          and not (out.liked_ids or out.disliked_ids)):
        out.intent = "ask_about"
        out.target_ids = out.target_ids or list(out.referenced_ids)
        return True
    if out.wants_explanation and not (out.liked_ids or out.disliked_ids or out.preferences) and context.last_ids:
        out.intent, out.target_ids = "ask_about", list(context.last_ids)
        return True
    if out.referenced_ids and not (out.liked_ids or out.disliked_ids or out.compare_ids or out.preferences
                                   or not out.constraint_update.is_empty() or out.wants_more):
        out.intent, out.target_ids = "ask_about", list(out.referenced_ids)  # a bare "the second one"
        return True
    return False


def _request(out: ParsedMessage, raw: str, context: ParseContext, products: bool) -> None:
    content = _has_content(out)
    update = out.constraint_update
    if out.small_talk is not None and not content:
        out.intent = "small_talk"
    elif out.wants_acclaimed and not content:
        out.intent = "refine" if context.last_ids else "recommend"  # "要评分高的": the same request, best-loved first
    elif _changes_topic(out, raw, context, products):
        out.intent, out.new_topic = "recommend", True
    elif context.last_ids and (not update.is_empty() or out.wants_more or out.disliked_ids or out.referenced_ids
                               or out.soft_tags):
        out.intent = "refine"
    elif content or (DOMAIN.search(raw) and (out.query or _REQUEST_NEW.search(raw))):
        out.intent = "recommend"  # "推荐一部", "recommend something": a request even with nothing else in it
    elif (out.wants_more or (out.query and CRITIQUE.search(raw))) and context.last_ids:
        out.intent = "refine"  # "要大一点的，一家四口用", "waterprof ones?": a critique of the list, not off-topic
    else:
        out.intent = "unknown"
        out.off_topic = bool(out.query) and not DOMAIN.search(raw)
    if out.intent in ("recommend", "refine") and GENERAL_QUESTION.search(raw) and not DOMAIN.search(raw) \
            and (not _names_anything(out) or NEVER_CATALOG.search(raw)):
        out.intent, out.off_topic, out.new_topic = "unknown", True, False  # "what's the capital of France?"
        out.preferences, out.soft_tags = [], []  # nothing of it is a wish to remember ("Paris" in a weather question)


def _names_anything(out: ParsedMessage) -> bool:
    """Something only the catalog could be meant by: items, people, genres, tags (a country or a year alone is not)."""
    update = out.constraint_update
    return bool(out.liked_ids or out.disliked_ids or out.mentioned_ids or out.referenced_ids or update.people
                or update.genres_include or update.tags_any or out.soft_tags or out.catalog_words or out.preferences)


def _changes_topic(out: ParsedMessage, raw: str, context: ParseContext, products: bool) -> bool:
    """A fresh request, not a critique: 'now a coffee gift for mum' after hiking gear. Movies keep their
    other filters when only the genre changes (the genre then replaces the old one)."""
    if context.turn_count == 0 or context.constraints.is_empty():
        return False
    update = out.constraint_update
    has_topic = bool(update.genres_include or update.tags_any or update.tags_and or out.liked_ids or update.people
                     or update.countries or (products and (out.catalog_words or (out.query and ANOTHER_WISH.search(raw)))))
    if not has_topic:
        return False
    if NEW_TOPIC.search(raw):
        if update.tags_and and update.tags_any is None:
            update.tags_any, update.tags_and = update.tags_and, None  # "and a headlamp?": not a headlamp *camera*
        return True
    current = context.constraints
    new_genres = set(update.genres_include)
    disjoint_genres = bool(new_genres and current.genres_include and not new_genres & set(current.genres_include))
    disjoint_tags = bool(update.tags_any and current.tags_any and not set(update.tags_any) & set(current.tags_any)
                         and not update.tags_and)
    if not (disjoint_genres or disjoint_tags):
        return False
    if not products:
        if not ADDITIVE.search(raw):
            update.clear.append("genres_include")  # films: "a romantic one": the new genre replaces the old
        return False
    # products: another kind of thing is another wish ("I want to film it too"), unless said as a critique
    return not CRITIQUE.search(ADDITIVE.sub(" ", raw))
