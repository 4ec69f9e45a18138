"""The parser's fixed vocabulary of cues, in English and Chinese: opinions, intents, references,
years, prices, kinds, negation. Catalog-specific words (countries, people, tags) live in catalog_terms."""

from __future__ import annotations

import re

I = re.IGNORECASE
_I = I

DISLIKE = re.compile(
    r"\b(?:hate[sd]?|hating|dislike[sd]?|detest(?:ed)?|(?:did|do|does|could|can)\s*n[o']?t\s+(?:really\s+)?"
    r"(?:like|love|enjoy|stand|want)|never\s+(?:liked|enjoyed)|not\s+(?:a\s+)?(?:big\s+)?fan\s+of|not\s+into|"
    r"boring|awful|terrible|overrated|worst|nothing\s+like|anything\s+but|no\s+more|not\s+like|avoid|"
    r"don'?t\s+want|do\s+not\s+want|wasn'?t\s+(?:good|great)|not)\b"
    r"|不喜欢|不太喜欢|讨厌|不爱|不好看|难看|无聊|太烂|很烂|烂片|一般般|不怎么样|没意思|不想看|不要|别推荐|受不了|不感兴趣",
    _I)
LIKE = re.compile(
    r"\b(?:lik(?:e|ed|es|ing)|lov(?:e|ed|es|ing)|enjoy(?:s|ed|ing)?|adore[sd]?|favou?rites?|great|amazing|"
    r"awesome|fantastic|brilliant|excellent|a\s+fan\s+of|into|similar\s+to|in\s+the\s+vein\s+of|such\s+as)\b"
    r"|喜欢|爱看|最爱|好看|不错|很棒|精彩|神作|经典|像|类似",
    _I)
NOT_YET = re.compile(r"(?:n't|\bnot|\bnever|\byet\s+to)\s+(?:yet\s+|ever\s+|really\s+|actually\s+)?$|(?:没有?|未|还没|从没|从来没)\s*$", I)
SEEN = re.compile(r"\b(?:watched|saw|seen|read|bought|have|had|finished|tried|used)\b|看了|看过|刷了|读过|买过|用过|看完", _I)
ASK = re.compile(
    r"\b(?:tell\s+me\s+(?:more\s+)?about|more\s+about|what\s+(?:is|'s|about)|what\s+do\s+you\s+know\s+about|"
    r"details?\s+(?:on|of|about)|describe|explain|what(?:'s|\s+is)\s+it\s+(?:about|like)|what\s+happens\s+in|info\s+(?:on|about)|how\s+is|is\s+it\s+(?:any\s+)?good|worth\s+(?:it|watching|seeing|a\s+watch))\b"
    r"|介绍|讲讲|说说|是什么|怎么样|好看吗|值得|详细",
    _I)
COMPARE_BEFORE = re.compile(
    r"\b(?:compare|comparing|versus|vs\.?|between|which\s+of|choose\s+between|pick\s+between|which\s+one\s+of)\b"
    r"|\bwhich\b(?=[^.!]*\?)"
    r"|比较|对比|相比|比一比",
    _I)
COMPARE_AFTER = re.compile(
    r"\bwhich\s+(?:one|of|would|should|do|does|is|will|movie|film|series|show|product|to|i)\b|\bwhich\b[^.!]*\?"
    r"|\bwhat(?:'s|\s+is)\s+better\b|\bbetter\b[^.!]*\?|\bcompare\b|\bversus\b|\bvs\b"
    r"|\b(?:pick|choose)\s+(?:one|just\s+one|the\s+best)\b"
    r"|哪个|哪部|哪一个|哪一部|哪款|哪本|哪一款|选哪|哪个好|比较|对比|更好|比呢|比起来|比一下|[选挑]一[部个款本]|二选一|三选一",
    _I)
MORE_LIKE = re.compile(
    r"\b(?:more\s+like|similar|something\s+like|anything\s+like|others?\s+like|ones?\s+like|stuff\s+like|"
    r"(?:movies?|films?|shows?|series|books?)\s+(?:like|in\s+the\s+vein\s+of))\b"
    r"|类似|相似|差不多的|像这样|这样的再|同类",
    _I)
MORE_LIKE_REF = re.compile(r"\b(?:more\s+like|similar\s+to|something\s+like)\s+(that|this|it|these|those|them)\b"
                            r"|(?:类似|相似|像)(这个|那个|这部|那部|这些|它)", _I)
# "和《X》一样好笑的", "跟《X》那种": the named item is what the person wants more of
AS_THE_NAMED_BEFORE = re.compile(r"(?:和|跟|同|与|像)\s*[《「“\"]?\s*$")
AS_THE_NAMED_AFTER = re.compile(r"^\s*[》」”\"]?\s*(?:一样|那样|这样|似的|那种|这种|那类|这类|之类|风格)")
# a product category named as a feature of another ("a phone with a good camera", "拍照要好")
FEATURE_BEFORE = re.compile(r"\bwith\s+(?:a\s+|an\s+)?(?:(?:really\s+|very\s+)?(?:good|great|nice|decent|better|strong|"
                            r"excellent|solid)\s+)?$", _I)
FEATURE_AFTER = re.compile(r"^\s*(?:要|得|也|更|比较|很|要比较)?\s*(?:好|强|出色|清楚|清晰|不错|厉害|给力)", _I)
# "他还拍过什么", "what else has he directed?": the films of the person just talked about
THEIR_OTHER_WORKS = re.compile(
    r"(?:他|她)(?:还|又|都)?(?:拍|导|执导|导演|演|主演|出演)过(?:什么|哪些|啥|别的|其他)|(?:他|她)的(?:其他|别的)(?:作品|电影|片子|片)?"
    r"|(?:他|她)还有(?:什么|哪些|别的|其他)(?:作品|电影|片子)"
    r"|\bwhat\s+else\s+(?:did|has|have)\s+(?:he|she|they)\s+(?:directed|direct|made|make|done|do|been\s+in|starred\s+in|star\s+in)"
    r"|\b(?:other|more)\s+(?:films?|movies?|work)\s+(?:by|from|with)\s+(?:him|her|them)\b|\b(?:his|her)\s+other\s+(?:films?|movies?|work)\b", _I)
