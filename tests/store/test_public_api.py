"""The stores' curated public names, and every backend offering every Protocol method."""

from __future__ import annotations

import inspect

import pytest

import issuer.store
import verifier.store
from issuer.store.base import IssuerStore
from issuer.store.postgres import PostgresIssuerStore
from issuer.store.sqlite import SqliteIssuerStore
from verifier.store.base import VerifierStore
from verifier.store.postgres import PostgresVerifierStore
from verifier.store.sqlite import SqliteVerifierStore


def test_issuer_store_public_names() -> None:
    assert sorted(issuer.store.__all__) == [
        "AccessToken",
        "CredentialRecord",
        "CredentialStatus",
        "CredentialStore",
        "IssuerStore",
        "NonceStore",
        "Offer",
        "OfferStore",
        "StatusList",
        "StatusListFull",
        "StatusListState",
        "StatusListStore",
        "TokenStore",
        "open_store",
        "secret_hash",
    ]


def test_verifier_store_public_names() -> None:
    assert sorted(verifier.store.__all__) == [
        "Transaction",
        "TransactionStore",
        "TxStatus",
        "VerifierStore",
        "WebhookDelivery",
        "WebhookStore",
        "open_store",
    ]


def _protocol_methods(protocol: type) -> dict[str, inspect.Signature]:
    return {
        name: inspect.signature(member)
        for klass in protocol.__mro__
        if getattr(klass, "_is_protocol", False)
        for name, member in vars(klass).items()
        if inspect.iscoroutinefunction(member)
    }


@pytest.mark.parametrize(
    ("protocol", "backend"),
    [
        (IssuerStore, SqliteIssuerStore),
        (IssuerStore, PostgresIssuerStore),
        (VerifierStore, SqliteVerifierStore),
        (VerifierStore, PostgresVerifierStore),
    ],
    ids=lambda v: v.__name__,
)
def test_backend_implements_every_method(protocol: type, backend: type) -> None:
    methods = _protocol_methods(protocol)
    assert len(methods) > 8
    for name, signature in methods.items():
        impl = getattr(backend, name)
        assert inspect.iscoroutinefunction(impl), name
        assert list(inspect.signature(impl).parameters) == list(signature.parameters), name


def test_secret_hash_is_sha256_base64url() -> None:
    assert issuer.store.secret_hash("abc") == "ungWv48Bz-pBQUDeXa4iI7ADYaOWF3qctBD_YfIAFa0"
