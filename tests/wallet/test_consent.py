"""The consent screen model and the SD-JWT presenter, on credentials issued with pidm.sdjwt
directly (no services): required vs optional claims, the minimal default, picks that must form
an accepted combination, rendering, and presentations that disclose only what was approved."""

from __future__ import annotations

import io
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from rich.console import Console

from pidm.did.key import did_key, did_key_vm_id
from pidm.errors import PidmError
from pidm.keys import KeyPair
from pidm.oid4vc.vp import AuthorizationRequest
from pidm.sdjwt import SdJwt, issue_sd_jwt, process_payload, verify_sd_jwt
from wallet.consent import (
    ConsentDecision,
    ask_decision,
    build_screen,
    describe_offer,
    describe_retention,
    parse_claim_choices,
    plan_disclosure,
    render_consent,
)
from wallet.credentials import CredentialIndex, HeldCredential, w3c_type_names
from wallet.presenter import build_presentation, present_sd_jwt_vc

NOW = datetime(2025, 6, 1, 12, 0, tzinfo=UTC)
ISSUER = KeyPair.from_private_bytes("Ed25519", bytes(range(32)))
ISSUER = ISSUER.with_key_id(did_key_vm_id(ISSUER.public))
VERIFIER = "did:web:shop.example"
CONTACT_VCT = "urn:pidm:vct:contact_profile"
AGE_VCT = "urn:pidm:vct:age_over_18"


def _held(group: str, vct: str, claims: dict[str, Any], *, uses: int = 0,
          expires: datetime | None = None) -> tuple[HeldCredential, KeyPair]:
    holder = KeyPair.generate("Ed25519")
    holder = holder.with_key_id(did_key_vm_id(holder.public))
    token = issue_sd_jwt(claims, signer=ISSUER, disclose=list(claims), holder_key=holder.public,
                         vct=vct, issued_at=NOW - timedelta(days=1), expires=expires)
    parsed = SdJwt.parse(token)
    processed = process_payload(parsed.payload, parsed.decoded()).claims
    held = HeldCredential(
        id=f"{group}/0", group=group, format="dc+sd-jwt", credential=token,
        holder_key=holder.key_id, issuer=did_key(ISSUER.public), name=f"{group} credential",
        claims=processed, received_at=NOW, vct=vct, uses=uses,
        labels=((("email",), "Email"),), valid_until=expires,
    )
    return held, holder


def _request(dcql: dict[str, Any], **extra: Any) -> AuthorizationRequest:
    return AuthorizationRequest.parse({
        "client_id": f"decentralized_identifier:{VERIFIER}",
        "response_type": "vp_token", "response_mode": "direct_post",
        "response_uri": "https://shop.example/response", "nonce": "nonce-123", "state": "st",
        "dcql_query": dcql, "client_metadata": {"client_name": "Shop"}, **extra,
    })


NEWSLETTER = {
    "credentials": [
        {"id": "contact", "format": "dc+sd-jwt", "meta": {"vct_values": [CONTACT_VCT]},
         "claims": [{"id": "email", "path": ["email"]}, {"id": "name", "path": ["given_name"]},
                    {"id": "zip", "path": ["postal_code"]}],
         "claim_sets": [["email", "name"], ["email", "zip"], ["email"]]},
        {"id": "age", "format": "dc+sd-jwt", "meta": {"vct_values": [AGE_VCT]},
         "claims": [{"path": ["age_over_18"], "values": [True]}]},
    ],
    "credential_sets": [{"options": [["contact"]]}, {"options": [["age"]], "required": False}],
}
TERMS = {"purpose": "Newsletter", "retention": "P30D",
         "offer": {"kind": "money", "amount": "1.50", "unit": "EUR", "description": "voucher"}}


@pytest.fixture
def wallet_index() -> tuple[CredentialIndex, dict[str, KeyPair]]:
    contact, contact_key = _held("contact1", CONTACT_VCT, {
        "email": "ann@example.com", "given_name": "Ann", "postal_code": "1011"})
    age, age_key = _held("age1", AGE_VCT, {"age_over_18": True})
    return CredentialIndex([contact, age]), {"contact1": contact_key, "age1": age_key}


def _screen(index: CredentialIndex, dcql: dict[str, Any] = NEWSLETTER) -> Any:
    request = _request(dcql, **TERMS)
    match, held = index.match(request.dcql_query, NOW)
    return build_screen(request, match, held), request


