"""The cards on screen in another language (the page's language switch): the same items, their
catalog text, cached selling points and the same fact-built reasons a turn gives, in that language.
A model's own wording of "why" is not translated; the ranker's reasons are shown instead."""

from __future__ import annotations

from chatbot.dialogue.cards import item_card
from chatbot.dialogue.reasons import explain, reason_context
from chatbot.dialogue.session import ChatSession
from chatbot.engine import CatalogEngine
from chatbot.llm.selling_points import SellingPointCache, selling_points_for
from chatbot.ranking.request import RankRequest
from chatbot.turn import ItemCard


def cards_in_language(engine: CatalogEngine, session: ChatSession, lang: str,
                      cache: SellingPointCache | None, model_name: str) -> list[ItemCard]:
    """`session.cards` again, in `lang`; items no longer in the catalog are left out."""
    ids = [card.item_id for card in session.cards if card.item_id in engine.items]
    if not ids:
        return []
    state = session.state
    request = RankRequest(query_text=state.last_query, liked_ids=list(state.liked_ids),
                          disliked_ids=list(state.disliked_ids), mentioned_ids=list(state.mentioned_ids),
                          genres=list(state.preferred_genres), constraints=state.constraints)
    ranked = {c.item.id: c for c in engine.ranker.rank(request, k=len(ids), only_ids=ids)}
    items = [engine.items[i] for i in ids]
    points = selling_points_for(items, cache, model_name, lang)
    ctx = reason_context(state, engine.items, lang)
    return [item_card(item, lang, points[item.id].points if item.id in points else [],
                      explain(item, ctx, n, ranked.get(item.id), engine.items))
            for n, item in enumerate(items)]
