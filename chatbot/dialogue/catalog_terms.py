"""What a catalog's own fields let the parser recognise: countries, people (in both scripts) and tags,
plus a small general mapping of everyday words (浪漫, 烧脑, feel-good, 国产, 港片…) onto those fields.

Built once per catalog (cached on the TitleMatcher's identity); every lookup is one regex pass.
Only values the catalog actually holds are ever produced, so a filter never asks for what cannot exist.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field

from rapidfuzz import fuzz, process

from chatbot.dialogue.common_words import STOPWORDS
from chatbot.dialogue.name_sounds import NameSounds
from chatbot.item_text import attribute_label
from chatbot.items import Item

_I = re.IGNORECASE
_CJK = re.compile(r"[\u3400-\u9fff]")
_PERSON_CUE = re.compile(r"\b(?:by|with|starring|stars|directed|director|actor|actress|from|like|loves?|likes?)\s+$", re.I)
_PAREN = re.compile(r"^(.*?)\s*[(（]([^)）]*)[)）]\s*$")

# everyday words -> country codes (only codes present in the catalog are kept)
COUNTRY_WORDS: dict[str, tuple[str, ...]] = {
    "国产|大陆|内地|中国大陆|mainland(?:\\s+china|\\s+chinese)?": ("CN",),
    "chinese|china|中国|华语|中文": ("CN", "HK", "TW"),
    "港片|港产|香港|hong\\s*kong|hk": ("HK",),
    "台湾|台片|taiwan(?:ese)?": ("TW",),
    "日本|日剧|日漫|日影|japan(?:ese)?|anime": ("JP",),
    "韩国|韩剧|韩影|韩片|korea(?:n)?|k-drama": ("KR",),
    "美国|好莱坞|美剧|american|hollywood|u\\.s\\.|usa|america|the\\s+states|the\\s+us": ("US",),
    "英国|英剧|british|uk|england": ("GB",),
    "法国|french|france": ("FR",),
    "德国|german(?:y)?": ("DE",),
    "意大利|italian|italy": ("IT",),
    "西班牙|spanish|spain": ("ES",),
    "印度|宝莱坞|indian|india|bollywood": ("IN",),
    "瑞典|swedish|sweden": ("SE",),
    "伊朗|iranian|iran": ("IR",),
    "墨西哥|mexican|mexico": ("MX",),
    "泰国|thai|thailand": ("TH",),
    "苏联|俄罗斯|soviet|russian|russia": ("SU", "RU"),
    "新西兰|new\\s+zealand": ("NZ",),
    "欧美|western": ("US", "GB", "FR", "DE", "IT", "ES", "SE", "DK", "NO", "CA", "AU"),
    "日韩": ("JP", "KR"), "港台": ("HK", "TW"), "英美": ("GB", "US"),
    "亚洲|亚洲的|asian|asia": ("CN", "HK", "TW", "JP", "KR", "IN", "TH", "IR"),
    "欧洲|european|europe": ("GB", "FR", "DE", "IT", "ES", "SE", "DK", "NO", "SU"),
    "澳大利亚|澳洲|australian|australia": ("AU",),
    "加拿大|canadian|canada": ("CA",),
    "阿根廷|argentin(?:e|a|ian)": ("AR",),
    "巴西|brazil(?:ian)?": ("BR",),
    "丹麦|danish|denmark": ("DK",),
    "挪威|norwegian|norway": ("NO",),
}

# everyday words -> catalog tags (zh words and English paraphrases; only tags the catalog holds are kept)
TAG_WORDS: dict[str, tuple[str, ...]] = {
    "茶|tea": ("tea",), "咖啡|coffee": ("coffee",), "咖啡豆": ("beans",), "帐篷|tents?": ("tent",),
    "耳机|earbuds|earphones": ("earbuds", "over-ear", "open-ear"), "真无线耳机|真无线|入耳式|tws|in-ear": ("earbuds",),
    "头戴式|头戴|耳罩式|over\\s+ear|over-the-ear": ("over-ear",), "headphones": ("over-ear", "earbuds", "noise cancelling"),
    "空气炸锅|air\\s*fryers?": ("air fryer",), "笔记本电脑|笔记本|laptops?|notebook": ("laptop",),
    "键盘|keyboards?": ("keyboard",), "鼠标|mouse|mice": ("mouse",), "显示器|monitors?": ("monitor",),
    "手表|智能手表|手环|smart\\s*watch(?:es)?": ("smartwatch",), "背包|双肩包|backpacks?|daypacks?": ("backpack",),
    "跑步|跑者|running|runners?|jogging": ("for runners",), "瑜伽|yoga": ("yoga",), "露营|camping": ("camping",),
    "徒步|登山|爬山|hiking|hikers?": ("hiking", "backpacking"), "学生|students?": ("for students",),
    "孩子|儿童|小孩|小朋友|小学生|kids?|children|\\d+\\s*(?:-\\s*)?years?[-\\s]old|\\d+岁": ("for kids", "for toddlers"),
    "宝宝|幼儿|婴儿|toddlers?|babies|baby": ("for toddlers",),
    "科幻|sci-?fi|science\\s+fiction": ("sci-fi",), "非虚构|non-?fiction": ("non-fiction",), "历史|history": ("history",),
    "心理学|psychology": ("psychology",), "猫|狗|宠物|掉毛|pets?|cats?|dogs?": ("pet friendly",),
    "睡眠|失眠|睡不好|sleep(?:ing)?|insomnia": ("sleep", "bedroom", "sleep tracking"), "降噪|noise[-\\s]cancell?ing|anc": ("noise cancelling",),
    "无线|wireless": ("wireless",), "防水|waterproof": ("waterproof",), "扫地机器人|robot\\s+vacuums?": ("robot vacuum",),
    "哑铃|dumbbells?": ("dumbbells",), "护肤|skin\\s*care": ("skincare",), "化妆|彩妆|make-?up": ("makeup",),
    "积木|乐高|building\\s+blocks|lego": ("building blocks",), "游戏机|consoles?": ("console",),
    "手柄|controllers?": ("controller",), "音箱|speakers?": ("speaker",), "手机|智能机|智能手机|smartphones?|phones?": ("smartphone",),
    "通勤|commut(?:e|ing|er)": ("travel", "noise cancelling"), "出差|差旅|商务旅行|business\\s+trips?": ("travel",), "办公|home\\s+office|working\\s+from\\s+home": ("home office",),
    # needs in everyday words: what would meet them
    "力量|举铁|增肌|练肌肉|strength|weight\\s+training|lifting|build\\s+muscle": ("strength",),
    "马拉松|跑马|marathons?": ("for runners", "running"),
    "计步|记录运动|运动记录|track\\s+my\\s+runs?|track\\s+my\\s+steps|track\\s+my\\s+workouts?|fitness\\s+trackers?|activity\\s+trackers?": ("fitness tracker", "gps", "smartwatch"),
    "防汗|sweat-?proof|sweat\\s+proof|sweatproof": ("waterproof",),
    "没电|充电宝|移动电源|power\\s*banks?|chargers?|phone\\s+(?:always\\s+)?dies|phone\\s+keeps\\s+dying|battery\\s+(?:always\\s+)?dies|phone\\s+runs?\\s+out|battery\\s+runs?\\s+out": ("power bank", "charger"),
    "保温杯|保温壶|保温|insulated|thermos|water\\s+bottles?|drinks?\\s+cold|drinks?\\s+hot|cold\\s+drinks?|keep\\s+(?:the\\s+)?drinks?\\s+cold": ("bottle",),
    "不太会用(?=智能)|不会用(?=智能)|用不惯(?=智能)|not\\s+good\\s+with\\s+smartphones|not\\s+tech-savvy": ("for seniors",),
    "老人机|老年人|老人用|elderly|seniors?": ("for seniors",),
    "温馨|治愈|暖心|heart-?warming|wholesome": ("heartwarming", "feel-good"),
    "轻松|开心|欢乐|feel-?good|light-?hearted|uplifting|cheerful": ("feel-good", "heartwarming"),
    "时间旅行|穿越时空|time\\s+travel": ("time travel",), "丧尸|zombies?": ("zombies",), "复仇|revenge": ("revenge",),
    "友情|友谊|friendship": ("friendship",), "成长|coming[-\\s]of[-\\s]age": ("coming of age",),
    "公路片|公路|road\\s+trip": ("road trip",), "吉卜力|宫崎骏|ghibli": ("studio ghibli",), "史诗|宏大|epic|grand": ("epic",),
    "赛博朋克|cyberpunk": ("cyberpunk",), "人工智能|artificial\\s+intelligence|\\bai\\b": ("artificial intelligence",),
    "太空|宇宙|outer\\s+space|space": ("space",), "外星人|aliens?|first\\s+contact": ("first contact",),
    "反转|twists?|twisty": ("twisty", "plot twists", "twist"), "烧脑|mind-?bending|puzzles?|brainy": ("twisty", "puzzle", "plot twists", "psychological"),
    "催泪|哭|tearjerkers?|make\\s+me\\s+cry": ("tearjerker",), "黑白|black\\s+and\\s+white": ("black and white",),
    "经典|classics?": ("classic", "cult classic"), "冷门|小众|hidden\\s+gems?|underrated": ("hidden gem",),
    "真实事件|真实故事|true\\s+stor(?:y|ies)|based\\s+on\\s+true": ("true story", "based on true events"),
    "功夫|kung\\s*fu": ("kung fu",), "武打|martial\\s+arts": ("kung fu", "swordplay"),
    "圣诞|christmas": ("christmas",), "慢热|节奏慢|太慢|慢节奏|slow(?:-paced)?|slow\\s+burn": ("slow burn",), "二战|第二次世界大战|world\\s+war\\s+(?:ii|2|two)|wwii|ww2": ("world war ii",),
    "抢劫|盗窃|劫案|heists?": ("heist",), "初恋|first\\s+love": ("first love",), "黑色幽默|dark\\s+comedy": ("dark comedy",),
}
# moods that are heavy: "不要太虐", "nothing too dark" exclude them; "sad/虐心" asks for them
HEAVY_WORDS = re.compile(r"虐|沉重|压抑|致郁|悲剧|黑暗|暗黑|太丧|sad|depressing|dark|heavy|bleak|tragic|grim|tearjerker", _I)
HEAVY_TAGS = ("tearjerker", "dark", "grief", "bleak", "tragedy")
SAD_WORDS = re.compile(r"虐|悲剧|致郁|sad|tragic|tearjerker", _I)  # the heavy words that mean tears, not darkness
HEAVY_GENRES = ("war", "horror")
# mood words that map onto genres (hard include, OR): 烧脑 -> mystery/thriller, 浪漫 -> romance
MOOD_GENRES: dict[str, tuple[str, ...]] = {
    "烧脑|mind-?bending|brainy|cerebral": ("mystery", "thriller", "sci-fi"),
    "浪漫|romantic|date\\s+night|约会": ("romance",),
    "搞笑|好笑|funny|hilarious|laugh": ("comedy",),
    "吓人|恐怖|scary|spooky|creepy": ("horror",),
    "刺激|紧张|thrilling|suspenseful|edge\\s+of": ("thriller",),
    "打斗|动作|fight|explosions?": ("action",),
    "警匪|cops?|police": ("crime", "action"),
    "侦探|推理|破案|detectives?|whodunn?its?|sleuth": ("mystery", "crime"),
    "一家人|全家|合家欢|family[-\\s]friendly|whole\\s+family|with\\s+(?:the\\s+|my\\s+)?kids": ("family", "animation", "comedy"),
    # watching with a child ("和8岁的孩子一起看", "for my kids", "with my 6 year old")
    "(?:和|跟|带|陪|给)(?:我的?|家里的?)?(?:[\\d一二三四五六七八九十]+岁的?)?(?:孩子|小孩|儿子|女儿|小朋友|娃)"
    "|(?:孩子|小孩|小朋友|儿童)也?(?:能|可以)看|适合(?:孩子|小孩|儿童|小朋友)|kid-?friendly"
    "|for\\s+(?:my\\s+|the\\s+|young\\s+)?(?:kids|children)|with\\s+my\\s+(?:\\d+[-\\s]year[-\\s]old|son|daughter|children)":
        ("family", "animation"),
    "暴力|血腥|violent|violence|gory|gore|bloody|loud": ("action", "horror", "war"),
    "scared|frighten(?:ing)?|terrif(?:y|ying)|nightmares?": ("horror",),
    "大哭|哭一场|tearjerk(?:er|ing)|make\\s+me\\s+cry|a\\s+good\\s+cry": ("drama", "romance", "family"),
    # product needs that name a category (kept only where the catalog has it)
    "摄影|拍照|照相|相机|photography|photographers?|cameras?|film\\s+it|filming\\s+it|film\\s+the\\s+trip|vlogs?|vlogging|vloggers?": ("cameras",),
    "家电|家用电器|home\\s+appliances?|appliances": ("home", "kitchen"),
    "看书|读书|爱读书|书虫|reading|bookworms?|loves\\s+to\\s+read": ("books",),
    "做饭|下厨|烹饪|烘焙|厨艺|cooking|cooks?|baking|chef": ("kitchen",),
}
# light moods: asking for them rules out the heavy genres
LIGHT_WORDS = re.compile(r"轻松|治愈|温馨|开心|欢乐|不那么沉重|feel-?good|light-?hearted|uplifting|cheerful|wholesome|cosy|cozy", _I)
# phrases that hold a tag's word without meaning the tag ("movie night" is an evening, not the tag "night")
_NOT_A_TAG = re.compile(r"\b(?:movie|film|date|game|games|girls'?|guys'?|family|pizza|friday|saturday|weekend|first)\s+nights?\b"
                        r"|\b(?:a|quiet|cosy|cozy|lazy)\s+night\s+(?:in|out)\b|\bgood\s*night\b", re.IGNORECASE)
# tags too broad to narrow a list by (they describe the offer, not the thing)
_BROAD_TAGS = frozenset({"gift", "budget", "premium", "classic", "family", "travel", "accessory", "new"})


def _word_pattern(words: str) -> str:
    """Latin alternatives get word boundaries; CJK ones match anywhere."""
    parts = []
    for word in words.split("|"):
        parts.append(word if _CJK.search(word) else rf"(?<![\w-]){word}(?![\w-])")
    return "|".join(parts)


def person_keys(name: str) -> list[str]:
    """'Stephen Chow (周星驰)' -> ['stephen chow', '周星驰']; 'Denis Villeneuve' -> ['denis villeneuve']."""
    match = _PAREN.match(name)
    parts = [match.group(1), match.group(2)] if match else [name]
    return [p.strip().lower() for p in parts if p and len(p.strip()) >= 2]


def _short_keys(name: str) -> list[str]:
    """'Tony Leung Chiu-wai (梁朝伟)' -> ['tony leung']; 'Aamir Khan (阿米尔·汗)' -> ['阿米尔汗']: how people write them."""
    keys = []
    for part in person_keys(name):
        if "·" in part:
            keys.append(part.replace("·", ""))
        words = part.split()
        if len(words) >= 3 and not _CJK.search(part):
            keys.append(" ".join(words[:2]))
    return keys


@dataclass
class Found:
    start: int
    end: int
    values: tuple[str, ...]
    text: str



_WORD = re.compile(r"[A-Za-z0-9]+(?:['’][A-Za-z]+)?")
_CJK_RUN = re.compile(r"[\u3400-\u9fff]+")


class Lexicon:
    """Phrases found by dictionary look-ups over the message's words and Chinese runs: one pass, no big regex."""

    def __init__(self, phrases: dict[str, tuple[str, ...]], plurals: bool = False) -> None:
        self.latin: dict[str, tuple[str, ...]] = {}
        self.cjk: dict[str, tuple[str, ...]] = {}
        self.plurals = plurals
        for phrase, values in phrases.items():
            key = " ".join(phrase.lower().replace("-", " ").split())
            (self.cjk if _CJK.search(key) else self.latin)[key] = values
        self.max_words = max((len(k.split()) for k in self.latin), default=0)
        self.cjk_lengths = sorted({len(k) for k in self.cjk}, reverse=True)

    def _latin_hit(self, key: str) -> tuple[str, ...] | None:
        hit = self.latin.get(key)
        if hit is None and self.plurals:
            for cut in ("s", "es", "ing"):
                if key.endswith(cut) and (hit := self.latin.get(key[: -len(cut)])) is not None:
                    break
        return hit

    def find(self, text: str) -> list[Found]:
        found: list[Found] = []
        words = [(m.group().lower().replace("’", "'").removesuffix("'s"), m.start(), m.end()) for m in _WORD.finditer(text)]
        for i in range(len(words)):
            for n in range(min(self.max_words, len(words) - i), 0, -1):
                span = words[i:i + n]
                if any(not re.fullmatch(r"[\s-]+", text[a[2]:b[1]]) for a, b in zip(span, span[1:])):
                    continue
                hit = self._latin_hit(" ".join(w for w, _, _ in span))
                if hit is not None:
                    found.append(Found(span[0][1], span[-1][2], hit, text[span[0][1]:span[-1][2]]))
                    break
        for run in _CJK_RUN.finditer(text):
            chunk = run.group()
            for length in self.cjk_lengths:
                for k in range(len(chunk) - length + 1):
                    hit = self.cjk.get(chunk[k:k + length])
                    if hit is not None:
                        start = run.start() + k
                        found.append(Found(start, start + length, hit, chunk[k:k + length]))
        return found


