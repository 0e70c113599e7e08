"""Where the project's data files (corpus/, prompts/) live, in a checkout and in an installed wheel."""

from __future__ import annotations

from pathlib import Path

__all__ = ["corpus_dir", "prompts_dir", "sample_document"]

_PKG = Path(__file__).resolve().parent


def _data_dir(name: str) -> Path:
    # A wheel carries the folders inside the package (see pyproject: force-include); a checkout has them
    # beside the package.
    for candidate in (_PKG / "_data" / name, _PKG.parent / name):
        if candidate.is_dir():
            return candidate
    raise FileNotFoundError(f"The project's '{name}' folder is missing; reinstall beleidsscan.")


def corpus_dir() -> Path:
    return _data_dir("corpus")


def prompts_dir() -> Path:
    return _data_dir("prompts")


def sample_document() -> Path:
    """The fictional municipality's policy document that the project ships for demos and tests."""
    return corpus_dir() / "samples" / "lindenwaard_kadernota_2025.pdf"
