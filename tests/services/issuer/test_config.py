"""Configuration: ``init`` writes a config that loads, secrets 0600, never overwrites; every
problem in the file is a readable CONFIG_ERROR naming the key."""

from __future__ import annotations

import re
import stat
from pathlib import Path

import pytest

from issuer.app import create_app
from issuer.config import load_config, load_signing_key
from issuer.init import init_issuer, render_config
from pidm.did.key import did_key
from pidm.errors import ConfigError
from pidm.keys import KeyPair, write_key_file


def test_init_writes_a_config_that_loads(tmp_path: Path) -> None:
    result = init_issuer(tmp_path, public_url="https://issuer.example.com/")
    assert result.did == "did:web:issuer.example.com"
    for secret in (result.key_path, result.token_path):
        assert stat.S_IMODE(secret.stat().st_mode) == 0o600
    config = load_config(result.config_path)
    assert config.public_url == "https://issuer.example.com"
    assert config.store_dsn == "sqlite://" + str(tmp_path.resolve() / "issuer.db")
    assert config.admin_token == result.token_path.read_text().strip()
    assert len(config.admin_token) >= 40
    assert config.admin_token not in repr(config)
    assert set(config.configurations) == {
        f"{name}_{fmt}" for name in ("loyalty_membership", "age_over_18", "contact_profile")
        for fmt in ("sd_jwt", "ldp_vc")}
    loyalty = config.configurations["loyalty_membership_sd_jwt"].type
    assert loyalty.disclosable == ("tier", "given_name", "family_name", "member_since")
    assert load_signing_key(config).key_id == "did:web:issuer.example.com#key-1"


def test_init_with_did_key(tmp_path: Path) -> None:
    result = init_issuer(tmp_path, did_method="key")
    config = load_config(result.config_path)
    key = load_signing_key(config)
    assert config.did == did_key(key.public)
    assert key.key_id.startswith(config.did + "#z6Mk")


def test_init_refuses_a_dangling_symlink_before_writing_anything(tmp_path: Path) -> None:
    # Path.exists() follows the link: init wrote the key, then failed on the token with
    # FileExistsError and left a half-made directory that a re-run refused.
    (tmp_path / "admin-token").symlink_to(tmp_path / "nowhere")
    with pytest.raises(ConfigError, match="refusing to overwrite .*admin-token"):
        init_issuer(tmp_path, did_method="key")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["admin-token"]


def test_init_refuses_to_overwrite(tmp_path: Path) -> None:
    (tmp_path / "admin-token").write_text("keep me")
    with pytest.raises(ConfigError, match="refusing to overwrite"):
        init_issuer(tmp_path)
    assert (tmp_path / "admin-token").read_text() == "keep me"
    assert not (tmp_path / "issuer.toml").exists()


def _write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "issuer.toml"
    path.write_text(text)
    return path


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (("public_url = ", "public_url = 'ftp://x' #"), "'issuer.public_url'"),
        (("did = ", "did = 'did:web:elsewhere.example' #"), "not served by this issuer"),
        (("did = ", "did = 'did:example:123' #"), "did:web or did:key"),
        (("did = ", "did = 'not a did' #"), "'issuer.did'"),
        (("admin_token_file = ", "admin_token_file = 'missing' #"), "admin_token_file"),
        (("ttl = 300", "ttl = -1"), "'status_lists.ttl'"),
        (("size = 131072", "size = 131071"), "multiple of 8"),
        (("batch_size = 10", "batch_size = 'ten'"), "'oid4vci.batch_size' must be an integer"),
        (('formats = ["dc+sd-jwt", "ldp_vc"]', 'formats = ["jwt_vc_json"]'), "formats"),
        (('selectively_disclosable = ["age_over_18"]', 'selectively_disclosable = ["x"]'),
         "unknown claims"),
        (('type = "AgeOver18Credential"', 'type = "age over 18"'), "JSON-LD type"),
        (('type = "AgeOver18Credential"', 'type = "AgeOver18Credential\\n"'), "JSON-LD type"),
        (("[credentials.age_over_18]", '[credentials."age_over_18\\n"]'), "the name must match"),
        (('claims = { age_over_18 = "Over 18" }', 'claims = { "age_over_18\\n" = "Over 18" }'),
         "claims"),
        (("[issuer]", "[issuerX]"), "unknown table [issuerX] (did you mean [issuer]?)"),
        (("max_body_bytes = 65536", "max_body_bytes = 1"), "'server.max_body_bytes'"),
    ],
)
def test_rejects_bad_config_values(
    tmp_path: Path, change: tuple[str, str], message: str
) -> None:
    init_issuer(tmp_path, public_url="http://127.0.0.1:9999")
    text = (tmp_path / "issuer.toml").read_text()
    assert change[0] in text
    _write(tmp_path, text.replace(change[0], change[1], 1))
    with pytest.raises(ConfigError, match=re.escape(message)) as info:
        load_config(tmp_path / "issuer.toml")
    assert info.value.code == "CONFIG_ERROR"


