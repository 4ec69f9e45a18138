"""Test support for the LLM layer: a fake chat model, a tiny real transformers model built offline,
and a real OpenAI-compatible HTTP server on 127.0.0.1 that answers from a script."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from chatbot.errors import LLMError
from chatbot.items import Item
from chatbot.llm.base import ChatMessage, ChatModel
from chatbot.ranking.candidate import Candidate, Reason

PROJECT_ROOT = Path(__file__).resolve().parent.parent


class FakeChatModel(ChatModel):
    """Replays queued answers (str, or an exception to raise) and records every prompt it receives."""

    backend = "fake"

    def __init__(self, answers: list[str | BaseException] | None = None, delay_s: float = 0.0, chunk_chars: int = 7,
                 name: str = "fake-model") -> None:
        self.answers = list(answers or [])
        self.delay_s = delay_s
        self.chunk_chars = chunk_chars
        self.name = name
        self.prompts: list[list[ChatMessage]] = []

    def enqueue(self, *answers: str | BaseException) -> None:
        self.answers.extend(answers)

    def stream(self, messages: list[ChatMessage], *, max_new_tokens: int = 256, temperature: float = 0.2,
               timeout_s: float = 30.0) -> Iterator[str]:
        self.prompts.append(list(messages))
        answer = self.answers.pop(0) if self.answers else LLMError("fake model has no answer queued")
        if self.delay_s:
            time.sleep(self.delay_s)
        if isinstance(answer, BaseException):
            raise answer
        for start in range(0, len(answer), self.chunk_chars):
            yield answer[start: start + self.chunk_chars]

    def prompt_text(self, n: int = -1) -> str:
        return "\n".join(m.content for m in self.prompts[n])


class ManagerFakeModel(ChatModel):
    """Answers each kind of prompt the dialogue manager sends (extraction, interest tags, selling points,
    pick) from a script, and records the prompts by kind. `pick` may be a function of the prompt text;
    an empty pick makes the fallback picker answer from the ranking."""

    backend = "fake"

    def __init__(self, pick=None, delay_s: float = 0.0, fail: bool = False, name: str = "manager-fake") -> None:
        self.name = name
        self.pick, self.delay_s, self.fail = pick, delay_s, fail
        self.prompts: list[tuple[str, str]] = []  # (kind, whole prompt text)

    @staticmethod
    def kind(messages: list[ChatMessage]) -> str:
        system = messages[0].content
        if "genres_wanted" in system:
            return "extract"
        if "interest tags" in system or "兴趣标签" in system:
            return "tags"
        if "selling points" in system or "卖点" in system:
            return "selling_points"
        return "pick"

    def count(self, kind: str) -> int:
        return sum(k == kind for k, _ in self.prompts)

    def stream(self, messages, *, max_new_tokens=256, temperature=0.2, timeout_s=30.0) -> Iterator[str]:
        kind = self.kind(messages)
        prompt = "\n".join(m.content for m in messages)
        self.prompts.append((kind, prompt))
        if self.fail:
            raise LLMError("connection refused")
        if self.delay_s:
            time.sleep(self.delay_s)
        if kind == "extract":
            answer = json.dumps({"liked": [], "disliked": [], "genres_wanted": [], "genres_unwanted": []})
        elif kind == "tags":
            answer = "grand sci-fi, big ideas"
        elif kind == "selling_points":
            answer = "- A sweeping story told on a grand scale\n- Striking images worth a big screen"
        else:
            answer = self.pick(prompt) if callable(self.pick) else (self.pick or "")
        for start in range(0, len(answer), 9):
            yield answer[start:start + 9]


def load_items() -> dict[str, Item]:
    """Every item of the shipped catalogs, by id."""
    items: dict[str, Item] = {}
    for path in sorted((PROJECT_ROOT / "catalog").glob("*.jsonl")):
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.strip():
                item = Item.model_validate_json(line)
                items[item.id] = item
    return items


def make_candidates(items: dict[str, Item], ids: list[str], anchor: str | None = None) -> list[Candidate]:
    """Candidates in the given order with plausible ranker reasons."""
    out = []
    for n, item_id in enumerate(ids):
        item = items[item_id]
        reasons = [Reason(kind="text_match", weight=0.5)]
        if anchor:
            reasons.insert(0, Reason(kind="liked_similar", detail=anchor, weight=1.0))
        if item.genres:
            reasons.append(Reason(kind="genre", detail=item.genres[0], weight=0.3))
        out.append(Candidate(item=item, score=1.0 - n / 10, reasons=reasons))
    return out


def pick_json(picks: list[tuple[str, str]], follow_up: str = "") -> str:
    return json.dumps({"picks": [{"id": i, "reason": r} for i, r in picks], "follow_up": follow_up},
                      ensure_ascii=False)


# --- a tiny real chat model, built and saved locally in seconds -----------------------------------------

CHATML = ("{% for message in messages %}<|im_start|>{{ message['role'] }}\n{{ message['content'] }}<|im_end|>\n"
          "{% endfor %}{% if add_generation_prompt %}<|im_start|>assistant\n{% endif %}")


def build_tiny_chat_model(path: Path) -> Path:
    """A randomly initialised Qwen2 chat model with a byte-level BPE tokenizer and a ChatML template."""
    import torch
    from tokenizers import Tokenizer, decoders, models, pre_tokenizers, trainers
    from transformers import PreTrainedTokenizerFast, Qwen2Config, Qwen2ForCausalLM

    corpus = [line for p in sorted((PROJECT_ROOT / "catalog").glob("*.jsonl"))
              for line in p.read_text(encoding="utf-8").splitlines()]
    tokenizer = Tokenizer(models.BPE())
    tokenizer.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    tokenizer.decoder = decoders.ByteLevel()
    trainer = trainers.BpeTrainer(vocab_size=1000, special_tokens=["<|endoftext|>", "<|im_start|>", "<|im_end|>"],
                                  initial_alphabet=pre_tokenizers.ByteLevel.alphabet())
    tokenizer.train_from_iterator(corpus, trainer)
    fast = PreTrainedTokenizerFast(tokenizer_object=tokenizer, eos_token="<|im_end|>", pad_token="<|endoftext|>")
    fast.chat_template = CHATML
    fast.save_pretrained(path)
    torch.manual_seed(0)
    config = Qwen2Config(vocab_size=len(fast), hidden_size=64, intermediate_size=128, num_hidden_layers=2,
                         num_attention_heads=4, num_key_value_heads=2, max_position_embeddings=4096,
                         initializer_range=0.5, eos_token_id=fast.eos_token_id, pad_token_id=fast.pad_token_id,
                         bos_token_id=None, tie_word_embeddings=True)
    Qwen2ForCausalLM(config).save_pretrained(path)
    return path


# --- a real OpenAI-compatible HTTP server, scripted per test -----------------------------------------------

@dataclass
class Reply:
    """One scripted answer. kind: ok | status | sleep | cut | bad_sse."""

    kind: str = "ok"
    text: str = ""
    status: int = 200
    sleep_s: float = 0.0
    chunk_chars: int = 6


@dataclass
class ScriptedOpenAIServer:
    replies: list[Reply] = field(default_factory=list)
    requests: list[dict] = field(default_factory=list)
    default: Reply = field(default_factory=lambda: Reply(kind="status", status=503))

    def start(self) -> ScriptedOpenAIServer:
        owner = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args) -> None:  # keep test output quiet
                pass

            def do_GET(self) -> None:
                owner.requests.append({"path": self.path, "headers": dict(self.headers), "body": None})
                if self.path.endswith("/models"):
                    self._json(200, {"object": "list", "data": [{"id": "scripted", "object": "model",
                                                                  "created": 0, "owned_by": "tests"}]})
                else:
                    self._json(404, {"error": {"message": "not found"}})

            def do_POST(self) -> None:
                body = json.loads(self.rfile.read(int(self.headers.get("Content-Length", 0))) or b"{}")
                owner.requests.append({"path": self.path, "headers": dict(self.headers), "body": body})
                reply = owner.replies.pop(0) if owner.replies else owner.default
                if reply.sleep_s:
                    time.sleep(reply.sleep_s)
                if reply.kind == "status":
                    self._json(reply.status, {"error": {"message": "scripted failure", "type": "server_error"}})
                    return
                if not body.get("stream"):
                    self._json(200, {"id": "c1", "object": "chat.completion", "created": 0, "model": body["model"],
                                     "choices": [{"index": 0, "finish_reason": "stop",
                                                  "message": {"role": "assistant", "content": reply.text}}]})
                    return
                self.send_response(200)
                self.send_header("Content-Type", "text/event-stream")
                self.send_header("Transfer-Encoding", "chunked")
                self.end_headers()
                pieces = [reply.text[i: i + reply.chunk_chars] for i in range(0, len(reply.text), reply.chunk_chars)]
                if reply.kind == "cut":
                    pieces = pieces[: max(1, len(pieces) // 2)]
                for piece in pieces:
                    chunk = {"id": "c1", "object": "chat.completion.chunk", "created": 0, "model": body["model"],
                             "choices": [{"index": 0, "delta": {"content": piece}, "finish_reason": None}]}
                    self._chunk(f"data: {json.dumps(chunk)}\n\n")
                if reply.kind == "bad_sse":
                    self._chunk("data: {this is not json\n\n")
                if reply.kind == "cut":
                    self.wfile.flush()
                    self.close_connection = True
                    self.connection.shutdown(2)  # gone mid-stream: no terminating chunk, no [DONE]
                    return
                self._chunk("data: [DONE]\n\n")
                self.wfile.write(b"0\r\n\r\n")

            def _chunk(self, text: str) -> None:
                data = text.encode()
                self.wfile.write(f"{len(data):x}\r\n".encode() + data + b"\r\n")
                self.wfile.flush()

            def _json(self, status: int, payload: dict) -> None:
                data = json.dumps(payload).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        threading.Thread(target=self.httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()
        return self

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.httpd.server_address[1]}/v1"

    def chat_requests(self) -> list[dict]:
        return [r for r in self.requests if r["path"].endswith("/chat/completions")]

    def stop(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()
