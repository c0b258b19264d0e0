"""service_kit.config: the configuration checks the issuer and verifier share."""

from __future__ import annotations

from pathlib import Path

import pytest

from pidm.errors import ConfigError
from pidm.keys import KeyPair, write_key_file
from service_kit import config as cfg


def test_store_dsn_resolves_sqlite_files_against_the_config_directory(tmp_path: Path) -> None:
    base = tmp_path / "conf"
    assert cfg.store_dsn("v.db", "verifier", base) == f"sqlite://{base / 'v.db'}"
    assert cfg.store_dsn("sqlite:v.db", "verifier", base) == f"sqlite://{base / 'v.db'}"
    assert cfg.store_dsn("sqlite://rel/v.db", "verifier", base) == f"sqlite://{base / 'rel/v.db'}"
    assert cfg.store_dsn("sqlite:////abs/v.db", "issuer", base) == "sqlite:////abs/v.db"
    dsn = "postgresql://u@h/db?search_path=s"
    assert cfg.store_dsn(dsn, "issuer", base) == dsn
    with pytest.raises(ConfigError) as info:
        cfg.store_dsn("", "verifier", base)
    assert str(info.value) == (
        "'verifier.store' must be a SQLite file name (verifier.db, sqlite:verifier.db, "
        "sqlite:///abs/path/verifier.db) or a PostgreSQL DSN (postgresql://user@host/db or "
        "postgres://...), got ''")


@pytest.mark.parametrize("value", ["mysql://x@y/z", "redis://:pw@h", "sqlite+aiosqlite://x.db",
                                   "http://h/x.db", "Postgres://u@h/db"])
def test_store_dsn_refuses_other_schemes_naming_only_the_scheme(
    tmp_path: Path, value: str
) -> None:
    with pytest.raises(ConfigError) as info:
        cfg.store_dsn(value, "issuer", tmp_path)
    scheme = value.split("://")[0] + "://"
    assert str(info.value).startswith(f"'issuer.store': unsupported store '{scheme}'; use a "
                                      "SQLite file name (issuer.db, ")
    assert value[len(scheme):] not in str(info.value)
    # a colon without '//' is still a file name (sqlite: prefix aside)
    assert cfg.store_dsn("a:b.db", "issuer", tmp_path) == f"sqlite://{tmp_path / 'a:b.db'}"


def test_known_keys_names_the_key_the_closest_and_all_allowed() -> None:
    cfg.known_keys({"ttl": 1, "size": 8}, "status_lists", ("ttl", "size", "validity"))
    with pytest.raises(ConfigError) as info:
        cfg.known_keys({"ttl": 1, "sise": 8}, "status_lists", ("ttl", "size", "validity"))
    assert str(info.value) == ("unknown key 'status_lists.sise' (did you mean 'size'?); "
                               "[status_lists] takes ttl, size, validity")
    with pytest.raises(ConfigError) as info:
        cfg.known_keys({"zzz": 1}, "server", ("max_body_bytes",))
    assert str(info.value) == "unknown key 'server.zzz'; [server] takes max_body_bytes"
    with pytest.raises(ConfigError) as info:
        cfg.known_keys({"x" * 200: 1}, "server", ("max_body_bytes",))
    assert str(info.value) == (f"unknown key 'server.'{'x' * 62}...'; [server] takes "
                               "max_body_bytes")
    with pytest.raises(ConfigError) as info:
        cfg.known_keys({"issuer": {}, "isuer": {}}, "", ("issuer", "server"))
    assert str(info.value) == ("unknown table [isuer] (did you mean [issuer]?); the file's "
                               "tables are [issuer], [server]")
    with pytest.raises(ConfigError) as info:
        cfg.known_keys({"store": "x.db"}, "", ("issuer", "server"))
    assert str(info.value) == ("unknown key 'store' outside any table; the file's tables are "
                               "[issuer], [server]")


def test_table_checks_presence_kind_and_keys() -> None:
    assert cfg.table({}, "server", required=False, keys=("max_body_bytes",)) == {}
    with pytest.raises(ConfigError, match=r"^'\[issuer\]' table is missing$"):
        cfg.table({}, "issuer")
    with pytest.raises(ConfigError, match=r"^'server' must be a table \(\[server\]\), got 5$"):
        cfg.table({"server": 5}, "server", required=False)
    with pytest.raises(ConfigError, match=r"^unknown key 'server.max_body'"):
        cfg.table({"server": {"max_body": 5}}, "server", keys=("max_body_bytes",))
    assert cfg.table({"trust": {"any name": []}}, "trust") == {"any name": []}


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
    with pytest.raises(ConfigError, match="^'issuer.admin_token' and 'issuer.admin_token_file' "
                                          "are both set; keep one$"):
        cfg.admin_token({"admin_token": "t" * 16, "admin_token_file": "tok"}, "issuer", tmp_path)


def test_signing_key_of_a_curve_the_services_cannot_use_is_refused(tmp_path: Path) -> None:
    key_file = tmp_path / "k.jwk"
    write_key_file(key_file, KeyPair.generate("ES384"))
    with pytest.raises(ConfigError, match="holds a ES384 key") as info:
        cfg.load_signing_key("did:web:example.com", key_file, "issuer")
    assert info.value.code == "CONFIG_ERROR"
    write_key_file(tmp_path / "p256.jwk", KeyPair.generate("ES256"))
    pair = cfg.load_signing_key("did:web:example.com", tmp_path / "p256.jwk", "issuer")
    assert pair.key_id == "did:web:example.com#key-1"


def test_read_toml_reads_a_bounded_amount(tmp_path: Path) -> None:
    # --config /dev/zero filled memory (MemoryError traceback); a config is read up to the limit.
    huge = tmp_path / "huge.toml"
    huge.write_text("# " + "x" * cfg.MAX_CONFIG_BYTES + "\n")
    with pytest.raises(ConfigError) as info:
        cfg.read_toml(huge)
    assert str(info.value) == (f"config file {str(huge)!r} is larger than "
                               f"{cfg.MAX_CONFIG_BYTES} bytes")
    small = tmp_path / "small.toml"
    small.write_text("[issuer]\nname = 'x'\n")
    assert cfg.read_toml(small) == ({"issuer": {"name": "x"}}, tmp_path)


def test_admin_token_file_is_read_up_to_a_limit(tmp_path: Path) -> None:
    (tmp_path / "token").write_text("t" * (cfg.MAX_TOKEN_FILE_BYTES + 1))
    with pytest.raises(ConfigError) as info:
        cfg.admin_token({"admin_token_file": "token"}, "issuer", tmp_path)
    assert str(info.value) == (f"'issuer.admin_token_file': {str(tmp_path / 'token')!r} is "
                               f"larger than {cfg.MAX_TOKEN_FILE_BYTES} bytes")
    (tmp_path / "token").write_text("s" * 43 + "\n")
    assert cfg.admin_token({"admin_token_file": "token"}, "issuer", tmp_path) == (
        "s" * 43, tmp_path / "token")