def test_rejects_unreadable_or_broken_files(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="cannot read config file"):
        load_config(tmp_path / "absent.toml")
    with pytest.raises(ConfigError, match="not valid TOML"):
        load_config(_write(tmp_path, "[issuer\n"))
    (tmp_path / "issuer.toml").write_bytes(b"\xff\xfe")
    with pytest.raises(ConfigError, match="not UTF-8"):
        load_config(tmp_path / "issuer.toml")


def test_rejects_wrong_or_missing_signing_key(tmp_path: Path) -> None:
    result = init_issuer(tmp_path, did_method="key")
    result.key_path.unlink()
    config = load_config(result.config_path)
    with pytest.raises(ConfigError, match="signing_key_file"):
        load_signing_key(config)
    write_key_file(result.key_path, KeyPair.generate())
    with pytest.raises(ConfigError, match="does not match the signing key"):
        load_signing_key(config)


def test_rejects_p256_key_for_ldp_vc(tmp_path: Path) -> None:
    result = init_issuer(tmp_path)
    result.key_path.unlink()
    write_key_file(result.key_path, KeyPair.generate("ES256"))
    with pytest.raises(ConfigError, match="Ed25519"):
        create_app(load_config(result.config_path))


def test_inline_admin_token_and_postgres_dsn(tmp_path: Path) -> None:
    text = render_config(public_url="https://i.example", did="did:web:i.example",
                         store="postgresql://u@db/issuer")
    text = text.replace('admin_token_file = "admin-token"', 'admin_token = "s3cret-s3cret-s3cret"')
    config = load_config(_write(tmp_path, text))
    assert config.admin_token == "s3cret-s3cret-s3cret" and config.admin_token_file is None
    assert config.store_dsn == "postgresql://u@db/issuer"
    short = text.replace('"s3cret-s3cret-s3cret"', '"short"')
    with pytest.raises(ConfigError, match="at least 16"):
        load_config(_write(tmp_path, short))


_TABLES = "the file's tables are [issuer], [status_lists], [oid4vci], [server], [credentials]"


@pytest.mark.parametrize(("old", "new", "message"), [
    ("[server]", "[serverr]", f"unknown table [serverr] (did you mean [server]?); {_TABLES}"),
    ("[server]", "[cache]", f"unknown table [cache]; {_TABLES}"),
    ("# pidm issuer", "timeout = 5\n#",
     f"unknown key 'timeout' outside any table; {_TABLES}"),
    ('name = "pidm issuer"', 'nmae = "pidm issuer"',
     "unknown key 'issuer.nmae' (did you mean 'name'?); [issuer] takes name, public_url, did, "
     "signing_key_file, admin_token_file, admin_token, store"),
    ("ttl = 300 ", "tll = 300 ",
     "unknown key 'status_lists.tll' (did you mean 'ttl'?); [status_lists] takes ttl, size, "
     "validity"),
    ("batch_size = 10", "batchsize = 10",
     "unknown key 'oid4vci.batchsize' (did you mean 'batch_size'?); [oid4vci] takes offer_ttl, "
     "access_token_ttl, nonce_ttl, proof_max_age, batch_size, tx_code_length"),
    ("max_body_bytes = 65536", "max_body_bytes = 65536\ntimeot = 5",
     "unknown key 'server.timeot'; [server] takes max_body_bytes"),
    ("validity_days = 180", "validity_day = 180",
     "unknown key 'credentials.contact_profile.validity_day' (did you mean 'validity_days'?); "
     "[credentials.contact_profile] takes name, type, vct, formats, validity_days, claims, "
     "selectively_disclosable"),
    ("max_body_bytes = 65536", "max_body_bytes = 65536\n[server.limits]\nx = 1",
     "unknown key 'server.limits'; [server] takes max_body_bytes"),
    ("max_body_bytes = 65536", 'max_body_bytes = 65536\n"odd key\\t" = 1',
     "unknown key 'server.'odd key\\t''; [server] takes max_body_bytes"),
    ("ttl = 300 ", "ttl = 'soon' ", "'status_lists.ttl' must be an integer, got 'soon'"),
])
def test_rejects_unknown_tables_and_keys(
    tmp_path: Path, old: str, new: str, message: str
) -> None:
    init_issuer(tmp_path, public_url="http://127.0.0.1:9999")
    text = (tmp_path / "issuer.toml").read_text()
    assert old in text, old
    _write(tmp_path, text.replace(old, new, 1))
    with pytest.raises(ConfigError) as info:
        load_config(tmp_path / "issuer.toml")
    assert (info.value.code, str(info.value)) == ("CONFIG_ERROR", message)