@dataclass
class CatalogTerms:
    """The parser's catalog-derived vocabulary."""

    countries: list[tuple[re.Pattern[str], tuple[str, ...]]] = field(default_factory=list)
    tags: list[tuple[re.Pattern[str], tuple[str, ...]]] = field(default_factory=list)
    mood_genres: list[tuple[re.Pattern[str], tuple[str, ...]]] = field(default_factory=list)
    people_lexicon: Lexicon | None = None
    name_sounds: NameSounds | None = None  # names written by sound: 宫崎峻, 诺兰
    tag_lexicon: Lexicon | None = None
    people: dict[str, str] = field(default_factory=dict)  # lowercase key -> the catalog's full name
    specific_tags: frozenset[str] = frozenset()  # tags narrow enough to filter a list by
    catalog_tags: frozenset[str] = frozenset()
    country_codes: frozenset[str] = frozenset()  # every attributes.country the catalog holds
    kind_tags: frozenset[str] = frozenset()  # tags that name a kind of product ("laptop", "headlamp"), not a feature
    heavy_tags: tuple[str, ...] = ()
    heavy_genres: tuple[str, ...] = ()
    attributes: list[tuple[re.Pattern[str], str]] = field(default_factory=list)  # attribute words -> attribute key
    tag_items: dict[str, frozenset[str]] = field(default_factory=dict)  # tag -> ids of the items carrying it
    _latin_names: list[str] = field(default_factory=list)

    @classmethod
    def build(cls, items: Sequence[Item]) -> CatalogTerms:
        have_countries = {str(i.attributes.get("country")) for i in items if i.attributes.get("country")}
        have_tags = Counter(t for i in items for t in i.tags)
        have_genres = {g for i in items for g in i.genres}
        terms = cls(catalog_tags=frozenset(have_tags), country_codes=frozenset(have_countries))
        members: dict[str, set[str]] = {}
        for item in items:
            for tag in item.tags:
                members.setdefault(tag, set()).add(item.id)
        terms.tag_items = {t: frozenset(ids) for t, ids in members.items()}
        for words, codes in COUNTRY_WORDS.items():
            kept = tuple(c for c in codes if c in have_countries)
            if kept:
                terms.countries.append((re.compile(_word_pattern(words), _I), kept))
        for words, tags in TAG_WORDS.items():
            kept = tuple(t for t in tags if t in have_tags)
            if kept:
                terms.tags.append((re.compile(_word_pattern(words), _I), kept))
        for words, genres in MOOD_GENRES.items():
            kept = tuple(g for g in genres if g in have_genres)
            if kept:
                terms.mood_genres.append((re.compile(_word_pattern(words), _I), kept))
        limit = max(3, len(items) * 15 // 100)
        titled = Counter(t for i in items if i.kind == "product" for t in i.tags if t.rstrip("s") in i.title.lower())
        terms.kind_tags = frozenset(t for t, n in titled.items() if n >= 0.6 * have_tags[t])
        # narrow enough to filter a list by; a tag of one item only when it names that kind ("headlamp", not "cooking")
        terms.specific_tags = frozenset(t for t, n in have_tags.items() if n <= limit and t not in _BROAD_TAGS
                                        and (n >= 2 or t in terms.kind_tags))
        terms.heavy_tags = tuple(t for t in HEAVY_TAGS if t in have_tags)
        terms.heavy_genres = tuple(g for g in HEAVY_GENRES if g in have_genres)
        terms._build_people(items)
        terms._build_catalog_tags(items, have_tags)
        terms._build_attributes(items)
        return terms

    def _build_catalog_tags(self, items: Sequence[Item], have_tags: Counter[str]) -> None:
        """The catalog's own tags, written as they are ("yoga", "sleep"), and Chinese words that mark
        the products carrying a tag in their Chinese titles (瑜伽 -> yoga, 手柄 -> controller)."""
        phrases: dict[str, tuple[str, ...]] = {
            tag: (tag,) for tag in have_tags
            if (len(tag) >= 3 or (len(tag) == 2 and any(c.isdigit() for c in tag))) and tag not in _BROAD_TAGS}
        self.tag_lexicon = Lexicon(phrases, plurals=True)
        products = [i for i in items if i.kind == "product" and i.title_zh]
        if not products:
            return
        grams: dict[str, set[str]] = {}
        for item in products:
            for run in re.findall(r"[\u3400-\u9fff]{2,}", item.title_zh or ""):
                for n in (2, 3):
                    for k in range(len(run) - n + 1):
                        grams.setdefault(run[k:k + n], set()).add(item.id)
        by_tag: dict[str, set[str]] = {}
        for item in products:
            for tag in item.tags:
                by_tag.setdefault(tag, set()).add(item.id)
        for gram, ids in grams.items():
            if len(ids) < 2:
                continue
            tags = tuple(t for t, members in by_tag.items() if t not in _BROAD_TAGS
                         and len(ids & members) / len(ids) >= 0.8 and len(ids & members) >= 2)
            if tags:
                phrases[gram] = tags
        self.tag_lexicon = Lexicon(phrases, plurals=True)

    def _build_attributes(self, items: Sequence[Item]) -> None:
        """Attribute names as people ask about them: 'RAM', 'storage', 'screen', 内存, 屏幕."""
        keys = {k for item in items for k, v in item.attributes.items()
                if isinstance(v, (int, float)) and not isinstance(v, bool)}
        for key in sorted(keys):
            en, zh = attribute_label(key)
            words = [w for w in (en, zh) if w and len(w) >= 2]
            if words:
                pattern = "|".join(rf"(?<![\w-]){re.escape(w)}(?![\w-])" if not _CJK.search(w) else re.escape(w)
                                   for w in words)
                self.attributes.append((re.compile(pattern, _I), key))

    def _fuzzy_people(self, text: str) -> list[Found]:
        """A full latin name with a typo ("christopher nolen"): two or three words close to one name."""
        if not self._latin_names:
            self._latin_names = [k for k in self.people if " " in k and not _CJK.search(k) and len(k) >= 10]
        words = list(re.finditer(r"[A-Za-z][\w'-]+", text))
        found: list[Found] = []
        for k in range(len(words) - 1):
            start, end = words[k].start(), words[k + 1].end()
            span = text[start:end]
            if span.lower() in self.people or not _PERSON_CUE.search(text[max(0, start - 16): start]) \
                    or any(w.group().lower() in STOPWORDS for w in words[k:k + 2]):
                continue
            best = process.extractOne(span.lower(), self._latin_names, scorer=fuzz.ratio, score_cutoff=90)
            if best:
                found.append(Found(start, end, (self.people[best[0]],), span))
        return found

    def items_tagged(self, tags: Sequence[str]) -> set[str]:
        return {i for t in tags for i in self.tag_items.get(t, ())}

    def find_attribute(self, text: str) -> str | None:
        for pattern, key in self.attributes:
            if pattern.search(text):
                return key
        return None

    def _build_people(self, items: Sequence[Item]) -> None:
        counts: Counter[str] = Counter()
        credits: Counter[str] = Counter()
        brands = {n for i in items for n in i.people.get("brand", []) if len(n.split()) >= 2}
        firsts = Counter(n.split()[0].lower() for n in brands)  # "Cirrus" for "Cirrus Audio", when only one brand starts so
        for item in items:
            for role, names in item.people.items():
                for name in names:
                    credits[name] += 1
                    first = name.split()[0].lower() if name in brands else ""
                    brand = [first] if len(first) >= 4 and firsts[first] == 1 else []
                    for key in person_keys(name) + _short_keys(name) + brand:
                        if key not in self.people or role == "director":
                            self.people[key] = name
                        counts[key] += 1
        # a lone family name ("Villeneuve") also counts when it belongs to one person only
        surnames: dict[str, set[str]] = {}
        for key, name in self.people.items():
            words = key.split()
            if len(words) >= 2 and not _CJK.search(key) and len(words[-1]) >= 5:
                surnames.setdefault(words[-1], set()).add(name)
        for surname, names in surnames.items():
            ranked = sorted(names, key=lambda n: -credits[n])  # "Nolan": Christopher (6 films), not Jonathan (1)
            if surname not in self.people and (len(ranked) == 1 or credits[ranked[0]] >= 2 * credits[ranked[1]]):
                self.people[surname] = ranked[0]
        self.people_lexicon = Lexicon({k: (name,) for k, name in self.people.items()})
        self.name_sounds = NameSounds(self.people, credits)

    # -- lookups ----------------------------------------------------------------------------------
    @staticmethod
    def _scan(pairs: list[tuple[re.Pattern[str], tuple[str, ...]]], text: str, extra: Sequence[Found] = ()) -> list[Found]:
        """Matches in text order; where two overlap, the longer one ("mainland China" over "China")."""
        found = list(extra)
        for pattern, values in pairs:
            found += [Found(m.start(), m.end(), values, m.group()) for m in pattern.finditer(text) if m.group()]
        kept: list[Found] = []
        for f in sorted(found, key=lambda f: (-(f.end - f.start), f.start)):
            if all(f.end <= k.start or f.start >= k.end or (f.start, f.end) == (k.start, k.end) for k in kept):
                kept.append(f)
        return sorted(kept, key=lambda f: f.start)

    def find_countries(self, text: str) -> list[Found]:
        return self._scan(self.countries, text)

    def find_tags(self, text: str) -> list[Found]:
        extra = self.tag_lexicon.find(text) if self.tag_lexicon else []
        idioms = [m.span() for m in _NOT_A_TAG.finditer(text)]
        return [f for f in self._scan(self.tags, text, extra) if not any(s < f.end and f.start < e for s, e in idioms)]

    def find_mood_genres(self, text: str) -> list[Found]:
        return self._scan(self.mood_genres, text)

    def find_people(self, text: str) -> list[Found]:
        if self.people_lexicon is None:
            return []
        found = self._fuzzy_people(text)
        for hit in self._scan([], text, self.people_lexicon.find(text)):
            # a latin name counts when written with a capital (or in full); "chow" in a sentence is not a name
            if not _CJK.search(hit.text) and " " not in hit.text and not hit.text[:1].isupper():
                continue
            if not any(f.start < hit.end and hit.start < f.end for f in found):
                found.append(hit)
        for start, end, name in self.name_sounds.find(text) if self.name_sounds else []:
            span = text[start:end]
            if not any(f.start < end and start < f.end for f in found) and not self._vocabulary(span):
                found.append(Found(start, end, (name,), span))
        return sorted(found, key=lambda f: f.start)

    def _vocabulary(self, span: str) -> bool:
        """A span that is a word the parser knows otherwise (a mood, a tag, a country) is not a name."""
        return bool(self.find_tags(span) or self.find_mood_genres(span) or self.find_countries(span)
                    or HEAVY_WORDS.search(span) or LIGHT_WORDS.search(span))
