"""service_kit.config: the configuration checks the issuer and verifier share."""

from __future__ import annotations

from pathlib import Path

import pytest

from pidm.errors import ConfigError
from service_kit import config as cfg


def test_store_dsn_resolves_sqlite_files_against_the_config_directory(tmp_path: Path) -> None:
    base = tmp_path / "conf"
    assert cfg.store_dsn("v.db", "verifier", base) == f"sqlite://{base / 'v.db'}"
    assert cfg.store_dsn("sqlite:v.db", "verifier", base) == f"sqlite://{base / 'v.db'}"
    assert cfg.store_dsn("sqlite://rel/v.db", "verifier", base) == f"sqlite://{base / 'rel/v.db'}"
    assert cfg.store_dsn("sqlite:////abs/v.db", "issuer", base) == "sqlite:////abs/v.db"
    dsn = "postgresql://u@h/db?search_path=s"
    assert cfg.store_dsn(dsn, "issuer", base) == dsn
    with pytest.raises(ConfigError, match="'verifier.store' must be a DSN or a file name"):
        cfg.store_dsn("", "verifier", base)


def test_get_names_the_key_and_the_kind() -> None:
    section = {"flag": "yes", "count": True, "name": 5}
    with pytest.raises(ConfigError, match="^'x.flag' must be a boolean, got 'yes'$"):
        cfg.get(section, "x.flag", bool)
    with pytest.raises(ConfigError, match="^'x.count' must be an integer, got True$"):
        cfg.get(section, "x.count", int)
    with pytest.raises(ConfigError, match="^'x.missing' is required$"):
        cfg.get(section, "x.missing", str)
    assert cfg.get(section, "x.other", str, "dflt") == "dflt"
    with pytest.raises(ConfigError, match="between 8 and 64 and a multiple of 8, got 12"):
        cfg.integer({"n": 12}, "x.n", 8, 8, 64, multiple=8)


def test_check_did_names_the_role() -> None:
    cfg.check_did("did:web:127.0.0.1%3A8080", "http://127.0.0.1:8080", "verifier")
    with pytest.raises(ConfigError, match="not served by this verifier"):
        cfg.check_did("did:web:elsewhere.example", "http://127.0.0.1:8080", "verifier")
    with pytest.raises(ConfigError, match="^'issuer.did' must be did:web or did:key"):
        cfg.check_did("did:example:123", "https://issuer.example", "issuer")
    with pytest.raises(ConfigError, match="^'issuer.did': "):
        cfg.check_did("not a did", "https://issuer.example", "issuer")


def test_admin_token_inline_or_from_a_file(tmp_path: Path) -> None:
    assert cfg.admin_token({"admin_token": "t" * 16}, "issuer", tmp_path) == ("t" * 16, None)
    (tmp_path / "tok").write_text("s" * 20 + "\n")
    token, path = cfg.admin_token({"admin_token_file": "tok"}, "verifier", tmp_path)
    assert (token, path) == ("s" * 20, tmp_path / "tok")
    with pytest.raises(ConfigError, match="at least 16 characters"):
        cfg.admin_token({"admin_token": "short"}, "issuer", tmp_path)
    with pytest.raises(ConfigError, match="'verifier.admin_token_file': cannot read"):
        cfg.admin_token({"admin_token_file": "nope"}, "verifier", tmp_path)
