"""Claims a small model likes to invent, detected by word lists per language.

- awards and prizes (Oscar, 奥斯卡, award-winning, 获奖...), superlatives and rankings (best, most, 最,
  第一...), and target audiences (for dads, 适合孩子...): each passes only when the item's own facts
  (lower-cased `Item.to_text()`) hold the same word, or, for audiences, one of its synonyms;
- a reason that describes another candidate: it names another candidate's title or people that its own
  item does not hold, or shares more distinctive words (English words of 4+ letters, Chinese character
  pairs, its own title's left out) with another candidate's facts than with its own (two are enough when it
  shares none with its own); or one that describes a liked item instead
  ("Interstellar is a 2021 film" written for Dune);
- a claim about the person ("you loved X", "你看过X") that neither their message nor their liked items hold.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from chatbot.genres import genre_names
from chatbot.items import Item

_AWARD = re.compile(
    r"\b(oscars?|academy awards?|golden globes?|emmys?|baftas?|palme d'or|golden (?:lion|bear|horse)|grammys?|"
    r"awards?|award-winning|prizes?|prize-winning|won|wins|winner|winning|nominated|nominations?|accolades?|"
    r"acclaimed)\b|(奥斯卡|金球|艾美|金像|金马|金鸡|百花|华表|戛纳|威尼斯|柏林|获奖|得奖|大奖|奖项|提名|荣获|斩获|摘得|夺得|殊荣)",
    re.I)
_SUPERLATIVE = re.compile(
    r"\b(best|greatest|finest|most|top-rated|top rated|highest|number one|no\. ?1|#1|of all time|ever made|"
    r"masterpiece|must-see|must-watch|unmatched|unrivalled|unrivaled|legendary|best-selling|bestselling)\b|"
    r"(最(?!近|后|终|初|大|小)|第一|顶级|之最|神作|巅峰|史上|无与伦比|天花板|销量冠军|爆款)", re.I)
_AUDIENCES = {
    "dad": ("dad", "dads", "father", "fathers", "爸爸", "父亲", "老爸"),
    "mum": ("mum", "mums", "mom", "moms", "mother", "mothers", "妈妈", "母亲", "老妈"),
    "child": ("kid", "kids", "child", "children", "family", "families", "孩子", "儿童", "小朋友", "亲子", "全家", "家庭"),
    "elder": ("senior", "seniors", "elderly", "grandparents", "老人", "长辈", "老年"),
    "woman": ("women", "woman", "girls", "ladies", "女性", "女生", "女士"),
    "man": ("men", "man", "guys", "boys", "男性", "男生", "男士"),
    "student": ("student", "students", "学生"),
    "couple": ("couple", "couples", "情侣", "恋人"),
    "beginner": ("beginner", "beginners", "新手", "入门"),
    "professional": ("professional", "professionals", "专业人士"),
    "gamer": ("gamer", "gamers", "玩家"),
    "baby": ("baby", "babies", "infant", "infants", "婴儿", "宝宝"),
    "teen": ("teen", "teens", "teenager", "teenagers", "青少年"),
}
_WORD_TO_AUDIENCE = {word: key for key, words in _AUDIENCES.items() for word in words}
_AUDIENCE_EN = re.compile(r"\b(?:for|designed for|made for|perfect for|ideal for|great for|suitable for|aimed at)\s+"
                          r"(?:your\s+|the\s+|any\s+|all\s+)?([a-z]+)", re.I)
_AUDIENCE_ZH = re.compile(r"(?:适合|专为|送给|送|为)(" + "|".join(
    sorted((w for w in _WORD_TO_AUDIENCE if re.match(r"[\u4e00-\u9fff]", w)), key=len, reverse=True)) + ")")
_PROPER = re.compile(r"(?<=[a-z,;] )[A-Z][a-z]{3,}\b")  # a capitalised word inside a sentence: a name
_LATIN_WORD = re.compile(r"[a-z][a-z'\-]{3,}")
_CJK_RUN = re.compile(r"[\u4e00-\u9fff]+")
_STOP = {"this", "that", "with", "from", "your", "have", "will", "what", "they", "their", "them", "into", "about",
         "film", "movie", "series", "story", "product", "fits", "fit", "want", "wants", "like", "loved", "enjoy",
         "because", "which", "when", "where", "while", "also", "more", "than", "very", "just", "some", "such", "these",
         "those", "it's", "its", "you're", "person", "great", "good", "perfect", "ideal"}
_CJK_STOP = {"这部", "一部", "电影", "故事", "适合", "喜欢", "如果", "你的", "一个", "一款", "这款", "讲述", "关于", "可以",
             "非常", "没有", "以及", "我们", "他们", "需求", "符合"}


def unsupported_claims(text: str, facts_lower: str) -> list[str]:
    """Award, superlative and audience claims in `text` that the item's facts do not hold."""
    found = []
    for pattern, label in ((_AWARD, "award"), (_SUPERLATIVE, "superlative")):
        for match in pattern.finditer(text):
            word = match.group(0).lower()
            if word not in facts_lower:
                found.append(f"{label} {match.group(0)}")
    for match in [*_AUDIENCE_EN.finditer(text), *_AUDIENCE_ZH.finditer(text)]:
        word = match.group(1).lower()
        audience = _WORD_TO_AUDIENCE.get(word)
        if audience and not any(_holds(facts_lower, w) for w in _AUDIENCES[audience]):
            found.append(f"audience {match.group(0)}")
    return found