def test_screen_marks_required_and_optional(wallet_index: Any) -> None:
    screen, _ = _screen(wallet_index[0])
    assert (screen.verifier_did, screen.verifier_name) == (VERIFIER, "Shop")
    assert (screen.purpose, screen.retention) == ("Newsletter", "P30D")
    contact, age = screen.items
    assert [(c.path, c.required, c.value) for c in contact.claims] == [
        (("email",), True, "ann@example.com"), (("given_name",), False, "Ann"),
        (("postal_code",), False, "1011"),
    ]
    assert contact.claims[0].label == "Email" and contact.claims[1].label == "given_name"
    assert contact.required and not age.required
    assert screen.minimum() == {("contact", ("email",))}


def test_plan_defaults_to_the_minimum(wallet_index: Any) -> None:
    screen, _ = _screen(wallet_index[0])
    [plan] = plan_disclosure(screen, ConsentDecision.approve())
    assert plan.item.query_id == "contact" and plan.paths == (("email",),)


def test_plan_takes_an_accepted_combination_and_optional_credential(wallet_index: Any) -> None:
    screen, _ = _screen(wallet_index[0])
    choice = parse_claim_choices(["given_name", "age:age_over_18"], screen)
    plans = plan_disclosure(screen, ConsentDecision.approve(screen.minimum() | choice))
    assert [(p.item.query_id, p.paths) for p in plans] == [
        ("contact", (("email",), ("given_name",))), ("age", (("age_over_18",),)),
    ]


def test_rejects_a_pick_that_forms_no_accepted_combination(wallet_index: Any) -> None:
    screen, _ = _screen(wallet_index[0])
    both = parse_claim_choices(["given_name,postal_code"], screen)
    with pytest.raises(PidmError) as info:
        plan_disclosure(screen, ConsentDecision.approve(screen.minimum() | both))
    assert info.value.code == "MALFORMED_VALUE_ERROR"
    assert "accepted: {email, given_name}; {email, postal_code}; {email}" in str(info.value)


def test_rejects_claims_the_verifier_did_not_request(wallet_index: Any) -> None:
    screen, _ = _screen(wallet_index[0])
    with pytest.raises(PidmError) as info:
        parse_claim_choices(["family_name"], screen)
    assert info.value.code == "MALFORMED_VALUE_ERROR"
    with pytest.raises(PidmError) as info:
        plan_disclosure(screen, ConsentDecision.approve({("contact", ("family_name",))}))
    assert info.value.code == "MALFORMED_VALUE_ERROR"


def test_declined_plan_is_consent_refused(wallet_index: Any) -> None:
    screen, _ = _screen(wallet_index[0])
    with pytest.raises(PidmError) as info:
        plan_disclosure(screen, ConsentDecision.decline())
    assert info.value.code == "CONSENT_REFUSED"


def test_rejects_no_matching_credentials(wallet_index: Any) -> None:
    index = wallet_index[0]
    dcql = {"credentials": [{"id": "age", "format": "dc+sd-jwt",
                             "meta": {"vct_values": [AGE_VCT]},
                             "claims": [{"path": ["age_over_18"], "values": [False]}]}]}
    with pytest.raises(PidmError) as info:
        _screen(index, dcql)
    assert info.value.code == "NO_MATCHING_CREDENTIALS"


def test_expired_and_used_copies(wallet_index: Any) -> None:
    index = wallet_index[0]
    old, _ = _held("old", AGE_VCT, {"age_over_18": True}, expires=NOW - timedelta(seconds=1))
    index.add(old)
    screen, _ = _screen(index)
    assert screen.item("age").credential.group == "age1"
    fresh, _ = _held("age1", AGE_VCT, {"age_over_18": True})
    index.add(HeldCredential(**{**{f: getattr(fresh, f) for f in (
        "group", "format", "credential", "holder_key", "issuer", "name", "claims",
        "received_at", "vct")}, "id": "age1/1"}))
    assert index.representative("age1").id == "age1/0"
    index.add(index.representative("age1").used())
    assert index.representative("age1").id == "age1/1"
    assert [g.unused for g in index.groups() if g.id == "age1"] == [1]


def test_interactive_questions(wallet_index: Any) -> None:
    screen, _ = _screen(wallet_index[0])
    asked: list[str] = []

    def ask(question: str, default: bool) -> bool:
        asked.append(question)
        assert default is False
        return "given_name" not in question

    decision = ask_decision(screen, ask)
    assert decision.approved
    assert decision.include == {"age"}
    assert decision.claims == {("contact", ("email",)), ("contact", ("postal_code",)),
                               ("age", ("age_over_18",))}
    assert asked[0].startswith("Share the required claims")
    assert ask_decision(screen, lambda q, d: False) == ConsentDecision.decline()


