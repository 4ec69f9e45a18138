"""Multi-turn dialogue: message types, understanding (parser, catalog terms, intent), session state,
title matching, answers and reasons, and the manager that runs a turn."""

from chatbot.dialogue.message import ConstraintUpdate, ParseContext, ParsedMessage
from chatbot.dialogue.parser import detect_language, parse_message
from chatbot.dialogue.state import DialogueState
from chatbot.dialogue.titles import TitleMatch, TitleMatcher

__all__ = ["ConstraintUpdate", "DialogueState", "ParseContext", "ParsedMessage", "TitleMatch", "TitleMatcher",
           "detect_language", "parse_message"]
