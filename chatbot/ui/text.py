"""The web page's own words in English and Chinese, the UI layer's one string table: labels, the
decision panel's sentences, quick replies and example prompts.

Item facts never come from here; they come from the catalog through the chat service.
"""

from __future__ import annotations

from chatbot.items import Lang

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
        "placeholder_movie": "e.g. I loved Interstellar, something similar but newer?",
        "placeholder_product": "e.g. Wireless earbuds for running, under 300 yuan",
        "send": "Send",
        "quick": "Quick replies",
        "examples": "Try one of these to start",
        "cards": "Recommendations",
        "no_cards": "Recommendations appear here as we talk.",
        "trace": "How it decided",
        "no_trace": "After each answer you can see here what I understood, how the candidates were found, "
                    "what counted for each suggestion and who picked them.",
        "chat_placeholder": "**Hi!** Name a few {things} you liked (or didn't), "
                            "or say what you're in the mood for.",
        "preparing": "Preparing the catalog…",
        "still_preparing": "Still preparing the catalog, one moment…",
        "ready": "Ready",
        "warmup_failed": "The catalog could not be prepared; chat will retry on the next message.",
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
        "catalog_switched": "Switched to {catalog}. Your other conversation is kept: switch back to continue it.",
        "restored": "Welcome back: your conversation is restored.",
        "still_nothing": "Still nothing new here. You could drop a limit (say “any price” or “any year”), "
                         "name a title you liked, or press “Start over”.",
        "still_nothing_2": "I keep finding nothing beyond this. Try a different kind of thing, or “Start over” "
                           "to clear the limits.",
        # the status line: the language model's state
        "llm_off": "No language model: answers are built from catalog facts",
        "llm_failed": "No language model ({backend} unavailable): answers are built from catalog facts",
        "llm_loading": "{model} is loading; catalog facts answer meanwhile",
        "llm_ready": "Language model: {model}",
        # cards
        "kind_movie": "Film", "kind_series": "Series", "kind_product": "Product",
        "fb_like": "I loved it", "fb_dislike": "Not that one", "fb_seen": "Seen it",
        "fb_not_interested": "Not interested",
        "fb_done_like": "👍 Noted: you loved it", "fb_done_dislike": "👎 Noted: not that one",
        "fb_done_seen": "Noted: you've seen it", "fb_done_not_interested": "Noted: not interested",
        "fb_toast": "“{title}”: {what}. The next suggestions take it into account.",
        "show_more": "Show more",
        "more_message": "Show me more",
        "thinking": "The language model is still choosing…",
        "counted": "What counted",
        # the decision panel
        "understood": "What I understood",
        "u_liked": "You liked", "u_disliked": "You didn't like", "u_wants": "Looking for",
        "u_limits": "Limits", "u_feedback": "Your feedback on the cards", "u_asked": "Your message",
        "u_nothing": "No likes or limits yet.",
        "found": "How the candidates were found",
        "found_whole": "All {n} items in the catalog were scored against the conversation.",
        "found_search": "The {n} items were searched several ways (your words, titles like the ones you liked, "
                        "what people with similar taste liked, popular picks); the best matches were scored.",
        "found_limits": "Only items that fit your limits could be chosen: {limits}.",
        "found_nothing": "The search found nothing new that fits all your limits ({limits}).",
        "found_named": "Only the {n} titles you named were ranked, against what you liked and asked for.",
        "found_none": "No search this turn: {what}.",
        "chart": "What counted for each suggestion",
        "chart_hint": "Bar length: how much each reason added to the score (red: counted against it).",
        "who": "Who picked",
        "who_ranker": "The ranker picked these; no language model is in use.",
        "who_ranker_loading": "The ranker picked these; the language model was not ready yet.",
        "who_pick": "The language model ({model}) chose from the ranker's top {n} and wrote the reasons.",
        "who_pick_same": "It kept the ranker's order.",
        "who_pick_changed": "It changed the ranker's order (the ranker's own first choice: {title}).",
        "who_explain": "The ranker picked these; the language model ({model}) wrote the reasons.",
        "who_fallback": "The language model gave no usable answer in time, so the ranker's picks are shown.",
        "who_repaired": "The language model chose; its answer was repaired to stay in the catalog.",
        "timings": "Time taken",
        "t_parse": "understanding", "t_extract": "reading with the model", "t_retrieve": "search and ranking",
        "t_enrich": "selling points", "t_first_chunk": "first words", "t_pick": "choosing and writing",
        "details": "Details: raw signals and data",
        "d_query": "Search text", "d_filters": "Filter sent to the index", "d_intent": "Intent",
        "d_tags": "Interest tags", "d_sources": "Selling points from", "d_notes": "Notes", "d_mode": "Model mode",
        "score": "score", "signals": "signals",
        "turn_of": "Answer {n}",
        "intent_recommend": "a request for suggestions", "intent_refine": "a change to the last suggestions",
        "intent_more_like": "“more like this one”", "intent_compare": "a comparison",
        "intent_ask_about": "a question about a title", "intent_start_over": "a fresh start",
        "intent_small_talk": "small talk", "intent_unknown": "nothing to search for",
        "intent_empty": "an empty message",
        "c_liked_similar": "similar to {title}, which you liked", "c_liked_similar_any": "similar to what you liked",
        "c_collaborative": "popular with people who liked {title}",
        "c_collaborative_any": "liked by people with your taste",
        "c_text_match": "matches your words", "c_genre": "matches: {genre}", "c_genre_any": "matches the genres asked for",
        "c_popular": "popular overall", "c_person": "has a person you named", "c_era": "from the years you asked for",
        "c_recency": "how recent it is", "c_named": "named in the conversation",
        "c_earlier_picks": "close to earlier suggestions", "c_disliked_similar": "resembles something you didn't like",
        "c_mentioned_similar": "similar to a title you mentioned",
        "fits_price": "fits your price limit", "fits_years": "fits your years",
        "src_cache": "cached model text", "src_llm": "the model, this turn", "src_template": "catalog facts",
        "src_catalog": "the catalog",
        "lim_only": "only {genres}", "lim_no": "no {genres}", "lim_from": "from {year}", "lim_until": "up to {year}",
        "lim_years": "{low}–{high}", "lim_price_max": "up to {price}", "lim_price_min": "at least {price}",
        "lim_price": "{low}–{high}", "lim_kinds": "kind: {kinds}", "lim_lang": "language: {langs}",
        "and": " and ", "sep": "; ", "ms": "{ms} ms", "total": "total",
    },
    "zh": {
        "title": "对话式推荐助手",
        "subtitle": "告诉我你喜欢什么、想看什么。我会在对话中了解你的口味，只推荐目录里的条目，并说明理由。",
        "catalog": "目录",
        "language": "语言",
        "chat": "对话",
        "placeholder_movie": "例如：我很喜欢星际穿越，有没有类似但更新一点的？",
        "placeholder_product": "例如：想要跑步用的无线耳机，300 元以内",
        "send": "发送",
        "quick": "快捷回复",
        "examples": "试试这些开头",
        "cards": "推荐",
        "no_cards": "聊天过程中，推荐会显示在这里。",
        "trace": "它是怎么决定的",
        "no_trace": "每次回答后，这里会说明我理解了什么、候选是怎么找到的、每个推荐因为什么入选、由谁挑选。",
        "chat_placeholder": "**你好！** 说几部你喜欢（或不喜欢）的{things}，或者说说你现在想找什么。",
        "preparing": "正在准备目录……",
        "still_preparing": "目录还在准备中，请稍等……",
        "ready": "已就绪",
        "warmup_failed": "目录准备失败；下一条消息时会重试。",
        "empty_message": "请先输入内容。",
        "busy": "还在回答你上一条消息，请稍等。",
        "error": "抱歉，我这边回答时出了点问题。请再试一次，你的对话都还在。",
        "error_store": "目录检索暂时不可用，请稍后再试；你的对话都还在。",
        "error_catalog": "这个目录无法加载。请换一个目录，或稍后再试。",
        "error_llm": "本轮语言模型出错了，请再试一次。",
        "thing_movie": "影视作品",
        "thing_product": "商品",
        "catalog_switched": "已切换到「{catalog}」。另一个目录的对话还保留着，切回去就能继续。",
        "restored": "欢迎回来：你的对话已恢复。",
        "still_nothing": "这里还是没有新的结果。可以去掉一个限制（比如说“价格不限”“年份不限”），说一部你喜欢的，或者点“重新开始”。",
        "still_nothing_2": "再往下已经找不到了。换一类试试，或者点“重新开始”清除限制。",
        "llm_off": "未使用语言模型：回答由目录中的事实生成",
        "llm_failed": "未使用语言模型（{backend} 不可用）：回答由目录中的事实生成",
        "llm_loading": "{model} 正在加载；加载完成前由目录事实作答",
        "llm_ready": "语言模型：{model}",
        "kind_movie": "电影", "kind_series": "剧集", "kind_product": "商品",
        "fb_like": "很喜欢", "fb_dislike": "不要这个", "fb_seen": "看过了", "fb_not_interested": "不感兴趣",
        "fb_done_like": "👍 已记下：你很喜欢", "fb_done_dislike": "👎 已记下：不要这个",
        "fb_done_seen": "已记下：你看过了", "fb_done_not_interested": "已记下：不感兴趣",
        "fb_toast": "「{title}」：{what}。接下来的推荐会考虑这一点。",
        "show_more": "再来几个",
        "more_message": "还有吗",
        "thinking": "语言模型还在挑选……",
        "counted": "入选原因",
        "understood": "我理解到的",
        "u_liked": "你喜欢", "u_disliked": "你不喜欢", "u_wants": "想找", "u_limits": "限制",
        "u_feedback": "你在卡片上的反馈", "u_asked": "你说的", "u_nothing": "还没有喜好或限制。",
        "found": "候选是怎么找到的",
        "found_whole": "目录中全部 {n} 个条目都按对话打了分。",
        "found_search": "从 {n} 个条目中用几种方式检索（你的描述、与你喜欢的相似的、口味相近的人喜欢的、热门的），再给最匹配的打分。",
        "found_limits": "只在符合你的限制的条目中挑选：{limits}。",
        "found_nothing": "没有找到符合全部限制（{limits}）又没推荐过的新条目。",
        "found_named": "只对你点名的 {n} 个条目，按你的喜好和要求排序。",
        "found_none": "本轮没有检索：{what}。",
        "chart": "每个推荐因为什么入选",
        "chart_hint": "条越长，这个原因给得分加得越多（红色：扣分）。",
        "who": "由谁挑选",
        "who_ranker": "由排序器挑选；未使用语言模型。",
        "who_ranker_loading": "由排序器挑选；语言模型还没有准备好。",
        "who_pick": "语言模型（{model}）从排序器的前 {n} 名中挑选，并写了理由。",
        "who_pick_same": "它保留了排序器的顺序。",
        "who_pick_changed": "它改变了排序器的顺序（排序器自己的第一名：{title}）。",
        "who_explain": "由排序器挑选；语言模型（{model}）写了理由。",
        "who_fallback": "语言模型没有及时给出可用的回答，所以显示排序器的结果。",
        "who_repaired": "由语言模型挑选；它的回答经过修正，只保留目录内的条目。",
        "timings": "耗时",
        "t_parse": "理解", "t_extract": "模型阅读", "t_retrieve": "检索与排序", "t_enrich": "卖点",
        "t_first_chunk": "首个字", "t_pick": "挑选与撰写",
        "details": "详情：原始信号与数据",
        "d_query": "检索文本", "d_filters": "发给索引的筛选条件", "d_intent": "意图", "d_tags": "兴趣标签",
        "d_sources": "卖点来源", "d_notes": "备注", "d_mode": "模型模式",
        "score": "得分", "signals": "信号",
        "turn_of": "第 {n} 次回答",
        "intent_recommend": "求推荐", "intent_refine": "调整上一批推荐", "intent_more_like": "“再来些像这个的”",
        "intent_compare": "比较", "intent_ask_about": "询问某个条目", "intent_start_over": "重新开始",
        "intent_small_talk": "闲聊", "intent_unknown": "没有可检索的内容", "intent_empty": "空消息",
        "c_liked_similar": "与你喜欢的{title}相似", "c_liked_similar_any": "与你喜欢的相似",
        "c_collaborative": "喜欢{title}的人也喜欢", "c_collaborative_any": "口味相近的人喜欢",
        "c_text_match": "符合你的描述", "c_genre": "符合：{genre}", "c_genre_any": "符合你要的类型",
        "c_popular": "整体热门", "c_person": "有你提到的人", "c_era": "在你要的年代",
        "c_recency": "新旧程度", "c_named": "对话中提到过", "c_earlier_picks": "与之前的推荐接近",
        "c_disliked_similar": "与你不喜欢的相似", "c_mentioned_similar": "与你提到的相似",
        "fits_price": "符合你的价格上限", "fits_years": "符合你要的年份",
        "src_cache": "缓存的模型文本", "src_llm": "本轮由模型撰写", "src_template": "目录事实",
        "src_catalog": "目录",
        "lim_only": "只要{genres}", "lim_no": "不要{genres}", "lim_from": "{year}年以后", "lim_until": "{year}年以前",
        "lim_years": "{low}–{high}年", "lim_price_max": "不超过{price}", "lim_price_min": "至少{price}",
        "lim_price": "{low}–{high}", "lim_kinds": "类型：{kinds}", "lim_lang": "语言：{langs}",
        "and": "、", "sep": "；", "ms": "{ms} 毫秒", "total": "合计",
    },
}