def test_render_shows_who_why_how_long_and_reward(wallet_index: Any) -> None:
    screen, _ = _screen(wallet_index[0])
    out = io.StringIO()
    render_consent(screen, Console(file=out, width=120))
    text = out.getvalue()
    for expected in ("Shop", VERIFIER, "Newsletter", "30 days (P30D)", "1.50 EUR — voucher",
                     "Email", "ann@example.com", "required", "optional",
                     "(optional credential)"):
        assert expected in text
    assert describe_retention("PT12H") == "PT12H"
    assert describe_offer(None) == "none offered"


def test_render_warns_when_every_copy_was_shown_before(wallet_index: Any) -> None:
    index = wallet_index[0]

    def warning() -> str:
        out = io.StringIO()
        render_consent(_screen(index)[0], Console(file=out, width=400))
        return " ".join(out.getvalue().split())

    assert "was shown before" not in warning()
    index.add(index.representative("contact1").used())
    assert ("Every copy of 'contact1 credential' was shown before: this presentation can be "
            "linked to earlier ones") in warning()
    assert "'age1 credential' was shown" not in warning()


def test_sd_jwt_presentation_discloses_only_the_plan(wallet_index: Any) -> None:
    index, keys = wallet_index
    screen, request = _screen(index)
    [plan] = plan_disclosure(screen, ConsentDecision.approve(
        screen.minimum() | {("contact", ("given_name",))}))
    held = plan.item.credential
    assert isinstance(held.credential, str)
    presented = present_sd_jwt_vc(held.credential, disclose=plan.paths,
                                  holder=keys[held.group], audience=str(request.client_id),
                                  nonce=request.nonce, now=NOW)
    result = verify_sd_jwt(presented, issuer_key=ISSUER.public, now=NOW,
                           audience=f"decentralized_identifier:{VERIFIER}", nonce="nonce-123")
    assert result.valid, result.errors
    assert {k: result.claims[k] for k in ("email", "given_name")} == {
        "email": "ann@example.com", "given_name": "Ann"}
    assert "postal_code" not in result.claims
    wrong = verify_sd_jwt(presented, issuer_key=ISSUER.public, now=NOW, audience="other",
                          nonce="nonce-123")
    assert [c.code for c in wrong.errors] == ["AUDIENCE_MISMATCH"]


def test_rejects_presenting_with_a_key_that_is_not_the_cnf_key(wallet_index: Any) -> None:
    index, keys = wallet_index
    held = index.representative("contact1")
    assert isinstance(held.credential, str)
    with pytest.raises(PidmError) as info:
        present_sd_jwt_vc(held.credential, disclose=[("email",)], holder=keys["age1"],
                          audience="a", nonce="n", now=NOW)
    assert info.value.code == "INVALID_KEY"


def test_w3c_presentation_is_about_the_holder() -> None:
    vc = {"@context": ["https://www.w3.org/ns/credentials/v2"], "id": "urn:uuid:1",
          "type": ["VerifiableCredential", "AgeOver18Credential"],
          "credentialSubject": {"id": "did:key:zHolder", "age_over_18": True}}
    vp = build_presentation([vc], holder_did="did:key:zHolder")
    assert vp["type"] == ["VerifiablePresentation"] and vp["holder"] == "did:key:zHolder"
    assert vp["verifiableCredential"] == [vc]
    with pytest.raises(PidmError) as info:
        build_presentation([vc], holder_did="did:key:zSomeoneElse")
    assert info.value.code == "MALFORMED_VALUE_ERROR"
    assert "https://www.w3.org/ns/credentials/issuer-dependent#AgeOver18Credential" in (
        w3c_type_names(vc["type"]))