def _holds(facts_lower: str, word: str) -> bool:
    if re.match(r"[\u4e00-\u9fff]", word):
        return word in facts_lower
    return re.search(rf"\b{re.escape(word)}\b", facts_lower) is not None


def _names(item: Item) -> set[str]:
    names = {item.title.lower()} | ({item.title_zh.lower()} if item.title_zh else set())
    names |= {n.lower() for people in item.people.values() for n in people}
    return {n for n in names if len(n) >= (2 if re.search(r"[\u4e00-\u9fff]", n) else 4)}


def distinctive_words(text: str) -> set[str]:
    """English words of 4+ letters and Chinese character pairs, without the commonest ones."""
    lowered = text.lower()
    words = {w for w in _LATIN_WORD.findall(lowered) if w not in _STOP}
    for run in _CJK_RUN.findall(text):
        words |= {run[i:i + 2] for i in range(len(run) - 1)} - _CJK_STOP
    return words


def describes_other(text: str, item: Item, others: Iterable[Item], allowed: Iterable[str] = ()) -> str:
    """The title of another candidate that `text` (written for `item`) describes, or "". Names in `allowed`
    (the liked items' titles, which a reason may cite) are not counted."""
    for name in allowed:
        text = text.replace(name, " ")
    own_facts = item.to_text().lower()
    lowered = text.lower()
    words = distinctive_words(text) - distinctive_words(" ".join(_titles(item)))  # naming itself is no content
    own_overlap = {w for w in words if w in own_facts}
    for other in others:
        if other.id == item.id:
            continue
        if any(name in lowered and name not in own_facts for name in _names(other)):
            return other.title
        other_facts = other.to_text().lower()
        if any(w.lower() in other_facts and w.lower() not in own_facts and w.lower() not in _STOP
               for w in _PROPER.findall(text.strip())):
            return other.title  # a name from the other's story ("Arrakis" in a reason written for Arrival)
        theirs = {w for w in words - own_overlap if w in other_facts}
        if (len(theirs) >= 3 and len(theirs) > len(own_overlap)) or (len(theirs) >= 2 and not own_overlap):
            return other.title
    return ""


def _titles(item: Item) -> list[str]:
    return [t for t in (item.title, item.title_zh) if t]


def describes_liked(text: str, liked: Iterable[Item]) -> str:
    """The title of a liked item that `text` describes as its subject ("Interstellar is ...", "星际穿越是..."), or ""."""
    stripped = text.strip(" 《》\"'“”").lower()
    for item in liked:
        for title in _titles(item):
            rest = stripped.removeprefix(title.lower()).lstrip(" 》\"'”")
            if rest != stripped and re.match(r"(?:is|was|has|'s)\b|是|为|讲", rest):
                return item.title
    return ""


_COMPARISON = re.compile(r"\b(?:like|as\s+in|as|similar\s+to|same\s+as|just\s+like|shares?|echo(?:es)?)\b"
                         r"|一样|同样|相似|类似|相同|像|同为|同属|都是|都有", re.I)
_CLAUSES = re.compile(r"[,;，；。.!?！？]")


def false_comparison(text: str, liked: Iterable[Item]) -> str:
    """A genre the reason gives a liked item by comparison that the item does not have ("和《让子弹飞》一样有科幻
    元素", "sci-fi like Titanic"), as "Title: genre word", or ""."""
    names = genre_names()
    for clause in _CLAUSES.split(text):
        lowered = clause.lower()
        if not _COMPARISON.search(lowered):
            continue
        for item in liked:
            titles = [t.lower() for t in _titles(item) if t.lower() in lowered]
            if not titles:
                continue
            rest = lowered
            for title in titles:
                rest = rest.replace(title, " ")
            facts = item.to_text().lower()
            for word, key in names.items():
                if _holds(rest, word) and key not in item.genres and word not in facts:
                    return f"{item.title}: {word}"
    return ""


_PERSON_CLAIM = re.compile(
    r"\b(?:you|you've|you have|they)\s+(?:really\s+|also\s+|already\s+)?(?:like|liked|love|loved|"
    r"enjoy|enjoyed|mentioned|watched|saw|seen|said|told|asked)\b(.{0,60})|"
    r"(?:你|您)(?:很|也|最近|曾经|已经)?(?:喜欢|喜爱|爱看|看过|提到|说过|提过|钟爱|想要|要)(.{0,30})", re.I)


def person_claims(text: str, message: str, liked: Iterable[Item]) -> list[str]:
    """Claims about the person that did not happen: what follows "you liked/mentioned/..." must be in their
    own message or be one of their liked items."""
    said = message.lower()
    known = [t.lower() for item in liked for t in _titles(item)]
    found = []
    for match in _PERSON_CLAIM.finditer(text):
        tail = (match.group(1) or match.group(2) or "").lower()
        if any(t in tail for t in known):
            continue
        words = distinctive_words(tail)
        if words and not any(w in said for w in words):
            found.append(f"claim about the person '{match.group(0).strip()[:40]}'")
    return found
