"""People's names by how they sound, for the names people write in Chinese:

- homophone typos of the catalog's own Chinese names, as a pinyin keyboard makes them (宫崎峻 for 宫崎骏,
  新海城 for 新海诚): the same toneless pinyin;
- Chinese transliterations of names the catalog writes only in Latin letters (诺兰 for Nolan, 斯皮尔伯格 for
  Spielberg): the consonants of the pinyin against the consonants of the Latin name, sounds that
  transliteration merges treated as one (r/l, voiced/voiceless, n/ng).

Only spans that a person cue surrounds ("X的电影", "X导演的", "X演的") are tried for transliterations, and
only an unambiguous best match counts: a sound is a guess, so it must point at one person.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable

from pypinyin import lazy_pinyin
from rapidfuzz import fuzz

_CJK_RUN = re.compile(r"[\u3400-\u9fff·・]+")
# what follows (or precedes) a person's name in a request: 诺兰的电影, 卡梅隆导演的, 阿米尔汗演的, 导演是诺兰
# a transliteration is only guessed where the words around it say a person is meant
_PERSON_AFTER = re.compile(r"^(?:的(?:电影|片|作品|戏|剧|新片|老片|喜剧|动画|其他|别的|代表作)|导演|执导|拍的|演的|主演|参演|出演)")
_PERSON_BEFORE = re.compile(r"(?:导演|演员|主演|导演是|主演是)$")
_ASKS_FOR = re.compile(r"(?:有没有|想看|喜欢|推荐|来点)$")  # "有没有库布里克的": asked for, then a bare 的
_BARE_DE = re.compile(r"^的(?:$|[吗呢吧？?。，,！!])")
# characters of ordinary words, never of a typed name; numerals and more, never of a transliterated one
_GRAMMAR_CHARS = re.compile(r"[的了我你他她它们是在有和就都也很想看要部个点些吗呢吧啊哪这那款]")
_FUNCTION_CHARS = re.compile(r"[的了我你他她它们是在有和与就都也很想看要部个点些电影片剧推荐喜欢好吗呢吧啊哪什么这那款一二三四五六七八九十百千万两年代岁月日天导演拍执]")
# (pattern, replacement) in order; "C" stands for an affricate (ch, j, zh, q) until the end
# the characters Chinese uses to write foreign names by sound (the common transliteration table); a span
# with any other character ("诗人") is a word, not a transliterated name
_TRANSLITERATION_CHARS = frozenset(
    "阿埃艾爱安昂奥巴拜班邦鲍贝本比彼毕宾波博布查察柴昌彻楚茨达戴丹当道德登邓迪蒂丁东杜敦顿多厄恩尔法凡范菲费芬丰佛夫弗福"
    "盖甘冈戈格根贡古瓜圭哈海汉汗豪赫亨胡华怀惠霍基吉加贾杰金卡凯坎康考柯科克肯库夸奎昆拉莱兰朗劳勒雷蕾里理利莉丽连廉林琳"
    "隆卢鲁路伦罗洛马玛迈麦曼芒梅门蒙孟米密敏莫姆穆纳娜奈南内尼妮纽努诺欧帕潘庞佩彭皮珀普奇齐恰乔切钦琼丘让热瑞若萨塞赛桑"
    "森沙珊尚绍舍圣施史舒斯松苏索塔泰坦汤唐特滕提汀通图托瓦万旺威韦维温沃乌伍西希席夏谢辛休修雅亚扬耶伊依因英尤约泽扎詹"
    "兹卓祖佐芙薇蕾茜黛娅琪嘉卜朵芭莎妮娜莲蒂蓓皮伯勃柏逊翰瑟朱吕区")
_LATIN_RULES = [("tch", "C"), ("ch", "C"), ("ph", "f"), ("ck", "k"), ("kh", "h"), ("th", "t"), ("sh", "s"),
                ("qu", "k"), ("x", "ks"), ("c(?=[eiy])", "s"), ("c", "k"), ("j", "C"), ("g(?=[eiy])", "C")]
_PINYIN_RULES = [("zh", "C"), ("ch", "C"), ("sh", "s"), ("ng", "n"), ("er", "l"), ("q", "C"), ("j", "C"), ("x", "s"),
                 ("z", "C"), ("c", "C")]
_MERGE = str.maketrans({"r": "l", "d": "t", "b": "p", "g": "k", "v": "w", "z": "s", "y": "", "C": "c"})
_VOWELS = re.compile(r"[aeiouü]+")


def pinyin_key(text: str) -> str:
    """The toneless pinyin of a Chinese name: 宫崎峻 and 宫崎骏 both give 'gongqijun'."""
    return "".join(lazy_pinyin(text))


def _skeleton(sound: str, rules: list[tuple[str, str]]) -> str:
    text = re.sub(r"[^a-zü]", "", sound.lower())
    for pattern, replacement in rules:
        text = re.sub(pattern, replacement, text)
    return _VOWELS.sub("", text).translate(_MERGE)


def _collapse(text: str) -> str:
    return re.sub(r"(.)\1+", r"\1", text)  # doubled consonants sound as one


def latin_skeleton(name: str) -> str:
    return _collapse(_skeleton(name, _LATIN_RULES))


def chinese_skeleton(text: str, x_as: str = "s") -> str:
    """The consonants of a Chinese span's pinyin; x stands for s or, as in 希区柯克 (Hitchcock), for h."""
    rules = [(old, x_as if old == "x" else new) for old, new in _PINYIN_RULES]
    return _collapse("".join(_skeleton(syllable, rules) for syllable in lazy_pinyin(text)))


