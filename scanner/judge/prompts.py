"""Prompt templates as files (``prompts/*.nl.txt``), checked for their variables on load."""

from __future__ import annotations

import hashlib
import string
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from scanner.errors import ConfigError
from scanner.resources import prompts_dir

__all__ = ["EXPECTED_VARIABLES", "PromptSet", "load_prompts"]

EXPECTED_VARIABLES: dict[str, set[str]] = {
    "system": set(),
    "beoordeling": {"label", "description", "include", "exclude", "covered_rule", "section", "passage"},
}


def _variables(template: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(template) if name}


@dataclass(frozen=True)
class PromptSet:
    templates: dict[str, str]

    @property
    def hashes(self) -> dict[str, str]:
        return {k: hashlib.sha256(v.encode()).hexdigest() for k, v in sorted(self.templates.items())}

    def render(self, name: str, values: Mapping[str, str]) -> str:
        # Values are inserted as they are: braces in a passage are text, not template fields.
        return self.templates[name].format_map(dict(values))


def load_prompts(folder: Path | None = None) -> PromptSet:
    folder = folder or prompts_dir()
    templates = {}
    for name, expected in EXPECTED_VARIABLES.items():
        path = folder / f"{name}.nl.txt"
        if not path.is_file():
            raise ConfigError(f"Prompttemplate {path} ontbreekt.")
        text = path.read_text(encoding="utf-8").strip()
        found = _variables(text)
        if found != expected:
            raise ConfigError(
                f"Prompttemplate {path}: variabelen {sorted(found)} wijken af van de verwachte {sorted(expected)}."
            )
        templates[name] = text
    return PromptSet(templates)