# Quick replies: key -> the message each language sends. `kinds` limits a reply to catalogs where it makes sense;
# NEEDS_LIST replies refer to the suggestions on screen and are offered only while there are some.
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
NEEDS_LIST = frozenset({"cheaper", "newer", "older", "more_like_first", "not_this_kind", "why"})

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


def norm_lang(lang: object) -> Lang:
    """The page's language for any value: Chinese when asked for, else English."""
    return "zh" if lang == "zh" else "en"


def label(lang: str, key: str, **values: object) -> str:
    """A UI label in `lang`; unknown languages fall back to English."""
    table = LABELS[norm_lang(lang)]
    text = table.get(key, LABELS["en"].get(key, key))
    return text.format(**values) if values else text


def has_label(key: str) -> bool:
    return key in LABELS["en"]


def quick_reply(key: str, lang: str) -> str:
    return QUICK_REPLIES[key][norm_lang(lang)]


def quick_reply_fits(key: str, kind: str, has_list: bool = True, has_chat: bool = True) -> bool:
    """Whether a quick reply makes sense now: for this kind of catalog, with or without suggestions on screen."""
    kinds = QUICK_REPLY_KINDS.get(key)
    if kinds is not None and kind not in kinds:
        return False
    if key in NEEDS_LIST:
        return has_list
    return has_chat


def examples(kind: str, lang: str) -> list[str]:
    table = EXAMPLES["product" if kind == "product" else "movie"]
    return table[norm_lang(lang)]


def catalog_choices(names: list[str], lang: str) -> list[tuple[str, str]]:
    """(label, value) pairs for the catalog dropdown; unknown catalogs show their own name."""
    return [(catalog_name(name, lang), name) for name in names]


def catalog_name(name: str, lang: str) -> str:
    return CATALOG_NAMES.get(name, {}).get(norm_lang(lang), name)


def thing_word(kind: str, lang: str) -> str:
    return label(lang, "thing_product" if kind == "product" else "thing_movie")


def placeholder(kind: str, lang: str) -> str:
    return label(lang, "placeholder_product" if kind == "product" else "placeholder_movie")


def shorten(text: str, limit: int) -> str:
    """Text cut to `limit` characters, with "…" when it was cut."""
    text = " ".join((text or "").split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"
