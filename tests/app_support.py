"""Support for the app and browser tests: a small real catalog, and the real app served on a free port."""

from __future__ import annotations

import html
import json
import re
import socket
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from chatbot.config import Settings

PROJECT_ROOT = Path(__file__).resolve().parent.parent
XSS_MARKUP = '<img src=x onerror="window.__xss=1">'
XSS_SCRIPT = "<script>window.__xss=2</script>"

MOVIES = [
    {"id": "interstellar-2014", "kind": "movie", "title": "Interstellar", "title_zh": "星际穿越", "year": 2014,
     "genres": ["sci-fi", "drama", "adventure"], "people": {"director": ["Christopher Nolan"]},
     "tags": ["space travel", "black hole", "father and daughter"], "language": "en",
     "description": "Astronauts travel through a wormhole near Saturn to find a new home for humanity "
                    "as crops fail on Earth.",
     "description_zh": "地球粮食危机中，宇航员穿越土星附近的虫洞，为人类寻找新家园。"},
    {"id": "dune-2021", "kind": "movie", "title": "Dune", "title_zh": "沙丘", "year": 2021,
     "genres": ["sci-fi", "adventure", "drama"], "people": {"director": ["Denis Villeneuve"]},
     "tags": ["desert planet", "epic", "politics"], "language": "en",
     "description": "Paul Atreides and his family take over the desert planet Arrakis, the only source "
                    "of the precious spice.",
     "description_zh": "保罗·厄崔迪一家接管沙漠星球厄拉科斯，那里是珍贵香料的唯一产地。"},
    {"id": "blade-runner-2049-2017", "kind": "movie", "title": "Blade Runner 2049", "title_zh": "银翼杀手2049",
     "year": 2017, "genres": ["sci-fi", "thriller", "drama"], "people": {"director": ["Denis Villeneuve"]},
     "tags": ["cyberpunk", "replicants", "neo-noir"], "language": "en",
     "description": "A replicant blade runner uncovers a long-buried secret that could plunge "
                    "what is left of society into chaos.",
     "description_zh": "一名复制人银翼杀手发现了一个尘封多年的秘密，它可能让残存的社会陷入混乱。"},
    {"id": "the-three-body-problem-2023", "kind": "series", "title": "The Three-Body Problem", "title_zh": "三体",
     "year": 2023, "genres": ["sci-fi", "mystery", "drama"], "tags": ["first contact", "chinese sci-fi"],
     "language": "zh",
     "description": "A nanomaterials researcher is drawn into a string of scientists' deaths and a "
                    "virtual-reality game linked to an alien civilization.",
     "description_zh": "纳米材料科学家卷入一连串科学家自杀事件和一款神秘的虚拟现实游戏，背后牵连着外星文明。"},
    {"id": "the-wandering-earth-2-2023", "kind": "movie", "title": "The Wandering Earth 2", "title_zh": "流浪地球2",
     "year": 2023, "genres": ["sci-fi", "action", "drama"], "people": {"director": ["Frant Gwo"]},
     "tags": ["space disaster", "chinese sci-fi", "spectacle"], "language": "zh",
     "description": "Before Earth is pushed out of the solar system, humanity builds giant engines "
                    "and faces a crisis over the plan.",
     "description_zh": "在地球被推出太阳系之前，人类建造巨型发动机，并为这一计划经历重重危机。"},
    {"id": "arrival-2016", "kind": "movie", "title": "Arrival", "title_zh": "降临", "year": 2016,
     "genres": ["sci-fi", "drama", "mystery"], "people": {"director": ["Denis Villeneuve"]},
     "tags": ["first contact", "language", "cerebral"], "language": "en",
     "description": "A linguist is recruited to communicate with the aliens whose ships have landed "
                    "around the world.",
     "description_zh": "外星飞船降落世界各地，一位语言学家受命与外星人沟通。"},
    {"id": "spirited-away-2001", "kind": "movie", "title": "Spirited Away", "title_zh": "千与千寻", "year": 2001,
     "genres": ["animation", "fantasy", "family"], "people": {"director": ["Hayao Miyazaki"]},
     "tags": ["spirits", "coming of age"], "language": "ja",
     "description": "A ten-year-old girl wanders into a world of spirits and must work in a bathhouse "
                    "to free her parents.",
     "description_zh": "十岁女孩误入神灵世界，必须在汤屋工作来救出父母。"},
    {"id": "toy-story-1995", "kind": "movie", "title": "Toy Story", "title_zh": "玩具总动员", "year": 1995,
     "genres": ["animation", "comedy", "family"], "tags": ["toys", "friendship"], "language": "en",
     "description": "A cowboy doll feels threatened when a new space ranger toy arrives in his owner's room.",
     "description_zh": "新来的太空骑警玩具让牛仔玩偶感到自己的地位受到威胁。"},
    {"id": "the-shining-1980", "kind": "movie", "title": "The Shining", "title_zh": "闪灵", "year": 1980,
     "genres": ["horror", "drama"], "people": {"director": ["Stanley Kubrick"]}, "tags": ["isolation", "hotel"],
     "language": "en",
     "description": "A writer becomes the winter caretaker of an isolated hotel with his wife and son.",
     "description_zh": "一位作家带着妻儿去偏僻的酒店做冬季看守。"},
    {"id": "in-the-mood-for-love-2000", "kind": "movie", "title": "In the Mood for Love", "title_zh": "花样年华",
     "year": 2000, "genres": ["romance", "drama"], "people": {"director": ["Wong Kar-wai"]},
     "tags": ["hong kong", "longing"], "language": "zh",
     "description": "In 1962 Hong Kong, two neighbours discover that their spouses are having an affair.",
     "description_zh": "1962 年的香港，两位邻居发现各自的配偶有了婚外情。"},
]

