"""Frameworks (codebooks) as data: YAML files validated by a strict model on load.

A framework is a list of elements, each placed in one environment and one dimension. Adding a framework
is adding a YAML file to ``corpus/frameworks/`` (or to a folder named in the settings); no code changes.
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import cached_property
from pathlib import Path
from typing import Annotated

import yaml
from pydantic import BaseModel, ConfigDict, Field, StringConstraints, ValidationError, model_validator

from scanner.errors import FrameworkError

__all__ = [
    "DEFAULT_FRAMEWORK",
    "Dimension",
    "Element",
    "Environment",
    "Framework",
    "SourceRef",
    "SourceWork",
    "builtin_framework_dir",
    "list_frameworks",
    "load_framework",
    "load_framework_file",
]

DEFAULT_FRAMEWORK = "informele-ondersteuners-jeugd"  # the SCP 2025 framework the judge was trained on

# libyaml's loader is 15x faster than the pure-Python one; both are safe loaders.
_YAML_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

Slug = Annotated[str, StringConstraints(pattern=r"^[a-z0-9][a-z0-9-]*$")]
ElementId = Annotated[str, StringConstraints(pattern=r"^[a-z0-9-]+\.[a-z0-9-]+\.[a-z0-9-]+$")]
NonEmpty = Annotated[str, StringConstraints(min_length=1, strip_whitespace=True)]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class SourceWork(_Strict):
    """A publication the framework draws on."""

    id: Slug = Field(description="Short key used by source references, e.g. 'scp2025'.")
    citation: NonEmpty = Field(description="Full reference in the usual Dutch citation style.")


class SourceRef(_Strict):
    """Where in a source work an element comes from."""

    work: Slug = Field(description="Id of a SourceWork of this framework.")
    location: NonEmpty = Field(description="Table, section or page in the work, e.g. 'tabel S.1; §2.3'.")


class Environment(_Strict):
    id: Slug
    label: NonEmpty = Field(description="Dutch label shown to users.")
    description: NonEmpty


class Dimension(_Strict):
    id: Slug
    label: NonEmpty = Field(description="Dutch label shown to users.")
    description: NonEmpty
    is_action: bool = Field(
        default=False, description="Elements of this dimension are action options (gaps get advice)."
    )
    is_role: bool = Field(default=False, description="Elements of this dimension are bridge-building roles.")


class Element(_Strict):
    """One code of the codebook: what a policy document may or may not address."""

    id: ElementId = Field(description="'<environment>.<dimension>.<name>'; a contract with results and labels.")
    environment: Slug
    dimension: Slug
    label: NonEmpty = Field(description="Short Dutch label.")
    description: NonEmpty = Field(description="What the element means, in the project's own Dutch words.")
    cues: list[NonEmpty] = Field(
        min_length=3, description="Dutch words and phrases that policy documents actually use for this element."
    )
    include: list[NonEmpty] = Field(min_length=1, description="What counts as evidence (inclusion notes).")
    exclude: list[NonEmpty] = Field(
        min_length=1, description="What does not count, or only as partial (exclusion notes)."
    )
    examples: list[NonEmpty] = Field(
        default_factory=list, description="Short example sentences of policy text that would cover the element."
    )
    advice: NonEmpty | None = Field(
        default=None, description="Dutch advice text for a municipality where this action option is a gap."
    )
    roles: list[ElementId] = Field(
        default_factory=list, description="Ids of role elements (bruggenbouwers) that carry this action option."
    )
    source: SourceRef


class Framework(_Strict):
    id: Slug
    version: Annotated[str, StringConstraints(pattern=r"^\d+\.\d+(\.\d+)?$")]
    title: NonEmpty
    description: NonEmpty
    language: Slug = "nl"
    sources: list[SourceWork] = Field(min_length=1)
    environments: list[Environment] = Field(min_length=1)
    dimensions: list[Dimension] = Field(min_length=1)
    elements: list[Element] = Field(min_length=1)
    notes: list[NonEmpty] = Field(default_factory=list, description="Notes that hold across all environments.")

    @model_validator(mode="after")
    def _check_references(self) -> Framework:
        env_ids = [e.id for e in self.environments]
        dim_ids = [d.id for d in self.dimensions]
        work_ids = {w.id for w in self.sources}
        el_ids = [e.id for e in self.elements]
        problems: list[str] = []
        for name, ids in (("environments", env_ids), ("dimensions", dim_ids), ("elements", el_ids)):
            dupes = sorted({i for i in ids if ids.count(i) > 1})
            if dupes:
                problems.append(f"{name}: dubbele id(s) {', '.join(dupes)}")
        roles = {d.id for d in self.dimensions if d.is_role}
        actions = {d.id for d in self.dimensions if d.is_action}
        for d in self.dimensions:
            if d.is_action and d.is_role:
                problems.append(f"dimensions ({d.id}): is_action en is_role sluiten elkaar uit")
        known = set(el_ids)
        for i, el in enumerate(self.elements):
            where = f"elements[{i}] ({el.id})"
            env, dim, _ = el.id.split(".")
            if el.environment not in env_ids:
                problems.append(f"{where}.environment: onbekende omgeving '{el.environment}'")
            if el.dimension not in dim_ids:
                problems.append(f"{where}.dimension: onbekende dimensie '{el.dimension}'")
            if (env, dim) != (el.environment, el.dimension):
                problems.append(f"{where}.id: moet beginnen met '{el.environment}.{el.dimension}.'")
            if el.source.work not in work_ids:
                problems.append(f"{where}.source.work: onbekende bron '{el.source.work}'")
            if el.dimension in actions and not el.advice:
                problems.append(f"{where}.advice: verplicht voor een handelingsoptie")
            if el.dimension not in actions and (el.advice or el.roles):
                problems.append(f"{where}: advice en roles horen alleen bij handelingsopties")
            for r in el.roles:
                if r not in known:
                    problems.append(f"{where}.roles: onbekend element '{r}'")
                elif r.split(".")[1] not in roles:
                    problems.append(f"{where}.roles: '{r}' is geen bruggenbouwer-element")
        if problems:
            raise ValueError("; ".join(problems))
        return self

    @cached_property
    def by_id(self) -> dict[str, Element]:
        return {e.id: e for e in self.elements}

    def element(self, element_id: str) -> Element:
        try:
            return self.by_id[element_id]
        except KeyError:
            raise FrameworkError(f"Framework '{self.id}' heeft geen element '{element_id}'.") from None

    def environment(self, env_id: str) -> Environment:
        return next(e for e in self.environments if e.id == env_id)

    def dimension(self, dim_id: str) -> Dimension:
        return next(d for d in self.dimensions if d.id == dim_id)

    def elements_of(self, environment: str | None = None, dimension: str | None = None) -> list[Element]:
        return [
            e
            for e in self.elements
            if (environment is None or e.environment == environment) and (dimension is None or e.dimension == dimension)
        ]


def builtin_framework_dir() -> Path:
    """The frameworks shipped with the project (``corpus/frameworks``), also inside an installed wheel."""
    from scanner.resources import corpus_dir

    return corpus_dir() / "frameworks"


def _format_validation_error(path: Path, err: ValidationError) -> str:
    lines = [f"Frameworkbestand {path} is ongeldig:"]
    for e in err.errors():
        loc = ".".join(str(p) for p in e["loc"]) or "(top level)"
        msg = e["msg"]
        if e["type"] == "extra_forbidden":
            msg = "onbekend veld"
        elif e["type"] == "missing":
            msg = "verplicht veld ontbreekt"
        lines.append(f"  - {loc}: {msg}")
    return "\n".join(lines)


def load_framework_file(path: Path) -> Framework:
    """Load and validate one framework file; every problem names the file and the field."""
    try:
        raw = yaml.load(path.read_text(encoding="utf-8"), Loader=_YAML_LOADER)
    except OSError as exc:
        raise FrameworkError(f"Frameworkbestand {path} kan niet worden gelezen: {exc.strerror or exc}") from exc
    except yaml.YAMLError as exc:
        raise FrameworkError(f"Frameworkbestand {path} is geen geldige YAML: {exc}") from exc
    if not isinstance(raw, dict):
        raise FrameworkError(
            f"Frameworkbestand {path} moet op het hoogste niveau een mapping (sleutels en waarden) bevatten."
        )
    try:
        fw = Framework.model_validate(raw)
    except ValidationError as exc:
        raise FrameworkError(_format_validation_error(path, exc)) from exc
    if fw.id != path.stem:
        raise FrameworkError(
            f"Frameworkbestand {path}: id '{fw.id}' moet gelijk zijn aan de bestandsnaam '{path.stem}'."
        )
    return fw


def _framework_files(dirs: Iterable[Path]) -> dict[str, Path]:
    found: dict[str, Path] = {}
    for d in dirs:
        if d.is_dir():
            for p in sorted(d.glob("*.yaml")) + sorted(d.glob("*.yml")):
                found.setdefault(p.stem, p)
    return found


def list_frameworks(extra_dirs: Iterable[Path] = (), errors: list[FrameworkError] | None = None) -> list[Framework]:
    """All frameworks: the user's folders first (they may override), then the built-in ones.

    With ``errors`` given, a broken file is collected there and the others are still listed.
    """
    files = _framework_files([*extra_dirs, builtin_framework_dir()])
    out = []
    for _, p in sorted(files.items()):
        try:
            out.append(load_framework_file(p))
        except FrameworkError as exc:
            if errors is None:
                raise
            errors.append(exc)
    return out


def load_framework(framework_id: str, extra_dirs: Iterable[Path] = ()) -> Framework:
    files = _framework_files([*extra_dirs, builtin_framework_dir()])
    if framework_id not in files:
        known = ", ".join(sorted(files)) or "(none)"
        raise FrameworkError(f"Onbekend framework '{framework_id}'. Beschikbaar: {known}.")
    return load_framework_file(files[framework_id])
