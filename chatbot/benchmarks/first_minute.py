"""The first minute, measured as a new user lives it (`python -m chatbot bench first-minute`).

1. A fresh copy of the project (the files git tracks, as a clone has them, no `data/` folder), `python app.py`
   started as a subprocess on a free port; the clock starts just before the process does.
2. The page is opened the moment the server answers, and a question is asked at once over the page's own API
   (gradio_client, one session, as the browser does): seconds to the page, and to a real recommendation
   (the reply with item cards).
3. The process is stopped and started again on the same, now full, data folder: seconds to the page and to
   "Ready", and how many items were embedded (must be 0).

The app's log gives what was embedded and restored ("catalog X indexed: {...} (embedded N)").
"""

from __future__ import annotations

import html
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from pathlib import Path

from chatbot.benchmarks.load import cards, message_text
from chatbot.config import PROJECT_ROOT

QUESTION = "我很喜欢《千与千寻》，推荐几部类似的动画电影"
_EMBEDDED = re.compile(r"catalog (\S+) indexed: .*'restored': (\d+).*\(embedded (\d+)\)")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


_NOT_IN_A_CLONE = {".git", ".venv", "data", "__pycache__", ".pytest_cache", ".hypothesis", "test-results"}


def project_files(source: Path) -> list[str]:
    """What a clone holds: the files git tracks plus new ones it does not ignore (without git: the tree
    minus the virtual environment, the data folder and caches)."""
    try:
        listed = subprocess.run(["git", "ls-files", "--cached", "--others", "--exclude-standard", "-z"], cwd=source,
                                check=True, capture_output=True).stdout.decode().split("\0")
        return [name for name in listed if name]
    except (OSError, subprocess.CalledProcessError):
        return [str(path.relative_to(source)) for path in source.rglob("*")
                if path.is_file() and not _NOT_IN_A_CLONE & set(path.relative_to(source).parts)]


def fresh_copy(source: Path, target: Path) -> Path:
    """The project's files as a clone has them, copied into `target` (no data folder)."""
    for name in project_files(source):
        src = source / name
        if src.is_file() and not src.is_symlink():
            dst = target / name
            dst.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(src, dst)
    return target


class AppProcess:
    """`python app.py` in `root`, its log read line by line with the time each line arrived."""

    def __init__(self, root: Path, env: dict[str, str]) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}/"
        self.lines: list[tuple[float, str]] = []
        self.started = time.monotonic()
        self.process = subprocess.Popen(
            [sys.executable, "app.py"], cwd=root, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
            env={**env, "GRADIO_SERVER_PORT": str(self.port), "GRADIO_SERVER_NAME": "127.0.0.1"},
            start_new_session=True)
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self) -> None:
        assert self.process.stdout is not None
        for line in self.process.stdout:
            self.lines.append((time.monotonic() - self.started, line.rstrip()))

    def elapsed(self) -> float:
        return time.monotonic() - self.started

    def cpu_s(self) -> float | None:
        """CPU seconds the app used so far (all its threads): what the start costs on idle cores, whatever
        else shares the machine (Linux only)."""
        try:
            fields = Path(f"/proc/{self.process.pid}/stat").read_text().rsplit(")", 1)[1].split()
            return round((int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK"), 2)
        except (OSError, IndexError, ValueError):
            return None

    def wait_for_page(self, timeout_s: float) -> float:
        """Seconds from the process start until the page answers."""
        while self.elapsed() < timeout_s:
            if self.process.poll() is not None:
                raise RuntimeError("the app exited:\n" + self.log_tail())
            try:
                with urllib.request.urlopen(self.url, timeout=2) as response:
                    if response.status == 200:
                        return self.elapsed()
            except OSError:
                time.sleep(0.05)
        raise TimeoutError(f"no page after {timeout_s} s:\n" + self.log_tail())

    def wait_for_log(self, needle: str, timeout_s: float) -> float | None:
        while self.elapsed() < timeout_s:
            for at, line in list(self.lines):
                if needle in line:
                    return at
            if self.process.poll() is not None:
                return None
            time.sleep(0.05)
        return None

    def indexed(self) -> dict[str, dict[str, int]]:
        found = {}
        for _, line in self.lines:
            match = _EMBEDDED.search(line)
            if match:
                found[match.group(1)] = {"restored": int(match.group(2)), "embedded": int(match.group(3))}
        return found

    def log_tail(self, lines: int = 30) -> str:
        return "\n".join(line for _, line in self.lines[-lines:])

    def stop(self) -> None:
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait()


def ask(app: AppProcess, question: str, timeout_s: float) -> dict:
    """Connect as a new page session and ask at once; seconds from the process start to the cards."""
    from gradio_client import Client

    client = Client(app.url, verbose=False, download_files=False, analytics_enabled=False)
    job = client.submit(question, api_name="/chat")
    history, cards_html, *_ = job.result(timeout=timeout_s)
    answered, cpu = app.elapsed(), app.cpu_s()
    shown = cards(cards_html)
    reply = message_text(history[-1].get("content")) if history else ""
    return {"answer_s": round(answered, 2), "app_cpu_s_at_answer": cpu, "cards": [title for _, title in shown],
            "reply": html.unescape(reply)[:200]}


def one_start(root: Path, env: dict[str, str], question: str, timeout_s: float) -> dict:
    app = AppProcess(root, env)
    try:
        page_s = app.wait_for_page(timeout_s)
        result = {"page_s": round(page_s, 2), "app_cpu_s_at_page": app.cpu_s(), **ask(app, question, timeout_s)}
        ready = app.wait_for_log("warm-up: Ready", timeout_s)
        result["ready_s"] = round(ready, 2) if ready is not None else None
        indexed = app.indexed()
        result["indexed"] = indexed
        result["embedded"] = sum(row["embedded"] for row in indexed.values())
        result["restored"] = sum(row["restored"] for row in indexed.values())
        return result
    finally:
        app.stop()


def run_first_minute(question: str = QUESTION, source: Path = PROJECT_ROOT, timeout_s: float = 600.0,
                     extra_env: dict[str, str] | None = None, keep: Path | None = None) -> dict:
    """Both starts, fresh then full; returns the measured seconds and what was embedded."""
    workdir = Path(tempfile.mkdtemp(prefix="first-minute-")) if keep is None else keep
    try:
        root = fresh_copy(source, workdir / "app")
        env = {key: value for key, value in os.environ.items() if not key.startswith(("CHATBOT_", "GRADIO_"))}
        env.pop("DATA_DIR", None)
        env.pop("CATALOG_DIR", None)
        env.update({"LLM_BACKEND": "none", "GRADIO_ANALYTICS_ENABLED": "False", "HF_HUB_DISABLE_TELEMETRY": "1",
                    "ANONYMIZED_TELEMETRY": "False", "LOG_LEVEL": "INFO", **(extra_env or {})})
        load = [round(x, 1) for x in os.getloadavg()]  # other work on the machine: the times depend on it
        first = one_start(root, env, question, timeout_s)
        again = one_start(root, env, question, timeout_s)
        return {"question": question, "cores": os.cpu_count(), "load_average_at_start": load,
                "first_start": first, "restart": again}
    finally:
        if keep is None:
            shutil.rmtree(workdir, ignore_errors=True)