ACTING = re.compile(r"演|\b(?:been|star(?:red)?)\s+in\b|\bwith\s+(?:him|her)\b", _I)
GOOD_FILM = re.compile(r"\b(?:a|any|some)\s+good\s+(?:movies?|films?)\b", _I)  # "what's a good movie for a plane?": films
# "要评分高的", "top rated ones": the best-loved of what fits first
ACCLAIMED = re.compile(r"\b(?:top[-\s]rated|highly[-\s]rated|best[-\s]rated|well[-\s](?:reviewed|rated|loved)|acclaimed|"
                       r"high(?:ly)?\s+(?:rated|rating|ratings|scores?))\b|评分高|高分|评分最高|好评|口碑好|口碑最好|豆瓣高分", _I)
LIVE_ACTION = re.compile(r"\blive[-\s]?action\b|真人(?:版|电影|片|拍摄)?", _I)
# "what's the third one like?": a question about it, not "more like the third one" nor a like
WHAT_IS_IT_LIKE = re.compile(r"(?P<head>\bwhat(?:'s|’s|\s+is|\s+are|'re)\s+[^?.!,;]{1,40}?)\s+like(?P<tail>\s*[?？.!]*\s*)$", _I)
WHY = re.compile(r"\bwhy\b|为什么|为啥|理由|原因", _I)
START_OVER = re.compile(
    r"\b(?:start\s+(?:over|again|afresh)|restart|reset|start\s+from\s+scratch|forget\s+(?:everything|all)|"
    r"new\s+search|clear\s+everything)\b|重新开始|重新来|重来|从头来|从头开始|清空|重新推荐|忘掉",
    _I)
# "换一部", "换个便宜点的", "换一个看看": another one; "换个手机" (a new phone) is a request, not a swap
SWAP = r"换一?[个部款本](?!(?![看试呢吧啊好别其新])[\u4e00-\u9fff]{2}(?![的点些一]))"
MORE = re.compile(
    r"\b(?:closest\s+(?:thing|one|match|alternative)s?|alternatives?|something\s+else|anything\s+else|what\s+else|other\s+(?:ones|options|suggestions)|others|another|more\s+(?:options|"
    r"suggestions|ideas|please)|show\s+me\s+more|different\s+ones?|not\s+these|next\s+(?:ones|batch|page))\b"
    r"|^\s*(?:(?:some|any|a\s+few|give\s+me|show)\s+)?more(?:\s+please)?\s*[.!?]*\s*$|更多推荐|[多再]来几[部个款本]|再推荐几[部个款本]|换一批|" + SWAP + r"|还有吗|还有别的|别的|其他的|再来|还需要什么|还要什么|最接近的|替代品?",
    _I)
# foreign, seen from the Chinese-speaking regions (the catalogs' home audience)
FOREIGN = re.compile(r"国外|外国|海外|\b(?:foreign|overseas|non-?chinese)\b", _I)
CHINESE_REGIONS = ("CN", "HK", "TW", "MO")
SMALL_TALK = {
    "greeting": re.compile(r"^(?:hi+|hello|hey|hiya|yo|howdy|good\s+(?:morning|afternoon|evening)|greetings|你好|您好|嗨|哈喽|哈啰|早上好|晚上好)"
                           r"(?:\s+(?:there|bot|again|everyone))?$", _I),
    "thanks": re.compile(r"^(?:thanks?(?:\s+you)?(?:\s+(?:so\s+much|a\s+lot|very\s+much))?|thank\s+you.*|thx|ty|cheers|"
                         r"谢谢(?:你|您)?|多谢|谢了|感谢)$", _I),
    "bye": re.compile(r"^(?:bye|goodbye|see\s+you|see\s+ya|good\s+night|再见|拜拜|晚安)$", _I),
    "other": re.compile(r"^(?:ok(?:ay)?|cool|nice|great|sure|lol|haha|how\s+are\s+you|who\s+are\s+you|好的|好|嗯|哈哈|你是谁)$", _I),
}
QUOTES = "《》〈〉「」『』“”\"'‘’"
CONNECTOR = re.compile(rf"^[\s,，、/&+{QUOTES}]*(?:(?:and|or|and\s+also|as\s+well\s+as|plus|vs\.?|versus|和|与|跟|及|以及|或|或者|还是|同)"
                        rf"[\s,，、{QUOTES}]*(?:the\s+|a\s+)?)?$", _I)
SENTENCE_SPLIT = re.compile(r"[.!?;。！？；\n]+(?=\s|$|[^\d])")
CLAUSE_BREAK = re.compile(r"[,，;；.!?。！？]|\bbut\b|但是|不过|可是", _I)

# "the cheaper one", "the newest of them", "便宜的那个": a shown item picked out by a fact
COMPARATIVE_REF = re.compile(
    r"\bthe\s+(?P<en>cheap(?:er|est)|less\s+expensive|pricier|priciest|more\s+expensive|most\s+expensive|light(?:er|est)|"
    r"heav(?:ier|iest)|new(?:er|est)|old(?:er|est)|short(?:er|est)|long(?:er|est))\s+(?:one|of\s+(?:the\s+)?(?:two|them|these|those)|"
    r"option|pick)\b|(?P<zh>便宜|贵|轻|重|新|老|短|长)(?:一点|一些|些)?的那(?:一)?(?:个|款|部|本)", I)
