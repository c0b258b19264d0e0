"""``wallet``'s public Python API: the names other programs import, pinned."""

from __future__ import annotations

import inspect
from pathlib import Path

import pytest

import wallet
from pidm.errors import PidmError
from wallet import KdfParams, Wallet


def test_public_names_are_pinned() -> None:
    assert sorted(wallet.__all__) == [
        "ConsentDecision", "ConsentScreen", "HttpLimits", "KdfParams", "PresentationOutcome",
        "Wallet", "WalletOptions",
    ]
    assert all(getattr(wallet, name).__module__.startswith("wallet.") for name in wallet.__all__)


def test_wallet_methods_the_cli_is_built_on() -> None:
    network = {"receive", "present"}
    local = {"create", "open", "close", "credentials", "credential", "delete", "history",
             "rewards", "export", "restore"}
    for name in network | local:
        method = getattr(Wallet, name)
        assert inspect.iscoroutinefunction(method) == (name in network), name
        assert method.__doc__, name


def test_a_program_can_create_use_and_lock_a_wallet(tmp_path: Path) -> None:
    with Wallet.create(tmp_path / "w", "api secret passphrase", kdf=KdfParams.MINIMUM) as opened:
        assert opened.credentials() == [] and opened.history() == []
        assert opened.rewards() == {}
    with pytest.raises(PidmError) as info:
        opened.credentials()
    assert info.value.code == "LOCKER_LOCKED"
    with pytest.raises(PidmError) as info:
        Wallet.open(tmp_path / "w", "not the secret")
    assert info.value.code == "WRONG_PASSPHRASE"
    with Wallet.open(tmp_path / "w", "api secret passphrase") as again:
        with pytest.raises(PidmError) as info:
            again.credential("abc")
        assert info.value.code == "NOT_FOUND"