class NameSounds:
    """The catalog's people by sound. `people` maps lowercase keys (full names, surnames, Chinese forms)
    to the catalog's full name; `credits` counts each full name's items."""

    def __init__(self, people: dict[str, str], credits: Counter[str]) -> None:
        by_pinyin: dict[str, set[str]] = {}
        latin: dict[str, set[str]] = {}
        for key, name in people.items():
            if _CJK_RUN.fullmatch(key):
                by_pinyin.setdefault(pinyin_key(key.replace("·", "")), set()).add(name)
        for name in set(people.values()):
            words = re.findall(r"[A-Za-z]+", name)
            if "(" in name or not words:
                continue  # only names with no Chinese form are transliterated
            # full name, family name, and a distinctive first name (昆汀 for Quentin Tarantino)
            for key in {" ".join(words), words[-1], words[0] if len(words) >= 2 and len(words[0]) >= 6 else ""}:
                if len(key) >= 4:
                    latin.setdefault(latin_skeleton(key), set()).add(name)
        self.homophones = {k: next(iter(v)) for k, v in by_pinyin.items() if len(v) == 1 and len(k) >= 4}
        self.latin = {k: v for k, v in latin.items() if len(k) >= 3}
        self.credits = credits

    def find(self, text: str) -> list[tuple[int, int, str]]:
        """(start, end, full name) for names written by sound; non-overlapping, in text order."""
        found: list[tuple[int, int, str]] = []
        for run in _CJK_RUN.finditer(text):
            chunk, k = run.group(), 0
            if len(chunk) < 2:
                continue
            while k < len(chunk) - 1:
                hit = self._at(text, run.start() + k, chunk[k:])
                if hit is None:
                    k += 1
                    continue
                found.append(hit)
                k = hit[1] - run.start()
        return found

    def _at(self, text: str, start: int, rest: str) -> tuple[int, int, str] | None:
        for length in range(min(6, len(rest)), 1, -1):
            span = rest[:length]
            if _GRAMMAR_CHARS.search(span):
                continue
            end = start + length
            person = bool(_PERSON_AFTER.match(text[end:end + 4]) or _PERSON_BEFORE.search(text[max(0, start - 3):start])
                          or (_ASKS_FOR.search(text[max(0, start - 3):start]) and _BARE_DE.match(text[end:end + 2])))
            name = self.homophones.get(pinyin_key(span.replace("·", "")))
            if name and (length >= 3 or person):  # a two-character homophone only where a person is clearly meant
                return start, end, name
            if person and not _FUNCTION_CHARS.search(span) and set(span.replace("·", "")) <= _TRANSLITERATION_CHARS:
                name = self._transliterated(span.split("·")[-1].split("・")[-1])
                if name:
                    return start, end, name
        return None

    def _transliterated(self, span: str) -> str | None:
        sounds = {chinese_skeleton(span), chinese_skeleton(span, x_as="h")}
        sound = min(sounds, key=len)
        if len(sound) < 3:
            return None
        scored = sorted(((max(fuzz.ratio(s, key) for s in sounds), key) for key in self.latin), reverse=True)
        if not scored:
            return None
        best, key = scored[0]
        if best < (100 if len(sound) <= 3 else 90 if len(sound) <= 5 else 85):
            return None
        runner_up = [k for score, k in scored[1:] if score >= best and self.latin[k] != self.latin[key]]
        if runner_up:
            return None
        return _most_credited(self.latin[key], self.credits)


def _most_credited(names: Iterable[str], credits: Counter[str]) -> str | None:
    """One of several people sharing a surname: the one with clearly the most items, else none."""
    ranked = sorted(names, key=lambda n: -credits[n])
    if len(ranked) == 1 or credits[ranked[0]] >= 2 * credits[ranked[1]]:
        return ranked[0]
    return None
