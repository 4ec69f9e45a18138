"""Catalog loading: every format, broken files, strict mode, and the real evaluation data."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from chatbot.errors import CatalogError
from chatbot.items import Item
from chatbot.loaders import MAX_LINE_BYTES, LoadResult, RowError, load_catalog, write_jsonl

SHARED_DATA = Path(__file__).resolve().parent.parent.parent / "shared" / "data"


def _item(i: int, **extra) -> dict:
    return {"id": f"m{i}", "kind": "movie", "title": f"Movie {i}", **extra}


def _write_jsonl(path: Path, rows: list) -> Path:
    path.write_text("\n".join(r if isinstance(r, str) else json.dumps(r) for r in rows) + "\n", encoding="utf-8")
    return path


# ---------------------------------------------------------------- canonical JSONL


def test_jsonl_good_file(tmp_path: Path) -> None:
    path = _write_jsonl(tmp_path / "c.jsonl", ["# comment", _item(1, year=1999, genres=["Drama"]), "", _item(2)])
    result = load_catalog(path)
    assert isinstance(result, LoadResult)
    assert [i.id for i in result.items] == ["m1", "m2"]
    assert result.items[0].genres == ["drama"] and result.items[0].year == 1999
    assert result.errors == [] and result.source == str(path)


def test_jsonl_wrong_types_and_missing_fields(tmp_path: Path) -> None:
    path = _write_jsonl(tmp_path / "c.jsonl", [_item(1), _item(2, year="soon"), {"id": "m3", "kind": "movie"}, _item(4)])
    result = load_catalog(path)
    assert [i.id for i in result.items] == ["m1", "m4"]
    by_line = {(e.line, e.field) for e in result.errors}
    assert (2, "year") in by_line and (3, "title") in by_line
    text = str(next(e for e in result.errors if e.field == "year"))
    assert text.startswith(f"{path}:2: field 'year': ") and "integer" in text


def test_jsonl_huge_field_is_an_error(tmp_path: Path) -> None:
    path = _write_jsonl(tmp_path / "c.jsonl", [_item(1, description="x" * 30000), _item(2)])
    result = load_catalog(path)
    assert [i.id for i in result.items] == ["m2"]
    assert result.errors[0].line == 1 and result.errors[0].field == "description"


def test_overlong_line_rejected_unparsed(tmp_path: Path) -> None:
    path = _write_jsonl(tmp_path / "c.jsonl", [_item(1, description="y" * (MAX_LINE_BYTES + 10)), _item(2)])
    result = load_catalog(path)
    assert [i.id for i in result.items] == ["m2"]
    assert result.errors[0].line == 1 and "longer than" in result.errors[0].message


def test_duplicate_ids_keep_first(tmp_path: Path) -> None:
    path = _write_jsonl(tmp_path / "c.jsonl", [_item(1), _item(2), _item(1, title="Other"), _item(1, title="Third")])
    result = load_catalog(path)
    assert [i.title for i in result.items] == ["Movie 1", "Movie 2"]
    assert [e.line for e in result.errors] == [3, 4]
    assert all(e.message == "duplicate id 'm1', first seen on line 1" for e in result.errors)


def test_broken_utf8_only_costs_its_line(tmp_path: Path) -> None:
    path = tmp_path / "c.jsonl"
    good = json.dumps(_item(1, title="Amélie 天使")).encode("utf-8")
    path.write_bytes(good + b"\n" + b'{"id": "m2", "kind": "movie", "title": "bad \xff\xfe"}\n' + json.dumps(_item(3)).encode())
    result = load_catalog(path)
    assert [i.id for i in result.items] == ["m1", "m3"]
    assert result.items[0].title == "Amélie 天使"
    assert len(result.errors) == 1 and result.errors[0].line == 2 and "UTF-8" in result.errors[0].message


def test_invalid_json_non_object_and_truncated_last_line(tmp_path: Path) -> None:
    path = tmp_path / "c.jsonl"
    path.write_text("\n".join([json.dumps(_item(1)), "{not json", "[1, 2]", json.dumps(_item(4))[:-7]]), encoding="utf-8")
    result = load_catalog(path)
    assert [i.id for i in result.items] == ["m1"]
    assert [e.line for e in result.errors] == [2, 3, 4]
    assert "invalid JSON" in result.errors[0].message and "JSON object" in result.errors[1].message


def test_html_in_description_kept_verbatim(tmp_path: Path) -> None:
    html = '<script>alert("x")</script><b>bold</b> &amp;'
    result = load_catalog(_write_jsonl(tmp_path / "c.jsonl", [_item(1, description=html)]))
    assert result.items[0].description == html


def test_strict_mode_raises_with_errors(tmp_path: Path) -> None:
    path = _write_jsonl(tmp_path / "c.jsonl", [_item(1), _item(2, year="x"), "{oops"])
    with pytest.raises(CatalogError) as info:
        load_catalog(path, strict=True)
    assert f"{path}:2: field 'year'" in str(info.value) and f"{path}:3:" in str(info.value)
    good = _write_jsonl(tmp_path / "g.jsonl", [_item(1)])
    assert len(load_catalog(good, strict=True).items) == 1


def test_missing_unreadable_and_unknown_format(tmp_path: Path) -> None:
    with pytest.raises(CatalogError, match="not found"):
        load_catalog(tmp_path / "nope.jsonl")
    with pytest.raises(CatalogError, match="not a file"):
        load_catalog(tmp_path)
    path = _write_jsonl(tmp_path / "c.jsonl", [_item(1)])
    with pytest.raises(CatalogError, match="unknown catalog format"):
        load_catalog(path, fmt="xml")


def test_write_jsonl_round_trip_is_atomic(tmp_path: Path) -> None:
    items = [Item(id="p1", kind="product", title="Kettle", price=19.5, currency="eur", genres=["kitchen"],
                  people={"brand": ["Acme"]}, attributes={"watts": 1500, "cordless": True, "litres": 1.7}),
             Item(id="m1", kind="movie", title="天使", title_zh="天使", description="<i>x</i>")]
    path = tmp_path / "out" / "c.jsonl"
    write_jsonl(items, path)
    assert load_catalog(path).items == items
    assert [p.name for p in path.parent.iterdir()] == ["c.jsonl"]


def test_row_error_str_with_key() -> None:
    err = RowError(file="id2info.json", key="123", field="title", message="bad")
    assert str(err) == "id2info.json:[123]: field 'title': bad"
    assert str(RowError(file="a.csv", line=4, message="m")) == "a.csv:4: m"


# ---------------------------------------------------------------- CSV

CSV_GOOD = """id,kind,title,title_zh,description,year,price,currency,genres,tags,people.brand,people.director,attr.watts,attr.cordless,attr.colour,attr.rating
p1,product,Kettle,水壶,"Boils, fast",,19.5,eur,kitchen|home,quiet| steel ,Acme,,1500,true,red,4.5
m1,movie,Heat,,"A ""heist"" film",1995,,,crime|Thriller,,,Michael Mann,,,,
"""


def test_csv_good_file(tmp_path: Path) -> None:
    path = tmp_path / "c.csv"
    path.write_text(CSV_GOOD, encoding="utf-8")
    result = load_catalog(path)
    assert result.errors == []
    kettle, heat = result.items
    assert kettle.title_zh == "水壶" and kettle.description == "Boils, fast" and kettle.currency == "EUR"
    assert kettle.genres == ["kitchen", "home"] and kettle.tags == ["quiet", "steel"]
    assert kettle.people == {"brand": ["Acme"]}
    assert kettle.attributes == {"watts": 1500, "cordless": True, "colour": "red", "rating": 4.5}
    assert kettle.year is None and heat.year == 1995 and heat.price is None
    assert heat.description == 'A "heist" film' and heat.people == {"director": ["Michael Mann"]}


def test_csv_bad_rows_and_unknown_column_once(tmp_path: Path) -> None:
    path = tmp_path / "c.csv"
    path.write_text("id,kind,title,year,colour\nm1,movie,A,1999,red\nm2,movie,B,nineteen,blue\nm3,film,C,,\n"
                    "m1,movie,D,,\nm5,movie\n", encoding="utf-8")
    result = load_catalog(path)
    assert [i.id for i in result.items] == ["m1"]
    unknown = [e for e in result.errors if e.message == "unknown column"]
    assert len(unknown) == 1 and unknown[0].field == "colour" and unknown[0].line == 1
    lines = {(e.line, e.field) for e in result.errors if e is not unknown[0]}
    assert {(3, "year"), (4, "kind"), (5, "id"), (6, None)} <= lines


def test_csv_multiline_cell_keeps_physical_line_numbers(tmp_path: Path) -> None:
    path = tmp_path / "c.csv"
    path.write_text('id,kind,title,description\nm1,movie,A,"two\nlines"\nm2,movie,,x\n', encoding="utf-8")
    result = load_catalog(path)
    assert result.items[0].description == "two\nlines"
    assert result.errors[0].line == 4 and result.errors[0].field == "title"


def test_csv_broken_utf8_line(tmp_path: Path) -> None:
    path = tmp_path / "c.csv"
    path.write_bytes(b"id,kind,title\nm1,movie,A\nm2,movie,B\xff\nm3,movie,C\n")
    result = load_catalog(path)
    assert [i.id for i in result.items] == ["m1", "m3"]
    assert result.errors[0].line == 3


# ---------------------------------------------------------------- ReDial and Douban

REDIAL = {
    "100026": {"name": "Pari (1995)", "genre": ["drama", "Science Fiction"], "plot": "Haunted <b>by</b> a book.",
               "director": ["Dariush Mehrjui"], "writer": ["J.D. Salinger"], "star": ["Niki Karimi"], "imdb_id": "tt0114092"},
    "100043": {"name": "Back to the Future", "genre": [], "plot": "", "director": [], "writer": [], "star": [],
               "imdb_id": "tt0088763"},
    "bad id!": {"name": "Oops (2001)", "genre": [], "plot": "", "director": [], "writer": [], "star": []},
    "100050": {"name": "", "genre": [], "plot": "x"},
}


def test_redial_import(tmp_path: Path) -> None:
    path = tmp_path / "id2info.json"
    path.write_text(json.dumps(REDIAL), encoding="utf-8")
    result = load_catalog(path)
    pari, back = result.items
    assert (pari.id, pari.title, pari.year, pari.kind, pari.language) == ("100026", "Pari", 1995, "movie", None)
    assert pari.genres == ["drama", "sci-fi"] and pari.description == "Haunted <b>by</b> a book."
    assert pari.people == {"director": ["Dariush Mehrjui"], "writer": ["J.D. Salinger"], "cast": ["Niki Karimi"]}
    assert pari.source_keys == {"imdb_id": "tt0114092", "source_name": "Pari (1995)"}
    assert "tt0114092" not in pari.to_text() and "source_name" not in pari.to_text(), "identifiers are not text"
    assert (back.title, back.year, back.description) == ("Back to the Future", None, "")
    assert {e.key for e in result.errors} == {"bad id!", "100050"}
    assert all(e.line is None for e in result.errors)
    assert load_catalog(path, fmt="redial").items == result.items


def test_redial_unreadable_json_raises(tmp_path: Path) -> None:
    path = tmp_path / "id2info.json"
    path.write_text('{"1": {"name": "A"', encoding="utf-8")
    with pytest.raises(CatalogError):
        load_catalog(path, fmt="redial")


DOUBAN = [
    {"movie_id": 26752088, "title": "我不是药神", "rating": 9.0, "total_ratings": 2317679, "directors": "文牧野",
     "actors": "徐峥, 王传君", "screenwriters": "韩家女, 钟伟", "release_date": "2018-07-05", "genres": "剧情, 喜剧",
     "countries": "中国大陆 / 中国香港", "languages": "汉语普通话 / 英语", "runtime": "117分钟", "summary": "普通中年男子程勇……"},
    {"movie_id": 1292052, "title": "肖申克的救赎", "rating": 9.7, "total_ratings": 10, "release_date": "1994-09-10(多伦多电影节)",
     "genres": "剧情, 犯罪", "countries": "美国", "languages": "英语", "summary": "一场谋杀案……"},
    {"movie_id": 3, "title": "", "summary": "无标题"},
]


def test_douban_import(tmp_path: Path) -> None:
    path = _write_jsonl(tmp_path / "douban.jsonl", DOUBAN)
    result = load_catalog(path)
    dying, shawshank = result.items
    assert dying.id == "douban-26752088" and dying.title == dying.title_zh == "我不是药神"
    assert dying.description == "" and dying.description_zh == "普通中年男子程勇……"
    assert dying.year == 2018 and dying.genres == ["drama", "comedy"] and dying.language == "zh"
    assert dying.people == {"director": ["文牧野"], "cast": ["徐峥", "王传君"], "writer": ["韩家女", "钟伟"]}
    assert dying.attributes == {"country": "中国大陆", "douban_rating": 9.0, "runtime": "117分钟"}
    assert dying.popularity == 2317679
    assert shawshank.year == 1994 and shawshank.language is None and shawshank.genres == ["drama", "crime"]
    assert [(e.line, e.field) for e in result.errors] == [(3, "title")]


def test_detection(tmp_path: Path) -> None:
    douban = _write_jsonl(tmp_path / "d.jsonl", ["# x", "{bad", DOUBAN[0]])
    assert load_catalog(douban).items[0].id.startswith("douban-")
    plain_json = tmp_path / "items.json"
    plain_json.write_text(json.dumps(_item(1)), encoding="utf-8")
    assert [i.id for i in load_catalog(plain_json).items] == ["m1"]


# ---------------------------------------------------------------- real evaluation data


def _shared(*parts: str) -> Path:
    path = SHARED_DATA.joinpath(*parts)
    if not path.exists():
        pytest.skip(f"evaluation data not present: {path}")
    return path


def test_real_redial_catalog_loads() -> None:
    result = load_catalog(_shared("redial", "id2info.json"))
    assert len(result.items) >= 6500 and len(result.errors) <= 5
    names = {item.source_keys["source_name"] for item in result.items}
    assert "Back to the Future" in names and "Pari (1995)" in names


def test_real_douban_catalog_loads() -> None:
    result = load_catalog(_shared("douban", "douban_all_movies.jsonl"))
    assert len(result.items) >= 2000 and len(result.errors) <= 5
    assert all(item.id.startswith("douban-") for item in result.items)
    assert sum(item.language == "zh" for item in result.items) > 500
