"""The dialogue layer's one string table: every sentence the manager and its answers say, in English and
Chinese. Item facts never come from here; they are filled in from the catalog."""

from __future__ import annotations

from chatbot.filters import Constraints
from chatbot.genres import genre_label
from chatbot.items import Lang
from chatbot.item_text import join_words

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
        "beyond_weight_min": "Lighter than {title} ({value}):",
        "beyond_weight_max": "Heavier than {title} ({value}):",
        "beyond_size_max": "Bigger than {title} ({value}):",
        "beyond_size_min": "Smaller than {title} ({value}):",
        "nothing_beyond_weight_min": "Nothing of this kind in the catalog is lighter than {title} ({value}).",
        "nothing_beyond_weight_max": "Nothing of this kind in the catalog is heavier than {title} ({value}).",
        "nothing_beyond_size_max": "Nothing of this kind in the catalog is bigger than {title} ({value}).",
        "nothing_beyond_size_min": "Nothing of this kind in the catalog is smaller than {title} ({value}).",
        "intro_compare": "Of these, here is how I'd rank them for you:",
        "no_results": "Nothing in the catalog matches all of that ({filters}). Loosen a filter, or say “start over”.",
        "nothing_left": "I've shown you everything that matches those filters. Loosen a filter, or say “start over”.",
        "not_found": "I couldn't find {names} in the catalog, so I can't recommend it.",
        "no_reference": "Which one do you mean? Say “the first one”, “the second one”, or name it.",
        "only_n_shown": "I only showed {n} this time. Which one do you mean? Say “the first one”, or name it.",
        "about": "About {title}:",
        "why_intro": "Why I suggested these:",
        "compare_need_two": "Name at least two {things} from the catalog to compare.",
        "compare_only_one": "I only showed you one, {title}, so there is nothing to compare it with yet. Want a few more like it?",
        "intro_first": "Here is what I'd suggest:",
        "intro_more": "Here are a few more:",
        "intro_replace": "Here's another one instead:",
        "choose_one": "My pick: {title}. {why}",
        "runner_up": "Runner-up: {title}. {why}",
        "compare_facts": "Side by side:",
        "fewer": "Only {n} {things} in the catalog fit all of that, so I'm showing just those.",
        "none_fit": "Nothing in the catalog fits all of that ({filters}); that combination isn't possible here. Loosen one condition?",
        "cheapest_fit": "The cheapest that meets the rest is {title}, at {price}.",
        "missing": "I don't have {name} in the catalog.",
        "missing_alternatives": "The closest things I do have:",
        "off_topic": "I can't help with that; I only know this catalog of {things}. What are you looking for: a genre, a mood, or a {thing} you liked?",
        "have_it": "Yes, the catalog has it:",
        "fact_best": "{title}: {value} (vs {others}).",
        "fact_unknown": "The catalog doesn't list the {fact} of {titles}.",
        "fact_yes": "{title}: the catalog's description mentions “{value}”.",
        "fact_not_listed": "{title}: the catalog doesn't mention “{value}”, so I can't confirm it.",
        "kids_no": "{title} is listed as {genres}: not one for young children.",
        "kids_yes": "{title} is listed as {genres}, a film for families; the catalog holds no age rating.",
        "kids_product_yes": "{title} is marked as made for children.",
        "kids_unsure": "{title} is listed as {genres}. The catalog holds no age rating, so I can't promise it suits a young child; a family film is the safer choice.",
        "role_director": "directed by {names}",
        "role_brand": "made by {names}",
        "role_author": "written by {names}",
        "role_creator": "created by {names}",
        "role_other": "with {names}",
        "role_cast": "starring {names}",
        "why_it_fits": "Why it may suit you: ",
        "kind_movie": "Film",
        "kind_series": "Series",
        "kind_product": "Product",
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
        "beyond_weight_min": "比{title}（{value}）更轻的：",
        "beyond_weight_max": "比{title}（{value}）更重的：",
        "beyond_size_max": "比{title}（{value}）更大的：",
        "beyond_size_min": "比{title}（{value}）更小的：",
        "nothing_beyond_weight_min": "目录里没有比{title}（{value}）更轻的同类商品了。",
        "nothing_beyond_weight_max": "目录里没有比{title}（{value}）更重的同类商品了。",
        "nothing_beyond_size_max": "目录里没有比{title}（{value}）更大的同类商品了。",
        "nothing_beyond_size_min": "目录里没有比{title}（{value}）更小的同类商品了。",
        "intro_compare": "这几个里，按你的口味我这样排：",
        "no_results": "目录里没有同时满足这些条件的结果（{filters}）。可以放宽一个条件，或者说“重新开始”。",
        "nothing_left": "符合这些条件的我都推荐过了。可以放宽一个条件，或者说“重新开始”。",
        "not_found": "目录里找不到{names}，所以无法推荐。",
        "no_reference": "你指的是哪一个？可以说“第一个”“第二个”，或者直接说名字。",
        "only_n_shown": "我这次只推荐了 {n} 个。你指的是哪一个？可以说“第一个”，或者直接说名字。",
        "about": "关于{title}：",
        "why_intro": "我推荐这些的理由：",
        "compare_need_two": "请至少说出目录里的两部{things}来比较。",
        "compare_only_one": "我刚才只推荐了一个：{title}，还没有别的可以和它比较。要再看几个类似的吗？",
        "intro_first": "我为你推荐：",
        "intro_more": "再给你几部：",
        "intro_replace": "换成这一个：",
        "choose_one": "我选{title}。{why}",
        "runner_up": "其次是{title}。{why}",
        "compare_facts": "放在一起比较：",
        "fewer": "目录里同时满足这些条件的只有 {n} 个，所以只列出这些。",
        "none_fit": "目录里没有同时满足这些条件的结果（{filters}），这个组合在这里做不到。要放宽一个条件吗？",
        "cheapest_fit": "其余条件都满足的最便宜的是{title}，{price}。",
        "missing": "目录里没有{name}。",
        "missing_alternatives": "目录里最接近的有：",
        "off_topic": "这个我帮不上忙，我只了解这个{things}目录。你想找什么？可以说一个类型、一种心情，或者一部你喜欢的{thing}。",
        "have_it": "有的，目录里有：",
        "fact_best": "{title}：{value}（对比{others}）。",
        "fact_unknown": "目录里没有{titles}的{fact}信息。",
        "fact_yes": "{title}：目录的介绍里提到了“{value}”。",
        "fact_not_listed": "{title}：目录里没有提到“{value}”，所以我没法确认。",
        "kids_no": "{title}是{genres}片，不太适合小孩看。",
        "kids_yes": "{title}是{genres}片，属于家庭片，可以和孩子一起看；目录里没有分级信息。",
        "kids_product_yes": "{title}标明是给孩子用的。",
        "kids_unsure": "{title}是{genres}片。目录里没有分级信息，我没法保证适合小孩；选家庭片会更稳妥。",
        "role_director": "导演{names}",
        "role_brand": "品牌{names}",
        "role_author": "作者{names}",
        "role_creator": "主创{names}",
        "role_other": "有{names}",
        "role_cast": "主演{names}",
        "why_it_fits": "适合你的理由：",
        "kind_movie": "电影",
        "kind_series": "剧集",
        "kind_product": "商品",
        "follow_up_movie": "想要新一点的、老一点的，或者更像其中某一个的吗？",
        "follow_up_product": "想要便宜一点的，或者更像其中某一个的吗？",
        "thing_movie": "影视作品",
        "things_movie": "影视作品",
        "thing_product": "商品",
        "things_product": "商品",
    },
}


def say(lang: Lang, key: str, kind: str = "movie", **values: object) -> str:
    """A phrase in `lang` ('en' or 'zh'), with {thing}/{things} filled for the catalog's kind."""
    table = PHRASES[lang]
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
    if constraints.countries:
        parts.append(("地区：" if zh else "country: ") + ", ".join(constraints.countries))
    if constraints.people:
        parts.append(("人物：" if zh else "with ") + join_words(constraints.people, lang))
    if constraints.tags_any:
        parts.append(("主题：" if zh else "about ") + join_words(constraints.tags_any, lang))
    if constraints.tags_exclude:
        parts.append(("不要" if zh else "not ") + join_words(constraints.tags_exclude, lang))
    return ("；" if zh else "; ").join(parts)

