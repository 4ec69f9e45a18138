"""Constrained JSON decoding for the transformers backend, with lm-format-enforcer's parser and token enforcer.

The library's own transformers integration imports a module transformers 5 no longer has, so the small
adapter it would provide lives here: the tokenizer's vocabulary as the enforcer needs it (built once per
tokenizer) and a `prefix_allowed_tokens_fn` for `generate`. A schema gets what lm-format-enforcer supports:
a string's `pattern`, or else its length bounds (not both).
"""

from __future__ import annotations

import functools
import threading
from collections.abc import Callable
from typing import Any

_lock = threading.Lock()
_tokenizer_data: dict[int, Any] = {}


def enforceable(schema: Any) -> Any:
    """The schema with `minLength`/`maxLength` dropped where a `pattern` already bounds the string."""
    if isinstance(schema, dict):
        out = {k: enforceable(v) for k, v in schema.items()}
        if "pattern" in out:
            out.pop("minLength", None)
            out.pop("maxLength", None)
        return out
    if isinstance(schema, list):
        return [enforceable(v) for v in schema]
    return schema


def _vocabulary(tokenizer: Any) -> list[tuple[int, str, bool]]:
    """(token id, text, starts a word) for every regular token, as the enforcer reads them."""
    zero = tokenizer.encode("0")[-1]
    special = set(tokenizer.all_special_ids)
    tokens = []
    for token in range(len(tokenizer)):
        if token in special:
            continue
        after_zero = tokenizer.decode([zero, token])[1:]
        alone = tokenizer.decode([token])
        tokens.append((token, after_zero, len(after_zero) > len(alone)))
    return tokens


def _decode(tokenizer: Any, tokens: list[int]) -> str:
    return tokenizer.decode(tokens).rstrip("\ufffd")


def tokenizer_data(tokenizer: Any) -> Any:
    """The enforcer's view of the tokenizer, built once per tokenizer (a pass over the vocabulary)."""
    from lmformatenforcer import TokenEnforcerTokenizerData

    with _lock:
        key = id(tokenizer)
        if key not in _tokenizer_data:
            _tokenizer_data[key] = TokenEnforcerTokenizerData(
                _vocabulary(tokenizer), functools.partial(_decode, tokenizer), tokenizer.eos_token_id, False,
                len(tokenizer))
        return _tokenizer_data[key]


def allowed_tokens_fn(tokenizer: Any, schema: dict | None) -> Callable[[int, Any], list[int]]:
    """`prefix_allowed_tokens_fn` for `generate`: only tokens that keep the answer valid JSON against
    `schema` (any JSON object when None). The enforcer takes the first sequence it sees as the prompt."""
    from lmformatenforcer import JsonSchemaParser, TokenEnforcer

    enforcer = TokenEnforcer(tokenizer_data(tokenizer), JsonSchemaParser(enforceable(schema) if schema else None))

    def allowed(batch_id: int, sequence: Any) -> list[int]:
        return enforcer.get_allowed_tokens(sequence.tolist()).allowed_tokens

    return allowed


def response_schema(response_format: Any) -> tuple[bool, dict | None]:
    """(constrain?, schema) from an OpenAI-style `response_format` (json_schema, or json_object: any JSON)."""
    if not isinstance(response_format, dict):
        return False, None
    if response_format.get("type") == "json_schema":
        return True, (response_format.get("json_schema") or {}).get("schema")
    return response_format.get("type") == "json_object", None
