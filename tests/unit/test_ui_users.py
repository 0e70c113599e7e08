"""The web UI's users file: hashed passwords, clear errors, loopback detection, and each user's own folders."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from scanner.ui.app import check_access
from scanner.ui.store import UiStore
from scanner.ui.users import UsersFile, hash_password, is_loopback, verify_password

from scanner.cli import main
from scanner.errors import BeleidsscanError


def test_a_password_is_stored_as_a_salted_scrypt_hash() -> None:
    a, b = hash_password("een-lang-wachtwoord"), hash_password("een-lang-wachtwoord")
    assert a != b and a.startswith("scrypt$") and "een-lang-wachtwoord" not in a  # salted
    assert verify_password(a, "een-lang-wachtwoord")
    assert not verify_password(a, "een-ander-wachtwoord")
    assert not verify_password("scrypt$kapot", "een-lang-wachtwoord")
    assert not verify_password("md5$x$y$z$a$b", "een-lang-wachtwoord")


def test_users_file_add_check_remove(tmp_path: Path) -> None:
    f = UsersFile(tmp_path / "gebruikers.txt")
    assert f.add("anna", "anna-haar-wachtwoord") is True
    assert f.add("anna", "een-nieuw-wachtwoord") is False  # a new password, not a second anna
    assert f.add("bert.de-vries", "bert-zijn-wachtwoord")
    assert f.users() == ["anna", "bert.de-vries"]
    assert f.check("anna", "een-nieuw-wachtwoord") and not f.check("anna", "anna-haar-wachtwoord")
    assert not f.check("carla", "een-nieuw-wachtwoord")
    assert (f.path.stat().st_mode & 0o777) == 0o600
    assert f.remove("anna") and not f.remove("anna")
    assert f.users() == ["bert.de-vries"]


@pytest.mark.parametrize(
    ("name", "password", "why"),
    [
        ("anna", "kort", "minstens 10 tekens"),
        ("an na", "lang-genoeg-ww", "gebruikersnaam"),
        ("a:b", "lang-genoeg-ww", "gebruikersnaam"),
    ],
)
def test_users_file_refuses_bad_names_and_short_passwords(tmp_path: Path, name: str, password: str, why: str) -> None:
    with pytest.raises(BeleidsscanError, match=why):
        UsersFile(tmp_path / "u.txt").add(name, password)


def test_users_file_errors_name_the_file_and_line(tmp_path: Path) -> None:
    with pytest.raises(BeleidsscanError, match=r"bestaat niet.*ui-user add"):
        UsersFile(tmp_path / "weg.txt").read()
    bad = tmp_path / "kapot.txt"
    bad.write_text("# gebruikers\nanna:geheim\n", encoding="utf-8")
    with pytest.raises(BeleidsscanError, match=r"kapot\.txt, regel 2"):
        UsersFile(bad).read()


def test_loopback_needs_no_logins_anything_else_does(tmp_path: Path) -> None:
    for host in ("127.0.0.1", "127.0.0.2", "::1", "localhost"):
        assert is_loopback(host) and check_access(host, None) is None
    for host in ("0.0.0.0", "192.168.1.10", "::", "beleidsscan.gemeente.nl"):
        assert not is_loopback(host)
        with pytest.raises(BeleidsscanError, match="alleen met inloggen"):
            check_access(host, None)
    empty = tmp_path / "leeg.txt"
    empty.write_text("# nog niemand\n", encoding="utf-8")
    with pytest.raises(BeleidsscanError, match="bevat geen gebruikers"):
        check_access("0.0.0.0", empty)
    UsersFile(empty).add("anna", "anna-haar-wachtwoord")
    assert check_access("0.0.0.0", empty) is not None


def test_each_user_has_own_documents_and_scans(tmp_path: Path) -> None:
    root = UiStore(tmp_path / "ui")
    anna, bert, dotted = root.for_user("anna"), root.for_user("bert"), root.for_user("a.nna")
    assert anna.docs != bert.docs and anna.scans != bert.scans and anna.docs != dotted.docs
    assert anna.tmp == bert.tmp == root.tmp  # Gradio's one upload folder
    assert root.for_user(None) is root
    upload = root.tmp / "x" / "plan.txt"
    upload.parent.mkdir(parents=True)
    upload.write_text("Het plan.", encoding="utf-8")
    sha, kept = anna.keep_upload(upload)
    assert kept.is_relative_to(anna.docs) and anna.document(sha) == kept and bert.document(sha) is None


def test_cli_manages_users(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    users = tmp_path / "gebruikers.txt"
    monkeypatch.setattr("sys.stdin", io.StringIO("anna-haar-wachtwoord\n"))
    out = io.StringIO()
    assert main(["ui-user", "add", "anna", "--users", str(users), "--password-stdin"], out=out) == 0
    assert "toegevoegd" in out.getvalue()
    out = io.StringIO()
    assert main(["ui-user", "list", "--users", str(users)], out=out) == 0
    assert out.getvalue() == "anna\n"
    assert main(["ui-user", "remove", "bert", "--users", str(users)], out=io.StringIO()) == 1
    assert main(["ui", "--host", "0.0.0.0", "--home", str(tmp_path)], out=io.StringIO()) == 1
