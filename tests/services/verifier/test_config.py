"""Configuration: ``init`` writes a config that loads, secrets 0600, never overwrites; every
problem in the file is a readable CONFIG_ERROR naming the key."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest

from pidm.did.key import did_key
from pidm.errors import ConfigError
from verifier.app import create_app
from verifier.config import did_document_path, load_config, load_signing_key
from verifier.init import DEFAULT_ISSUER, init_verifier

ISSUER = "did:web:issuer.example.com"


def test_init_writes_a_config_that_loads(tmp_path: Path) -> None:
    result = init_verifier(tmp_path, public_url="https://shop.example.com/", issuers=[ISSUER])
    assert result.did == "did:web:shop.example.com"
    for secret in (result.key_path, result.token_path):
        assert stat.S_IMODE(secret.stat().st_mode) == 0o600
    config = load_config(result.config_path)
    assert config.public_url == "https://shop.example.com"
    assert config.client_id == "decentralized_identifier:did:web:shop.example.com"
    assert config.response_uri == "https://shop.example.com/response"
    assert config.store_dsn == "sqlite://" + str(tmp_path.resolve() / "verifier.db")
    assert config.admin_token == result.token_path.read_text().strip()
    assert config.admin_token not in repr(config)
    assert (config.allow_private, config.allow_http) == (False, False)
    assert (config.status_min_ttl, config.status_max_ttl) == (30, 86_400)
    assert config.max_download_bytes == 1 << 20
    assert config.trust["urn:pidm:vct:age_over_18"] == (ISSUER,)
    request = config.requests["age_and_area"]
    assert request.retention == "P30D"
    assert request.offer is not None and request.offer.to_json() == {
        "kind": "points", "amount": "10", "unit": "points", "description": "10 loyalty points"}
    assert [c.id for c in request.dcql_query.credentials] == ["age", "postcode"]
    assert request.dcql_query.credentials[0].claims is not None
    assert request.dcql_query.credentials[0].claims[0].path == ("age_over_18",)
    assert request.dcql_query.credentials[1].claims[0].path == ("postal_code",)  # type: ignore[index]
    assert load_signing_key(config).key_id == "did:web:shop.example.com#key-1"
    assert did_document_path(config) == "/.well-known/did.json"


def test_init_on_loopback_allows_local_fetches_and_did_key(tmp_path: Path) -> None:
    result = init_verifier(tmp_path, did_method="key")
    config = load_config(result.config_path)
    key = load_signing_key(config)
    assert config.did == did_key(key.public)
    assert key.key_id.startswith(config.did + "#z6Mk")
    assert (config.allow_private, config.allow_http) == (True, True)
    assert config.trust["AgeOver18Credential"] == (DEFAULT_ISSUER,)
    assert did_document_path(config) is None


def test_init_refuses_to_overwrite(tmp_path: Path) -> None:
    (tmp_path / "admin-token").write_text("keep me")
    with pytest.raises(ConfigError, match="refusing to overwrite"):
        init_verifier(tmp_path)
    assert (tmp_path / "admin-token").read_text() == "keep me"


def _rewrite(path: Path, old: str, new: str) -> None:
    text = path.read_text()
    assert old in text, old
    path.write_text(text.replace(old, new, 1))


@pytest.mark.parametrize(("old", "new", "message"), [
    ('retention = "P30D"', 'retention = "30 days"', "requests.age_and_area"),
    ('retention = "P30D"\n', "\n", "'requests.age_and_area.retention' is required"),
    ('amount = "10"', "amount = 10", "INVALID_CONSENT_TERMS"),
    ('format = "dc+sd-jwt"', 'format = "ac_vp"', "this verifier checks"),
    ('"urn:pidm:vct:age_over_18" = ', '"urn:other" = ', "no [trust] entry"),
    ('path = ["postal_code"]', "path = []", "INVALID_DCQL_QUERY"),
    ("request_ttl = 600", "request_ttl = 1", "'oid4vp.request_ttl' must be between"),
    ("allow_private = true", 'allow_private = "yes"', "'network.allow_private' must be a bool"),
    ('receipt_cryptosuite = "eddsa-jcs-2022"', 'receipt_cryptosuite = "bbs-2023"',
     "receipt_cryptosuite"),
    ('did = "did:', 'did = "did:example:', "must be did:web or did:key"),
    ("[requests.age_and_area]", "[requests.Bad-Name]", "the name must match"),
    ("[requests.age_and_area]", '[requests."age_and_area\\n"]', "the name must match"),
    ("status_min_ttl = 30 ", "status_min_ttl = 90000 ", "'network.status_min_ttl' must be"),
    ("status_max_ttl = 86400 ", "status_max_ttl = 10 ", "must not exceed 'network.status_max"),
    ("max_download_bytes = 1048576", "max_download_bytes = 10", "'network.max_download_bytes'"),
])
def test_rejects_bad_config_values(tmp_path: Path, old: str, new: str, message: str) -> None:
    result = init_verifier(tmp_path)
    _rewrite(result.config_path, old, new)
    with pytest.raises(ConfigError, match=message.replace("[", r"\[").replace("]", r"\]")):
        load_config(result.config_path)


def test_rejects_did_web_served_elsewhere(tmp_path: Path) -> None:
    result = init_verifier(tmp_path, public_url="https://shop.example.com")
    _rewrite(result.config_path, "did:web:shop.example.com", "did:web:other.example.com")
    with pytest.raises(ConfigError, match="not served by this verifier"):
        load_config(result.config_path)


def test_rejects_untrusted_did_list(tmp_path: Path) -> None:
    result = init_verifier(tmp_path)
    _rewrite(result.config_path, f'["{DEFAULT_ISSUER}"]', '["not a did"]')
    with pytest.raises(ConfigError, match="'trust."):
        load_config(result.config_path)


def test_rejects_short_admin_token(tmp_path: Path) -> None:
    result = init_verifier(tmp_path)
    result.token_path.write_text("short")
    with pytest.raises(ConfigError, match="at least 16 characters"):
        load_config(result.config_path)


def test_rejects_unreadable_and_invalid_files(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="cannot read"):
        load_config(tmp_path / "missing.toml")
    bad = tmp_path / "bad.toml"
    bad.write_text("[verifier\n")
    with pytest.raises(ConfigError, match="not valid TOML"):
        load_config(bad)


def test_rejects_did_key_of_another_key(tmp_path: Path) -> None:
    result = init_verifier(tmp_path, did_method="key")
    other = init_verifier(tmp_path / "other", did_method="key")
    _rewrite(result.config_path, result.did, other.did)
    with pytest.raises(ConfigError, match="does not match the signing key"):
        create_app(load_config(result.config_path))


def test_dcql_query_as_json_text(tmp_path: Path) -> None:
    result = init_verifier(tmp_path)
    with result.config_path.open("a") as handle:
        handle.write('''
[requests.age_only]
purpose = "Check your age."
retention = "P1D"
dcql_query = \'\'\'{"credentials": [{"id": "age", "format": "dc+sd-jwt",
  "meta": {"vct_values": ["urn:pidm:vct:age_over_18"]},
  "claims": [{"path": ["age_over_18"]}]}]}\'\'\'
''')
    config = load_config(result.config_path)
    assert config.requests["age_only"].offer is None
    assert config.requests["age_only"].dcql_query.ids == ("age",)


_TABLES = ("the file's tables are [verifier], [oid4vp], [network], [server], [trust], "
           "[requests]")


@pytest.mark.parametrize(("old", "new", "message"), [
    ("[server]", "[serverr]", f"unknown table [serverr] (did you mean [server]?); {_TABLES}"),
    ("# pidm verifier", "timeout = 5\n#",
     f"unknown key 'timeout' outside any table; {_TABLES}"),
    ("receipt_cryptosuite = ", "reciept_cryptosuite = ",
     "unknown key 'verifier.reciept_cryptosuite' (did you mean 'receipt_cryptosuite'?); "
     "[verifier] takes name, public_url, did, signing_key_file, admin_token_file, admin_token, "
     "store, webhook_url, redirect_uri, receipt_cryptosuite"),
    ("clock_skew = 60", "clock_skew = 60\nwallet = 'x'",
     "unknown key 'oid4vp.wallet' (did you mean 'wallet_scheme'?); [oid4vp] takes request_ttl, "
     "kb_max_age, clock_skew, wallet_scheme"),
    ("timeout = 10", "timeot = 5",
     "unknown key 'network.timeot' (did you mean 'timeout'?); [network] takes allow_private, "
     "allow_http, timeout, max_download_bytes, status_min_ttl, status_max_ttl"),
    ("max_body_bytes = 1048576", "max_body_byte = 1048576",
     "unknown key 'server.max_body_byte' (did you mean 'max_body_bytes'?); [server] takes "
     "max_body_bytes"),
    ('retention = "P30D"', 'retension = "P30D"',
     "unknown key 'requests.age_and_area.retension' (did you mean 'retention'?); "
     "[requests.age_and_area] takes purpose, retention, offer, dcql_query"),
    ('offer = { kind = "points"', 'offer = { knd = "points"',
     "unknown key 'requests.age_and_area.offer.knd' (did you mean 'kind'?); "
     "[requests.age_and_area.offer] takes kind, amount, unit, description"),
    ("purpose = ", "# purpose = ", "'requests.age_and_area.purpose' is required"),
    ("purpose = ", "purpose = 5 #", "'requests.age_and_area.purpose' must be a string, got 5"),
    ("timeout = 10", "timeout = 1.5", "'network.timeout' must be an integer, got 1.5"),
    ('store = "verifier.db"', 'store = "mysql://x@y/z"',
     "'verifier.store': unsupported store 'mysql://'; use a SQLite file name (verifier.db, "
     "sqlite:verifier.db, sqlite:///abs/path/verifier.db) or a PostgreSQL DSN "
     "(postgresql://user@host/db or postgres://...)"),
])
def test_rejects_unknown_tables_and_keys_exactly(
    tmp_path: Path, old: str, new: str, message: str
) -> None:
    result = init_verifier(tmp_path)
    _rewrite(result.config_path, old, new)
    with pytest.raises(ConfigError) as info:
        load_config(result.config_path)
    assert (info.value.code, str(info.value)) == ("CONFIG_ERROR", message)


def test_names_in_trust_requests_and_dcql_are_the_users(tmp_path: Path) -> None:
    result = init_verifier(tmp_path)
    _rewrite(result.config_path, "[trust]\n",
             '[trust]\n"https://vct.example/any thing" = ["did:web:x.example"]\n')
    with result.config_path.open("a") as handle:
        handle.write('''
[requests.any-name_2]
purpose = "Check your age."
retention = "P1D"

[[requests.any-name_2.dcql_query.credentials]]
id = "whatever_id"
format = "dc+sd-jwt"
meta = { vct_values = ["https://vct.example/any thing"] }
claims = [{ id = "c1", path = ["some", "nested_claim"] }]
''')
    config = load_config(result.config_path)
    assert config.trust["https://vct.example/any thing"] == ("did:web:x.example",)
    query = config.requests["any-name_2"].dcql_query
    assert query.ids == ("whatever_id",)
    assert query.credentials[0].claims is not None
    assert query.credentials[0].claims[0].path == ("some", "nested_claim")
