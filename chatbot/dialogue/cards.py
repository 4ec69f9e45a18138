"""What the page and the model are shown of items and of the person: one item card, the person's state in
a few lines. Facts only from the catalog and the session's state."""

from __future__ import annotations

from collections.abc import Sequence

from chatbot.dialogue.phrases import describe_constraints, say
from chatbot.dialogue.state import DialogueState
from chatbot.engine import CatalogEngine
from chatbot.genres import genre_label
from chatbot.item_text import price_text, quoted_title
from chatbot.items import Item
from chatbot.turn import ItemCard


def item_card(item: Item, lang: str, points: Sequence[str], why: str) -> ItemCard:
    if item.kind == "product":
        subtitle = price_text(item)
    else:
        subtitle = " · ".join(x for x in [str(item.year or ""), say(lang, f"kind_{item.kind}")] if x)
    tags = [genre_label(g, lang) for g in item.genres[:3]] + ([] if lang == "zh" else item.tags[:2])
    return ItemCard(item_id=item.id, title=item.display_title(lang), subtitle=subtitle,
                    tags=list(dict.fromkeys(tags)), selling_points=list(points)[:3], why=why,
                    image_url=item.image_url or "")


def user_state_text(engine: CatalogEngine, state: DialogueState, lang: str) -> str:
    """What the LLM is told about the user: liked/disliked titles, filters, interest tags."""
    def titles(ids: Sequence[str]) -> str:
        return ", ".join(quoted_title(engine.items[i], lang) for i in ids if i in engine.items) or "-"

    lines = [f"{label}: {titles(ids)}" for label, ids in (("liked", state.liked_ids),
                                                            ("disliked", state.disliked_ids)) if ids]
    filters = describe_constraints(state.constraints, lang)
    if filters:
        lines.append(f"filters: {filters}")
    if state.preferences:
        lines.append("wants: " + "; ".join(state.preferences[-3:]))
    if state.interest_tags:
        lines.append("interest tags: " + ", ".join(state.interest_tags[-6:]))
    return "\n".join(lines) or "-"
