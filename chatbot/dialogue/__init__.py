"""Multi-turn dialogue: session state, message understanding, title matching (and the manager)."""

from chatbot.dialogue.parser import ConstraintUpdate, ParsedMessage, detect_language, parse_message
from chatbot.dialogue.state import DialogueState
from chatbot.dialogue.titles import TitleMatch, TitleMatcher

__all__ = ["ConstraintUpdate", "DialogueState", "ParsedMessage", "TitleMatch", "TitleMatcher",
           "detect_language", "parse_message"]
