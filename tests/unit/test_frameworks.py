"""Frameworks as data: the shipped YAML files load, match the domain guide, and bad files fail clearly."""

from __future__ import annotations

import copy
import functools
import re
from pathlib import Path
from typing import Any

import pytest
import yaml

from scanner.errors import FrameworkError
from scanner.frameworks import (
    Framework,
    builtin_framework_dir,
    list_frameworks,
    load_framework,
    load_framework_file,
)
from tests.conftest import SHARED

JEUGD = "informele-ondersteuners-jeugd"
SAMENWERKING = "samenwerking-informeel-formeel"

# The element ids of ../shared/guide/DOMAIN.md (SCP 2025, table S.1), in order: the contract for codes,
# results, exports and label files.
JEUGD_IDS = [
    "buurt.mw.relaties",
    "buurt.mw.ervaringen-delen",
    "buurt.mw.groei",
    "buurt.mw.bereik",
    "buurt.fm.ontmoetingsplek",
    "buurt.fm.verbindende-activiteiten",
    "buurt.fm.zichtbaarheid",
    "buurt.fm.risico-overname",
    "buurt.ho.ontmoetingsplekken",
    "buurt.ho.verbindende-activiteiten",
    "buurt.ho.initiatieven",
    "buurt.ho.outreachend",
    "buurt.ho.ervaringen-ophalen",
    "buurt.bb.grenswerkers",
    "vereniging.mw.spelenderwijs",
    "vereniging.mw.mede-opvoeders",
    "vereniging.mw.signalen",
    "vereniging.fm.passie",
    "vereniging.fm.lastige-situaties",
    "vereniging.fm.kennis-signalen",
    "vereniging.fm.organisatiekracht",
    "vereniging.ho.vrijwilligers-toerusten",
    "vereniging.ho.contactpersoon",
    "vereniging.ho.wijkteam-contact",
    "vereniging.ho.ontzorgen",
    "vereniging.bb.verenigingsondersteuners",
    "een-op-een.mw.gelijkwaardig",
    "een-op-een.mw.luisterend-oor",
    "een-op-een.mw.andere-waarde",
    "een-op-een.fm.expliciete-rol",
    "een-op-een.fm.aanvullen",
    "een-op-een.fm.rolduidelijkheid",
    "een-op-een.ho.begeleiding-grenzen",
    "een-op-een.ho.verbindingspunten",
    "een-op-een.bb.vrijwilligerscoordinatoren",
    "een-op-een.bb.netwerkcoordinatoren",
]


# The project parses YAML with the pure-Python loader (~0.35 s for the jeugd file); the tests parse and write
# their copies with libyaml where available and keep the copies small, so the suite stays fast.
_Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_Dumper = getattr(yaml, "CSafeDumper", yaml.SafeDumper)


@functools.cache
def _raw(framework_id: str) -> dict[str, Any]:
    data = yaml.load((builtin_framework_dir() / f"{framework_id}.yaml").read_text(encoding="utf-8"), Loader=_Loader)
    assert isinstance(data, dict)
    return data


def raw_builtin(framework_id: str) -> dict[str, Any]:
    return copy.deepcopy(_raw(framework_id))


def small_jeugd() -> dict[str, Any]:
    """A valid, smaller copy of the jeugd framework: the buurt elements and two of vereniging."""
    data = raw_builtin(JEUGD)
    keep = ("buurt.", "vereniging.ho.ontzorgen", "vereniging.bb.")
    data["elements"] = [e for e in data["elements"] if e["id"].startswith(keep)]
    return data


