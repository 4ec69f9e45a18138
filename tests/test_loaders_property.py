"""Property tests: garbage never crashes the loader; write_jsonl -> load_catalog is lossless."""

from __future__ import annotations

import json
from pathlib import Path
from tempfile import TemporaryDirectory

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from chatbot.items import Item
from chatbot.loaders import load_catalog, write_jsonl

SETTINGS = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])

_json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=8), children, max_size=4),
    max_leaves=12,
)
_item_like = st.fixed_dictionaries(
    {"id": st.text(max_size=6), "kind": st.sampled_from(["movie", "product", "book"])},
    optional={"title": st.text(max_size=10), "year": _json_values, "genres": _json_values, "people": _json_values,
              "attributes": _json_values, "price": _json_values},
)
_line = st.one_of(
    st.binary(max_size=60).filter(lambda b: b"\n" not in b),
    _json_values.map(lambda v: json.dumps(v).encode()),
    _item_like.map(lambda v: json.dumps(v, ensure_ascii=False).encode()),
)


def _meaningful(raw: bytes) -> bool:
    try:
        text = raw.decode("utf-8").strip()
    except UnicodeDecodeError:
        return True
    return bool(text) and not text.startswith("#")


@SETTINGS
@given(lines=st.lists(_line, max_size=12), fmt=st.sampled_from(["jsonl", "douban"]))
def test_garbage_lines_never_crash(lines: list[bytes], fmt: str) -> None:
    with TemporaryDirectory() as tmp:
        path = Path(tmp) / "c.jsonl"
        path.write_bytes(b"\n".join(lines))
        result = load_catalog(path, fmt=fmt)
    accounted = {e.line for e in result.errors}
    # every meaningful line is either an item or at least one RowError
    meaningful = [n for n, raw in enumerate(lines, start=1)  # a byte-order mark opening the file is not content
                  if _meaningful(raw.removeprefix(b"\xef\xbb\xbf") if n == 1 else raw)]
    assert len(result.items) + len(accounted) == len(meaningful)
    assert accounted <= set(meaningful)


@SETTINGS
@given(rows=st.lists(st.lists(st.text(max_size=8), max_size=5), max_size=8))
def test_garbage_csv_never_crashes(rows: list[list[str]]) -> None:
    with TemporaryDirectory() as tmp:
        path = Path(tmp) / "c.csv"
        path.write_text("\n".join(",".join(r) for r in rows), encoding="utf-8")
        result = load_catalog(path)
    assert all(isinstance(item, Item) for item in result.items)


_label = st.text(st.characters(codec="utf-8", exclude_categories=("Cs", "Cc")), min_size=1, max_size=12)
_scalar = st.one_of(st.booleans(), st.integers(-10**9, 10**9), st.floats(allow_nan=False, allow_infinity=False), _label)
_items = st.builds(
    Item,
    id=st.from_regex(r"[A-Za-z0-9_.:\-]{1,20}", fullmatch=True),
    kind=st.sampled_from(["movie", "series", "product"]),
    title=_label.filter(lambda s: s.strip()),
    title_zh=st.none() | _label,
    description=st.text(max_size=60),
    year=st.none() | st.integers(1870, 2100),
    price=st.none() | st.floats(0, 1e6),
    currency=st.none() | st.sampled_from(["EUR", "usd", "CNY"]),
    genres=st.lists(_label, max_size=3),
    people=st.dictionaries(st.sampled_from(["director", "cast", "brand"]), st.lists(_label, max_size=3), max_size=3),
    tags=st.lists(_label, max_size=3),
    language=st.none() | st.sampled_from(["en", "zh"]),
    popularity=st.none() | st.floats(0, 1e9),
    attributes=st.dictionaries(st.from_regex(r"[a-z_]{1,8}", fullmatch=True), _scalar, max_size=4),
)


@SETTINGS
@given(items=st.lists(_items, max_size=8, unique_by=lambda item: item.id))
def test_write_then_load_round_trips(items: list[Item]) -> None:
    with TemporaryDirectory() as tmp:
        path = Path(tmp) / "c.jsonl"
        write_jsonl(items, path)
        result = load_catalog(path, fmt="jsonl")
    assert result.errors == []
    assert result.items == items
