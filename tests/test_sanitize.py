"""Hostile and odd messages are normalised, bounded and never crash."""

from __future__ import annotations

from hypothesis import given, settings as hsettings, strategies as st

from chatbot.sanitize import clean_message, has_words


def test_long_message_is_truncated_with_a_flag():
    cleaned = clean_message("a" * 100_000, 2000)
    assert cleaned.truncated and len(cleaned.text) == 2000 and cleaned.original_chars == 100_000


def test_control_characters_and_bidi_overrides_are_removed():
    cleaned = clean_message("hi\x00\x07 there\u202e\u200b\r\n\r\n\r\n\r\nbye", 100)
    assert cleaned.text == "hi there\n\nbye" and not cleaned.truncated


def test_whitespace_only_and_punctuation_only():
    assert clean_message("   \n\t  ", 100).text == ""
    assert not has_words("?!…。，👍🎬")
    assert has_words("科幻") and has_words("sci-fi 2049") and has_words("👍 ok")


def test_html_is_kept_as_text_for_the_ui_to_escape():
    assert clean_message("<script>alert(1)</script>", 100).text == "<script>alert(1)</script>"


@given(st.text(max_size=5000), st.integers(min_value=1, max_value=3000))
@hsettings(max_examples=200, deadline=None)
def test_any_text_is_bounded_and_clean(raw, limit):
    cleaned = clean_message(raw, limit)
    assert len(cleaned.text) <= limit
    assert not any(ord(ch) < 32 and ch not in "\n\t" for ch in cleaned.text)
    assert cleaned.text == cleaned.text.strip()
