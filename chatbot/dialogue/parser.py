"""Deterministic understanding of one user message, in English or Chinese.

`parse_message` finds the catalog items named (TitleMatcher), the user's opinion of each (liked,
disliked, only mentioned, or candidates to choose between), references to the last list ("the
second one", "第二个"), hard-filter updates (genres, years, prices, languages, kinds), free-text
preferences and the intent. Every step is a bounded regex or dictionary pass: linear in the text.
"""

from __future__ import annotations

import datetime as _dt
import logging
import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Literal

from pydantic import BaseModel, Field

from chatbot.dialogue.state import DialogueState
from chatbot.dialogue.titles import TitleMatch, TitleMatcher
from chatbot.filters import Constraints
from chatbot.genres import genre_names
from chatbot.items import Item

log = logging.getLogger(__name__)

Intent = Literal["recommend", "refine", "ask_about", "compare", "more_like", "start_over", "small_talk", "unknown"]
ConstraintField = Literal["kinds", "genres_include", "genres_exclude", "year_min", "year_max", "price_min",
                          "price_max", "languages"]
Role = Literal["liked", "disliked", "mentioned", "compare", "ask", "more_like"]

MAX_PARSE_CHARS = 20_000  # the manager cuts far earlier (Settings.max_message_chars); this is a guard
MAX_PREFERENCE_CHARS = 80
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u200b-\u200f\u202a-\u202e\u2066-\u2069\ufeff]")
_CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")
_LATIN_WORD = re.compile(r"[A-Za-z]+")
_MASK = "\u2062"  # stands in for consumed text (titles, references, numbers) so later passes skip it
_I = re.IGNORECASE


class ConstraintUpdate(BaseModel):
    """Changes to the session's hard filters. None / empty means 'leave as is'."""

    kinds: list[str] | None = None
    languages: list[str] | None = None
    genres_include: list[str] = Field(default_factory=list)  # added
    genres_exclude: list[str] = Field(default_factory=list)  # added
    year_min: int | None = None
    year_max: int | None = None
    price_min: float | None = None
    price_max: float | None = None
    clear: list[ConstraintField] = Field(default_factory=list)  # cleared before the rest is applied

    def is_empty(self) -> bool:
        return self == ConstraintUpdate()

    def apply_to(self, current: Constraints) -> Constraints:
        """The constraints after this update; always consistent (min <= max, no genre both ways)."""
        data = current.model_dump()
        fresh = Constraints().model_dump()
        for name in self.clear:
            data[name] = fresh[name]
        if self.kinds is not None:
            data["kinds"] = list(self.kinds)
        if self.languages is not None:
            data["languages"] = list(self.languages)
        for genre in self.genres_include:
            data["genres_exclude"] = [g for g in data["genres_exclude"] if g != genre]
            if genre not in data["genres_include"]:
                data["genres_include"].append(genre)
        for genre in self.genres_exclude:
            data["genres_include"] = [g for g in data["genres_include"] if g != genre]
            if genre not in data["genres_exclude"]:
                data["genres_exclude"].append(genre)
        for low, high in (("year_min", "year_max"), ("price_min", "price_max")):
            new_low, new_high = getattr(self, low), getattr(self, high)
            if new_low is not None:
                data[low] = new_low
            if new_high is not None:
                data[high] = new_high
            if data[low] is not None and data[high] is not None and data[low] > data[high]:
                if new_low is not None and new_high is not None:
                    data[low], data[high] = data[high], data[low]
                elif new_low is not None:
                    data[high] = None  # the newer statement wins
                else:
                    data[low] = None
        for name in ("price_min", "price_max"):
            if data[name] is not None and data[name] < 0:
                data[name] = 0.0
        return Constraints(**data)


class ParsedMessage(BaseModel):
    """What one message says, resolved against the catalog and the session's last list."""

    intent: Intent = "unknown"
    language: Literal["en", "zh"] = "en"
    liked_ids: list[str] = Field(default_factory=list)
    disliked_ids: list[str] = Field(default_factory=list)
    mentioned_ids: list[str] = Field(default_factory=list)  # named without an opinion
    compare_ids: list[str] = Field(default_factory=list)  # candidates to choose between, in order
    target_ids: list[str] = Field(default_factory=list)  # what ask_about / more_like is about
    referenced_ids: list[str] = Field(default_factory=list)  # resolved "the second one" etc.
    unresolved_reference: bool = False  # "that one" with nothing to point at
    not_found: list[str] = Field(default_factory=list)  # quoted names that are not in the catalog
    constraint_update: ConstraintUpdate = Field(default_factory=ConstraintUpdate)
    preferences: list[str] = Field(default_factory=list)  # "grand science fiction"
    preferred_genres: list[str] = Field(default_factory=list)  # soft genre likes
    wants_explanation: bool = False  # "why?", "为什么"
    wants_more: bool = False  # "something else", "换一批"
    small_talk: Literal["greeting", "thanks", "bye", "other"] | None = None
    query: str = ""  # free text left for retrieval
    titles: list[TitleMatch] = Field(default_factory=list)

    def focus_ids(self) -> list[str]:
        """The items this message is about, for 'that one' in the next turn."""
        return self.target_ids or self.compare_ids or self.referenced_ids or (
            self.liked_ids + self.disliked_ids + self.mentioned_ids)


# ---------------------------------------------------------------------------------------------
# cue vocabularies

_DISLIKE = re.compile(
    r"\b(?:hate[sd]?|hating|dislike[sd]?|detest(?:ed)?|(?:did|do|does|could|can)\s*n[o']?t\s+(?:really\s+)?"
    r"(?:like|love|enjoy|stand|want)|never\s+(?:liked|enjoyed)|not\s+(?:a\s+)?(?:big\s+)?fan\s+of|not\s+into|"
    r"boring|awful|terrible|overrated|worst|nothing\s+like|anything\s+but|no\s+more|not\s+like|avoid|"
    r"don'?t\s+want|do\s+not\s+want|wasn'?t\s+(?:good|great)|not)\b"
    r"|不喜欢|不太喜欢|讨厌|不爱|不好看|难看|无聊|太烂|很烂|烂片|一般般|不怎么样|没意思|不想看|不要|别推荐|受不了|不感兴趣",
    _I)
