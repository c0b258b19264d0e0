"""verify_sd_jwt / verify_sd_jwt_vc: every check, every refusal, skipping rules."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from pidm.did.key import did_key
from pidm.did.resolver import MethodRouter
from pidm.jose import sign_jwt
from pidm.keys import KeyPair
from pidm.sdjwt import SdJwt, verify_sd_jwt_vc
from tests.unit.sdjwt.helpers import (
    AUD,
    HOLDER,
    ISSUER,
    NONCE,
    NOW,
    base_payload,
    disclosure,
    failed,
    forge,
    issue,
    present,
    status,
    verify,
)

ISSUED = issue()
PRESENTED = present(ISSUED)


def _kb(sd_jwt: str, *, typ: str = "kb+jwt", key: KeyPair = HOLDER, **payload: Any) -> str:
    """Append a KB-JWT with chosen payload members to an SD-JWT ending in '~'."""
    sd = SdJwt.parse(sd_jwt)
    body = {"iat": int(NOW.timestamp()), "aud": AUD, "nonce": NONCE, "sd_hash": sd.sd_hash()}
    body.update(payload)
    return sd_jwt + sign_jwt({"typ": typ}, body, key, set_kid=False)


def test_valid_presentation_all_checks_pass() -> None:
    result = verify(PRESENTED)
    assert result.valid
    assert status(result) == {
        "signature": "passed", "disclosures": "passed", "schema": "passed",
        "validity_period": "passed", "holder_binding": "passed", "nonce": "passed",
        "audience": "passed",
    }
    assert result.claims["address"]["street_address"] == "Heidestraße 17"
    assert result.claims["age_equal_or_over"] == {"18": True, "21": True, "65": False}
    assert "_sd" not in str(result.claims) and "_sd_alg" not in result.claims


def test_wrong_issuer_key_fails_signature_and_skips_the_rest() -> None:
    result = verify(PRESENTED, issuer_key=KeyPair.generate().public)
    assert failed(result) == {"signature": "PROOF_VERIFICATION_ERROR"}
    assert status(result)["disclosures"] == "skipped"
    assert status(result)["holder_binding"] == "skipped"
    assert status(result)["nonce"] == "skipped"
    assert result.claims == {}


def test_issuer_key_of_other_type_is_refused() -> None:
    result = verify(PRESENTED, issuer_key=KeyPair.generate("ES256").public)
    assert failed(result) == {"signature": "UNSUPPORTED_ALGORITHM"}


def test_rejects_wrong_typ() -> None:
    result = verify(PRESENTED, typ="example+sd-jwt")
    assert failed(result) == {"signature": "MALFORMED_VALUE_ERROR"}


def test_rejects_duplicate_disclosure() -> None:
    sd = SdJwt.parse(ISSUED)
    doubled = "~".join((sd.issuer_jwt, sd.disclosures[0], sd.disclosures[0], ""))
    result = verify(doubled, audience=None, nonce=None)
    assert failed(result) == {"disclosures": "DISCLOSURE_DUPLICATE"}
    assert result.claims == {}


def test_rejects_duplicate_digest_in_payload() -> None:
    d = disclosure("given_name", "Erika")
    token = forge(base_payload(_sd=[d.digest], nested={"_sd": [d.digest]}), [d.encoded])
    assert failed(verify(token, audience=None, nonce=None)) == {
        "disclosures": "DISCLOSURE_DUPLICATE"
    }


def test_rejects_undisclosed_duplicate_digest() -> None:
    token = forge(base_payload(_sd=["abc", "abc"]), [])
    assert failed(verify(token, audience=None, nonce=None)) == {
        "disclosures": "DISCLOSURE_DUPLICATE"
    }


def test_rejects_orphan_disclosure() -> None:
    d = disclosure("given_name", "Erika")
    token = forge(base_payload(), [d.encoded])
    assert failed(verify(token, audience=None, nonce=None)) == {"disclosures": "DISCLOSURE_ORPHAN"}


def test_rejects_child_disclosure_without_its_parent() -> None:
    sd = SdJwt.parse(ISSUED)
    child = next(d for d in sd.decoded() if d.name == "locality")
    token = "~".join((sd.issuer_jwt, child.encoded, ""))
    assert failed(verify(token, audience=None, nonce=None)) == {"disclosures": "DISCLOSURE_ORPHAN"}


def test_rejects_disclosure_overwriting_a_claim() -> None:
    d = disclosure("given_name", "Mallory")
    token = forge(base_payload(given_name="Erika", _sd=[d.digest]), [d.encoded])
    assert failed(verify(token, audience=None, nonce=None)) == {
        "disclosures": "DISCLOSURE_INVALID"
    }


def test_rejects_disclosure_overwriting_a_registered_claim() -> None:
    d = disclosure("iss", "did:example:mallory")
    token = forge(base_payload(_sd=[d.digest]), [d.encoded])
    assert failed(verify(token, audience=None, nonce=None)) == {
        "disclosures": "DISCLOSURE_INVALID"
    }


def test_rejects_disclosed_registered_claim_in_vc() -> None:
    d = disclosure("exp", 1)
    token = forge(base_payload(_sd=[d.digest]), [d.encoded])
    assert failed(verify(token, audience=None, nonce=None)) == {"schema": "DISCLOSURE_INVALID"}


def test_rejects_two_disclosures_with_the_same_name() -> None:
    a, b = disclosure("x", 1, "c2FsdDE"), disclosure("x", 2, "c2FsdDI")
    token = forge(base_payload(_sd=[a.digest, b.digest]), [a.encoded, b.encoded])
    assert failed(verify(token, audience=None, nonce=None)) == {
        "disclosures": "DISCLOSURE_INVALID"
    }


def _misuse(payload_extra: dict[str, Any], disclosures: list[str] | None = None) -> Any:
    token = forge(base_payload(**payload_extra), disclosures or [])
    return failed(verify(token, audience=None, nonce=None))


def test_rejects_sd_misuse() -> None:
    assert _misuse({"_sd": "abc"}) == {"disclosures": "DISCLOSURE_INVALID"}
    assert _misuse({"_sd": [1]}) == {"disclosures": "DISCLOSURE_INVALID"}
    assert _misuse({"a": {"_sd_alg": "sha-256"}}) == {"disclosures": "DISCLOSURE_INVALID"}


def test_rejects_ellipsis_misuse() -> None:
    assert _misuse({"a": {"...": "abc"}}) == {"disclosures": "DISCLOSURE_INVALID"}
    assert _misuse({"a": [{"...": "abc", "b": 1}]}) == {"disclosures": "DISCLOSURE_INVALID"}
    assert _misuse({"a": [{"...": 5}]}) == {"disclosures": "DISCLOSURE_INVALID"}


def test_rejects_disclosure_kind_mismatch() -> None:
    element = disclosure(None, "DE")
    assert _misuse({"_sd": [element.digest]}, [element.encoded]) == {
        "disclosures": "DISCLOSURE_INVALID"
    }
    member = disclosure("n", "DE")
    assert _misuse({"a": [{"...": member.digest}]}, [member.encoded]) == {
        "disclosures": "DISCLOSURE_INVALID"
    }


def test_rejects_malformed_disclosures() -> None:
    from pidm.encoding import b64url_encode

    for raw in (b'["salt"]', b'["s", "a", "b", "c"]', b'{"a": 1}', b'[1, "n", 2]',
                b'["s", 1, 2]', b'["s", "_sd", 2]', b'["s", "...", 2]', b"not json"):
        token = forge(base_payload(), [b64url_encode(raw)])
        assert failed(verify(token, audience=None, nonce=None)) == {
            "disclosures": "DISCLOSURE_INVALID"
        }, raw
    token = forge(base_payload(), ["not base64!"])
    assert failed(verify(token, audience=None, nonce=None)) == {"disclosures": "DISCLOSURE_INVALID"}


def test_rejects_unsupported_sd_alg() -> None:
    assert _misuse({"_sd_alg": "sha-512"}) == {"disclosures": "SD_ALG_UNSUPPORTED"}
    assert _misuse({"_sd_alg": "md5"}) == {"disclosures": "SD_ALG_UNSUPPORTED"}


def test_rejects_missing_vct() -> None:
    payload = base_payload()
    del payload["vct"]
    token = forge(payload, [])
    assert failed(verify(token, audience=None, nonce=None)) == {"schema": "INVALID_CREDENTIAL"}


def test_rejects_expired_credential() -> None:
    result = verify(present(issue(expires=NOW - timedelta(minutes=5))))
    assert failed(result) == {"validity_period": "CREDENTIAL_EXPIRED"}
    assert result.claims == {}


def test_expiry_within_skew_is_accepted() -> None:
    assert verify(present(issue(expires=NOW - timedelta(seconds=30)))).valid
    result = verify(present(issue(expires=NOW - timedelta(seconds=30))), skew=timedelta(0))
    assert failed(result) == {"validity_period": "CREDENTIAL_EXPIRED"}


def test_rejects_not_yet_valid_credential() -> None:
    result = verify(present(issue(not_before=NOW + timedelta(hours=1))))
    assert failed(result) == {"validity_period": "CREDENTIAL_NOT_YET_VALID"}
    result = verify(present(issue(issued_at=NOW + timedelta(hours=1))))
    assert failed(result) == {"validity_period": "CREDENTIAL_NOT_YET_VALID"}


def test_rejects_non_numeric_exp() -> None:
    assert _misuse({"exp": "tomorrow"}) == {"validity_period": "MALFORMED_VALUE_ERROR"}


def test_rejects_nonce_mismatch() -> None:
    result = verify(PRESENTED, nonce="other")
    assert failed(result) == {"nonce": "NONCE_MISMATCH"}


def test_rejects_audience_mismatch() -> None:
    result = verify(PRESENTED, audience="https://evil.example")
    assert failed(result) == {"audience": "AUDIENCE_MISMATCH"}


def test_rejects_missing_kb_jwt_when_nonce_expected() -> None:
    result = verify(present(holder=None))
    assert failed(result) == {"holder_binding": "KB_JWT_INVALID"}
    assert status(result)["nonce"] == "skipped" and status(result)["audience"] == "skipped"


def test_require_key_binding_flag() -> None:
    bare = present(holder=None)
    assert verify(bare, audience=None, nonce=None).valid
    result = verify(bare, audience=None, nonce=None, require_key_binding=True)
    assert failed(result) == {"holder_binding": "KB_JWT_INVALID"}


def test_nonce_and_audience_are_not_passed_without_a_kb_jwt() -> None:
    # require_key_binding=False with an expected nonce/audience and no KB-JWT: nothing proved
    # either, so neither may be reported PASSED (the all-pass fast path did).
    bare = present(holder=None)
    result = verify(bare, require_key_binding=False)
    assert status(result)["holder_binding"] == "skipped"
    assert status(result)["nonce"] == "skipped" and status(result)["audience"] == "skipped"
    only_nonce = verify(bare, audience=None, require_key_binding=False)
    assert status(only_nonce)["nonce"] == "skipped"
    only_audience = verify(bare, nonce=None, require_key_binding=False)
    assert status(only_audience)["audience"] == "skipped"


def test_presented_kb_jwt_is_checked_even_when_not_required() -> None:
    other = KeyPair.generate()
    token = _kb(present(holder=None), key=other)
    result = verify(token, audience=None, nonce=None)
    assert failed(result) == {"holder_binding": "KB_JWT_INVALID"}
    assert status(result)["nonce"] == "skipped"


def test_rejects_kb_jwt_by_wrong_key() -> None:
    assert failed(verify(_kb(present(holder=None), key=KeyPair.generate()))) == {
        "holder_binding": "KB_JWT_INVALID"
    }


def test_rejects_kb_jwt_with_wrong_sd_hash() -> None:
    assert failed(verify(_kb(present(holder=None), sd_hash="x" * 43))) == {
        "holder_binding": "KB_JWT_INVALID"
    }


def test_rejects_kb_jwt_after_disclosure_removed() -> None:
    sd = SdJwt.parse(PRESENTED)
    stripped = "~".join((sd.issuer_jwt, *sd.disclosures[1:], sd.kb_jwt or ""))
    assert failed(verify(stripped)) == {"holder_binding": "KB_JWT_INVALID"}


def test_rejects_kb_jwt_wrong_typ() -> None:
    assert failed(verify(_kb(present(holder=None), typ="JWT"))) == {
        "holder_binding": "KB_JWT_INVALID"
    }


def test_rejects_stale_or_future_kb_jwt() -> None:
    old = int((NOW - timedelta(hours=1)).timestamp())
    assert failed(verify(_kb(present(holder=None), iat=old))) == {
        "holder_binding": "KB_JWT_INVALID"
    }
    future = int((NOW + timedelta(hours=1)).timestamp())
    assert failed(verify(_kb(present(holder=None), iat=future))) == {
        "holder_binding": "KB_JWT_INVALID"
    }
    assert failed(verify(_kb(present(holder=None), iat="now"))) == {
        "holder_binding": "KB_JWT_INVALID"
    }


def test_rejects_kb_jwt_without_cnf() -> None:
    payload = base_payload()
    del payload["cnf"]
    token = _kb(forge(payload, []))
    assert failed(verify(token)) == {"holder_binding": "KB_JWT_INVALID"}


def test_rejects_garbage_presentation() -> None:
    for text in ("", "abc", "a.b.c~", "~~"):
        result = verify(text)
        assert failed(result) == {"signature": "PARSING_ERROR"}, text
        assert status(result)["disclosures"] == "skipped"


async def test_verify_sd_jwt_vc_resolves_issuer_did() -> None:
    result = await verify_sd_jwt_vc(PRESENTED, resolver=MethodRouter(), now=NOW, audience=AUD,
                                    nonce=NONCE)
    assert result.valid, result.to_json()
    assert result.claims["iss"] == did_key(ISSUER.public)


async def test_verify_sd_jwt_vc_rejects_key_of_another_did() -> None:
    mallory = KeyPair.generate()
    from pidm.did.key import did_key_vm_id

    forged = issue(signer=mallory.with_key_id(did_key_vm_id(mallory.public)),
                   issuer=did_key(ISSUER.public))
    result = await verify_sd_jwt_vc(present(forged), resolver=MethodRouter(), now=NOW,
                                    audience=AUD, nonce=NONCE)
    assert failed(result) == {"signature": "PROOF_VERIFICATION_ERROR"}
    assert result.claims == {}


async def test_verify_sd_jwt_vc_rejects_non_did_issuer() -> None:
    token = issue(issuer="https://issuer.example")
    result = await verify_sd_jwt_vc(present(token), resolver=MethodRouter(), now=NOW,
                                    audience=AUD, nonce=NONCE)
    assert failed(result) == {"signature": "INVALID_DID"}
    assert status(result)["holder_binding"] == "skipped"


async def test_verify_sd_jwt_vc_unknown_method() -> None:
    from pidm.did.resolver import StaticResolver

    result = await verify_sd_jwt_vc(PRESENTED, resolver=StaticResolver({}), now=NOW,
                                    audience=AUD, nonce=NONCE)
    assert failed(result)["signature"] in {"DID_NOT_FOUND", "METHOD_NOT_SUPPORTED"}


ORDER = ["signature", "disclosures", "schema", "validity_period", "holder_binding", "nonce",
         "audience"]


def test_check_order_and_statuses_whether_all_pass_or_one_fails() -> None:
    assert [c.name for c in verify(PRESENTED).checks] == ORDER
    mismatch = verify(PRESENTED, nonce="other")
    assert [(c.name, c.status.value) for c in mismatch.checks] == [
        (name, "failed" if name == "nonce" else "passed") for name in ORDER
    ]
    bare = verify(present(holder=None), audience=None, nonce=None)
    assert bare.valid
    assert [(c.name, c.status.value, c.message) for c in bare.checks][-3:] == [
        ("holder_binding", "skipped", "no key-binding JWT"),
        ("nonce", "skipped", "no expected nonce given"),
        ("audience", "skipped", "no expected audience given"),
    ]
    generic = verify(PRESENTED, typ=None)
    assert generic.valid and "schema" not in [c.name for c in generic.checks]


def test_decoys_verify_and_reveal_only_the_chosen_claims() -> None:
    issued = issue(decoys=5)
    result = verify(present(issued, disclose=["given_name", "address.locality"]))
    assert result.valid, result.to_json()
    assert result.claims["given_name"] == "Erika"
    assert result.claims["address"] == {"locality": "Köln"}
    assert "family_name" not in result.claims and "birthdate" not in result.claims