PRODUCTS = [
    {"id": "p-buds-lite", "kind": "product", "image_url": "https://images.example.invalid/p-buds-lite.jpg", "title": "Cirrus Buds Lite Wireless Earbuds",
     "title_zh": "Cirrus Buds Lite 无线耳机", "price": 99, "currency": "CNY", "genres": ["audio"],
     "tags": ["wireless", "earbuds", "budget"],
     "description": "Entry-level wireless earbuds with 6 hours of playback and an IPX4 rating."},
    {"id": "p-buds-sport", "kind": "product", "title": "Cirrus Buds Sport Ear-Hook Earbuds",
     "title_zh": "Cirrus Buds Sport 挂耳运动耳机", "price": 249, "currency": "CNY", "genres": ["audio", "fitness"],
     "tags": ["wireless", "earbuds", "for runners"],
     "description": "Ear-hook wireless earbuds for running, 9 hours of playback, IPX7 waterproof."},
    {"id": "p-buds-pro", "kind": "product", "image_url": "https://images.example.invalid/p-buds-pro.jpg", "title": "Cirrus Buds Pro Noise-Cancelling Earbuds",
     "title_zh": "Cirrus Buds Pro 降噪耳机", "price": 699, "currency": "CNY", "genres": ["audio"],
     "tags": ["wireless", "earbuds", "noise cancelling"],
     "description": "Wireless earbuds with active noise cancelling and 8 hours of playback."},
    {"id": "p-buds-max", "kind": "product", "image_url": "https://images.example.invalid/p-buds-max.jpg", "title": "Cirrus Studio Max Headphones",
     "title_zh": "Cirrus Studio Max 头戴耳机", "price": 1999, "currency": "CNY", "genres": ["audio"],
     "tags": ["wireless", "headphones", "noise cancelling"],
     "description": "Over-ear wireless headphones with noise cancelling and 30 hours of battery."},
    {"id": "p-buds-wired", "kind": "product", "image_url": "https://images.example.invalid/p-buds-wired.jpg", "title": "Cirrus Wired Earphones", "title_zh": "Cirrus 有线耳机",
     "price": 49, "currency": "CNY", "genres": ["audio"], "tags": ["earphones", "budget"],
     "description": "Wired in-ear earphones with a microphone and a tangle-free cable."},
    {"id": "p-speaker-mini", "kind": "product", "image_url": "https://images.example.invalid/p-speaker-mini.jpg", "title": "Echolite Mini Bluetooth Speaker",
     "title_zh": "Echolite 迷你蓝牙音箱", "price": 129, "currency": "CNY", "genres": ["audio"],
     "tags": ["wireless", "speaker"], "description": "Pocket Bluetooth speaker with 10 hours of playback."},
    {"id": "p-kettle", "kind": "product", "title": "Brewline Gooseneck Kettle", "title_zh": "Brewline 细口手冲壶",
     "price": 329, "currency": "CNY", "genres": ["coffee-tea", "kitchen"], "tags": ["pour-over", "coffee"],
     "description": "Electric gooseneck kettle with temperature control for pour-over coffee."},
    {"id": "p-grinder", "kind": "product", "title": "Brewline Burr Coffee Grinder", "title_zh": "Brewline 磨豆机",
     "price": 459, "currency": "CNY", "genres": ["coffee-tea", "kitchen"], "tags": ["coffee", "grinder"],
     "description": "Conical burr grinder with 30 grind settings."},
    {"id": "p-band", "kind": "product", "title": "Pulse Fitness Band 3", "title_zh": "Pulse 手环 3", "price": 199,
     "currency": "CNY", "genres": ["wearables", "fitness"], "tags": ["heart rate", "sleep tracking"],
     "description": "Fitness band with heart-rate and sleep tracking, 14 days of battery."},
    {"id": "p-markup-lamp", "kind": "product", "title": f"Markup Test Desk Lamp {XSS_MARKUP}",
     "title_zh": f"标记测试台灯 {XSS_MARKUP}", "price": 159, "currency": "CNY", "genres": ["home"],
     "tags": ["desk lamp", "<b>bold tag</b>"],
     "description": f"A desk lamp whose catalog text holds markup {XSS_MARKUP} {XSS_SCRIPT} to prove it shows as text.",
     "selling_points": [f"Dimmable light {XSS_MARKUP}"]},
]

