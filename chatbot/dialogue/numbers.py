"""Numbers as people write them: "三百", "two", "八十年代", "1.5k": counts, decades, prices."""

from __future__ import annotations

import re
from collections.abc import Sequence

from chatbot.dialogue.cues import ZH_DECADES

_COUNT_WORDS = {"一": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9, "ten": 10,
                "fifteen": 15, "twenty": 20, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9,
                "十": 10, "十五": 15, "二十": 20}


def count(token: str) -> int:
    return int(token) if token.isdigit() else _COUNT_WORDS.get(token.lower(), 10)


def decade_start(token: str) -> int:
    """'80' / '1980' / '八十' / '八' (as in 八九十年代) -> 1980."""
    if token in ZH_DECADES or f"{token}十" in ZH_DECADES:
        return ZH_DECADES.get(token) or ZH_DECADES[f"{token}十"]
    value = int(token)
    return value if value >= 1000 else 2000 + value if value <= 20 else 1900 + value


def middle(values: Sequence[float], upper: bool = False) -> float:
    """The lower (or upper) median: "cheaper" means cheaper than at least half of what was shown."""
    ordered = sorted(values)
    return ordered[len(ordered) // 2 if upper else (len(ordered) - 1) // 2]


def numbers(m: re.Match[str]) -> list[float]:
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
        value *= {"k": 1000, "十": 10, "百": 100, "千": 1000, "万": 10000, "w": 10000}.get(unit, 1)
        if value <= 1e9:
            values.append(value)
    return values