COMPARATIVE_FACTS = {"chea": ("price", "min"), "less": ("price", "min"), "pric": ("price", "max"), "more": ("price", "max"),
                     "most": ("price", "max"), "ligh": ("weight", "min"), "heav": ("weight", "max"), "newe": ("year", "max"),
                     "olde": ("year", "min"), "shor": ("runtime", "min"), "long": ("runtime", "max"), "便宜": ("price", "min"),
                     "贵": ("price", "max"), "轻": ("weight", "min"), "重": ("weight", "max"), "新": ("year", "max"),
                     "老": ("year", "min"), "短": ("runtime", "min"), "长": ("runtime", "max")}

# references to the last list
ORDINAL_EN = {"first": 1, "1st": 1, "second": 2, "2nd": 2, "third": 3, "3rd": 3, "fourth": 4, "4th": 4,
               "fifth": 5, "5th": 5, "sixth": 6, "6th": 6, "seventh": 7, "7th": 7, "eighth": 8, "8th": 8}
ZH_DIGITS = {"一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9, "十": 10}
REFERENCE = re.compile(
    r"\b(?:the\s+)?(?P<firstn>first|top|last)\s+(?P<n>two|three|2|3)\b(?:\s+(?:ones|picks|options|items))?"
    r"|(?P<zhfirstn>前|后)\s*(?P<zhn>[两二三四2-4])\s*(?:个|部|款|项|本|名)"
    r"|\b(?:the\s+|that\s+|your\s+)(?P<en>first|second|third|fourth|fifth|sixth|seventh|eighth|1st|2nd|3rd|4th|5th|6th|7th|8th)"
    r"(?:\s+(?:one|pick|suggestion|movie|film|series|show|product|option|item))?\b"
    r"|\b(?P<en2>first|second|third|fourth|fifth|1st|2nd|3rd|4th|5th)\s+(?:one|pick|suggestion|option)\b"
    r"|\b(?:number|no\.|option|#)\s*(?P<num>[1-9])\b|(?<![\w])#(?P<hash>[1-9])\b"
    r"|\bthe\s+(?P<last>last|final)\s+(?:one|pick|suggestion|option)\b"
    r"|(?P<runner>\brunner[-\s]?up\b|\bsecond\s+choice\b|\bback-?up\s+(?:pick|choice)\b|备选|次选|第二选择|亚军)"
    r"|\b(?P<pair>both|all\s+of\s+them|all\s+three|these|those|them)\b"
    r"|\b(?P<that>that|this)\s+one\b|\b(?:about\s+|of\s+|(?<=what's\s)|(?<=what’s\s)|(?<=what\sis\s)|(?<=what\swas\s))(?P<it>it)\b(?!\s+(?:is|was|in))"
    r"|第\s*(?P<zh>[一二两三四五六七八九十]|\d{1,2})\s*(?:个|部|款|项|条|本|名)?"
    r"|(?P<zhlast>最后一个|最后那个|最后一部|最后一款)"
    r"|(?P<zhpair>这几个|这几部|这些|这两个|这两部|这三个|这三部|两部都|两个都|两款都)"
    r"|(?P<zhthat>这个|那个|这部|那部|这款|那款|这本|那本)",
    _I)

# years
YEAR = r"(18[7-9]\d|19\d\d|20\d\d)"
DECADE_WORDS = {"twenties": 1920, "thirties": 1930, "forties": 1940, "fifties": 1950, "sixties": 1960,
                 "seventies": 1970, "eighties": 1980, "nineties": 1990}
ZH_DECADES = {"五十": 1950, "六十": 1960, "七十": 1970, "八十": 1980, "九十": 1990}
YEAR_PATTERNS: list[tuple[str, re.Pattern[str]]] = [
    ("range", re.compile(rf"\b(?:between|from)\s+{YEAR}\s+(?:and|to|until|till|-|–)\s+{YEAR}\b", _I)),
    ("range", re.compile(rf"(?<!\d){YEAR}\s*年?\s*(?:-|–|~|～|to|到|至)\s*{YEAR}(?!\d)\s*年?", _I)),
    # two decades at once: "the 80s and 90s", "80s or 90s", "八九十年代", "80、90年代"
    # "the last ten years", "近十年"
    ("last_n", re.compile(r"\b(?:the\s+)?(?:last|past)\s+(\d{1,2}|two|three|four|five|six|seven|eight|nine|ten|fifteen|twenty)\s+years\b"
                          r"|(?:近|最近|过去)\s*(\d{1,2}|[二两三四五六七八九十]|十五|二十)\s*年", _I)),
    ("decade_pair", re.compile(r"(?<![\w'])(?:'|’)?(\d0|1[89]\d0|20\d0)s?\s*(?:and|or|to|&|-|–|、|,)\s*(?:the\s+)?(?:early\s+|late\s+|mid[-\s]?)?(?:'|’)?(\d0|1[89]\d0|20\d0)s\b"
                               r"|(?<!\d)(\d0|1[89]\d0|20\d0)\s*(?:年代)?\s*[、,，和到至-]\s*(\d0|1[89]\d0|20\d0)\s*年代"
                               r"|([五六七八九])([六七八九])十年代|([五六七八九]十)(?:年代)?\s*[、,，和到至]\s*([六七八九]十)年代", _I)),
    ("decade_after", re.compile(r"\b(?:since|after)\s+the\s+(?:'|’)?(\d0)s\b|\b(?:since|after)\s+the\s+(1[89]\d0|20\d0)s\b", _I)),
    ("decade_before", re.compile(r"\bbefore\s+the\s+(?:'|’)?(\d0)s\b|\bbefore\s+the\s+(1[89]\d0|20\d0)s\b", _I)),
    ("decade", re.compile(r"(?<![\w'])(?:'|’)?(\d0)s\b|\b(1[89]\d0|20\d0)s\b", _I)),
    ("decade_word", re.compile(r"\b(twenties|thirties|forties|fifties|sixties|seventies|eighties|nineties)\b", _I)),
    ("decade_before", re.compile(r"(?<!\d)(\d0|1[89]\d0|20\d0)\s*年代\s*(?:以前|之前|前)|(五十|六十|七十|八十|九十)年代\s*(?:以前|之前|前)")),
    ("decade_after", re.compile(r"(?<!\d)(\d0|1[89]\d0|20\d0)\s*年代\s*(?:以后|之后|后|以来)|(五十|六十|七十|八十|九十)年代\s*(?:以后|之后|后|以来)")),
    ("decade_zh", re.compile(r"(?<!\d)(\d0|1[89]\d0|20\d0)\s*年代|(五十|六十|七十|八十|九十)年代")),
    ("after", re.compile(rf"\b(?:after|later\s+than|newer\s+than|post-?)\s*{YEAR}\b", _I)),
    ("since", re.compile(rf"\b(?:since|from)\s+{YEAR}\b(?:\s+on(?:wards?)?)?|\b{YEAR}\s*(?:\+|or\s+(?:later|newer|after)|"
                         rf"and\s+(?:later|newer|after|up)|onwards?)", _I)),
    ("since", re.compile(rf"{YEAR}\s*年?\s*(?:以后|之后|以来|后|起|至今)")),
    ("before", re.compile(rf"\b(?:before|earlier\s+than|older\s+than|pre-?)\s*{YEAR}\b", _I)),
    ("until", re.compile(rf"\b(?:until|till|up\s+to|through)\s+{YEAR}\b|\b{YEAR}\s*(?:or\s+(?:earlier|older|before)|"
                         rf"and\s+(?:earlier|older|before))", _I)),
    ("before", re.compile(rf"{YEAR}\s*年?\s*(?:以前|之前|前)")),
    ("exact", re.compile(rf"\b(?:in|from|of|released\s+in)\s+{YEAR}\b|\b{YEAR}\s+(?:movies?|films?|series|shows?)\b"
                         rf"|{YEAR}\s*年(?:的|上映|出的)?", _I)),
]
# "classic cinema", "a classic war movie", "old films", "老电影": films from before 1980
CLASSIC_ERA = re.compile(r"\bclassics?\s+(?:[a-z-]+\s+){0,2}(?:cinema|films?|movies?|pictures?)\b|\bold\b[\w\s-]{0,25}?\b"
                         r"(?:films?|movies?|classics|pictures)\b|\bgolden\s+age\b|\bold\s+classics\b|老电影|老片|经典老|老的经典", _I)
CLASSIC_ERA_END = 1979
# "老片子也没关系", "old movies are fine too", "I don't mind older films": allowed, not asked for
TOLERATED_AFTER = re.compile(r"^[^，。；,.;!?！？]{0,8}?(?:也(?:没关系|没事|行|可以|无所谓|ok|看)|都(?:行|可以|没关系|无所谓|看)|无所谓|没关系|不介意"
                             r"|\b(?:(?:is|are|'re|'s)\s+)?(?:fine|ok|okay|alright|good)\s+(?:too|as\s+well)\b"
                             r"|\b(?:is|are|'re|'s)\s+(?:fine|ok|okay|alright)\b|\bdon'?t\s+mind\b)", _I)
TOLERATED_BEFORE = re.compile(r"(?:\b(?:do\s*n[o']?t|wouldn'?t)\s+mind|\bopen\s+to|\bno\s+problem\s+with|不介意|不排斥|能接受)"
                              r"[^，。；,.;!?！？]{0,12}$", _I)
OLDER = re.compile(r"\b(?:older|earlier|less\s+recent|not\s+so\s+new)\b|老一点|老一些|更老|早一点|早一些|年代久一点|旧一点", _I)
NEWER = re.compile(r"\b(?:newer|more\s+recent|later\s+ones?|not\s+so\s+old)\b|新一点|新一些|更新的|近一点|近一些|晚一点", _I)
RECENT = re.compile(r"\b(?:recent\s+(?:ones|movies|films|releases|stuff|series)|latest|new\s+releases?|brand\s+new)\b"
                     r"|最新|近几年|这几年|新片|最近的(?:电影|片子|剧)|新出的", _I)

# prices
NUM = r"(\d+(?:[.,]\d+)?)\s*(k(?![a-z])|十|百|千|万|w(?![a-z]))?"
ZH_NUMERAL_AND_REST = re.compile(r"([一二两三四五六七八九])([百千万])([一二三四五六七八九])(?![十百千万\d])")  # 一千五 -> 15百
ZH_NUMERAL_BEFORE_UNIT = re.compile(r"(?<![\d一二两三四五六七八九])([一二两三四五六七八九])(?=[百千万])")  # 三百 -> 3百
CUR = r"(?:[¥￥$€£]|rmb|cny|yuan|usd|元|块钱?|刀)"
PRICE_PATTERNS: list[tuple[str, re.Pattern[str]]] = [
    ("range", re.compile(rf"\b(?:between|from)\s*{CUR}?\s*{NUM}\s*{CUR}?\s*(?:and|to|-|–)\s*{CUR}?\s*{NUM}\s*{CUR}?", _I)),
    ("range", re.compile(rf"{CUR}?\s*{NUM}\s*{CUR}?\s*(?:-|–|~|～|到|至)\s*{CUR}?\s*{NUM}\s*{CUR}?(?:之间|以内)?", _I)),
    ("max", re.compile(rf"\b(?:under|below|less\s+than|cheaper\s+than|at\s+most|max(?:imum)?|no\s+more\s+than|not\s+more\s+than|"
                       rf"up\s+to|within|budget\s+(?:of|is)?|not\s+over)\s*{CUR}?\s*{NUM}\s*{CUR}?|<=?\s*{CUR}?\s*{NUM}"
                       rf"|(?:不超过|低于|少于|不到|预算|最多|小于|不高于)\s*{CUR}?\s*{NUM}\s*{CUR}?", _I)),
    ("max", re.compile(rf"{CUR}?\s*{NUM}\s*{CUR}?\s*(?:以内|以下|之内|内)", _I)),
    ("min", re.compile(rf"\b(?:over|above|more\s+than|at\s+least|min(?:imum)?|starting\s+at|from)\s*{CUR}?\s*{NUM}\s*{CUR}?"
                       rf"|>=?\s*{CUR}?\s*{NUM}|(?:超过|高于|不低于|至少|大于)\s*{CUR}?\s*{NUM}\s*{CUR}?", _I)),
    ("min", re.compile(rf"{CUR}?\s*{NUM}\s*{CUR}?\s*(?:以上|起)", _I)),
]
CURRENCY_MARK = re.compile(rf"{CUR}|\b(?:price|budget|cost|dollars?|bucks)\b|价格|价钱|预算", _I)
NOT_THIS_KIND = re.compile(
    r"\bnot\s+(?:this|that|these|those)\s+(?:kind|type|sort|genre|category)\b|\bdifferent\s+(?:kind|genre|type|category)\b"
    r"|\bsomething\s+(?:completely|totally|entirely)\s+different\b|不要这类|不要这种|不要这一类|不要这个类型|换个类型|换一类|别的类型|不同类型", _I)
CHEAPER = re.compile(r"\b(?:cheaper|less\s+expensive|more\s+affordable|lower\s+price|lower\s+budget)\b|便宜一点|便宜点|便宜些|更便宜|再便宜|便宜一些|实惠一点", _I)
PRICIER = re.compile(r"\b(?:more\s+expensive|pricier|higher[-\s]end|more\s+premium|fancier)\b|贵一点|贵一些|更贵|高端一点|好一点的", _I)

# languages and kinds
LANGUAGES: list[tuple[re.Pattern[str], list[str]]] = [  # spoken languages; nationalities are countries (catalog_terms)
    (re.compile(r"\bmandarin\b|国语|普通话|汉语|chinese[-\s]language", _I), ["zh"]),
    (re.compile(r"\bcantonese\b|粤语", _I), ["yue", "zh"]),
    (re.compile(r"\bkorean[-\s]language\b|韩语", _I), ["ko"]),
    (re.compile(r"\bjapanese[-\s]language\b|日语", _I), ["ja"]),
    (re.compile(r"\benglish[-\s]language\b|\bin\s+english\b|英语|英文", _I), ["en"]),
    (re.compile(r"\bfrench[-\s]language\b|法语", _I), ["fr"]),
    (re.compile(r"\bspanish[-\s]language\b|西班牙语", _I), ["es"]),
    (re.compile(r"\bhindi\b|印地语", _I), ["hi"]),
    (re.compile(r"\bgerman[-\s]language\b|德语", _I), ["de"]),
]
REPLY_IN = re.compile(r"\b(?:answer|reply|respond|speak|talk|write|say\s+it)\s+(?:to\s+me\s+)?in\s*$|用\s*$|说\s*$", _I)
MOVIE_WORDS = re.compile(r"\b(?:movies?|films?)\b|电影|影片|片子|(?<=[\u4e00-\u9fff])片(?![头尾段花场集])", _I)
SERIES = re.compile(r"(?:国产|港|台|韩|日|美|英|古装|悬疑|家庭|都市|武侠|历史)剧|\b(?:tv\s+(?:series|shows?)|series|tv|shows|sitcoms?|miniseries)\b|电视剧|剧集|连续剧|网剧|美剧|韩剧|日剧|英剧|追剧", _I)
MOVIES_ONLY = re.compile(r"\b(?:only|just)\s+(?:movies|films)\b|\b(?:movies|films)\s+only\b|\b(?:no|not)\s+(?:series|tv|shows)\b"
                          r"|只要电影|只看电影|电影就行|不要电视剧|不要剧集|不看剧|不要剧", _I)
PRODUCTS = re.compile(r"\b(?:products?|gadgets?|gifts?|buy)\b|商品|产品|礼物|买", _I)
NEGATION_BEFORE = re.compile(
    r"(?:\b(?:no|not|without|except|avoid|skip|hate|hated|dislike|don'?t\s+(?:want|like|need|show)|nothing|never|exclude|"
    r"excluding|anything\s+but|other\s+than|instead\s+of|tired\s+of|enough|no\s+more|none|less|outside|non|already\s+seen|seen\s+all|"
    r"(?:is|are|was|were)\s*n[o']?t|already\s+(?:has|have|owns?|got))\b[\w\s'-]{0,16}"
    r"|(?:不那么|不太|没那么|不要|不想看|不想要|不看|(?<![特分区差告类个级性识鉴辨])别(?!的)|除了|(?<!有)没有|不喜欢|讨厌|不爱|排除|受不了|不是|非|已经有)[^，。；,.;!?！？]{0,5})$",
    _I)
REQUEST = re.compile(r"\b(?:want|wanna|looking\s+for|in\s+the\s+mood|give\s+me|show\s+me|recommend|suggest|find|something|"
                      r"anything|some|only|just|need|prefer|craving|preferably|ideally)\b|最好|有没有|有什么|有哪些|想看|想要|来点|来几部|来一部|推荐|找|只看|只要|要", _I)
CLEAR = [
    (re.compile(r"\b(?:clear|remove|reset|drop|forget)\s+(?:all\s+)?(?:the\s+|my\s+)?filters\b|清除(?:所有)?(?:筛选|条件)|取消(?:所有)?(?:筛选|条件)|去掉(?:所有)?(?:筛选|条件)", _I),
     ["kinds", "genres_include", "genres_exclude", "year_min", "year_max", "price_min", "price_max", "languages"]),
    (re.compile(r"\b(?:any|whatever)\s+(?:price|budget)\b|\bmoney\s+is\s+no\s+(?:object|issue|problem)\b|\bprice\s+(?:doesn'?t|does\s+not)\s+matter\b|不差钱|钱不是问题|\b(?:no|remove|drop|forget|ignore|clear)\s+(?:the\s+)?(?:price|budget)\s*(?:limit|filter|cap|range)?\b"
                r"|(?:价格|价钱|预算)\s*(?:不限|无所谓|都行|随便)", _I), ["price_min", "price_max"]),
    (re.compile(r"\b(?:any|whatever)\s+(?:year|era|decade|age)\b|\b(?:no|remove|drop|forget|ignore|clear)\s+(?:the\s+)?(?:year|era|date)\s*(?:limit|filter|range)?\b"
                r"|(?:年份|年代)\s*(?:不限|无所谓|都行|随便)", _I), ["year_min", "year_max"]),
    (re.compile(r"\b(?:any|whatever)\s+genre\b|\b(?:remove|drop|forget|ignore|clear)\s+(?:the\s+)?genres?\s*(?:filter)?\b|类型\s*(?:不限|无所谓|都行|随便)", _I),
     ["genres_include", "genres_exclude"]),
    (re.compile(r"\b(?:any|whatever)\s+language\b|\b(?:remove|drop|forget|ignore|clear)\s+(?:the\s+)?language\s*(?:filter)?\b|语言\s*(?:不限|无所谓|都行|随便)", _I),
     ["languages"]),
]
PREF_EN = re.compile(
    r"\b(?:love|like|enjoy|prefer|into|fan\s+of|want|looking\s+for|in\s+the\s+mood\s+for|craving|something|anything)\s+"
    r"((?:(?!\b(?:and|but)\s+(?:i|also|want|love|like|no)\b)[^,.;!?\n\u2062])+)",
    _I)
PREF_ZH = re.compile(r"(?<![不没别])(?:喜欢|爱看|偏爱|想看|想要|来点|来一部|来几部|找)\s*(?:一些|一点|一部|几部|点|看)?([^，。；！？,.;!?\n、\u2062]{2,30})")
PREF_DROP = re.compile(r"^(?:it|them|that|this|those|these|one|ones|to|a\s+lot|most|the\s+most|which|what|you|me|something|anything|"
                        r"more|some|else|please|better|best)$|哪|什么|吗|吧$|呢$", _I)
PREF_LEAD = re.compile(r"^(?:(?:a|an|some|the|more|really|to\s+watch|to\s+see|watching|something|anything|movies?|films?|"
                        r"with|that|is|are)\s+)+", _I)
PREF_TRAIL = re.compile(r"\s+(?:please|movies?|films?|ones|stuff|tonight|today|now|too|as\s+well)$|(?:的电影|的片子|的片|的剧|的)$", _I)
STOP_QUERY = re.compile(
    r"\b(?:i|i'm|im|i'd|me|my|you|your|please|can|could|would|will|should|a|an|the|some|any|and|or|of|to|for|"
    r"recommend|suggest|give|show|want|need|looking|hi|hello|hey|thanks|thank|which|why|what|most|like|love|"
    r"liked|loved|watched|recently|also|really|just|is|are|was|were|it|that|this|these|those)\b"
    r"|有没有|有什么|有哪些|请问|帮我|给我|推荐一下|推荐", _I)


QUERY_NOISE = [NOT_THIS_KIND, DISLIKE, SEEN, ASK, COMPARE_BEFORE, COMPARE_AFTER, START_OVER, MORE, MORE_LIKE, WHY,
                re.compile(r"\b(?:hi|hello|hey|thanks?|thank\s+you|from|tell|about|more|most|would|should|recently|"
                           r"watch|see|movies?|films?|ones?|something|anything|under|below|between|over|above|older|newer|cheaper|"
                           r"please|but|not|no|one)\b"
                           r"|你好|您好|谢谢|推荐|便宜|老一点|新一点|我|你|的|了|很|也|都|吗|呢|吧|啊|最近|最可能|可能|一下|一点|一些|里|和|与|跟|还|再|想|要|电影|片子|部|个", _I),
                LIKE]



# prices "around" a figure: a band, not a cap
AROUND_PRICE = re.compile(
    rf"\b(?:budget\s+(?:is\s+|of\s+)?)?(?:around|about|roughly|approximately|approx\.?|circa|~)\s*{CUR}?\s*{NUM}\s*{CUR}?"
    rf"|(?:预算)?\s*(?:大概|大约|差不多)?\s*{CUR}?\s*{NUM}\s*{CUR}?\s*(?:左右|上下)", _I)
# "doesn't have to be for hiking": the earlier requirement no longer holds (not an exclusion)
NOT_REQUIRED = re.compile(r"(?:\b(?:does\s*n[o']?t|do\s*n[o']?t|need\s*n[o']?t|does\s+not|do\s+not)\s+(?:have|need)\s+to\s+be"
                          r"|\bnot\s+necessarily|\bno\s+need\s+(?:for|to\s+be)|不一定|不必|不用是|不需要是|不限于)[\w\s'-]{0,12}$", _I)
# choosing among named candidates: "从《A》《B》中", "among A, B and C", "which of"
COMPARE_FROM_BEFORE = re.compile(r"(?:从|在)\s*[《「“\"]?\s*$|\b(?:among|out\s+of|from|of)\s*$", _I)
COMPARE_FROM_AFTER = re.compile(r"^[\s》」”\"]*(?:[这那]?[几两三四二2-5]\s*[部个款本])?\s*(?:之中|当中|中间|中|里面|里|之间)", _I)
WANTS_ONE = re.compile(
    r"\b(?:which\s+(?:one|movie|film|series|show|product|would|should|do|of|is|to)|pick\s+(?:one|for\s+me)|choose\s+one|just\s+one|"
    r"only\s+one|one\s+of\s+(?:them|these)|single\s+(?:best|pick)|most\s+likely|the\s+best\s+one|recommend\s+one)\b"
    r"|哪一部|哪部|哪一个|哪个|哪一款|哪款|哪本|推荐一部|推荐一个|推荐一款|选一部|选一个|选一款|一部最|最可能|最适合", _I)
# "just one movie for tonight", "只要一部": one pick, not a list
JUST_ONE = re.compile(r"\b(?:just|only)\s+(?:one|a\s+single)\b(?!\s+(?:of|more|thing|question))|\ba\s+single\s+(?:movie|film|show|pick)\b"
                      r"|只要一[部个款本]|就一[部个款本]|一[部个款本]就(?:行|好|够)", _I)
REPLACE_ONE = re.compile(r"\b(?:another\s+(?:one|please)|a\s+different\s+one|replace\s+it|swap\s+it|something\s+else\s+instead)\b"
                         r"|" + SWAP + r"|再来一部|再来一个|换掉", _I)
# "do you have X?": a named thing that may not be in the catalog
HAVE = re.compile(r"\b(?:do|does)\s+(?:you|the\s+(?:catalog|shop|store))\s+(?:have|carry|sell|stock|got)\s+(?:any\s+)?|"
                  r"\bhave\s+you\s+got\s+(?:any\s+)?|\bis\s+there\s+(?:a|an|any)\s+|\bany\s+chance\s+you\s+have\s+|"
                  r"你们?有没有|有没有|有卖|你们有|(?:你们?)?有(?=\s*[A-Za-z《“\"「])", _I)
# words that show a message is about the catalog even when nothing else is recognised
DOMAIN = re.compile(
    r"\b(?:movies?|films?|watch(?:ing)?|shows?|series|tv|cinema|director|actor|actress|stars?|plot|genre|recommend\w*|suggest\w*|"
    r"gifts?|buy|buying|products?|shop|price|budget|cheap\w*|expensive|brand|present|something|anything|ideas?|options?|"
    r"looking\s+for|in\s+the\s+mood|for\s+(?:my|a|an|the)\s+\w+|surprise\s+me|bored)\b"
    r"|电影|片子|影片|看|剧|导演|演员|主演|推荐|礼物|买|商品|产品|东西|价格|预算|便宜|贵|牌子|品牌|送|适合|想要|来点|有没有", _I)
# a fresh request after an earlier one (the old filters no longer apply) vs a critique that keeps them
# another thing wanted besides what was shown: a new wish even when named only in free text ("还想买几把折叠椅")
ANOTHER_WISH = re.compile(r"\balso\s+(?:need|want)\s+(?:a|an|some)\b|\banother\s+(?:thing|gift|present)\b|还想买|还想要|还要买|也想买|再买", _I)
# "by a different director", "not by him", "换个导演": the people of the film in focus no longer wanted
OTHER_PEOPLE = re.compile(r"\b(?:different|another|other)\s+(?:director|filmmaker|actor|actress|people)\b|\bnot\s+by\s+(?:him|her|them|"
                          r"the\s+same\s+(?:director|person|people))\b|换个导演|别的导演|其他导演|不同的导演|不要同一个导演|不是他(?:拍|导)的", _I)
# a general-knowledge question, not a request ("what's the capital of France?", "法国的首都是哪里")
GENERAL_QUESTION = re.compile(r"^\s*(?:what|who|where|when|how)(?:'s|\s+is|\s+are|\s+was|\s+were|\s+do|\s+does|\s+did|\s+many|\s+much)\b"
                              r"|(?:是哪里|在哪里?|是谁|几点|多少度|首都|天气)", _I)
# questions no catalog answers, whatever else they name ("what's the weather like in Paris?")
NEVER_CATALOG = re.compile(r"\b(?:weather|forecast|temperature\s+(?:in|today|tomorrow))\b|天气|气温|下雨吗", _I)
NEW_TOPIC = re.compile(r"\b(?:now|next|new\s+(?:request|topic|search)|different\s+(?:question|thing|topic)|"
                       r"another\s+(?:thing|question|gift|present)|also\s+(?:need|want)|separately)\b|^\s*and\s+(?:a|an|some)\b"
                       r"|换个话题|另外|还要给|再给|另一个问题|新的需求|还想买|还想要|还要买|也想买|再买", _I)
# words that add to what was asked ("also", "too", "也"): a second genre joins the first; a second product is another wish
ADDITIVE = re.compile(r"\b(?:also|too|as\s+well|either|or|plus)\b|也|还有|或者|另外", _I)
CRITIQUE = re.compile(r"\b(?:also|too|as\s+well|still|instead|but|more|less|than|then|same|similar|these|those|ones?)\b"
                      r"|也|还|再|一点|一些|更|这些|那些|同样|类似|的呢|呢", _I)
# questions about items already shown, answered from the catalog's facts
WHICH = re.compile(r"\bwhich\b|\bwhat(?:'s|\s+is)\s+the\b|哪个|哪部|哪款|哪一|谁更|哪本", _I)
HOW = re.compile(r"\bhow\s+(?:much|long|heavy|big|many)\b|多少|多久|多长|多重|多大|几个|几寸|几", _I)
MORE_WORDS = re.compile(r"\b(?:more|most|bigger|biggest|larger|largest|higher|highest|longer|longest|better|best)\b|更大|更多|更高|更长|最大|最多|最高|最长|更好", _I)
LESS_WORDS = re.compile(r"\b(?:less|least|smaller|smallest|lower|lowest|fewer|shorter)\b|更小|更少|更低|最小|最少|最低", _I)
FACT_WORDS: list[tuple[str, str, re.Pattern[str]]] = [  # (fact, direction, pattern)
    ("children", "which", re.compile(
        r"\b(?:ok(?:ay)?|suitable|appropriate|fine|safe|good|alright|right)\s+(?:for|to\s+watch\s+with)\s+(?:a\s+|an\s+|my\s+|the\s+|"
        r"young\s+|little\s+|small\s+)*(?:\d+[-\s]?(?:year|yr)s?[-\s]?olds?|kids?|children|child|toddlers?|little\s+ones)\b"
        r"|\bkid-?friendly\b|\bfor\s+kids\b\?|适合(?:小孩|孩子|儿童|小朋友)|(?:小孩|孩子|儿童|小朋友|[\d一二三四五六七八九十]+岁(?:的)?(?:孩子|小孩)?)"
        r"(?:能|可以)(?:看|玩|用)", _I)),
    ("price", "min", re.compile(r"\bcheap(?:er|est)\b|\bless\s+expensive\b|\blower\s+price\b|更便宜|最便宜|便宜", _I)),
    ("price", "max", re.compile(r"\b(?:more|most)\s+expensive\b|\bpricier\b|更贵|最贵", _I)),
    ("price", "which", re.compile(r"\bhow\s+much\b|\bprice\b|\bcost\b|多少钱|价格|价钱|售价|几块", _I)),
    ("weight", "min", re.compile(r"\blight(?:er|est)\b|更轻|最轻|轻一点|轻便", _I)),
    ("weight", "max", re.compile(r"\bheav(?:ier|iest)\b|更重|最重", _I)),
    ("weight", "which", re.compile(r"\bweigh[ts]?\b|\bhow\s+heavy\b|多重|重量", _I)),
    ("battery", "max", re.compile(r"\b(?:longer|longest|better|best|bigger|more)\s+battery|\bbattery\s+(?:lasts?\s+)?longer|\blasts?\s+(?:the\s+)?long(?:er|est)\b"
                                  r"|续航(?:更|最)(?:长|久|好)|(?:更|最)(?:长|久)的续航|电池更大|哪个续航|续航哪个", _I)),
    ("battery", "which", re.compile(r"\bbattery\b|续航|电池|电量", _I)),
    ("runtime", "min", re.compile(r"\bshort(?:er|est)\b|\bquick(?:er|est)\s+to\s+watch\b|最短|更短|短一点", _I)),
    ("runtime", "max", re.compile(r"\blong(?:er|est)\b(?!\s+(?:run|hike|trip))|最长|更长", _I)),
    ("runtime", "which", re.compile(r"\bhow\s+long\b|\bruntime\b|\brunning\s+time\b|\blength\b|片长|多长|时长|多久", _I)),
    ("year", "max", re.compile(r"\b(?:newer|newest|more\s+recent|most\s+recent|latest)\b|更新|最新|新一些", _I)),
    ("year", "min", re.compile(r"\b(?:older|oldest|earlier|earliest)\b|更老|最老|更早|最早", _I)),
    ("year", "which", re.compile(r"\bwhen\s+(?:was|did|is)\b|\bwhat\s+year\b|哪年|哪一年|什么时候", _I)),
    ("people", "which", re.compile(r"\bwho\s+(?:directed|made|is\s+in|stars|starred|acts|wrote)\b|\bdirected\s+by\b|\bby\s+whom\b|"
                                   r"\bwho(?:'s|\s+is)\s+the\s+director\b|\bwhich\s+brand\b|\bwho\s+makes\b|谁导|谁拍|导演是|谁演|主演是|演员|哪个牌子|什么牌子|品牌是|谁写|作者", _I)),
    ("size", "max", re.compile(r"\bbigg(?:er|est)\b|\blarg(?:er|est)\b|\bmore\s+capacity\b|更大|最大|容量", _I)),
]
# "anything lighter?", "有没有大一点的": more or less of a measured fact than the items just shown
MEASURE_CRITIQUES: list[tuple[str, str, re.Pattern[str]]] = [  # (fact, direction, pattern)
    ("weight", "min", re.compile(r"\blighter\b|\bless\s+heavy\b|更轻|轻一点|轻一些|轻点|轻些", _I)),
    ("weight", "max", re.compile(r"\bheavier\b|更重|重一点|重一些", _I)),
    ("size", "max", re.compile(r"\b(?:bigger|larger|roomier)\b|\bmore\s+(?:room|space|capacity)\b|更大|大一点|大一些|大点|大些|容量大", _I)),
    ("size", "min", re.compile(r"\b(?:smaller|more\s+compact)\b|更小|小一点|小一些|小点|小些", _I)),
]
COLOURS = re.compile(r"\b(black|white|red|blue|green|pink|grey|gray|silver|gold|purple|yellow|orange|brown|beige)\b"
                     r"|(黑色|白色|红色|蓝色|绿色|粉色|灰色|银色|金色|紫色|黄色|橙色|棕色|米色|黑|白)", _I)
COLOUR_ZH = {"黑色": "black", "黑": "black", "白色": "white", "白": "white", "红色": "red", "蓝色": "blue", "绿色": "green",
             "粉色": "pink", "灰色": "grey", "银色": "silver", "金色": "gold", "紫色": "purple", "黄色": "yellow",
             "橙色": "orange", "棕色": "brown", "米色": "beige"}
FEATURE_Q = re.compile(r"\b(?:does|do|is|can)\s+(?:it|they|that|this|the\s+\w+\s+one|either|any\s+of\s+them)\s+"
                       r"(?:have|has|come\s+(?:in|with)|support|include|work\s+with|do)\s+(?:a\s+|an\s+)?(?P<en>[\w\s-]{2,30}?)\s*\??$"
                       r"|(?:有没有|支不支持|支持|带不带|带|有|是)(?P<zh>[\u4e00-\u9fff\w]{1,12}?)(?:功能)?的?(?:吗|么|\?|？|$)"
                       r"|(?:第[一二三四五1-5][个款部本]|它|这个|这款|那款|那个)(?:是)?(?P<zh2>[\u4e00-\u9fff]{2,6}?)的?(?:吗|么)"
                       r"|\b(?:is|are)\s+(?:it|they|that|this|the\s+\w+\s+one)\s+(?:very\s+|really\s+|good\s+(?:for|with)\s+)?(?P<adj>[a-z][\w\s-]{2,24}?)\s*\??$", _I)
TOO_EXPENSIVE = re.compile(r"\btoo\s+(?:expensive|pricey|much)\b|\bover\s+my\s+budget\b|太贵|贵了|超预算", _I)
