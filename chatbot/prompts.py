"""Prompt files (`prompts/<name>.<lang>.yaml`) loaded in one place as LangChain chat prompt templates.

Each file holds `version`, `system` and `user`, Jinja templates. Rendering is strict: a missing variable
raises `PromptError` instead of sending a broken prompt (LangChain's Jinja templates would render it empty).
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import yaml
from langchain_core.messages import BaseMessage
from langchain_core.prompts import ChatPromptTemplate
from pydantic import BaseModel, ConfigDict

from chatbot.config import PROJECT_ROOT
from chatbot.errors import PromptError

PROMPT_DIR = PROJECT_ROOT / "prompts"
LANGS = ("en", "zh")


class PromptFile(BaseModel):
    """One prompt file: its version (part of cache keys) and its LangChain template."""

    model_config = ConfigDict(arbitrary_types_allowed=True)

    name: str
    lang: str
    version: str
    system: str
    template: ChatPromptTemplate

    @property
    def variables(self) -> set[str]:
        """Every variable the system and user templates use."""
        return set(self.template.input_variables)

    def render(self, **values: object) -> list[BaseMessage]:
        """The system and user messages; raises PromptError when a variable is missing."""
        missing = self.variables - values.keys()
        if missing:
            raise PromptError(f"prompt {self.name}.{self.lang} needs {', '.join(sorted(missing))}")
        messages = self.template.format_messages(**{k: v for k, v in values.items() if k in self.variables})
        for message in messages:
            message.content = str(message.content).strip()
        return messages


def prompt_names(directory: Path = PROMPT_DIR) -> list[tuple[str, str]]:
    """(name, lang) of every prompt file."""
    return sorted(tuple(path.name.removesuffix(".yaml").rsplit(".", 1)) for path in directory.glob("*.*.yaml"))


@lru_cache(maxsize=64)
def load_prompt(name: str, lang: str = "en", directory: Path = PROMPT_DIR) -> PromptFile:
    """Load `prompts/<name>.<lang>.yaml` (English when the language has no file)."""
    lang = lang if lang in LANGS else "en"
    path = directory / f"{name}.{lang}.yaml"
    if not path.exists() and lang != "en":
        path = directory / f"{name}.en.yaml"
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        template = ChatPromptTemplate.from_messages([("system", data["system"]), ("human", data["user"])],
                                                    template_format="jinja2")
        return PromptFile(name=name, lang=lang, version=str(data["version"]), system=data["system"],
                          template=template)
    except FileNotFoundError as exc:
        raise PromptError(f"no prompt file {path.name} in {directory}") from exc
    except (yaml.YAMLError, KeyError, TypeError, ValueError) as exc:
        raise PromptError(f"prompt file {path.name} is malformed: {exc}") from exc
