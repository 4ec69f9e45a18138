"""Settings: `.env.example` documents every field with its default; env overrides; the API key stays secret."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from pydantic import SecretStr

from chatbot.config import PROJECT_ROOT, Settings

ENV_EXAMPLE = PROJECT_ROOT / ".env.example"
LINE = re.compile(r"^([A-Za-z_][A-Za-z0-9_]*)=(.*)$")


def parse_env_file(path: Path) -> dict[str, str]:
    """NAME=value lines (comments and blank lines skipped); a name may appear only once."""
    values: dict[str, str] = {}
    for number, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        match = LINE.match(line)
        assert match, f"{path.name}:{number} is not NAME=value: {raw!r}"
        name, value = match.group(1), match.group(2).strip()
        assert name not in values, f"{name} is set twice in {path.name}"
        if len(value) >= 2 and value[0] == value[-1] and value[0] in "'\"":
            value = value[1:-1]
        values[name] = value
    return values


def env_name(field_name: str) -> str:
    """The environment variable pydantic-settings reads for a field (alias, else prefix + name)."""
    field = Settings.model_fields[field_name]
    alias = field.validation_alias if isinstance(field.validation_alias, str) else field.alias
    name = alias or f"{Settings.model_config.get('env_prefix', '')}{field_name}"
    return name if Settings.model_config.get("case_sensitive") else name.upper()


def normalise(value: object) -> str:
    """A default as .env.example writes it: booleans lower-case, None and empty secrets empty, paths
    relative to the project root."""
    if isinstance(value, SecretStr):
        value = value.get_secret_value()
    if value is None:
        return ""
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, Path):
        path = value if value.is_absolute() else PROJECT_ROOT / value
        try:
            return path.resolve().relative_to(PROJECT_ROOT.resolve()).as_posix()
        except ValueError:
            return path.as_posix()
    return str(value)


def normalise_written(name: str, written: str) -> str:
    default = Settings.model_fields[name].default
    if isinstance(default, bool):
        return written.lower()
    if isinstance(default, Path):
        return normalise(Path(written))
    return written


def test_env_example_lists_exactly_the_settings_fields():
    written = set(parse_env_file(ENV_EXAMPLE))
    expected = {env_name(name) for name in Settings.model_fields}
    assert not expected - written, f"settings not documented in .env.example: {sorted(expected - written)}"
    assert not written - expected, f".env.example names no setting: {sorted(written - expected)}"


def test_env_example_defaults_match_the_fields():
    written = parse_env_file(ENV_EXAMPLE)
    wrong = {}
    for name, field in Settings.model_fields.items():
        value = written.get(env_name(name))
        if value is not None and normalise_written(name, value) != normalise(field.default):
            wrong[env_name(name)] = (value, normalise(field.default))
    assert not wrong, f".env.example value differs from the default (written, default): {wrong}"


def test_env_example_loaded_as_env_file_gives_the_defaults(monkeypatch):
    for name in Settings.model_fields:
        monkeypatch.delenv(env_name(name), raising=False)
    loaded = Settings(_env_file=ENV_EXAMPLE)
    defaults = Settings(_env_file=None)
    for name in Settings.model_fields:
        assert normalise(getattr(loaded, name)) == normalise(getattr(defaults, name)), name


def test_the_secret_is_empty_in_env_example():
    assert parse_env_file(ENV_EXAMPLE)["OPENAI_API_KEY"] == ""
    text = ENV_EXAMPLE.read_text(encoding="utf-8")
    assert re.search(r"Space.{0,3}secrets", text, re.I), "says that on a Space the key goes into its secrets"


def test_environment_overrides_the_defaults(monkeypatch):
    monkeypatch.setenv("LLM_BACKEND", "openai")
    monkeypatch.setenv("QUEUE_CONCURRENCY", "7")
    monkeypatch.setenv("CHROMA_SSL", "true")
    monkeypatch.setenv("GRADIO_SERVER_PORT", "7999")
    settings = Settings(_env_file=None)
    assert settings.llm_backend == "openai"
    assert settings.queue_concurrency == 7
    assert settings.chroma_ssl is True
    assert settings.gradio_server_port == 7999


def test_invalid_value_is_refused(monkeypatch):
    monkeypatch.setenv("LLM_BACKEND", "no-such-backend")
    with pytest.raises(ValueError):
        Settings(_env_file=None)


def test_api_key_is_read_but_never_shown(monkeypatch):
    key = "sk-test-0123456789abcdefSECRET"
    monkeypatch.setenv("OPENAI_API_KEY", key)
    settings = Settings(_env_file=None)
    assert settings.openai_api_key.get_secret_value() == key
    for shown in (repr(settings), str(settings), settings.model_dump_json(), str(settings.model_dump()),
                  repr(settings.openai_api_key)):
        assert key not in shown
        assert "SECRET" not in shown
