"""Wallet storage: the :class:`RecordStore` port and its SQLite implementation."""

from __future__ import annotations

from wallet.store.base import FORMAT_VERSION, RecordStore, StoredRow, WalletHeader
from wallet.store.sqlite import SqliteStore

__all__ = ["FORMAT_VERSION", "RecordStore", "SqliteStore", "StoredRow", "WalletHeader"]
