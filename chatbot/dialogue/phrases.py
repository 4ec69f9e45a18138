"""The dialogue manager's own sentences, in English and Chinese. Item facts never come from here."""

from __future__ import annotations

from chatbot.filters import Constraints
from chatbot.genres import genre_label
from chatbot.llm.templates import join_words

PHRASES: dict[str, dict[str, str]] = {
    "en": {
        "greeting": "Hi! Tell me a few {things} you liked (or didn't), or what you're in the mood for, and I'll suggest something from the catalog.",
        "small_talk": "Happy to chat! I'm best at recommendations: name a {thing} you liked, or tell me what you're in the mood for.",
        "thanks": "You're welcome! Say the word if you want more ideas.",
        "start_over": "Fresh start: I've forgotten your likes, dislikes and filters. What are you in the mood for?",
        "empty": "I didn't catch anything to work with. Try naming a {thing} you liked, or a genre.",
        "truncated": "Your message was very long, so I read only its first {limit} characters.",
        "intro": "Here is what I'd suggest:",
        "intro_refine": "Taking that into account, here are new picks:",
        "intro_compare": "Of the ones you named, here is how I'd rank them for you:",
        "no_results": "Nothing in the catalog matches all of that ({filters}). Loosen a filter, or say “start over”.",
        "nothing_left": "I've shown you everything that matches those filters. Loosen a filter, or say “start over”.",
        "not_found": "I couldn't find {names} in the catalog, so I can't recommend it.",
        "no_reference": "Which one do you mean? Say “the first one”, “the second one”, or name it.",
        "about": "About {title}:",
        "why_intro": "Why I suggested these:",
        "compare_need_two": "Name at least two {things} from the catalog to compare.",
        "fallback_note": "The language model did not answer in time, so the no-LLM mode answered this turn.",
        "store_down": "The catalog search is unavailable right now. Please try again in a moment; your conversation is kept.",
        "follow_up_movie": "Want something newer, older, or more like one of these?",
        "follow_up_product": "Want something cheaper, or more like one of these?",
        "thing_movie": "film or series",
        "things_movie": "films or series",
        "thing_product": "product",
        "things_product": "products",
    },
    "zh": {
        "greeting": "你好！告诉我几部你喜欢（或不喜欢）的{things}，或者你想看什么类型的，我从目录里为你推荐。",
        "small_talk": "很高兴和你聊天！我最擅长推荐：说一部你喜欢的{thing}，或者说说你现在想看什么。",
        "thanks": "不客气！想要更多推荐随时告诉我。",
        "start_over": "重新开始：我已经忘掉了你之前的喜好和筛选条件。你现在想找什么？",
        "empty": "我没能理解你的意思。试着说一部你喜欢的{thing}，或者一个类型。",
        "truncated": "你的消息太长了，我只读了前 {limit} 个字符。",
        "intro": "我为你推荐：",
        "intro_refine": "根据你的反馈，换一批推荐：",
        "intro_compare": "在你提到的这几部里，按你的口味我这样排：",
        "no_results": "目录里没有同时满足这些条件的结果（{filters}）。可以放宽一个条件，或者说“重新开始”。",
        "nothing_left": "符合这些条件的我都推荐过了。可以放宽一个条件，或者说“重新开始”。",
        "not_found": "目录里找不到{names}，所以无法推荐。",
        "no_reference": "你指的是哪一个？可以说“第一个”“第二个”，或者直接说名字。",
        "about": "关于{title}：",
        "why_intro": "我推荐这些的理由：",
        "compare_need_two": "请至少说出目录里的两部{things}来比较。",
        "fallback_note": "语言模型没有及时回答，本轮由无 LLM 模式作答。",
        "store_down": "目录检索暂时不可用，请稍后再试；你的对话都还在。",
        "follow_up_movie": "想要新一点的、老一点的，或者更像其中某一个的吗？",
        "follow_up_product": "想要便宜一点的，或者更像其中某一个的吗？",
        "thing_movie": "影视作品",
        "things_movie": "影视作品",
        "thing_product": "商品",
        "things_product": "商品",
    },
}


def say(lang: str, key: str, kind: str = "movie", **values: object) -> str:
    """A phrase in `lang` ('en' or 'zh'), with {thing}/{things} filled for the catalog's kind."""
    table = PHRASES["zh" if lang == "zh" else "en"]
    noun = "product" if kind == "product" else "movie"
    return table[key].format(thing=table[f"thing_{noun}"], things=table[f"things_{noun}"], **values)


def describe_constraints(constraints: Constraints, lang: str) -> str:
    """The session's hard filters in words ("no horror; from 2010; up to ¥500"); empty when there are none."""
    zh = lang == "zh"
    parts: list[str] = []
    if constraints.kinds:
        parts.append(("类型：" if zh else "kind: ") + ", ".join(constraints.kinds))
    if constraints.genres_include:
        parts.append(("只要" if zh else "only ") + join_words([genre_label(g, lang) for g in constraints.genres_include], lang))
    if constraints.genres_exclude:
        parts.append(("不要" if zh else "no ") + join_words([genre_label(g, lang) for g in constraints.genres_exclude], lang))
    low, high = constraints.year_min, constraints.year_max
    if low is not None or high is not None:
        if zh:
            parts.append(f"{low}–{high}年" if low and high else (f"{low}年以后" if low else f"{high}年以前"))
        else:
            parts.append(f"{low}–{high}" if low and high else (f"from {low}" if low else f"up to {high}"))
    low_p, high_p = constraints.price_min, constraints.price_max
    if low_p is not None or high_p is not None:
        money = "{:g}"
        if low_p is not None and high_p is not None:
            parts.append(("价格 " if zh else "price ") + f"{money.format(low_p)}–{money.format(high_p)}")
        elif high_p is not None:
            parts.append(("价格不超过" if zh else "price up to ") + money.format(high_p))
        else:
            parts.append(("价格至少" if zh else "price at least ") + money.format(low_p))
    if constraints.languages:
        parts.append(("语言：" if zh else "language: ") + ", ".join(constraints.languages))
    return ("；" if zh else "; ").join(parts)