CARD_TITLE = re.compile(r'<span class="rec-title">(.*?)</span>', re.S)
CARD_ID = re.compile(r'<article class="rec-card" data-item-id="(.*?)">')


def write_catalogs(folder: Path) -> Path:
    """Write movies.jsonl and products.jsonl into `folder`; returns it."""
    folder.mkdir(parents=True, exist_ok=True)
    for name, rows in (("movies", MOVIES), ("products", PRODUCTS)):
        text = "\n".join(json.dumps(row, ensure_ascii=False) for row in rows) + "\n"
        (folder / f"{name}.jsonl").write_text(text, encoding="utf-8")
    return folder


def catalog_titles() -> set[str]:
    return {row[key] for row in MOVIES + PRODUCTS for key in ("title", "title_zh") if row.get(key)}


def card_titles(cards_html: str) -> list[str]:
    """The titles on the rendered cards, as plain text."""
    return [html.unescape(title) for title in CARD_TITLE.findall(cards_html)]


def card_ids(cards_html: str) -> list[str]:
    return [html.unescape(item_id) for item_id in CARD_ID.findall(cards_html)]


def message_text(message: dict) -> str:
    """The text of one messages-format entry as gradio_client returns it (a string or a list of parts)."""
    content = message.get("content")
    if isinstance(content, str):
        return content
    return "".join(part.get("text", "") for part in content or [] if isinstance(part, dict))


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def app_settings(root: Path, **overrides: object) -> Settings:
    values = dict(catalog_dir=write_catalogs(root / "catalog"), data_dir=root / "data", default_catalog="movies",
                  llm_backend="none", queue_concurrency=4, queue_max_size=64)
    values.update(overrides)
    return Settings(_env_file=None, **values)


@dataclass
class RunningApp:
    url: str
    settings: Settings


@contextmanager
def serve_app(settings: Settings, service: object | None = None) -> Iterator[RunningApp]:
    """The real app (real service unless one is given) served on a free local port until the block ends."""
    from chatbot.ui.app import build_app, launch_options
    from chatbot.ui.warmup import WarmUp

    if service is None:
        from chatbot.service import ChatService

        service = ChatService(settings)
    warmup = WarmUp(service).start()
    demo = build_app(settings, service, warmup=warmup)
    demo.queue(default_concurrency_limit=settings.queue_concurrency, max_size=settings.queue_max_size)
    port = free_port()
    demo.launch(server_name="127.0.0.1", server_port=port, prevent_thread_lock=True, quiet=True,
                **launch_options())
    try:
        yield RunningApp(url=f"http://127.0.0.1:{port}/", settings=settings)
    finally:
        demo.close()


class ThinkingService:
    """The real chat service with a pretend model step at the end of each turn: the ranker's cards come
    first in an update with thinking=True, the final update `delay_s` later (as when a model picks)."""

    def __init__(self, service: object, delay_s: float = 2.0) -> None:
        self.service = service
        self.delay_s = delay_s

    def __getattr__(self, name: str) -> object:
        return getattr(self.service, name)

    def respond(self, session, message: str):
        import time

        for update in self.service.respond(session, message):
            if update.done and update.cards:
                yield update.model_copy(update={"done": False, "thinking": True, "trace": None})
                time.sleep(self.delay_s)
            yield update