_LIKE = re.compile(
    r"\b(?:lik(?:e|ed|es|ing)|lov(?:e|ed|es|ing)|enjoy(?:s|ed|ing)?|adore[sd]?|favou?rites?|great|amazing|"
    r"awesome|fantastic|brilliant|excellent|a\s+fan\s+of|into|similar\s+to|in\s+the\s+vein\s+of|such\s+as)\b"
    r"|喜欢|爱看|最爱|好看|不错|很棒|精彩|神作|经典|像|类似",
    _I)
_SEEN = re.compile(r"\b(?:watched|saw|seen|read|bought|have|had|finished|tried|used)\b|看了|看过|刷了|读过|买过|用过|看完", _I)
_ASK = re.compile(
    r"\b(?:tell\s+me\s+(?:more\s+)?about|more\s+about|what\s+(?:is|'s|about)|what\s+do\s+you\s+know\s+about|"
    r"details?\s+(?:on|of|about)|describe|explain|info\s+(?:on|about)|how\s+is|is\s+it\s+good)\b"
    r"|介绍|讲讲|说说|是什么|怎么样|好看吗|值得|详细",
    _I)
_COMPARE_BEFORE = re.compile(
    r"\b(?:compare|comparing|versus|vs\.?|between|which\s+of|choose\s+between|pick\s+between|which\s+one\s+of)\b"
    r"|\bwhich\b(?=[^.!]*\?)"
    r"|比较|对比|相比|比一比",
    _I)
_COMPARE_AFTER = re.compile(
    r"\bwhich\s+(?:one|of|would|should|do|does|is|will|movie|film|series|show|product|to|i)\b|\bwhich\b[^.!]*\?"
    r"|\bwhat(?:'s|\s+is)\s+better\b|\bbetter\b[^.!]*\?|\bcompare\b|\bversus\b|\bvs\b"
    r"|哪个|哪部|哪一个|哪一部|哪款|哪本|哪一款|选哪|哪个好|比较|对比|更好",
    _I)
_MORE_LIKE = re.compile(
    r"\b(?:more\s+like|similar|something\s+like|others?\s+like|ones?\s+like|stuff\s+like)\b"
    r"|类似|相似|差不多的|像这样|这样的再|同类",
    _I)
_MORE_LIKE_REF = re.compile(r"\b(?:more\s+like|similar\s+to|something\s+like)\s+(that|this|it|these|those|them)\b"
                            r"|(?:类似|相似|像)(这个|那个|这部|那部|这些|它)", _I)
_WHY = re.compile(r"\bwhy\b|为什么|为啥|理由|原因", _I)
_START_OVER = re.compile(
    r"\b(?:start\s+(?:over|again|afresh)|restart|reset|start\s+from\s+scratch|forget\s+(?:everything|all)|"
    r"new\s+search|clear\s+everything)\b|重新开始|重来|从头开始|清空|重新推荐|忘掉",
    _I)
_MORE = re.compile(
    r"\b(?:something\s+else|anything\s+else|other\s+(?:ones|options|suggestions)|others|another|more\s+(?:options|"
    r"suggestions|ideas|please)|show\s+me\s+more|different\s+ones?|not\s+these)\b|换一批|换一个|换个|还有吗|还有别的|别的|其他的|再来",
    _I)
_SMALL_TALK = {
    "greeting": re.compile(r"^(?:hi+|hello|hey|hiya|yo|howdy|good\s+(?:morning|afternoon|evening)|greetings|你好|您好|嗨|哈喽|哈啰|早上好|晚上好)"
                           r"(?:\s+(?:there|bot|again|everyone))?$", _I),
    "thanks": re.compile(r"^(?:thanks?(?:\s+you)?(?:\s+(?:so\s+much|a\s+lot|very\s+much))?|thank\s+you.*|thx|ty|cheers|"
                         r"谢谢(?:你|您)?|多谢|谢了|感谢)$", _I),
    "bye": re.compile(r"^(?:bye|goodbye|see\s+you|see\s+ya|good\s+night|再见|拜拜|晚安)$", _I),
    "other": re.compile(r"^(?:ok(?:ay)?|cool|nice|great|sure|lol|haha|how\s+are\s+you|who\s+are\s+you|好的|好|嗯|哈哈|你是谁)$", _I),
}
_QUOTES = "《》〈〉「」『』“”\"'‘’"
_CONNECTOR = re.compile(rf"^[\s,，、/&+{_QUOTES}]*(?:(?:and|or|and\s+also|as\s+well\s+as|plus|vs\.?|versus|和|与|跟|及|以及|或|或者|还是|同)"
                        rf"[\s,，、{_QUOTES}]*)?$", _I)
_SENTENCE_SPLIT = re.compile(r"[.!?;。！？；\n]+(?=\s|$|[^\d])")
_CLAUSE_BREAK = re.compile(r"[,，;；.!?。！？]|\bbut\b|但是|不过|可是", _I)

# references to the last list
_ORDINAL_EN = {"first": 1, "1st": 1, "second": 2, "2nd": 2, "third": 3, "3rd": 3, "fourth": 4, "4th": 4,
               "fifth": 5, "5th": 5, "sixth": 6, "6th": 6, "seventh": 7, "7th": 7, "eighth": 8, "8th": 8}
