"""User messages made safe to process: control characters removed, length bounded."""

from __future__ import annotations

import re
import unicodedata

from pydantic import BaseModel

# C0/C1 control characters except tab and newline, plus zero-width and bidi-override characters
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u200b-\u200f\u202a-\u202e\u2066-\u2069\ufeff]")
_SPACES = re.compile(r"[ \t]+")
_BLANK_LINES = re.compile(r"\n{3,}")


class CleanMessage(BaseModel):
    text: str
    truncated: bool = False
    original_chars: int = 0


def clean_message(raw: object, max_chars: int) -> CleanMessage:
    """Normalise a message: NFC, no control characters, tidy whitespace, at most `max_chars` characters.
    Truncation happens before any other work so that a 100k-character message costs little."""
    text = raw if isinstance(raw, str) else ("" if raw is None else str(raw))
    original = len(text)
    # a generous pre-cut keeps the normalisation below linear in max_chars, not in the input
    text = text[: max_chars * 2]
    text = unicodedata.normalize("NFC", text)
    text = _CONTROL.sub("", text.replace("\r\n", "\n").replace("\r", "\n"))
    text = _BLANK_LINES.sub("\n\n", _SPACES.sub(" ", text)).strip()
    truncated = original > max_chars * 2 or len(text) > max_chars
    if len(text) > max_chars:
        text = text[:max_chars].rstrip()
    return CleanMessage(text=text, truncated=truncated, original_chars=original)


def has_words(text: str) -> bool:
    """True when the text holds at least one letter, digit or CJK character (not only punctuation/emoji)."""
    return any(unicodedata.category(ch)[0] in "LN" for ch in text)
