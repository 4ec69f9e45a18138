"""Background warm-up: the catalog index is built and the model loaded while the page already serves.

One per process (it tracks shared resources, not a user). Progress goes to the log and to the page's
status line.
"""

from __future__ import annotations

import logging
import threading

log = logging.getLogger(__name__)


class WarmUp:
    """Runs `service.warm_up(progress)` once on a daemon thread and remembers how far it got."""

    def __init__(self, service: object) -> None:
        self._service = service
        self._thread: threading.Thread | None = None
        self._done = threading.Event()
        self._guard = threading.Lock()
        self.message = ""
        self.failed = False

    @property
    def ready(self) -> bool:
        return self._done.is_set() and not self.failed

    @property
    def finished(self) -> bool:
        return self._done.is_set()

    def start(self) -> WarmUp:
        with self._guard:
            if self._thread is None:
                self._thread = threading.Thread(target=self._run, name="warm-up", daemon=True)
                self._thread.start()
        return self

    def wait(self, timeout: float | None = None) -> bool:
        """Block until the warm-up finished (or `timeout` seconds passed); True when it finished."""
        return self._done.wait(timeout)

    def message_in(self, lang: str) -> str:
        """The status line's text in the page's language: what is being prepared now, else the last message."""
        localized = getattr(self._service, "progress_text", None)
        text = localized(lang) if callable(localized) and not self.finished else ""
        return text or self.message

    def _progress(self, message: str) -> None:
        self.message = message
        log.info("warm-up: %s", message)

    def _run(self) -> None:
        try:
            self._progress("Preparing catalogs…")
            self._service.warm_up(self._progress)
            self._progress("Ready")
        except Exception:  # the chat retries on demand; the page says so
            log.exception("warm-up failed")
            self.failed = True
        finally:
            self._done.set()
