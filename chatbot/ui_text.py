"""The web page's own words in English and Chinese: labels, quick replies and example prompts.

Item facts never come from here; they come from the catalog through the chat service.
"""

from __future__ import annotations

from typing import Literal

Lang = Literal["en", "zh"]
LANGS: tuple[Lang, ...] = ("en", "zh")
LANG_CHOICES = [("English", "en"), ("中文", "zh")]

LABELS: dict[str, dict[str, str]] = {
    "en": {
        "title": "Conversational Recommender",
        "subtitle": "Tell me what you liked and what you're in the mood for. I learn over the conversation "
                    "and recommend only items from the catalog, saying why.",
        "catalog": "Catalog",
        "language": "Language",
        "chat": "Conversation",
        "placeholder_box": "e.g. I loved Interstellar, something similar but newer?",
        "send": "Send",
        "quick": "Quick replies",
        "examples": "Try an example",
        "cards": "Recommendations",
        "no_cards": "Recommendations appear here as we talk.",
        "trace": "How it decided",
        "no_trace": "After each turn you can see here how the answer was made: retrieval (paradigm 1), "
                    "text features (paradigm 2) and the pick (paradigm 3).",
        "chat_placeholder": "**Hi!** Name a few {things} you liked (or didn't), "
                            "or say what you're in the mood for.",
        "preparing": "Preparing the catalog…",
        "still_preparing": "Still preparing the catalog, one moment…",
        "thinking": "The language model is looking at these picks…",
        "ready": "Ready",
        "warmup_failed": "The catalog could not be prepared; chat will retry on the next message.",
        "llm": "Language model",
        "empty_message": "Type a message first.",
        "busy": "Still answering your previous message; please wait a moment.",
        "error": "Sorry, something went wrong on my side while answering. Please try again; "
                 "your conversation is kept.",
        "error_store": "The catalog search is unavailable right now. Please try again in a moment; "
                       "your conversation is kept.",
        "error_catalog": "This catalog could not be loaded. Pick another catalog or try again later.",
        "error_llm": "The language model failed on this turn. Please try again.",
        "thing_movie": "films or series",
        "thing_product": "products",
        # card and trace words
        "why": "Why it fits",
        "turn": "Turn",
        "p1": "① Retrieval and ranking (embeddings + Chroma)",
        "p2": "② Text features (selling points, interest tags)",
        "p3": "③ Pick and explain",
        "intent": "Understood as",
        "query": "Search query",
        "filters": "Filters",
        "liked": "Liked",
        "disliked": "Disliked",
        "candidates": "Top candidates",
        "score": "score",
        "signals": "signals",
        "user_tags": "Your interest tags",
        "sp_source": "Selling points source",
        "picker": "Picked by",
        "picked": "Picked",
        "ranker_picked": "Ranker's order",
        "model_role": "Model's role",
        "role_pick": "picked among the ranker's top candidates and explained",
        "role_explain": "explained the ranker's choice",
        "backend": "Active LLM mode",
        "notes": "Notes",
        "timings": "Timings",
        "none": "none",
        "picker_llm": "the language model",
        "picker_llm-repaired": "the language model (answer repaired to stay in the catalog)",
        "picker_fallback": "the no-LLM ranker (the language model gave no usable answer)",
        "picker_no-llm": "the no-LLM ranker (no language model configured)",
        "source_cache": "cached LLM text",
        "source_llm": "written by the LLM this turn",
        "source_template": "catalog facts (template)",
        "source_catalog": "catalog",
    },
    "zh": {
        "title": "对话式推荐助手",
        "subtitle": "告诉我你喜欢什么、想看什么。我会在对话中了解你的口味，只推荐目录里的条目，并说明理由。",
        "catalog": "目录",
        "language": "语言",
        "chat": "对话",
        "placeholder_box": "例如：我很喜欢星际穿越，有没有类似但更新一点的？",
        "send": "发送",
        "quick": "快捷回复",
        "examples": "试试这些例子",
        "cards": "推荐",
        "no_cards": "聊天过程中，推荐会显示在这里。",
        "trace": "它是怎么决定的",
        "no_trace": "每轮对话后，这里会展示答案是怎么得出的：检索（范式一）、文本特征（范式二）和挑选（范式三）。",
        "chat_placeholder": "**你好！** 说几部你喜欢（或不喜欢）的{things}，或者说说你现在想找什么。",
        "preparing": "正在准备目录……",
        "still_preparing": "目录还在准备中，请稍等……",
        "thinking": "语言模型正在斟酌这些推荐……",
        "ready": "已就绪",
        "warmup_failed": "目录准备失败；下一条消息时会重试。",
        "llm": "语言模型",
        "empty_message": "请先输入内容。",
        "busy": "还在回答你上一条消息，请稍等。",
        "error": "抱歉，我这边回答时出了点问题。请再试一次，你的对话都还在。",
        "error_store": "目录检索暂时不可用，请稍后再试；你的对话都还在。",
        "error_catalog": "这个目录无法加载。请换一个目录，或稍后再试。",
        "error_llm": "本轮语言模型出错了，请再试一次。",
        "thing_movie": "影视作品",
        "thing_product": "商品",
        "why": "为什么适合你",
        "turn": "第几轮",
        "p1": "① 检索与排序（向量 + Chroma）",
        "p2": "② 文本特征（卖点、兴趣标签）",
        "p3": "③ 挑选与解释",
        "intent": "理解为",
        "query": "检索语句",
        "filters": "筛选条件",
        "liked": "喜欢",
        "disliked": "不喜欢",
        "candidates": "候选前几名",
        "score": "得分",
        "signals": "信号",
        "user_tags": "你的兴趣标签",
        "sp_source": "卖点来源",
        "picker": "挑选者",
        "picked": "选中",
        "ranker_picked": "排序器的顺序",
        "model_role": "模型的角色",
        "role_pick": "在排序器的前几名中挑选并解释",
        "role_explain": "解释排序器的选择",
        "backend": "当前 LLM 模式",
        "notes": "备注",
        "timings": "耗时",
        "none": "无",
        "picker_llm": "语言模型",
        "picker_llm-repaired": "语言模型（回答经修正，只保留目录内条目）",
        "picker_fallback": "无 LLM 排序器（语言模型没有给出可用回答）",
        "picker_no-llm": "无 LLM 排序器（未配置语言模型）",
        "source_cache": "缓存的 LLM 文本",
        "source_llm": "本轮由 LLM 撰写",
        "source_template": "目录事实（模板）",
        "source_catalog": "目录",
    },
}

