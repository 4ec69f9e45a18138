"""The service layer's string table: how far the preparation of a catalog got, in English and Chinese.

Shown in the chat while a question waits for its catalog (in the language of the question) and on the
page's status line (in the page's language).
"""

from __future__ import annotations

from chatbot.engine import BuildProgress

TEXT: dict[str, dict[str, str]] = {
    "en": {
        "loading": "Loading catalog '{catalog}'…",
        "indexing": "Indexing catalog '{catalog}': {done}/{total} items…",
        "ranker": "Preparing the ranker for catalog '{catalog}'…",
        "ready": "Catalog '{catalog}' is ready.",
        "failed": "Catalog '{catalog}' could not be prepared; retrying.",
        "waiting": "Still preparing the catalog; your question will be answered as soon as it is ready. {status}",
    },
    "zh": {
        "loading": "正在加载目录「{catalog}」……",
        "indexing": "正在为目录「{catalog}」建立索引：{done}/{total} 项……",
        "ranker": "正在为目录「{catalog}」准备排序模型……",
        "ready": "目录「{catalog}」已就绪。",
        "failed": "目录「{catalog}」准备失败，正在重试。",
        "waiting": "目录还在准备中，准备好后会立即回答你的问题。{status}",
    },
}


def describe(progress: BuildProgress, lang: str) -> str:
    table = TEXT["zh" if lang == "zh" else "en"]
    return table[progress.stage].format(catalog=progress.catalog, done=progress.done, total=progress.total)


def waiting(progress: BuildProgress | None, catalog: str, lang: str) -> str:
    """The reply shown while a question waits for its catalog."""
    status = describe(progress or BuildProgress(catalog=catalog), lang)
    return TEXT["zh" if lang == "zh" else "en"]["waiting"].format(status=status)
