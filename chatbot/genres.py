"""The canonical genre and category vocabulary, with Chinese and English names and synonyms.

Catalog genres are stored as canonical lowercase English keys ("sci-fi"); this table lets the
Douban importer, the constraint parser and the UI move between those keys and what people write.
"""

from __future__ import annotations

# key -> (English display, Chinese display, extra synonyms in either language)
GENRES: dict[str, tuple[str, str, tuple[str, ...]]] = {
    "action": ("action", "动作", ("动作片",)),
    "adventure": ("adventure", "冒险", ("冒险片",)),
    "animation": ("animation", "动画", ("animated", "cartoon", "anime", "动画片", "动漫")),
    "biography": ("biography", "传记", ("biopic", "传记片")),
    "comedy": ("comedy", "喜剧", ("comedies", "funny", "喜剧片", "搞笑")),
    "crime": ("crime", "犯罪", ("犯罪片", "gangster")),
    "documentary": ("documentary", "纪录片", ("documentaries", "纪录")),
    "drama": ("drama", "剧情", ("dramas", "剧情片")),
    "family": ("family", "家庭", ("家庭片", "kids", "儿童")),
    "fantasy": ("fantasy", "奇幻", ("奇幻片", "魔幻")),
    "history": ("history", "历史", ("historical", "历史片")),
    "horror": ("horror", "恐怖", ("scary", "horror movies", "恐怖片", "惊悚恐怖")),
    "music": ("music", "音乐", ("音乐片",)),
    "musical": ("musical", "歌舞", ("musicals", "歌舞片")),
    "mystery": ("mystery", "悬疑", ("悬疑片", "whodunit")),
    "romance": ("romance", "爱情", ("romantic", "romcom", "rom-com", "love story", "爱情片")),
    "sci-fi": ("sci-fi", "科幻", ("science fiction", "scifi", "sci fi", "科幻片")),
    "sport": ("sport", "运动", ("sports", "体育")),
    "thriller": ("thriller", "惊悚", ("thrillers", "惊悚片")),
    "war": ("war", "战争", ("战争片",)),
    "western": ("western", "西部", ("westerns", "西部片")),
    "wuxia": ("wuxia", "武侠", ("martial arts", "kung fu", "武侠片", "功夫")),
    # product categories
    "audio": ("audio", "音频", ("headphones", "earbuds", "speaker", "耳机", "音箱")),
    "phones": ("phones", "手机", ("phone", "smartphone")),
    "computers": ("computers", "电脑", ("laptop", "computer", "keyboard", "mouse", "笔记本", "键盘", "鼠标")),
    "kitchen": ("kitchen", "厨房", ("cookware", "厨具")),
    "home": ("home", "家居", ("household", "居家")),
    "outdoor": ("outdoor", "户外", ("camping", "hiking", "露营", "徒步")),
    "fitness": ("fitness", "健身", ("gym", "workout", "运动健身")),
    "beauty": ("beauty", "美妆", ("skincare", "skin care", "护肤", "化妆品")),
    "books": ("books", "图书", ("book", "书", "书籍")),
    "toys": ("toys", "玩具", ("toy", "games", "益智")),
    "coffee-tea": ("coffee & tea", "咖啡茶饮", ("coffee", "tea", "咖啡", "茶")),
    "wearables": ("wearables", "穿戴设备", ("smartwatch", "watch", "手环", "手表")),
    "cameras": ("cameras", "相机", ("camera", "摄影")),
    "gaming": ("gaming", "游戏", ("console", "游戏机")),
}

# Douban and other sources name genres in Chinese; map them onto the keys above.
_LOOKUP: dict[str, str] = {}
for _key, (_en, _zh, _synonyms) in GENRES.items():
    for _name in (_key, _en, _zh, *_synonyms):
        _LOOKUP[_name.lower()] = _key
_LOOKUP.update({"家庭": "family", "儿童": "family", "古装": "history", "灾难": "action", "情色": "romance",
                "同性": "romance", "短片": "drama", "黑色电影": "crime", "真人秀": "documentary"})


def canonical_genre(name: str) -> str:
    """The canonical key for a genre name in either language; unknown names pass through lowercased."""
    label = name.strip().lower()
    return _LOOKUP.get(label, label)


def genre_label(key: str, lang: str = "en") -> str:
    """A genre key as people read it in `lang` ("sci-fi" -> "科幻")."""
    entry = GENRES.get(key)
    if entry is None:
        return key
    return entry[1] if lang == "zh" else entry[0]


def genre_names() -> dict[str, str]:
    """Every known name or synonym (lowercase) -> canonical key; for parsers."""
    return dict(_LOOKUP)