# Quick replies: key -> the message each language sends. `kinds` limits a reply to catalogs where it makes sense.
QUICK_REPLIES: dict[str, dict[str, str]] = {
    "cheaper": {"en": "Cheaper", "zh": "便宜一点"},
    "newer": {"en": "Newer", "zh": "新一点的"},
    "older": {"en": "Older", "zh": "老一点的"},
    "more_like_first": {"en": "More like the first", "zh": "类似第一个的"},
    "not_this_kind": {"en": "Not this kind", "zh": "不要这类"},
    "why": {"en": "Why?", "zh": "为什么？"},
    "start_over": {"en": "Start over", "zh": "重新开始"},
}
QUICK_REPLY_KINDS: dict[str, set[str]] = {
    "cheaper": {"product"},
    "newer": {"movie", "series"},
    "older": {"movie", "series"},
}

CATALOG_NAMES: dict[str, dict[str, str]] = {
    "movies": {"en": "Films & series", "zh": "影视"},
    "products": {"en": "Products", "zh": "商品"},
}

DEMO_QUESTION = {
    "en": "I recently watched Interstellar and Dune and love grand science fiction; of The Three-Body Problem, "
          "The Wandering Earth 2 and Blade Runner 2049, which would I like most, and why?",
    "zh": "我最近看了星际穿越和沙丘，很喜欢宏大的科幻；三体、流浪地球2和银翼杀手2049里，我最可能喜欢哪个，为什么？",
}

EXAMPLES: dict[str, dict[str, list[str]]] = {
    "movie": {
        "en": [DEMO_QUESTION["en"],
               "I loved Spirited Away. Recommend something similar.",
               "A feel-good comedy from the 90s, no horror please."],
        "zh": [DEMO_QUESTION["zh"],
               "我很喜欢千与千寻，推荐类似的",
               "想看一部轻松的喜剧，不要恐怖片"],
    },
    "product": {
        "en": ["Wireless earbuds for running, under 300 yuan.",
               "A gift for someone who loves coffee.",
               "A quiet mechanical keyboard for the office."],
        "zh": ["想要跑步用的无线耳机，300 元以内",
               "送给爱喝咖啡的朋友的礼物",
               "办公室用的安静机械键盘"],
    },
}


def label(lang: str, key: str, **values: object) -> str:
    """A UI label in `lang`; unknown languages fall back to English."""
    table = LABELS["zh" if lang == "zh" else "en"]
    text = table.get(key, LABELS["en"].get(key, key))
    return text.format(**values) if values else text


def quick_reply(key: str, lang: str) -> str:
    return QUICK_REPLIES[key]["zh" if lang == "zh" else "en"]


def quick_reply_fits(key: str, kind: str) -> bool:
    kinds = QUICK_REPLY_KINDS.get(key)
    return kinds is None or kind in kinds


def examples(kind: str, lang: str) -> list[str]:
    table = EXAMPLES["product" if kind == "product" else "movie"]
    return table["zh" if lang == "zh" else "en"]


def catalog_choices(names: list[str], lang: str) -> list[tuple[str, str]]:
    """(label, value) pairs for the catalog dropdown; unknown catalogs show their own name."""
    return [(CATALOG_NAMES.get(name, {}).get("zh" if lang == "zh" else "en", name), name) for name in names]


def thing_word(kind: str, lang: str) -> str:
    return label(lang, "thing_product" if kind == "product" else "thing_movie")