def write_framework(folder: Path, data: dict[str, Any], name: str | None = None) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{name or data['id']}.yaml"
    path.write_text(yaml.dump(data, Dumper=_Dumper, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def shipped() -> dict[str, Framework]:
    return {f.id: f for f in list_frameworks()}


def load_error(tmp_path: Path, data: dict[str, Any]) -> str:
    path = write_framework(tmp_path / "kaders", data)
    with pytest.raises(FrameworkError) as info:
        load_framework_file(path)
    msg = str(info.value)
    assert str(path) in msg, "the message names the file"
    return msg


def index_of(data: dict[str, Any], element_id: str) -> int:
    return next(i for i, e in enumerate(data["elements"]) if e["id"] == element_id)


# --- the shipped frameworks ------------------------------------------------------------------------


def test_both_shipped_frameworks_load(shipped: dict[str, Framework]) -> None:
    assert list(shipped) == [JEUGD, SAMENWERKING]
    for fw in shipped.values():
        assert isinstance(fw, Framework)
        assert fw.elements
    assert load_framework(SAMENWERKING) == shipped[SAMENWERKING]


def test_small_copy_is_valid(tmp_path: Path) -> None:
    # the error tests below change one thing in this copy; unchanged, it loads
    fw = load_framework_file(write_framework(tmp_path, small_jeugd()))
    assert len(fw.elements) == 16


def test_jeugd_framework_has_exactly_the_36_ids_in_order(shipped: dict[str, Framework]) -> None:
    fw = shipped[JEUGD]
    assert [e.id for e in fw.elements] == JEUGD_IDS
    assert len(JEUGD_IDS) == 36 == len(set(JEUGD_IDS))
    assert [e.id for e in fw.environments] == ["buurt", "vereniging", "een-op-een"]
    assert [d.id for d in fw.dimensions] == ["mw", "fm", "ho", "bb"]


def test_hard_coded_ids_match_the_domain_guide() -> None:
    guide = SHARED / "guide" / "DOMAIN.md"
    if not guide.is_file():
        pytest.skip(f"{guide} not available (../shared is absent); the hard-coded list is used")
    ids = re.findall(r"^\| ((?:buurt|vereniging|een-op-een)\.[a-z]+\.[a-z0-9-]+) \|", guide.read_text("utf-8"), re.M)
    assert ids == JEUGD_IDS


@pytest.mark.parametrize("framework_id", [JEUGD, SAMENWERKING])
def test_every_action_element_has_advice_and_roles(shipped: dict[str, Framework], framework_id: str) -> None:
    fw = shipped[framework_id]
    actions = {d.id for d in fw.dimensions if d.is_action}
    roles = {d.id for d in fw.dimensions if d.is_role}
    assert actions and roles
    action_elements = [e for e in fw.elements if e.dimension in actions]
    assert action_elements
    for el in action_elements:
        assert el.advice and len(el.advice) > 40, el.id
        assert el.roles, f"{el.id} has no roles"
        for r in el.roles:
            assert fw.element(r).dimension in roles, f"{el.id}: {r} is not a role element"
    for el in fw.elements:
        if el.dimension not in actions:
            assert el.advice is None and el.roles == [], el.id


def test_jeugd_action_options_have_a_bridge_builder_of_their_own_environment(shipped: dict[str, Framework]) -> None:
    fw = shipped[JEUGD]
    ho = [e for e in fw.elements if e.dimension == "ho"]
    assert len(ho) == 11
    for el in ho:
        assert all(r.split(".")[1] == "bb" for r in el.roles)
        assert any(fw.element(r).environment == el.environment for r in el.roles), el.id


def test_element_lookups(shipped: dict[str, Framework]) -> None:
    fw = shipped[JEUGD]
    assert fw.element("buurt.bb.grenswerkers").dimension == "bb"
    assert [e.id for e in fw.elements_of("vereniging", "bb")] == ["vereniging.bb.verenigingsondersteuners"]
    assert len(fw.elements_of(dimension="mw")) == 10
    assert fw.environment("buurt").label == "Buurtgemeenschappen"
    assert fw.dimension("ho").is_action
    with pytest.raises(FrameworkError, match=r"buurt\.mw\.bestaat-niet"):
        fw.element("buurt.mw.bestaat-niet")


# --- bad framework files ----------------------------------------------------------------------------


def test_unknown_key_names_file_and_field_path(tmp_path: Path) -> None:
    data = small_jeugd()
    i = index_of(data, "buurt.ho.initiatieven")
    data["elements"][i]["synoniemen"] = ["bewonersinitiatief"]
    msg = load_error(tmp_path, data)
    assert f"elements.{i}.synoniemen: onbekend veld" in msg


def test_unknown_key_in_a_nested_object(tmp_path: Path) -> None:
    data = small_jeugd()
    data["elements"][2]["source"]["pagina"] = 12
    assert "elements.2.source.pagina: onbekend veld" in load_error(tmp_path, data)


def test_unknown_top_level_key(tmp_path: Path) -> None:
    data = raw_builtin(SAMENWERKING)
    data["auteur"] = "iemand"
    assert "auteur: onbekend veld" in load_error(tmp_path, data)


def test_missing_field(tmp_path: Path) -> None:
    data = small_jeugd()
    del data["elements"][5]["description"]
    assert "elements.5.description: verplicht veld ontbreekt" in load_error(tmp_path, data)


def test_missing_top_level_field(tmp_path: Path) -> None:
    data = small_jeugd()
    del data["sources"]
    assert "sources: verplicht veld ontbreekt" in load_error(tmp_path, data)


def test_too_few_cues(tmp_path: Path) -> None:
    data = small_jeugd()
    data["elements"][0]["cues"] = ["buurt"]
    assert "elements.0.cues" in load_error(tmp_path, data)


def test_role_reference_to_a_non_role_element(tmp_path: Path) -> None:
    data = small_jeugd()
    i = index_of(data, "buurt.ho.initiatieven")
    data["elements"][i]["roles"] = ["buurt.mw.relaties"]
    msg = load_error(tmp_path, data)
    assert f"elements[{i}] (buurt.ho.initiatieven).roles: 'buurt.mw.relaties' is geen bruggenbouwer-element" in msg


def test_role_reference_to_an_unknown_element(tmp_path: Path) -> None:
    data = small_jeugd()
    i = index_of(data, "buurt.ho.initiatieven")
    data["elements"][i]["roles"] = ["buurt.bb.wijkagent"]
    assert "roles: onbekend element 'buurt.bb.wijkagent'" in load_error(tmp_path, data)


def test_action_without_advice(tmp_path: Path) -> None:
    data = small_jeugd()
    i = index_of(data, "vereniging.ho.ontzorgen")
    del data["elements"][i]["advice"]
    assert f"elements[{i}] (vereniging.ho.ontzorgen).advice: verplicht voor een handelingsoptie" in load_error(
        tmp_path, data
    )


def test_advice_on_a_non_action_element(tmp_path: Path) -> None:
    data = small_jeugd()
    data["elements"][0]["advice"] = "Doe iets."
    assert "advice en roles horen alleen bij handelingsopties" in load_error(tmp_path, data)


def test_duplicate_and_inconsistent_ids(tmp_path: Path) -> None:
    data = small_jeugd()
    data["elements"].append(copy.deepcopy(data["elements"][0]))
    assert "dubbele id(s) buurt.mw.relaties" in load_error(tmp_path, data)

    data = small_jeugd()
    data["elements"][0]["environment"] = "vereniging"
    assert "moet beginnen met 'vereniging.mw.'" in load_error(tmp_path, data)

    data = small_jeugd()
    data["elements"][0]["source"]["work"] = "cbs2024"
    assert "onbekende bron 'cbs2024'" in load_error(tmp_path, data)


def test_id_must_match_the_file_name(tmp_path: Path) -> None:
    path = write_framework(tmp_path, raw_builtin(SAMENWERKING), name="anders")
    with pytest.raises(FrameworkError, match="moet gelijk zijn aan de bestandsnaam 'anders'") as info:
        load_framework_file(path)
    assert str(path) in str(info.value)


def test_not_yaml_and_not_a_mapping(tmp_path: Path) -> None:
    bad = tmp_path / "kapot.yaml"
    bad.write_text("id: [niet gesloten\n", encoding="utf-8")
    with pytest.raises(FrameworkError, match="geen geldige YAML") as info:
        load_framework_file(bad)
    assert str(bad) in str(info.value)
    lijst = tmp_path / "lijst.yaml"
    lijst.write_text("- a\n- b\n", encoding="utf-8")
    with pytest.raises(FrameworkError, match="mapping"):
        load_framework_file(lijst)
    with pytest.raises(FrameworkError, match="kan niet worden gelezen"):
        load_framework_file(tmp_path / "bestaat-niet.yaml")


# --- user folders and lookup ---------------------------------------------------------------------------


def test_user_folder_overrides_a_builtin(tmp_path: Path) -> None:
    data = raw_builtin(SAMENWERKING)
    data["title"] = "Mijn eigen versie"
    data["version"] = "2.0"
    user = tmp_path / "mijn-kaders"
    write_framework(user, data)
    frameworks = {f.id: f for f in list_frameworks([user])}
    assert list(frameworks) == [JEUGD, SAMENWERKING]
    assert frameworks[SAMENWERKING].title == "Mijn eigen versie"
    assert load_framework(SAMENWERKING, [user]).version == "2.0"
    assert load_framework(SAMENWERKING).title != "Mijn eigen versie"  # without the folder: the built-in


def test_user_folder_extends_the_list(tmp_path: Path) -> None:
    data = raw_builtin(SAMENWERKING)
    data["id"] = "gemeentelijk-kader"
    user = tmp_path / "mijn-kaders"
    write_framework(user, data)
    assert [f.id for f in list_frameworks([user])] == ["gemeentelijk-kader", JEUGD, SAMENWERKING]
    assert load_framework("gemeentelijk-kader", [user]).id == "gemeentelijk-kader"


def test_yml_extension_and_earlier_folders_win(tmp_path: Path) -> None:
    first, second = tmp_path / "eerst", tmp_path / "daarna"
    data = raw_builtin(SAMENWERKING)
    data["id"] = "kader-x"
    data["title"] = "Eerste"
    first.mkdir()
    (first / "kader-x.yml").write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    data["title"] = "Tweede"
    write_framework(second, data)
    assert load_framework("kader-x", [first, second]).title == "Eerste"
    assert load_framework("kader-x", [second, first]).title == "Tweede"


def test_missing_user_folder_is_ignored(tmp_path: Path) -> None:
    assert [f.id for f in list_frameworks([tmp_path / "bestaat-niet"])] == [JEUGD, SAMENWERKING]


def test_unknown_framework_lists_the_available_ids(tmp_path: Path) -> None:
    with pytest.raises(FrameworkError) as info:
        load_framework("nope")
    msg = str(info.value)
    assert "'nope'" in msg
    assert f"Beschikbaar: {JEUGD}, {SAMENWERKING}." in msg

    data = raw_builtin(SAMENWERKING)
    data["id"] = "gemeentelijk-kader"
    user = tmp_path / "mijn-kaders"
    write_framework(user, data)
    with pytest.raises(FrameworkError, match="gemeentelijk-kader"):
        load_framework("nope", [user])


def test_a_broken_user_framework_does_not_hide_the_others(tmp_path: Path) -> None:
    (tmp_path / "kapot.yaml").write_text("id: kapot\nversion: 1.0\n", encoding="utf-8")
    errors: list[FrameworkError] = []
    listed = list_frameworks([tmp_path], errors=errors)
    assert {f.id for f in listed} == {JEUGD, SAMENWERKING}
    assert len(errors) == 1 and "kapot.yaml" in str(errors[0])
    with pytest.raises(FrameworkError, match=r"kapot\.yaml"):
        list_frameworks([tmp_path])
