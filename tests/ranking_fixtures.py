"""Small synthetic movie catalogs and ReDial-format dialogues for the ranker, eval and interactions tests."""

from __future__ import annotations

import json
from pathlib import Path

from chatbot.items import Item


def movie(item_id: str, title: str, year: int, genres: list[str], plot: str, cast: list[str] | None = None,
          imdb: str = "", popularity: float | None = None) -> Item:
    return Item(id=item_id, kind="movie", title=title, year=year, genres=genres, description=plot,
                people={"cast": cast or []}, popularity=popularity,
                source_keys={"imdb_id": imdb, "source_name": f"{title} ({year})"})


MOVIES = [
    movie("1", "The Shining", 1980, ["horror"], "A haunted hotel in winter, a writer goes mad.", ["Jack Nicholson"], "tt0081505", 50),
    movie("2", "It Follows", 2014, ["horror"], "A haunted teenager is followed by a curse.", ["Maika Monroe"], "tt3235888", 20),
    movie("3", "The Babadook", 2014, ["horror", "drama"], "A mother and son haunted by a monster from a book.", [], "tt2321549", 15),
    movie("4", "Get Out", 2017, ["horror", "mystery"], "A young man visits his girlfriend's family; a haunted secret.", ["Daniel Kaluuya"], "tt5052448", 60),
    movie("5", "Superbad", 2007, ["comedy"], "Two high school friends try to buy alcohol for a party.", ["Jonah Hill", "Michael Cera"], "tt0829482", 40),
    movie("6", "The Hangover", 2009, ["comedy"], "Friends lose the groom after a party in Las Vegas.", ["Bradley Cooper"], "tt1119646", 45),
    movie("7", "Bridesmaids", 2011, ["comedy", "romance"], "A maid of honor's life unravels before a wedding party.", ["Kristen Wiig"], "tt1478338", 30),
    movie("8", "Die Hard", 1988, ["action", "thriller"], "A cop fights terrorists in a tower at a Christmas party.", ["Bruce Willis"], "tt0095016", 70),
    movie("9", "John Wick", 2014, ["action", "thriller"], "A retired hitman seeks vengeance for his dog.", ["Keanu Reeves"], "tt2911666", 55),
    movie("10", "The Notebook", 2004, ["romance", "drama"], "A poor young man falls in love with a rich young woman.", ["Ryan Gosling"], "tt0332280", 35),
    movie("11", "La La Land", 2016, ["romance", "musical"], "A jazz pianist and an actress fall in love in Los Angeles.", ["Ryan Gosling", "Emma Stone"], "tt3783958", 25),
    movie("12", "Moana", 2016, ["animation", "adventure"], "A daring girl sails the ocean to save her island.", [], "tt3521164", 20),
]


def write_redial_catalog(path: Path, items: list[Item] = MOVIES) -> Path:
    """The catalog in ReDial's id2info.json format."""
    data = {item.id: {"name": item.source_keys["source_name"], "genre": item.genres, "plot": item.description,
                      "director": [], "writer": [], "star": item.people.get("cast", []),
                      "imdb_id": item.source_keys["imdb_id"]} for item in items}
    path.write_text(json.dumps(data), encoding="utf-8")
    return path


def turn(dialog: str, n: int, context: list[str], rec: list[str]) -> dict:
    return {"dialog_id": dialog, "turn_id": n, "context": context, "entity": ["SHOULD NOT BE READ"], "rec": rec,
            "resp": "SHOULD NOT BE READ " + " ".join(rec), "template": ["SHOULD NOT BE READ"]}


DIALOGS = [
    turn("d1", 2, ["", "Hi, what do you like?", "I want a scary horror movie like The Babadook (2014)"],
         ["It Follows (2014)", "Get Out (2017)"]),
    turn("d1", 4, ["", "Hi, what do you like?", "I want a scary horror movie like The Babadook (2014)",
                   "Have you seen It Follows (2014) ?", "Yes I loved It Follows (2014) it was great"], ["The Shining (1980)"]),
    turn("d2", 2, ["", "Hello!", "I like comedies, Superbad (2007) was hilarious"], ["The Hangover (2009)"]),
    turn("d3", 2, ["", "Hi", "Looking for an action movie with Keanu Reeves"], ["John Wick (2014)"]),
    turn("d4", 2, ["", "Hey", "Something romantic like The Notebook (2004) please"], ["La La Land (2016)", "Not In Catalog (1999)"]),
]


def write_dialogs(path: Path, rows: list[dict] = DIALOGS) -> Path:
    path.write_text("".join(json.dumps(row) + "\n" for row in rows), encoding="utf-8")
    return path
