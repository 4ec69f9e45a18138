"""Start the web app: `python app.py` (or `make run`). Honours GRADIO_SERVER_NAME / GRADIO_SERVER_PORT.

The catalogs are prepared (shipped vectors restored into Chroma, rankers built) on a background thread that
starts before gradio is even imported, so that the preparation and gradio's import (the larger part of a
start) overlap; a question asked before the catalog is ready waits for it, with progress, and is answered.
"""

from __future__ import annotations

import logging
import os

os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")
os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")

from chatbot.config import get_settings  # noqa: E402
from chatbot.service import ChatService  # noqa: E402
from chatbot.ui.warmup import WarmUp  # noqa: E402


def main() -> None:
    settings = get_settings()
    logging.basicConfig(level=settings.log_level.upper(), format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    service = ChatService(settings)
    warmup = WarmUp(service).start()  # index restore/build and model load run while gradio loads and the page serves

    from chatbot.ui.app import build_app, launch_options  # gradio: imported while the warm-up already works

    demo = build_app(settings, service, warmup=warmup)
    demo.queue(default_concurrency_limit=settings.queue_concurrency, max_size=settings.queue_max_size)
    # Settings reads GRADIO_SERVER_NAME / GRADIO_SERVER_PORT (defaults 127.0.0.1:7860)
    demo.launch(server_name=settings.gradio_server_name, server_port=settings.gradio_server_port, **launch_options())


if __name__ == "__main__":
    main()
