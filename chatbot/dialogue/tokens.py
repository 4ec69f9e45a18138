"""Tokens of free text in English and Chinese, as the title matcher and the product-name reader compare them:
latin words (apostrophes inside kept) and single CJK characters, case- and width-folded, offsets kept."""

from __future__ import annotations

import re
import unicodedata

# A token is a run of latin letters/digits (apostrophes inside kept) or one CJK character.
TOKEN = re.compile(r"[0-9a-z\u00c0-\u024f\u0370-\u03ff\u0400-\u04ff]+(?:['’][a-z]+)?|[\u3400-\u9fff\uf900-\ufaff\u3040-\u30ff\uac00-\ud7af]")


def normalize(text: str) -> str:
    """Lowercase, NFKC, punctuation folded to spaces: the form names are compared in."""
    return " ".join(t for t, _, _ in tokenize(text))


def tokenize(text: str) -> list[tuple[str, int, int]]:
    """Tokens of `text` as (token, start, end) in the original string (NFKC/casefold per token)."""
    out: list[tuple[str, int, int]] = []
    lowered = fold_width(text).lower()
    if len(lowered) != len(text):  # rare: lowering changed the length; fall back to per-char mapping
        lowered = "".join(ch.lower()[:1] or ch for ch in text)
    for match in TOKEN.finditer(lowered):
        token = unicodedata.normalize("NFKC", match.group()).casefold().replace("’", "'")
        if not token.isascii() and not is_cjk(token):
            token = "".join(c for c in unicodedata.normalize("NFKD", token) if not unicodedata.combining(c))
        out.append((token, match.start(), match.end()))
    # fullwidth digits/letters are NFKC-folded only when the pattern saw them; fold them here too
    return out


def fold_width(text: str) -> str:
    """Fullwidth ASCII to ASCII, keeping the string length (so offsets stay valid)."""
    return "".join(chr(ord(c) - 0xFEE0) if 0xFF01 <= ord(c) <= 0xFF5E else c for c in text)


def is_cjk(token: str) -> bool:
    return len(token) == 1 and ord(token) >= 0x3040
