"""Test support for the LLM layer: a fake chat model, a tiny real transformers model built offline,
and a real OpenAI-compatible HTTP server on 127.0.0.1 that answers from a script."""

from __future__ import annotations

import json
import os
import re
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from langchain_core.language_models import BaseChatModel
from langchain_core.messages import AIMessage, AIMessageChunk, BaseMessage
from langchain_core.outputs import ChatGeneration, ChatGenerationChunk, ChatResult
from pydantic import ConfigDict, Field

from chatbot.errors import LLMError
from chatbot.items import Item
from chatbot.llm.base import chunk_text
from chatbot.ranking.candidate import Candidate, Reason

PROJECT_ROOT = Path(__file__).resolve().parent.parent
SMOLLM2_GGUF = os.environ.get("CHATBOT_TEST_GGUF", "")  # set by `make test` (../shared/models/fetch.sh smollm2)


class FakeChatModel(BaseChatModel):
    """A LangChain chat model that replays queued answers (str, or an exception to raise), streamed in chunks,
    and records every prompt and the request options (response_format, max_tokens) it receives."""

    answers: list = Field(default_factory=list)
    delay_s: float = 0.0
    chunk_chars: int = 7
    prompts: list = Field(default_factory=list)
    options: list = Field(default_factory=list)

    @property
    def _llm_type(self) -> str:
        return "fake"

    def enqueue(self, *answers: str | BaseException) -> None:
        self.answers.extend(answers)

    def answer_for(self, messages: list[BaseMessage]) -> str | BaseException:
        return self.answers.pop(0) if self.answers else LLMError("fake model has no answer queued")

    def _generate(self, messages, stop=None, run_manager=None, **kwargs) -> ChatResult:
        text = "".join(chunk_text(c.message) for c in self._stream(messages, stop, run_manager, **kwargs))
        return ChatResult(generations=[ChatGeneration(message=AIMessage(content=text))])

    def _stream(self, messages, stop=None, run_manager=None, **kwargs) -> Iterator[ChatGenerationChunk]:
        self.prompts.append(list(messages))
        self.options.append(dict(kwargs))
        answer = self.answer_for(list(messages))
        if self.delay_s:
            time.sleep(self.delay_s)
        if isinstance(answer, BaseException):
            raise answer
        for start in range(0, max(1, len(answer)), self.chunk_chars):
            yield ChatGenerationChunk(message=AIMessageChunk(content=answer[start: start + self.chunk_chars]))

    def prompt_text(self, n: int = -1) -> str:
        return "\n".join(str(m.content) for m in self.prompts[n])


class ManagerFakeModel(FakeChatModel):
    """Answers each kind of prompt the dialogue manager and `enrich` send (extraction, selling points, pick or
    explain) from a script. `pick` may be a function of the prompt text; `fail` raises like a server that is
    down; an empty pick is garbage."""

    model_config = ConfigDict(populate_by_name=True)

    pick_with: object = Field(default=None, alias="pick")
    fail: bool = False
    chunk_chars: int = 9

    @staticmethod
    def kind(messages: list[BaseMessage]) -> str:
        system = str(messages[0].content)
        if "genres_wanted" in system:
            return "extract"
        if "selling points" in system or "卖点" in system:
            return "selling_points"
        return "pick"

    def count(self, kind: str) -> int:
        return sum(self.kind(p) == kind for p in self.prompts)

    def answer_for(self, messages: list[BaseMessage]) -> str | BaseException:
        if self.fail:
            return LLMError("connection refused")
        kind = self.kind(messages)
        if kind == "extract":
            return json.dumps({"liked": [], "disliked": [], "genres_wanted": [], "genres_unwanted": []})
        if kind == "selling_points":
            return "- A sweeping story told on a grand scale\n- Striking images worth a big screen"
        prompt = "\n".join(str(m.content) for m in messages)
        return self.pick_with(prompt) if callable(self.pick_with) else (self.pick_with or "")


def candidate_ids(prompt: str) -> list[str]:
    """The candidate ids in a pick or explain prompt, in order."""
    return re.findall(r"^\[([^\]]+)\]", prompt, re.M)


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


def pick_json(picks: list[tuple[str, str]]) -> str:
    return json.dumps({"picks": [{"id": i, "reason": r} for i, r in picks]}, ensure_ascii=False)


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
                for n, piece in enumerate(pieces):
                    delta = {"role": "assistant", "content": piece} if n == 0 else {"content": piece}
                    chunk = {"id": "c1", "object": "chat.completion.chunk", "created": 0, "model": body["model"],
                             "choices": [{"index": 0, "delta": delta, "finish_reason": None}]}
                    self._chunk(f"data: {json.dumps(chunk)}\n\n")
                if reply.kind == "ok":  # a real server ends with a finish reason
                    chunk = {"id": "c1", "object": "chat.completion.chunk", "created": 0, "model": body["model"],
                             "choices": [{"index": 0, "delta": {}, "finish_reason": "stop"}]}
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