def test_names_of_credential_types_and_claims_are_the_users(tmp_path: Path) -> None:
    init_issuer(tmp_path, public_url="http://127.0.0.1:9999")
    text = (tmp_path / "issuer.toml").read_text() + '''
[credentials.gym_pass]
type = "GymPassCredential"
formats = ["dc+sd-jwt"]
claims = { pass_no = "Pass number", valid_zone = "Zone", xyzzy = "Anything" }
'''
    config = load_config(_write(tmp_path, text))
    gym = config.configurations["gym_pass_sd_jwt"].type
    assert gym.claim_names == ("pass_no", "valid_zone", "xyzzy")
    assert (gym.vct, gym.display_name) == ("urn:pidm:vct:gym_pass", "gym_pass")


@pytest.mark.parametrize(("store", "message"), [
    ("mysql://x@y/z", "'issuer.store': unsupported store 'mysql://'"),
    ("PostgreSQL://u:secret@db/issuer", "'issuer.store': unsupported store 'PostgreSQL://'"),
    ("file:///var/lib/issuer.db", "'issuer.store': unsupported store 'file://'"),
])
def test_rejects_store_of_an_unsupported_scheme(tmp_path: Path, store: str, message: str) -> None:
    text = render_config(public_url="https://i.example", did="did:web:i.example", store=store)
    (tmp_path / "admin-token").write_text("t" * 20)
    with pytest.raises(ConfigError) as info:
        load_config(_write(tmp_path, text))
    assert str(info.value) == (
        f"{message}; use a SQLite file name (issuer.db, sqlite:issuer.db, "
        "sqlite:///abs/path/issuer.db) or a PostgreSQL DSN (postgresql://user@host/db or "
        "postgres://...)")
    assert "secret" not in str(info.value)


def test_accepts_both_postgres_schemes_and_sqlite_forms(tmp_path: Path) -> None:
    (tmp_path / "admin-token").write_text("t" * 20)
    for store, dsn in (("postgres://u@db/i", "postgres://u@db/i"),
                       ("postgresql://u@db/i", "postgresql://u@db/i"),
                       ("sqlite:data/i.db", f"sqlite://{tmp_path.resolve() / 'data/i.db'}"),
                       ("sqlite:////srv/i.db", "sqlite:////srv/i.db")):
        text = render_config(public_url="https://i.example", did="did:web:i.example", store=store)
        assert load_config(_write(tmp_path, text)).store_dsn == dsn


def test_rejects_both_admin_token_and_admin_token_file(tmp_path: Path) -> None:
    init_issuer(tmp_path)
    text = (tmp_path / "issuer.toml").read_text()
    text = text.replace("[status_lists]", 'admin_token = "s3cret-s3cret-s3cret"\n[status_lists]')
    with pytest.raises(ConfigError) as info:
        load_config(_write(tmp_path, text))
    assert str(info.value) == (
        "'issuer.admin_token' and 'issuer.admin_token_file' are both set; keep one")


def test_template_says_how_long_a_revocation_can_take_to_show() -> None:
    text = render_config(public_url="https://i.example", did="did:web:i.example")
    comment = " ".join(line.split("#", 1)[1].strip() for line in text.splitlines()
                       if line.startswith(("ttl = ", "                   #")))
    assert comment == (
        "seconds a status list may be cached (Cache-Control max-age). A verifier may keep a "
        "list for at least its own floor too (a pidm verifier's [network] status_min_ttl, 30 s "
        "by default), so a revocation can take the longer of the two to show.")
