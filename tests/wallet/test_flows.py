"""The wallet's flows end to end against the real issuer and verifier services on 127.0.0.1:
receiving (OpenID4VCI pre-authorized code, batch copies), presenting with consent (approve,
optional claims, decline), refusing forged requests, receipts, rewards, history, passphrase,
backups and a kill in the middle of wallet writes."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import textwrap
from collections.abc import AsyncIterator
from dataclasses import replace
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

import pytest

from pidm.clock import FixedClock
from pidm.did.key import did_key, did_key_vm_id
from pidm.encoding import b64url_encode
from pidm.errors import PidmError
from pidm.jose import decode_jwt, sign_jwt
from pidm.keys import KeyPair
from pidm.sdjwt import SdJwt
from tests.wallet.services import (
    AGE,
    CLAIMS,
    CONTACT,
    EXTRA_REQUESTS,
    T0,
    Service,
    fetch_text,
    offer,
    start_issuer,
    start_verifier,
    static_server,
    transaction,
)
from wallet import ConsentDecision, ConsentScreen, HttpLimits, KdfParams, Wallet, WalletOptions
from wallet.locker import DB_NAME

PASS = "correct horse battery staple"
LOCAL = WalletOptions(limits=HttpLimits(allow_private=True, allow_http=True))
ROOT = Path(__file__).parents[2]
@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(T0)


@pytest.fixture
async def issuer(tmp_path: Path, clock: FixedClock) -> AsyncIterator[Service]:
    service = await start_issuer(tmp_path / "issuer", clock)
    yield service
    await service.stop()


@pytest.fixture
async def verifier(tmp_path: Path, clock: FixedClock, issuer: Service) -> AsyncIterator[Service]:
    service = await start_verifier(tmp_path / "verifier", clock, [issuer.did], EXTRA_REQUESTS)
    yield service
    await service.stop()


@pytest.fixture
def wallet(tmp_path: Path, clock: FixedClock) -> Wallet:
    opened = Wallet.create(tmp_path / "wallet", PASS, kdf=KdfParams.MINIMUM, clock=clock,
                           options=LOCAL)
    yield opened
    if not opened.locker.closed:
        opened.close()


async def _stock(wallet: Wallet, issuer: Service) -> None:
    made = await offer(issuer, ["age_over_18_sd_jwt", "contact_profile_sd_jwt"], CLAIMS)
    await wallet.receive(made["offer_uri"])


def _approve(claims: Any = None, include: Any = ()) -> Any:
    seen: list[ConsentScreen] = []

    def decide(screen: ConsentScreen) -> ConsentDecision:
        seen.append(screen)
        return ConsentDecision.approve(claims, include)

    decide.seen = seen  # type: ignore[attr-defined]
    return decide


async def _result(verifier: Service, tx: dict[str, Any]) -> dict[str, Any]:
    status, body = await verifier.admin("GET", f"/admin/transactions/{tx['id']}")
    assert status == 200, body
    return dict(body)


# --- receiving ----------------------------------------------------------------------------------
async def test_receive_stores_verified_copies_each_with_a_fresh_key(
    wallet: Wallet, issuer: Service, tmp_path: Path
) -> None:
    made = await offer(issuer, ["contact_profile_sd_jwt"], CONTACT, tx_code=True)
    groups = await wallet.receive(made["offer_uri"], tx_code=made["tx_code"])
    assert len(groups) == 1
    group = groups[0]
    assert len(group.copies) == 3
    assert group.first.name == "Contact profile"
    assert group.first.issuer == issuer.did
    assert group.first.subject_claims() == {"given_name": "Ann", "postal_code": "1011",
                                            "email": "ann@example.com"}
    assert group.first.label(("postal_code",)) == "Postal code"
    cnf_keys = {SdJwt.parse(str(c.credential)).payload["cnf"]["jwk"]["x"] for c in group.copies}
    assert len(cnf_keys) == 3
    assert len({c.holder_key for c in group.copies}) == 3
    assert all(wallet.locker.get("key", c.holder_key) is not None for c in group.copies)
    wallet.close()
    reopened = Wallet.open(tmp_path / "wallet", PASS, clock=wallet.clock)
    try:
        assert [g.id for g in reopened.credentials()] == [group.id]
    finally:
        reopened.close()


async def test_rejects_wrong_tx_code(wallet: Wallet, issuer: Service) -> None:
    made = await offer(issuer, ["age_over_18_sd_jwt"], AGE, tx_code=True)
    wrong = "0" * len(made["tx_code"]) if made["tx_code"] != "0" * 6 else "1" * 6
    with pytest.raises(PidmError) as info:
        await wallet.receive(made["offer_uri"], tx_code=wrong)
    assert info.value.code == "INVALID_GRANT"
    assert wallet.credentials() == []
    assert wallet.locker.list("key") == []


async def test_asks_for_the_tx_code_when_the_offer_needs_one(
    wallet: Wallet, issuer: Service
) -> None:
    made = await offer(issuer, ["age_over_18_sd_jwt"], AGE, tx_code=True, by_reference=True)
    asked: list[Any] = []

    async def prompt(spec: Any) -> str:
        asked.append(spec)
        return str(made["tx_code"])

    groups = await wallet.receive(made["offer_uri"], tx_code=prompt, copies=2)
    assert asked[0].length == len(made["tx_code"])
    assert len(groups[0].copies) == 2
    with pytest.raises(PidmError) as info:
        await wallet.receive((await offer(issuer, ["age_over_18_sd_jwt"], AGE,
                                          tx_code=True))["offer_uri"])
    assert info.value.code == "INVALID_TOKEN_REQUEST"


def _tamper_sd_jwt(credential: Any) -> str:
    token, *rest = str(credential).split("~")
    head, _, sig = token.split(".")
    payload = decode_jwt(token).payload
    payload["exp"] = payload["exp"] + 10 * 365 * 86400
    body = b64url_encode(json.dumps(payload).encode())
    return "~".join([f"{head}.{body}.{sig}", *rest])


@pytest.mark.parametrize("attack", ["tampered", "swapped"])
async def test_rejects_received_credentials_that_do_not_verify(
    wallet: Wallet, issuer: Service, monkeypatch: pytest.MonkeyPatch, attack: str
) -> None:
    from wallet import agent

    real = agent.request_credentials

    async def evil(*args: Any, **kwargs: Any) -> list[Any]:
        issued = await real(*args, **kwargs)
        if attack == "tampered":
            return [_tamper_sd_jwt(c) for c in issued]
        return issued[1:] + issued[:1]

    monkeypatch.setattr(agent, "request_credentials", evil)
    made = await offer(issuer, ["age_over_18_sd_jwt"], AGE)
    with pytest.raises(PidmError) as info:
        await wallet.receive(made["offer_uri"])
    expected = {"tampered": "PROOF_VERIFICATION_ERROR", "swapped": "INVALID_KEY"}
    assert info.value.code == expected[attack]
    assert wallet.credentials() == []
    assert wallet.locker.list("key") == []
    assert wallet.locker.list("credential") == []


@pytest.mark.parametrize("holder_method", ["key", "jwk"])
async def test_ldp_vc_is_presented_in_a_data_integrity_presentation(
    wallet: Wallet, issuer: Service, verifier: Service, holder_method: str
) -> None:
    wallet.options = replace(wallet.options, holder_method=holder_method)  # type: ignore[arg-type]
    made = await offer(issuer, ["age_over_18_ldp_vc"], AGE)
    [group] = await wallet.receive(made["offer_uri"])
    held = group.first
    assert held.format == "ldp_vc" and "AgeOver18Credential" in held.types
    assert held.holder_did.startswith(f"did:{holder_method}:")
    assert held.claims["credentialSubject"]["id"] == held.holder_did
    assert held.subject_claims() == {"age_over_18": True}
    tx = await transaction(verifier, "age_ldp")
    decide = _approve()
    outcome = await wallet.present(tx["authorization_request"], decide)
    [item] = decide.seen[0].items
    assert not item.selective
    assert outcome.outcome == "shared", outcome.entry.error
    assert outcome.receipt is not None and outcome.receipt.status == "verified"
    assert outcome.entry.claims == (("credentialSubject", "age_over_18"),)
    result = await _result(verifier, tx)
    assert result["result"]["valid"] is True


# --- presenting -------------------------------------------------------------------------------
async def test_present_shares_the_required_claims_and_keeps_a_verified_receipt(
    wallet: Wallet, issuer: Service, verifier: Service
) -> None:
    await _stock(wallet, issuer)
    tx = await transaction(verifier)
    decide = _approve()
    outcome = await wallet.present(tx["authorization_request"], decide)
    screen: ConsentScreen = decide.seen[0]
    assert screen.verifier_did == verifier.did
    assert screen.verifier_name == "pidm verifier"
    assert screen.purpose is not None and "postcode" in screen.purpose
    assert screen.retention == "P30D"
    assert screen.offer is not None and screen.offer.amount == "10"
    assert {i.query_id: [(c.path, c.required) for c in i.claims] for i in screen.items} == {
        "age": [(("age_over_18",), True)], "postcode": [(("postal_code",), True)],
    }
    assert outcome.outcome == "shared"
    assert outcome.receipt is not None and outcome.receipt.status == "verified"
    result = await _result(verifier, tx)
    assert result["status"] == "done"
    assert result["result"]["valid"] is True
    shared = result["result"]["claims"]
    assert "given_name" not in str(shared) and "email" not in str(shared)
    [entry] = wallet.history()
    assert entry.outcome == "shared" and entry.receipt == "verified"
    assert entry.claims == (("age_over_18",), ("postal_code",))
    assert entry.verifier_did == verifier.did
    assert entry.granted is not None and entry.granted.amount == "10"
    assert {(k.verifier_did, k.unit): str(v) for k, v in wallet.rewards().items()} == {
        (verifier.did, "points"): "10"
    }
    assert [r.id for r in wallet.locker.list("receipt")] == [entry.receipt_id]


async def test_present_with_an_optional_claim_and_credential_picked(
    wallet: Wallet, issuer: Service, verifier: Service
) -> None:
    await _stock(wallet, issuer)
    tx = await transaction(verifier, "newsletter")
    seen: list[ConsentScreen] = []

    def decide(screen: ConsentScreen) -> ConsentDecision:
        seen.append(screen)
        return ConsentDecision.approve(
            {("contact", ("email",)), ("contact", ("given_name",)), ("age", ("age_over_18",))},
            {"age"},
        )

    outcome = await wallet.present(tx["authorization_request"], decide)
    contact, age = seen[0].items
    assert [(c.path, c.required) for c in contact.claims] == [
        (("email",), True), (("given_name",), False)
    ]
    assert contact.required and not age.required
    assert seen[0].minimum() == {("contact", ("email",))}
    assert outcome.outcome == "shared" and outcome.receipt is not None
    assert outcome.receipt.status == "verified"
    assert outcome.entry.granted is not None and outcome.entry.granted.unit == "EUR"
    assert set(outcome.entry.claims) == {("email",), ("given_name",), ("age_over_18",)}
    assert (await _result(verifier, tx))["result"]["valid"] is True


async def test_default_answer_shares_the_minimum(
    wallet: Wallet, issuer: Service, verifier: Service
) -> None:
    await _stock(wallet, issuer)
    tx = await transaction(verifier, "newsletter")
    outcome = await wallet.present(tx["authorization_request"], _approve())
    assert outcome.entry.claims == (("email",),)
    result = (await _result(verifier, tx))["result"]
    assert result["valid"] is True
    assert "Ann" not in str(result["claims"]) and "1011" not in str(result["claims"])


async def test_rejects_a_pick_outside_the_request(
    wallet: Wallet, issuer: Service, verifier: Service
) -> None:
    await _stock(wallet, issuer)
    tx = await transaction(verifier, "newsletter")
    with pytest.raises(PidmError) as info:
        await wallet.present(tx["authorization_request"],
                             _approve({("contact", ("postal_code",))}))
    assert info.value.code == "MALFORMED_VALUE_ERROR"
    assert wallet.history() == []
    assert (await _result(verifier, tx))["status"] == "pending"


async def test_decline_posts_access_denied_and_records_it(
    wallet: Wallet, issuer: Service, verifier: Service
) -> None:
    await _stock(wallet, issuer)
    tx = await transaction(verifier)
    outcome = await wallet.present(tx["authorization_request"],
                                   lambda screen: ConsentDecision.decline())
    assert outcome.outcome == "declined"
    [entry] = wallet.history()
    assert entry.outcome == "declined" and entry.claims == () and entry.error is None
    assert entry.purpose.startswith("Confirm you are over 18")
    result = await _result(verifier, tx)
    assert result["status"] == "done"
    assert result["result"]["wallet_error"]["error"] == "access_denied"
    assert wallet.rewards() == {}


async def test_a_presentation_that_gets_no_answer_is_still_recorded(
    tmp_path: Path, clock: FixedClock, wallet: Wallet, issuer: Service
) -> None:
    await _stock(wallet, issuer)
    gone = await start_verifier(tmp_path / "gone", clock, [issuer.did])
    tx = await transaction(gone)

    async def approve_then_verifier_dies(screen: ConsentScreen) -> ConsentDecision:
        await gone.stop()
        return ConsentDecision.approve()

    outcome = await wallet.present(tx["authorization_request"], approve_then_verifier_dies)
    assert outcome.outcome == "failed" and outcome.receipt is None
    [entry] = wallet.history()
    assert (entry.outcome, entry.verifier_did, entry.receipt) == ("failed", gone.did, "missing")
    assert entry.claims == (("age_over_18",), ("postal_code",))
    assert entry.error is not None and entry.error.startswith("FETCH_REFUSED")
    assert wallet.rewards() == {}


async def test_no_matching_credentials(wallet: Wallet, verifier: Service) -> None:
    tx = await transaction(verifier)
    with pytest.raises(PidmError) as info:
        await wallet.present(tx["authorization_request"], _approve())
    assert info.value.code == "NO_MATCHING_CREDENTIALS"
    assert wallet.history() == []


async def test_copies_make_presentations_unlinkable(
    wallet: Wallet, issuer: Service, verifier: Service
) -> None:
    await _stock(wallet, issuer)
    thumbprints = []
    for _ in range(2):
        tx = await transaction(verifier)
        outcome = await wallet.present(tx["authorization_request"], _approve())
        assert outcome.receipt is not None
        receipt = wallet.locker.get("receipt", str(outcome.entry.receipt_id))
        assert receipt is not None
        thumbprints.append(receipt["receipt"]["credentialSubject"]["holderKeyThumbprint"])
    assert thumbprints[0] != thumbprints[1]
    assert [g.unused for g in wallet.credentials()] == [1, 1]


async def test_a_refused_presentation_is_recorded_as_rejected(
    wallet: Wallet, issuer: Service, verifier: Service
) -> None:
    await _stock(wallet, issuer)
    status, listing = await issuer.admin("GET", "/admin/credentials")
    assert status == 200
    for record in listing["credentials"]:
        status, _ = await issuer.admin("POST",
                                       f"/admin/credentials/{record['credential_id']}/revoke")
        assert status == 200
    tx = await transaction(verifier)
    outcome = await wallet.present(tx["authorization_request"], _approve())
    assert outcome.outcome == "rejected"
    assert outcome.entry.receipt == "missing"
    assert outcome.entry.error is not None and "CREDENTIAL_REVOKED" in outcome.entry.error
    assert [e.outcome for e in wallet.history()] == ["rejected"]
    assert wallet.rewards() == {}


# --- forged requests ----------------------------------------------------------------------------
def _with_request_uri(uri: str, request_uri: str) -> str:
    params = {k: v[0] for k, v in parse_qs(urlsplit(uri).query).items()}
    params["request_uri"] = request_uri
    return "openid4vp://?" + urlencode(params)


async def _forged(wallet: Wallet, verifier: Service, forge: Any) -> tuple[PidmError, Any]:
    tx = await transaction(verifier)
    genuine = await fetch_text(tx["request_uri"])
    server = await static_server({"/forged": lambda: forge(genuine)})
    try:
        with pytest.raises(PidmError) as info:
            await wallet.present(_with_request_uri(tx["authorization_request"],
                                                   server.url + "/forged"), _approve())
    finally:
        await server.stop()
    assert server.hits == ["/forged"]
    assert wallet.history() == []
    assert (await _result(verifier, tx))["status"] == "pending"
    return info.value, tx


async def test_rejects_tampered_request_object(
    wallet: Wallet, issuer: Service, verifier: Service
) -> None:
    await _stock(wallet, issuer)

    def tamper(token: str) -> str:
        head, body, sig = token.split(".")
        payload = decode_jwt(token).payload
        payload["purpose"] = "Totally harmless"
        payload["response_uri"] = "http://127.0.0.1:9/steal"
        return ".".join((head, b64url_encode(json.dumps(payload).encode()), sig))

    error, _ = await _forged(wallet, verifier, tamper)
    assert error.code == "PROOF_VERIFICATION_ERROR"


async def test_rejects_request_signed_by_a_key_of_another_did(
    wallet: Wallet, issuer: Service, verifier: Service
) -> None:
    await _stock(wallet, issuer)
    other = KeyPair.generate("Ed25519")
    other = other.with_key_id(did_key_vm_id(other.public))

    def resign(token: str) -> str:
        jwt = decode_jwt(token)
        return sign_jwt({"typ": jwt.header["typ"]}, jwt.payload, other)

    error, _ = await _forged(wallet, verifier, resign)
    assert error.code == "CLIENT_KEY_MISMATCH"
    assert did_key(other.public) != verifier.did


async def test_rejects_request_signed_by_another_key_under_the_client_kid(
    wallet: Wallet, issuer: Service, verifier: Service
) -> None:
    await _stock(wallet, issuer)
    other = KeyPair.generate("Ed25519")

    def resign(token: str) -> str:
        jwt = decode_jwt(token)
        return sign_jwt(dict(jwt.header), jwt.payload, other.with_key_id(jwt.header["kid"]))

    error, _ = await _forged(wallet, verifier, resign)
    assert error.code == "PROOF_VERIFICATION_ERROR"


async def test_rejects_another_real_verifiers_request_under_this_client_id(
    tmp_path: Path, clock: FixedClock, wallet: Wallet, issuer: Service, verifier: Service
) -> None:
    await _stock(wallet, issuer)
    other = await start_verifier(tmp_path / "other", clock, [issuer.did])
    try:
        theirs = await transaction(other)
        ours = await transaction(verifier)
        mixed = _with_request_uri(ours["authorization_request"], theirs["request_uri"])
        with pytest.raises(PidmError) as info:
            await wallet.present(mixed, _approve())
        assert info.value.code == "INVALID_REQUEST_OBJECT"
        assert other.did != verifier.did and other.did in str(info.value)
        assert (await _result(other, theirs))["status"] == "pending"
    finally:
        await other.stop()
    assert wallet.history() == []
    assert (await _result(verifier, ours))["status"] == "pending"


async def test_a_failing_request_uri_is_refused_in_one_short_line(wallet: Wallet) -> None:
    from aiohttp import web

    from tests.wallet.services import _serve, _socket

    page = "<html>\n  <body>\n    <h1>Gone</h1>\n" + "x" * 5000 + "\n  </body>\n</html>"

    async def gone(request: web.Request) -> web.Response:
        return web.Response(status=404, text=page, content_type="text/html")

    app = web.Application()
    app.router.add_get("/r", gone)
    sock = _socket()
    runner = await _serve(app, sock)
    uri = "openid4vp://?" + urlencode({
        "client_id": "decentralized_identifier:did:key:"
                     "z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2doK",
        "request_uri": f"http://127.0.0.1:{sock.getsockname()[1]}/r"})
    try:
        with pytest.raises(PidmError) as info:
            await wallet.present(uri, _approve())
    finally:
        await runner.cleanup()
    assert info.value.code == "INVALID_AUTHORIZATION_REQUEST"
    message = str(info.value)
    assert message.startswith("the request_uri answered HTTP 404: <html> <body> <h1>Gone</h1> x")
    assert "\n" not in message and len(message) < 260 and message.endswith("…")
    assert wallet.history() == []


# --- receipts -----------------------------------------------------------------------------------
async def test_a_tampered_receipt_does_not_verify(
    wallet: Wallet, issuer: Service, verifier: Service
) -> None:
    from wallet.receipts import check_receipt

    await _stock(wallet, issuer)
    outcome = await wallet.present((await transaction(verifier))["authorization_request"],
                                   _approve())
    stored = wallet.locker.get("receipt", str(outcome.entry.receipt_id))
    assert stored is not None
    receipt = stored["receipt"]
    thumb = {receipt["credentialSubject"]["holderKeyThumbprint"]}
    kwargs: dict[str, Any] = {"resolver": wallet.resolver, "now": T0, "thumbprints": thumb,
                              "purpose": outcome.entry.purpose}
    good = await check_receipt(receipt, verifier_did=verifier.did, **kwargs)
    assert good.status == "verified" and good.granted is not None
    richer = {**receipt, "credentialSubject": {**receipt["credentialSubject"],
                                               "reward": {"kind": "points", "amount": "1000",
                                                          "unit": "points"}}}
    bad = await check_receipt(richer, verifier_did=verifier.did, **kwargs)
    assert bad.status == "invalid" and bad.code == "PROOF_VERIFICATION_ERROR"
    foreign = await check_receipt(receipt, verifier_did=issuer.did, **kwargs)
    assert foreign.status == "invalid" and foreign.code == "INVALID_CREDENTIAL"
    missing = await check_receipt(None, verifier_did=verifier.did, **kwargs)
    assert missing.status == "missing"


# --- passphrase, backups, crashes -------------------------------------------------------------
async def test_rejects_wrong_passphrase(tmp_path: Path, wallet: Wallet) -> None:
    wallet.close()
    with pytest.raises(PidmError) as info:
        Wallet.open(tmp_path / "wallet", "not the passphrase")
    assert info.value.code == "WRONG_PASSPHRASE"
    with pytest.raises(PidmError) as info:
        Wallet.open(tmp_path / "nowhere", PASS)
    assert info.value.code == "WALLET_NOT_FOUND"


async def test_backup_restores_everything_and_refuses_damage(
    tmp_path: Path, wallet: Wallet, issuer: Service, verifier: Service, clock: FixedClock
) -> None:
    await _stock(wallet, issuer)
    await wallet.present((await transaction(verifier))["authorization_request"], _approve())
    backup = tmp_path / "wallet.backup"
    wallet.export(backup, "backup secret", kdf=KdfParams.MINIMUM)
    before = ([g.id for g in wallet.credentials()], wallet.history())
    wallet.close()
    restored_dir = Wallet.restore(backup, "backup secret", tmp_path / "moved")
    with Wallet.open(restored_dir, PASS, clock=clock, options=LOCAL) as moved:
        assert ([g.id for g in moved.credentials()], moved.history()) == before
        tx = await transaction(verifier)
        assert (await moved.present(tx["authorization_request"], _approve())).outcome == "shared"
    original = (tmp_path / "moved" / DB_NAME).read_bytes()
    damaged = bytearray(backup.read_bytes())
    damaged[len(damaged) // 2] ^= 0x01
    (tmp_path / "damaged.backup").write_bytes(bytes(damaged))
    for path, secret in ((tmp_path / "damaged.backup", "backup secret"),
                         (backup, "wrong secret")):
        with pytest.raises(PidmError) as info:
            Wallet.restore(path, secret, tmp_path / "moved", force=True)
        assert info.value.code == "WRONG_PASSPHRASE"
        assert (tmp_path / "moved" / DB_NAME).read_bytes() == original
    with pytest.raises(PidmError) as info:
        Wallet.restore(backup, "backup secret", tmp_path / "moved")
    assert info.value.code == "CONFLICT"


WRITER = textwrap.dedent(
    """
    import asyncio, sys
    from wallet import Wallet
    from wallet.credentials import HeldCredential
    from wallet.history import HistoryEntry, record_history
    from datetime import datetime, UTC

    wallet = Wallet.open(sys.argv[1], sys.argv[2])
    template = wallet.credentials()[0].first
    i = 0
    while True:
        keys = [wallet._new_key() for _ in range(3)]
        group = f"g{i:06d}"
        copies = [("credential", f"{group}/{n}",
                   {**template.to_dict(), "group": group, "holder_key": k.key_id})
                  for n, k in enumerate(keys)]
        wallet.locker.put_records([*wallet._key_records(keys), *copies])
        entry = HistoryEntry(f"tx{i:06d}", datetime.now(UTC), "did:web:shop.example", None,
                             "purpose", (("email",),), (group,), outcome="pending")
        record_history(wallet.locker, entry)
        print(i, flush=True)
        i += 1
    """
)


async def test_kill_during_wallet_writes_loses_at_most_the_write_in_flight(
    tmp_path: Path, wallet: Wallet, issuer: Service
) -> None:
    await _stock(wallet, issuer)
    wallet.close()
    proc = subprocess.Popen(
        [sys.executable, "-c", WRITER, str(tmp_path / "wallet"), PASS], cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)}, stdout=subprocess.PIPE,
        stderr=subprocess.PIPE, text=True,
    )
    assert proc.stdout is not None
    last = -1
    try:
        for _ in range(25):
            line = proc.stdout.readline()
            assert line, proc.stderr.read() if proc.stderr else "writer died"
            last = int(line)
    finally:
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(timeout=30)
        proc.stdout.close()
        if proc.stderr:
            proc.stderr.close()
    with Wallet.open(tmp_path / "wallet", PASS) as reopened:
        groups = {g.id: g for g in reopened.credentials()}
        for i in range(last + 1):
            assert len(groups[f"g{i:06d}"].copies) == 3
            for copy in groups[f"g{i:06d}"].copies:
                assert reopened.locker.get("key", copy.holder_key) is not None
        # keys and credentials land in one transaction: no key without its credential
        held = {copy.holder_key for group in groups.values() for copy in group.copies}
        assert {record.id for record in reopened.locker.list("key")} == held
        history = {e.transaction_id for e in reopened.history()}
        assert {f"tx{i:06d}" for i in range(last + 1)} <= history
        assert len(history) in (last + 1, last + 2)