def test_w3c_presentation_is_bound_to_challenge_and_domain() -> None:
    from pidm.did.key import did_key_document
    from pidm.integrity.proof import verify_proof
    from wallet.presenter import present_ldp_vp

    holder = KeyPair.from_private_bytes("Ed25519", bytes(range(1, 33)))
    holder = holder.with_key_id(did_key_vm_id(holder.public))
    subject = did_key(holder.public)
    vc = {"@context": ["https://www.w3.org/ns/credentials/v2"], "id": "urn:uuid:1",
          "type": ["VerifiableCredential"], "issuer": did_key(ISSUER.public),
          "credentialSubject": {"id": subject}}
    vp = present_ldp_vp([vc], holder=holder, challenge="nonce-123",
                        domain=f"decentralized_identifier:{VERIFIER}", now=NOW)
    proof = vp["proof"]
    assert (proof["proofPurpose"], proof["challenge"], proof["domain"],
            proof["verificationMethod"]) == ("authentication", "nonce-123",
                                             f"decentralized_identifier:{VERIFIER}",
                                             holder.key_id)
    unsigned = {k: v for k, v in vp.items() if k != "proof"}
    assert unsigned == build_presentation([vc], holder_did=subject)
    controller = did_key_document(subject)
    method = verify_proof(vp, proof, controller=controller, now=NOW,
                          expected_purpose="authentication", challenge="nonce-123",
                          domain=f"decentralized_identifier:{VERIFIER}")
    assert method.id == holder.key_id
    for challenge, domain, code in (("other", f"decentralized_identifier:{VERIFIER}",
                                     "INVALID_CHALLENGE_ERROR"),
                                    ("nonce-123", "decentralized_identifier:did:web:evil",
                                     "INVALID_DOMAIN_ERROR")):
        with pytest.raises(PidmError) as info:
            verify_proof(vp, proof, controller=controller, now=NOW,
                         expected_purpose="authentication", challenge=challenge, domain=domain)
        assert info.value.code == code


def test_render_takes_hostile_names_and_values_literally() -> None:
    """Markup in what an issuer or verifier wrote is shown as typed: ``[/]`` used to crash
    the screen and ``[conceal]`` could hide a claim from the consumer."""
    contact, _ = _held("contact1", CONTACT_VCT, {
        "email": "[/]", "given_name": "[conceal]Ann:key:", "postal_code": "1011"})
    age, _ = _held("age1", AGE_VCT, {"age_over_18": True})
    index = CredentialIndex([contact, age])
    request = _request(NEWSLETTER, purpose="[red]Newsletter[/red]", retention="P30D")
    match, held = index.match(request.dcql_query, NOW)
    out = io.StringIO()
    render_consent(build_screen(request, match, held), Console(file=out, width=200))
    text = out.getvalue()
    assert "[/]" in text
    assert "[conceal]Ann:key:" in text
    assert "[red]Newsletter[/red]" in text


def test_render_shows_control_characters_escaped() -> None:
    """Escape sequences in what an issuer or verifier wrote (a claim value, the verifier's
    name; 'purpose' is refused with them) would act on the terminal (clear the screen, move the
    cursor over a line, hide text) and could fake the consent screen; they and bidi overrides
    are shown escaped."""
    contact, _ = _held("contact1", CONTACT_VCT, {
        "email": "ann@example.com\x1b[8m", "given_name": "Ann\u202e", "postal_code": "1011"})
    age, _ = _held("age1", AGE_VCT, {"age_over_18": True})
    index = CredentialIndex([contact, age])
    request = _request(NEWSLETTER, purpose="Newsletter", retention="P30D",
                       client_metadata={"client_name": "Sh\x1b]0;x\x07op"})
    match, held = index.match(request.dcql_query, NOW)
    out = io.StringIO()
    render_consent(build_screen(request, match, held), Console(file=out, width=200))
    text = out.getvalue()
    assert "\x1b" not in text and "\x07" not in text and "\u202e" not in text
    for shown in ("Sh\\x1b]0;x\\x07op", "ann@example.com\\x1b[8m",
                  "Ann\\u202e"):
        assert shown in text


def test_presentation_outcome_shows_verifier_text_escaped() -> None:
    from types import SimpleNamespace

    from pidm.cli_wallet import _print_outcome

    out = io.StringIO()
    console = Console(file=out, width=200, markup=False)
    failed = SimpleNamespace(outcome="failed", error="bad\x1b[2J", verifier_name=None)
    _print_outcome(console, SimpleNamespace(entry=failed, redirect_uri="https://x/\x1b]0;t\x07"))
    shared = SimpleNamespace(outcome="shared", verifier_name="Sh\x1b[8mop", verifier_did="d",
                             receipt="r1", granted=None)
    _print_outcome(console, SimpleNamespace(entry=shared, redirect_uri=None))
    assert out.getvalue().splitlines() == [
        "Not accepted (failed): bad\\x1b[2J", "Continue at https://x/\\x1b]0;t\\x07",
        "Shared with Sh\\x1b[8mop; receipt r1."]
