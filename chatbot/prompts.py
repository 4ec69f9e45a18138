"""Prompt files (`prompts/<name>.<lang>.yaml`) loaded in one place and rendered strictly.

Each file holds `version`, `system` and `user`; the last two are Jinja templates rendered with
`StrictUndefined`, so a missing variable raises `PromptError` instead of sending a broken prompt.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import jinja2
import jinja2.meta
import yaml
from pydantic import BaseModel

from chatbot.config import PROJECT_ROOT
from chatbot.errors import PromptError
from chatbot.llm.base import ChatMessage

PROMPT_DIR = PROJECT_ROOT / "prompts"
LANGS = ("en", "zh")

_ENV = jinja2.Environment(undefined=jinja2.StrictUndefined, autoescape=False, keep_trailing_newline=False)


class PromptTemplate(BaseModel):
    name: str
    lang: str
    version: str
    system: str
    user: str

    @property
    def variables(self) -> set[str]:
        """Every variable the two templates use."""
        names: set[str] = set()
        for source in (self.system, self.user):
            names |= jinja2.meta.find_undeclared_variables(_ENV.parse(source))
        return names

    def render(self, **values: object) -> list[ChatMessage]:
        """The system and user messages; raises PromptError when a variable is missing."""
        missing = self.variables - values.keys()
        if missing:
            raise PromptError(f"prompt {self.name}.{self.lang} needs {', '.join(sorted(missing))}")
        try:
            return [ChatMessage(role="system", content=_ENV.from_string(self.system).render(**values).strip()),
                    ChatMessage(role="user", content=_ENV.from_string(self.user).render(**values).strip())]
        except jinja2.UndefinedError as exc:
            raise PromptError(f"prompt {self.name}.{self.lang}: {exc}") from exc


def prompt_names(directory: Path = PROMPT_DIR) -> list[tuple[str, str]]:
    """(name, lang) of every prompt file."""
    return sorted(tuple(path.name.removesuffix(".yaml").rsplit(".", 1)) for path in directory.glob("*.*.yaml"))


@lru_cache(maxsize=64)
def load_prompt(name: str, lang: str = "en", directory: Path = PROMPT_DIR) -> PromptTemplate:
    """Load `prompts/<name>.<lang>.yaml` (English when the language has no file)."""
    lang = lang if lang in LANGS else "en"
    path = directory / f"{name}.{lang}.yaml"
    if not path.exists() and lang != "en":
        path = directory / f"{name}.en.yaml"
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        return PromptTemplate(name=name, lang=lang, version=str(data["version"]), system=data["system"],
                              user=data["user"])
    except FileNotFoundError as exc:
        raise PromptError(f"no prompt file {path.name} in {directory}") from exc
    except (yaml.YAMLError, KeyError, TypeError, jinja2.TemplateSyntaxError) as exc:
        raise PromptError(f"prompt file {path.name} is malformed: {exc}") from exc