_ZH_DIGITS = {"一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9, "十": 10}
_REFERENCE = re.compile(
    r"\b(?:the\s+|that\s+|your\s+)(?P<en>first|second|third|fourth|fifth|sixth|seventh|eighth|1st|2nd|3rd|4th|5th|6th|7th|8th)"
    r"(?:\s+(?:one|pick|suggestion|movie|film|series|show|product|option|item))?\b"
    r"|\b(?P<en2>first|second|third|fourth|fifth|1st|2nd|3rd|4th|5th)\s+(?:one|pick|suggestion|option)\b"
    r"|\b(?:number|no\.|option|#)\s*(?P<num>[1-9])\b|(?<![\w])#(?P<hash>[1-9])\b"
    r"|\bthe\s+(?P<last>last|final)\s+(?:one|pick|suggestion|option)\b"
    r"|\b(?P<pair>both|all\s+of\s+them|all\s+three|these|those)\b"
    r"|\b(?P<that>that|this)\s+one\b"
    r"|第\s*(?P<zh>[一二两三四五六七八九十]|\d{1,2})\s*(?:个|部|款|项|条|本|名)?"
    r"|(?P<zhlast>最后一个|最后那个|最后一部|最后一款)"
    r"|(?P<zhpair>这几个|这几部|这些|这两个|这两部|这三个|这三部)"
    r"|(?P<zhthat>这个|那个|这部|那部|这款|那款|这本|那本)",
    _I)

# years
_YEAR = r"(18[7-9]\d|19\d\d|20\d\d)"
_DECADE_WORDS = {"twenties": 1920, "thirties": 1930, "forties": 1940, "fifties": 1950, "sixties": 1960,
                 "seventies": 1970, "eighties": 1980, "nineties": 1990}
_ZH_DECADES = {"五十": 1950, "六十": 1960, "七十": 1970, "八十": 1980, "九十": 1990}
_YEAR_PATTERNS: list[tuple[str, re.Pattern[str]]] = [
    ("range", re.compile(rf"\b(?:between|from)\s+{_YEAR}\s+(?:and|to|until|till|-|–)\s+{_YEAR}\b", _I)),
    ("range", re.compile(rf"(?<!\d){_YEAR}\s*(?:-|–|~|～|to|到|至)\s*{_YEAR}(?!\d)\s*年?", _I)),
    ("decade_after", re.compile(r"\b(?:since|after)\s+the\s+(?:'|’)?(\d0)s\b|\b(?:since|after)\s+the\s+(1[89]\d0|20\d0)s\b", _I)),
    ("decade_before", re.compile(r"\bbefore\s+the\s+(?:'|’)?(\d0)s\b|\bbefore\s+the\s+(1[89]\d0|20\d0)s\b", _I)),
    ("decade", re.compile(r"(?<![\w'])(?:'|’)?(\d0)s\b|\b(1[89]\d0|20\d0)s\b", _I)),
    ("decade_word", re.compile(r"\b(twenties|thirties|forties|fifties|sixties|seventies|eighties|nineties)\b", _I)),
    ("decade_zh", re.compile(r"(?<!\d)(\d0|1[89]\d0|20\d0)\s*年代|(五十|六十|七十|八十|九十)年代")),
    ("after", re.compile(rf"\b(?:after|later\s+than|newer\s+than|post-?)\s*{_YEAR}\b", _I)),
    ("since", re.compile(rf"\b(?:since|from)\s+{_YEAR}\b(?:\s+on(?:wards?)?)?|\b{_YEAR}\s*(?:\+|or\s+(?:later|newer|after)|"
                         rf"and\s+(?:later|newer|after|up)|onwards?)", _I)),
    ("since", re.compile(rf"{_YEAR}\s*年?\s*(?:以后|之后|以来|后|起|至今)")),
    ("before", re.compile(rf"\b(?:before|earlier\s+than|older\s+than|pre-?)\s*{_YEAR}\b", _I)),
    ("until", re.compile(rf"\b(?:until|till|up\s+to|through)\s+{_YEAR}\b|\b{_YEAR}\s*(?:or\s+(?:earlier|older|before)|"
                         rf"and\s+(?:earlier|older|before))", _I)),
    ("before", re.compile(rf"{_YEAR}\s*年?\s*(?:以前|之前|前)")),
    ("exact", re.compile(rf"\b(?:in|from|of|released\s+in)\s+{_YEAR}\b|\b{_YEAR}\s+(?:movies?|films?|series|shows?)\b"
                         rf"|{_YEAR}\s*年(?:的|上映|出的)?", _I)),
]
_OLDER = re.compile(r"\b(?:older|earlier|less\s+recent|not\s+so\s+new)\b|老一点|老一些|更老|早一点|早一些|年代久一点|旧一点", _I)
_NEWER = re.compile(r"\b(?:newer|more\s+recent|later\s+ones?|not\s+so\s+old)\b|新一点|新一些|更新的|近一点|近一些|晚一点", _I)
_RECENT = re.compile(r"\b(?:recent\s+(?:ones|movies|films|releases|stuff|series)|latest|new\s+releases?|brand\s+new)\b"
                     r"|最新|近几年|这几年|新片|最近的(?:电影|片子|剧)|新出的", _I)

# prices
_NUM = r"(\d+(?:[.,]\d+)?)\s*(k|千|万|w)?"
_CUR = r"(?:[¥￥$€£]|rmb|cny|yuan|usd|元|块钱?|刀)"
_PRICE_PATTERNS: list[tuple[str, re.Pattern[str]]] = [
    ("range", re.compile(rf"\b(?:between|from)\s*{_CUR}?\s*{_NUM}\s*{_CUR}?\s*(?:and|to|-|–)\s*{_CUR}?\s*{_NUM}\s*{_CUR}?", _I)),
    ("range", re.compile(rf"{_CUR}?\s*{_NUM}\s*{_CUR}?\s*(?:-|–|~|～|到|至)\s*{_CUR}?\s*{_NUM}\s*{_CUR}?(?:之间|以内)?", _I)),
    ("max", re.compile(rf"\b(?:under|below|less\s+than|cheaper\s+than|at\s+most|max(?:imum)?|no\s+more\s+than|not\s+more\s+than|"
                       rf"up\s+to|within|budget\s+(?:of|is)?|not\s+over)\s*{_CUR}?\s*{_NUM}\s*{_CUR}?|<=?\s*{_CUR}?\s*{_NUM}"
                       rf"|(?:不超过|低于|少于|不到|预算|最多|小于|不高于)\s*{_CUR}?\s*{_NUM}\s*{_CUR}?", _I)),
    ("max", re.compile(rf"{_CUR}?\s*{_NUM}\s*{_CUR}?\s*(?:以内|以下|之内|内)", _I)),
    ("min", re.compile(rf"\b(?:over|above|more\s+than|at\s+least|min(?:imum)?|starting\s+at|from)\s*{_CUR}?\s*{_NUM}\s*{_CUR}?"
                       rf"|>=?\s*{_CUR}?\s*{_NUM}|(?:超过|高于|不低于|至少|大于)\s*{_CUR}?\s*{_NUM}\s*{_CUR}?", _I)),
    ("min", re.compile(rf"{_CUR}?\s*{_NUM}\s*{_CUR}?\s*(?:以上|起)", _I)),
]
_CURRENCY_MARK = re.compile(rf"{_CUR}|\b(?:price|budget|cost|dollars?|bucks)\b|价格|价钱|预算", _I)
_NOT_THIS_KIND = re.compile(
    r"\bnot\s+(?:this|that|these|those)\s+(?:kind|type|sort|genre|category)\b|\bdifferent\s+(?:kind|genre|type|category)\b"
    r"|\bsomething\s+(?:completely|totally|entirely)\s+different\b|不要这类|不要这种|不要这一类|不要这个类型|换个类型|换一类|别的类型|不同类型", _I)
_CHEAPER = re.compile(r"\b(?:cheaper|less\s+expensive|more\s+affordable|lower\s+price|lower\s+budget)\b|便宜一点|便宜点|便宜些|更便宜|再便宜|便宜一些|实惠一点", _I)
_PRICIER = re.compile(r"\b(?:more\s+expensive|pricier|higher[-\s]end|more\s+premium|fancier)\b|贵一点|贵一些|更贵|高端一点|好一点的", _I)

# languages and kinds
_LANGUAGES: list[tuple[re.Pattern[str], list[str]]] = [
    (re.compile(r"\b(?:chinese|mandarin|china|hong\s+kong|taiwanese)\b|华语|国产|国语|中文|中国|港片|港产|台湾", _I), ["zh"]),
    (re.compile(r"\bcantonese\b|粤语", _I), ["yue", "zh"]),
    (re.compile(r"\b(?:korean|korea|k-drama)\b|韩国|韩语|韩剧|韩影", _I), ["ko"]),
    (re.compile(r"\b(?:japanese|japan|anime)\b|日本|日语|日剧|日影|日漫", _I), ["ja"]),
    (re.compile(r"\b(?:english[-\s]language|hollywood|american|british)\b|英语|英文|美剧|英剧|欧美|好莱坞|美国", _I), ["en"]),
    (re.compile(r"\b(?:english)\s+(?:movies?|films?|series|shows?)\b", _I), ["en"]),
    (re.compile(r"\b(?:french|france)\b|法国|法语", _I), ["fr"]),
    (re.compile(r"\b(?:spanish|spain|mexican)\b|西班牙", _I), ["es"]),
    (re.compile(r"\b(?:german|germany)\b|德国|德语", _I), ["de"]),
    (re.compile(r"\b(?:italian|italy)\b|意大利", _I), ["it"]),
    (re.compile(r"\b(?:indian|bollywood|hindi)\b|印度|宝莱坞", _I), ["hi"]),
    (re.compile(r"\b(?:thai|thailand)\b|泰国|泰语", _I), ["th"]),
]
_REPLY_IN = re.compile(r"\b(?:answer|reply|respond|speak|talk|write|say\s+it)\s+(?:to\s+me\s+)?in\s*$|用\s*$|说\s*$", _I)
_SERIES = re.compile(r"\b(?:tv\s+(?:series|shows?)|series|tv|shows|sitcoms?|miniseries)\b|电视剧|剧集|连续剧|网剧|美剧|韩剧|日剧|英剧|追剧", _I)
_MOVIES_ONLY = re.compile(r"\b(?:only|just)\s+(?:movies|films)\b|\b(?:movies|films)\s+only\b|\b(?:no|not)\s+(?:series|tv|shows)\b"
                          r"|只要电影|只看电影|电影就行|不要电视剧|不要剧集|不看剧|不要剧", _I)
_PRODUCTS = re.compile(r"\b(?:products?|gadgets?|gifts?|buy)\b|商品|产品|礼物|买", _I)
_NEGATION_BEFORE = re.compile(
    r"(?:\b(?:no|not|without|except|avoid|skip|hate|hated|dislike|don'?t\s+(?:want|like|need|show)|nothing|never|exclude|"
    r"excluding|anything\s+but|other\s+than|instead\s+of|tired\s+of|enough|no\s+more|none|less)\b[\w\s'-]{0,16}"
    r"|(?:不要|不想看|不想要|不看|别|除了|没有|不喜欢|讨厌|不爱|排除|受不了|不是|非)[^，。；,.;!?！？]{0,5})$",
    _I)
_REQUEST = re.compile(r"\b(?:want|wanna|looking\s+for|in\s+the\s+mood|give\s+me|show\s+me|recommend|suggest|find|something|"
                      r"anything|some|only|just|need|prefer|craving)\b|想看|想要|来点|来几部|来一部|推荐|找|只看|只要|要", _I)
_CLEAR = [
    (re.compile(r"\b(?:clear|remove|reset|drop|forget)\s+(?:all\s+)?(?:the\s+|my\s+)?filters\b|清除(?:所有)?(?:筛选|条件)|取消(?:所有)?(?:筛选|条件)|去掉(?:所有)?(?:筛选|条件)", _I),
     ["kinds", "genres_include", "genres_exclude", "year_min", "year_max", "price_min", "price_max", "languages"]),
    (re.compile(r"\b(?:any|whatever)\s+(?:price|budget)\b|\b(?:no|remove|drop|forget|ignore|clear)\s+(?:the\s+)?(?:price|budget)\s*(?:limit|filter|cap|range)?\b"
                r"|(?:价格|价钱|预算)\s*(?:不限|无所谓|都行|随便)", _I), ["price_min", "price_max"]),
    (re.compile(r"\b(?:any|whatever)\s+(?:year|era|decade|age)\b|\b(?:no|remove|drop|forget|ignore|clear)\s+(?:the\s+)?(?:year|era|date)\s*(?:limit|filter|range)?\b"
                r"|(?:年份|年代)\s*(?:不限|无所谓|都行|随便)", _I), ["year_min", "year_max"]),
    (re.compile(r"\b(?:any|whatever)\s+genre\b|\b(?:remove|drop|forget|ignore|clear)\s+(?:the\s+)?genres?\s*(?:filter)?\b|类型\s*(?:不限|无所谓|都行|随便)", _I),
     ["genres_include", "genres_exclude"]),
    (re.compile(r"\b(?:any|whatever)\s+language\b|\b(?:remove|drop|forget|ignore|clear)\s+(?:the\s+)?language\s*(?:filter)?\b|语言\s*(?:不限|无所谓|都行|随便)", _I),
     ["languages"]),
]
_PREF_EN = re.compile(
    r"\b(?:love|like|enjoy|prefer|into|fan\s+of|want|looking\s+for|in\s+the\s+mood\s+for|craving|something|anything)\s+"
    r"((?:(?!\b(?:and|but)\s+(?:i|also|want|love|like|no)\b)[^,.;!?\n\u2062])+)",
    _I)
_PREF_ZH = re.compile(r"(?<![不没别])(?:喜欢|爱看|偏爱|想看|想要|来点|来一部|来几部|找)\s*(?:一些|一点|一部|几部|点|看)?([^，。；！？,.;!?\n、\u2062]{2,30})")
_PREF_DROP = re.compile(r"^(?:it|them|that|this|those|these|one|ones|to|a\s+lot|most|the\s+most|which|what|you|me|something|anything|"
                        r"more|some|else|please|better|best)$|哪|什么|吗|吧$|呢$", _I)
_PREF_LEAD = re.compile(r"^(?:(?:a|an|some|the|more|really|to\s+watch|to\s+see|watching|something|anything|movies?|films?|"
                        r"with|that|is|are)\s+)+", _I)
_PREF_TRAIL = re.compile(r"\s+(?:please|movies?|films?|ones|stuff|tonight|today|now|too|as\s+well)$|(?:的电影|的片子|的片|的剧|的)$", _I)
_STOP_QUERY = re.compile(
    r"\b(?:i|i'm|im|i'd|me|my|you|your|please|can|could|would|will|should|a|an|the|some|any|and|or|of|to|for|"
    r"recommend|suggest|give|show|want|need|looking|hi|hello|hey|thanks|thank|which|why|what|most|like|love|"
    r"liked|loved|watched|recently|also|really|just|is|are|was|were|it|that|this|these|those)\b", _I)


_QUERY_NOISE = [_NOT_THIS_KIND, _DISLIKE, _SEEN, _ASK, _COMPARE_BEFORE, _COMPARE_AFTER, _START_OVER, _MORE, _MORE_LIKE, _WHY,
                re.compile(r"\b(?:hi|hello|hey|thanks?|thank\s+you|from|tell|about|more|most|would|should|recently|"
                           r"watch|see|movies?|films?|ones?|something|anything|under|below|between|over|above|older|newer|cheaper|"
                           r"please|but|not|no|one)\b"
                           r"|你好|您好|谢谢|推荐|便宜|老一点|新一点|我|你|的|了|很|也|都|吗|呢|吧|啊|最近|最可能|可能|一下|一点|一些|里|和|与|跟|还|再|想|要|电影|片子|部|个", _I),
                _LIKE]


@dataclass
class _Mention:
    start: int
    end: int
    ids: list[str]
    kind: Literal["title", "reference"]


# ---------------------------------------------------------------------------------------------


def detect_language(text: str, fallback: Literal["en", "zh"] = "en") -> Literal["en", "zh"]:
    """'zh' when CJK characters outnumber latin words, 'en' when latin words do; else `fallback`."""
    cjk = len(_CJK.findall(text))
    latin = len(_LATIN_WORD.findall(text))
    if cjk == 0 and latin == 0:
        return fallback
    return "zh" if cjk >= latin else "en"


def parse_message(text: str, titles: TitleMatcher, state: DialogueState,
                  shown_items: Sequence[Item] | None = None, *, today_year: int | None = None) -> ParsedMessage:
    """Understand one message. `shown_items` defaults to the items of `state.last_candidates`."""
    raw = text if isinstance(text, str) else ("" if text is None else str(text))
    raw = _CONTROL.sub(" ", raw[:MAX_PARSE_CHARS])
    year_now = today_year or _dt.date.today().year
    if shown_items is None:
        shown_items = [item for item in (titles.get(i) for i in state.last_candidates) if item is not None]
    parser = _Parse(raw, titles, state, list(shown_items), year_now)
    return parser.run()


class _Parse:
    """One parse; holds the working copy of the text with consumed spans masked."""

    def __init__(self, text: str, titles: TitleMatcher, state: DialogueState, shown: list[Item], year_now: int) -> None:
        self.text = text
        self.titles = titles
        self.state = state
        self.shown = shown
        self.year_now = year_now
        self.masked = list(text)
        self.out = ParsedMessage()
        self.update = ConstraintUpdate()

    # -- helpers ----------------------------------------------------------------------------------

    def _mask(self, start: int, end: int) -> None:
        for k in range(start, end):
            self.masked[k] = _MASK

    def _masked_text(self) -> str:
        return "".join(self.masked)

    def _consume(self, pattern: re.Pattern[str]) -> list[re.Match[str]]:
        """All matches of `pattern` in the masked text that touch no masked character; masks them."""
        text = self._masked_text()
        found = [m for m in pattern.finditer(text) if _MASK not in m.group()]
        for m in found:
            self._mask(m.start(), m.end())
        return found

    # -- the pass ---------------------------------------------------------------------------------

    def run(self) -> ParsedMessage:
        out = self.out
        matches = self.titles.find_in_text(self.text)
        out.titles = matches
        for m in matches:
            self._mask(m.start, m.end)
        out.language = detect_language(self._masked_text().replace(_MASK, " "), self.state.language)
        references = self._references()
        mentions = sorted([_Mention(m.start, m.end, [m.item_id], "title") for m in matches] + references,
                          key=lambda m: m.start)
        self._not_found()
        start_over = bool(_START_OVER.search(self._masked_text()))
        self._roles(mentions)
        self._years()
        self._prices()
        self._genres()
        self._languages_and_kinds()
        self._clears()
        self._preferences()
        out.constraint_update = self.update
        out.query = self._query()
        out.wants_explanation = bool(_WHY.search(self.text))
        out.wants_more = bool(_MORE.search(self._masked_text()))
        self._intent(start_over)
        return out

    def _references(self) -> list[_Mention]:
        found: list[_Mention] = []
        last = self.state.last_candidates
        for m in self._consume(_REFERENCE):
            ids: list[str] = []
            position: int | None = None
            if m.group("en") or m.group("en2"):
                position = _ORDINAL_EN[(m.group("en") or m.group("en2")).lower()]
            elif m.group("num") or m.group("hash"):
                position = int(m.group("num") or m.group("hash"))
            elif m.group("zh"):
                token = m.group("zh")
                position = int(token) if token.isdigit() else _ZH_DIGITS.get(token)
            elif m.group("last") or m.group("zhlast"):
                ids = last[-1:]
            elif m.group("pair") or m.group("zhpair"):
                word = (m.group("pair") or m.group("zhpair")).lower()
                count = 2 if word == "both" or "两" in word else 3 if "three" in word or "三" in word else len(last)
                ids = last[:count]
            elif m.group("that") or m.group("zhthat"):
                ids = [self.state.focus_id] if self.state.focus_id else last[:1] if len(last) == 1 else []
            if position is not None and 1 <= position <= len(last):
                ids = [last[position - 1]]
            if ids:
                found.append(_Mention(m.start(), m.end(), ids, "reference"))
                self.out.referenced_ids.extend(i for i in ids if i not in self.out.referenced_ids)
            else:
                self.out.unresolved_reference = True
        # "more like that" / "类似这个" point at the focus item
        for m in _MORE_LIKE_REF.finditer(self._masked_text()):
            word = (m.group(1) or m.group(2) or "").lower()
            ids = last if word in ("these", "those", "them", "这些") else (
                [self.state.focus_id] if self.state.focus_id else last[:1])
            if ids:
                found.append(_Mention(m.end() - len(word), m.end(), list(ids), "reference"))
                self.out.referenced_ids.extend(i for i in ids if i not in self.out.referenced_ids)
            else:
                self.out.unresolved_reference = True
        return found

    def _not_found(self) -> None:
        for m in re.finditer(r"[\"“《「]([^\"”》」\n]{2,80})[\"”》」]", self._masked_text()):
            name = m.group(1).strip()
            if name and _MASK not in name and not name.isdigit():
                self.out.not_found.append(name)

    def _sentences(self) -> list[tuple[int, int]]:
        text = self._masked_text()
        spans, start = [], 0
        for m in _SENTENCE_SPLIT.finditer(text):
            spans.append((start, m.end()))
            start = m.end()
        if start < len(text):
            spans.append((start, len(text)))
        return spans

    def _roles(self, mentions: list[_Mention]) -> None:
        if not mentions:
            return
        text = self._masked_text()
        sentences = self._sentences()
        # group mentions into runs: same sentence, joined only by list connectors
        runs: list[list[_Mention]] = []
        sentence_of: list[tuple[int, int]] = []
        s_index = 0
        for mention in mentions:
            while s_index < len(sentences) - 1 and mention.start >= sentences[s_index][1]:
                s_index += 1
            sentence = sentences[s_index] if sentences else (0, len(text))
            if runs and sentence_of[-1] == sentence and _CONNECTOR.match(text[runs[-1][-1].end : mention.start]):
                runs[-1].append(mention)
            else:
                runs.append([mention])
                sentence_of.append(sentence)
        for index, run in enumerate(runs):
            s_start, s_end = sentence_of[index]
            prev_end = runs[index - 1][-1].end if index and sentence_of[index - 1] == sentence_of[index] else s_start
            next_start = (runs[index + 1][0].start if index + 1 < len(runs) and sentence_of[index + 1] == sentence_of[index]
                          else s_end)
            before = text[prev_end : run[0].start]
            if index and sentence_of[index - 1] == sentence_of[index]:
                # cues before a clause break belong to the previous run ("第一个不错，第三个不喜欢")
                breaks = list(_CLAUSE_BREAK.finditer(before))
                if breaks:
                    before = before[breaks[-1].start():]
            after = text[run[-1].end : next_start]
            sentence = text[s_start:s_end]
            role = _role(before, after, sentence, text[s_start : run[0].start])
            self._assign(run, role)

    def _assign(self, run: list[_Mention], role: Role) -> None:
        out = self.out
        ids = [i for mention in run for i in mention.ids]
        target = {"liked": out.liked_ids, "disliked": out.disliked_ids, "mentioned": out.mentioned_ids,
                  "compare": out.compare_ids, "ask": out.target_ids, "more_like": out.target_ids}[role]
        for item_id in ids:
            if item_id not in target:
                target.append(item_id)
        if role == "more_like":
            for item_id in ids:
                if item_id not in out.liked_ids:
                    out.liked_ids.append(item_id)

    # -- constraints ------------------------------------------------------------------------------

    def _years(self) -> None:
        for kind, pattern in _YEAR_PATTERNS:
            for m in self._consume(pattern):
                numbers = [g for g in m.groups() if g]
                if kind == "range":
                    low, high = sorted(int(n) for n in numbers[:2])
                    self.update.year_min, self.update.year_max = low, high
                elif kind.startswith("decade"):
                    start = self._decade(m, kind)
                    if start is None:
                        continue
                    if kind == "decade_after":
                        self.update.year_min = start
                    elif kind == "decade_before":
                        self.update.year_max = start - 1
                    else:
                        self.update.year_min, self.update.year_max = start, start + 9
                else:
                    year = int(numbers[0])
                    if kind == "after":
                        self.update.year_min = year + 1
                    elif kind == "since":
                        self.update.year_min = year
                    elif kind == "before":
                        self.update.year_max = year - 1
                    elif kind == "until":
                        self.update.year_max = year
                    else:
                        self.update.year_min = self.update.year_max = year
        years = [item.year for item in self.shown if item.year]
        text = self._masked_text()
        # a critique is relative to what was shown: older/newer than the middle of the last list
        if _OLDER.search(text) and years:
            self.update.year_max = int(_middle(years)) - 1
        elif _NEWER.search(text) and years:
            self.update.year_min = int(_middle(years, upper=True)) + 1
        elif _RECENT.search(text) and self.update.year_min is None:
            self.update.year_min = self.year_now - 5
        if self.update.year_min is not None and self.update.year_max is not None and self.update.year_min > self.update.year_max:
            self.update.year_min, self.update.year_max = self.update.year_max, self.update.year_min

    def _decade(self, m: re.Match[str], kind: str) -> int | None:
        group = next((g for g in m.groups() if g), None)
        if group is None:
            return None
        if kind == "decade_word":
            return _DECADE_WORDS[group.lower()]
        if group in _ZH_DECADES:
            return _ZH_DECADES[group]
        value = int(group)
        if value >= 1000:
            return value
        return 2000 + value if value <= 20 else 1900 + value

    def _prices(self) -> None:
        if not (self.titles.has_prices or _CURRENCY_MARK.search(self._masked_text())):
            return
        for kind, pattern in _PRICE_PATTERNS:
            for m in self._consume(pattern):
                values = _numbers(m)
                if not values:
                    continue
                if kind == "range" and len(values) >= 2:
                    low, high = sorted(values[:2])
                    self.update.price_min, self.update.price_max = low, high
                elif kind == "max":
                    self.update.price_max = values[0]
                elif kind == "min":
                    self.update.price_min = values[0]
        prices = [item.price for item in self.shown if item.price is not None]
        text = self._masked_text()
        if _CHEAPER.search(text) and prices:
            self.update.price_max = max(0.0, round(_middle(prices) - 0.01, 2))
        elif _PRICIER.search(text) and prices:
            self.update.price_min = round(_middle(prices, upper=True) + 0.01, 2)
        low, high = self.update.price_min, self.update.price_max
        if low is not None and high is not None and low > high:
            self.update.price_min, self.update.price_max = high, low

    def _genres(self) -> None:
        if _NOT_THIS_KIND.search(self._masked_text()) and self.shown:
            # "not this kind": drop the genre (or category) most of the last list shares
            counts: dict[str, int] = {}
            for item in self.shown:
                for genre in item.genres:
                    counts[genre] = counts.get(genre, 0) + 1
            if counts:
                common = max(counts, key=lambda g: counts[g])
                _append(self.update.genres_exclude, common)
                _remove(self.update.genres_include, common)
                _remove(self.out.preferred_genres, common)
        pattern, lookup = _genre_pattern(self.titles.genres)
        if pattern is None:
            return
        text = self._masked_text()
        for m in pattern.finditer(text):
            if _MASK in m.group():
                continue
            key = lookup[m.group().lower()]
            clause_start = _clause_start(text, m.start())
            before = text[clause_start : m.start()]
            negation = _NEGATION_BEFORE.search(before[-40:])
            if negation:
                self._mask(m.start() - len(before[-40:]) + negation.start(), m.end())
                _append(self.update.genres_exclude, key)
                _remove(self.update.genres_include, key)
                _remove(self.out.preferred_genres, key)
            elif key in self.update.genres_exclude:
                continue
            elif _LIKE.search(before) and not _REQUEST.search(before):
                _append(self.out.preferred_genres, key)
            else:
                _append(self.update.genres_include, key)

    def _languages_and_kinds(self) -> None:
        text = self._masked_text()
        if self.titles.languages:
            for pattern, codes in _LANGUAGES:
                for m in pattern.finditer(text):
                    before = text[max(0, m.start() - 30) : m.start()]
                    if _MASK in m.group() or _REPLY_IN.search(before) or _NEGATION_BEFORE.search(before[-20:]):
                        continue
                    chosen = [c for c in codes if c in self.titles.languages] or codes[:1]
                    current = self.update.languages or []
                    self.update.languages = current + [c for c in chosen if c not in current]
        kinds = self.titles.kinds
        if len(kinds) > 1:
            if _MOVIES_ONLY.search(text):
                self.update.kinds = ["movie"] if "movie" in kinds else sorted(kinds - {"series"})
            else:
                for m in _SERIES.finditer(text):
                    before = text[max(0, m.start() - 30) : m.start()]
                    if _NEGATION_BEFORE.search(before[-20:]):
                        self.update.kinds = sorted(kinds - {"series"})
                    else:
                        self.update.kinds = ["series"]
                    break
                if self.update.kinds is None and "product" in kinds and _PRODUCTS.search(text):
                    self.update.kinds = ["product"]

    def _clears(self) -> None:
        text = self._masked_text()
        for pattern, fields in _CLEAR:
            if pattern.search(text):
                for name in fields:
                    if name not in self.update.clear:
                        self.update.clear.append(name)  # type: ignore[arg-type]

    # -- preferences, query, intent ---------------------------------------------------------------

    def _preferences(self) -> None:
        text = self._masked_text()
        snippets: list[str] = []
        for start, end in self._sentences():
            sentence = text[start:end]
            if _COMPARE_AFTER.search(sentence) and (self.out.compare_ids or re.search(r"\bwhich\b|哪", sentence, _I)):
                cut = _COMPARE_AFTER.search(sentence)
                sentence = sentence[: cut.start()] if cut else sentence
            for m in _PREF_EN.finditer(sentence):
                if _DISLIKE.search(sentence[max(0, m.start() - 12) : m.start()]):
                    continue
                snippets.append(m.group(1))
            for m in _PREF_ZH.finditer(sentence):
                snippets.append(m.group(1))
        for snippet in snippets:
            cleaned = _clean_snippet(snippet)
            if cleaned and cleaned.lower() not in (p.lower() for p in self.out.preferences):
                self.out.preferences.append(cleaned)
        # keep only the longest of nested snippets ("something funny" vs "funny")
        prefs = self.out.preferences
        self.out.preferences = [p for p in prefs if not any(p != q and p.lower() in q.lower() for q in prefs)][:5]

    def _query(self) -> str:
        if self.out.preferences:
            return "; ".join(self.out.preferences)[:300]
        text = self._masked_text().replace(_MASK, " ")
        for pattern in _QUERY_NOISE:
            text = pattern.sub(" ", text)
        text = _STOP_QUERY.sub(" ", text)
        text = re.sub(r"[^\w\u3400-\u9fff'-]+", " ", text)
        text = re.sub(r"\s+", " ", text).strip()
        return text[:300] if re.search(r"[A-Za-z\u3400-\u9fff]{2,}", text) else ""

    def _intent(self, start_over: bool) -> None:
        out = self.out
        text = self._masked_text()
        has_content = bool(out.liked_ids or out.disliked_ids or out.mentioned_ids or out.compare_ids or out.target_ids
                           or out.referenced_ids or out.preferences or out.preferred_genres
                           or not self.update.is_empty() or out.not_found)
        bare = re.sub(r"[^\w\s'\u3400-\u9fff]+", " ", self.text).strip()
        bare = re.sub(r"\s+", " ", bare)
        for kind, pattern in _SMALL_TALK.items():
            if bare and pattern.match(bare):
                out.small_talk = kind  # type: ignore[assignment]
                break
        if out.small_talk is None:
            head = re.split(r"[,，!！.。]", self.text.strip(), maxsplit=1)[0].strip()
            for kind, pattern in _SMALL_TALK.items():
                if head and pattern.match(head):
                    out.small_talk = kind  # type: ignore[assignment]
                    break
        if start_over:
            out.intent = "start_over"
            out.referenced_ids = []  # "that one" pointed into the conversation being wiped
            out.unresolved_reference = False
        elif out.compare_ids and (len(out.compare_ids) >= 2 or _COMPARE_AFTER.search(text) or _COMPARE_BEFORE.search(text)):
            out.intent = "compare"
        elif _MORE_LIKE.search(text) and (out.referenced_ids or out.target_ids or out.liked_ids or self.state.focus_id
                                          or self.state.last_candidates):
            out.intent = "more_like"
            if not out.target_ids:
                out.target_ids = list(out.referenced_ids or out.liked_ids or
                                      ([self.state.focus_id] if self.state.focus_id else self.state.last_candidates[:1]))
        elif out.target_ids or (out.referenced_ids and (_ASK.search(text) or out.wants_explanation)
                                and not (out.liked_ids or out.disliked_ids)):
            out.intent = "ask_about"
            if not out.target_ids:
                out.target_ids = list(out.referenced_ids)
        elif out.wants_explanation and not (out.liked_ids or out.disliked_ids or out.preferences) and self.state.last_candidates:
            out.intent = "ask_about"
            out.target_ids = list(self.state.last_candidates)
        elif out.referenced_ids and not (out.liked_ids or out.disliked_ids or out.compare_ids or out.preferences
                                          or not self.update.is_empty() or out.wants_more):
            out.intent = "ask_about"  # a bare "the second one" picks an item to hear about
            out.target_ids = list(out.referenced_ids)
        elif out.small_talk is not None and not has_content:
            out.intent = "small_talk"
        elif self.state.last_candidates and (not self.update.is_empty() or out.wants_more or out.disliked_ids
                                              or out.referenced_ids):
            out.intent = "refine"
        elif has_content or out.query:
            out.intent = "recommend"
        elif out.wants_more and self.state.last_candidates:
            out.intent = "refine"
        elif out.compare_ids:
            out.intent = "compare"
        else:
            out.intent = "unknown"
        if out.intent == "compare" and len(out.compare_ids) == 1:
            log.debug("compare with one candidate: %s", out.compare_ids)


def _role(before: str, after: str, sentence: str, sentence_before: str) -> Role:
    """The opinion a run of mentions carries, from the cues around it (nearest first)."""
    asks_which = re.search(r"\bwhich\b|哪", before, _I) is not None and re.search(r"[?？]", sentence) is not None
    if _COMPARE_BEFORE.search(before) or asks_which or _COMPARE_AFTER.search(after):
        return "compare"
    cue = _last_cue(before)
    if cue == "seen" or cue is None:
        following = _first_cue(after)
        if following in ("liked", "disliked"):
            return following
        if cue == "seen":
            whole = _first_cue(sentence)
            return whole if whole in ("liked", "disliked") and whole != "seen" else "mentioned"
        if following == "ask" or (_ASK.search(sentence_before) and not _LIKE.search(sentence_before)):
            return "ask"
        return "mentioned"
    return cue


def _cues(text: str) -> list[tuple[int, Role | Literal["seen"]]]:
    found: list[tuple[int, Role | Literal["seen"]]] = []
    blocked: list[tuple[int, int]] = []
    for m in _DISLIKE.finditer(text):
        found.append((m.end(), "disliked"))
        blocked.append((m.start(), m.end()))
    for m in _ASK.finditer(text):
        found.append((m.end(), "ask"))
        blocked.append((m.start(), m.end()))
    for m in _MORE_LIKE.finditer(text):
        found.append((m.end(), "more_like"))
        blocked.append((m.start(), m.end()))
    for m in _LIKE.finditer(text):
        if not any(s <= m.start() < e for s, e in blocked):
            found.append((m.end(), "liked"))
    for m in _SEEN.finditer(text):
        found.append((m.end(), "seen"))
    found.sort(key=lambda c: c[0])
    return found


def _last_cue(text: str) -> Role | Literal["seen"] | None:
    cues = _cues(text)
    if not cues:
        return None
    kind = cues[-1][1]
    if kind == "seen" and any(k in ("liked", "disliked") for _, k in cues[:-1]):
        # "I loved it when I watched X": an earlier opinion in the same stretch still holds
        return next(k for _, k in reversed(cues) if k in ("liked", "disliked"))
    return kind


def _first_cue(text: str) -> Role | Literal["seen"] | None:
    cues = [c for c in _cues(text) if c[1] != "seen"]
    return cues[0][1] if cues else None


def _clause_start(text: str, position: int) -> int:
    start = max(0, position - 80)
    last = None
    for m in _CLAUSE_BREAK.finditer(text, start, position):
        last = m.end()
    return last if last is not None else start


def _middle(values: Sequence[float], upper: bool = False) -> float:
    """The lower (or upper) median: "cheaper" means cheaper than at least half of what was shown."""
    ordered = sorted(values)
    return ordered[len(ordered) // 2 if upper else (len(ordered) - 1) // 2]


def _numbers(m: re.Match[str]) -> list[float]:
    groups = m.groups()
    values: list[float] = []
    for k in range(0, len(groups) - 1, 2):
        number, unit = groups[k], groups[k + 1]
        if number is None:
            continue
        try:
            value = float(number.replace(",", ""))
        except ValueError:
            continue
        unit = (unit or "").lower()
        value *= {"k": 1000, "千": 1000, "万": 10000, "w": 10000}.get(unit, 1)
        if value <= 1e9:
            values.append(value)
    return values


@lru_cache(maxsize=32)
def _genre_pattern(catalog_genres: frozenset[str]) -> tuple[re.Pattern[str] | None, dict[str, str]]:
    names = {name: key for name, key in genre_names().items() if not catalog_genres or key in catalog_genres}
    if not names:
        return None, {}
    parts = []
    for name in sorted(names, key=len, reverse=True):
        escaped = re.escape(name).replace(r"\ ", r"[\s-]+").replace(r"\-", r"[\s-]*")
        parts.append(escaped if _CJK.search(name) else rf"(?<![\w-]){escaped}(?![\w-])")
    lookup = dict(names)
    # the matched text may differ in spacing/hyphens ("sci fi"); map through a normaliser
    pattern = re.compile("|".join(parts), _I)
    return pattern, _FuzzyKeyDict(lookup)


class _FuzzyKeyDict(dict):
    """Genre lookup that tolerates the spacing/hyphen variants the pattern accepts."""

    def __missing__(self, key: str) -> str:
        squashed = re.sub(r"[\s-]+", "", key)
        for name, value in self.items():
            if re.sub(r"[\s-]+", "", name) == squashed:
                return value
        return key


def _clean_snippet(snippet: str) -> str:
    text = snippet.replace(_MASK, " ").strip(" \t-'\"“”")
    text = re.split(r"\s+(?:but|and\s+(?:i|also)|because|so)\s+|[，、]", text, maxsplit=1)[0]
    for _ in range(3):
        text = _PREF_LEAD.sub("", text).strip()
        text = _PREF_TRAIL.sub("", text).strip()
    if not text or len(text) > MAX_PREFERENCE_CHARS or _PREF_DROP.search(text):
        return ""
    if not re.search(r"[A-Za-z]{3,}|[\u3400-\u9fff]{2,}", text):
        return ""
    return text


def _append(target: list[str], value: str) -> None:
    if value not in target:
        target.append(value)


def _remove(target: list[str], value: str) -> None:
    if value in target:
        target.remove(value)
