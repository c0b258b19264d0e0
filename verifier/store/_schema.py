"""The verifier schema, one ordered list of migration steps per backend (see
``service_kit.migrate``). Never edit a released step: append a new one."""

from __future__ import annotations

from service_kit.migrate import Step

SQLITE_STEPS: tuple[Step, ...] = (
    (
        """CREATE TABLE transactions (
            tx_id TEXT PRIMARY KEY,
            request_name TEXT NOT NULL,
            nonce TEXT NOT NULL UNIQUE,
            state TEXT NOT NULL UNIQUE,
            request_jwt TEXT,
            status TEXT NOT NULL CHECK (status IN ('pending', 'done', 'expired')),
            created_at TEXT NOT NULL,
            expires_at TEXT NOT NULL,
            metadata TEXT NOT NULL,
            result TEXT,
            completed_at TEXT)""",
        "CREATE INDEX transactions_expiry ON transactions (status, expires_at)",
        "CREATE TABLE used_nonces (nonce TEXT PRIMARY KEY, expires_at TEXT NOT NULL)",
        """CREATE TABLE webhooks (
            tx_id TEXT PRIMARY KEY REFERENCES transactions (tx_id) ON DELETE CASCADE,
            url TEXT NOT NULL,
            attempts INTEGER NOT NULL DEFAULT 0,
            next_attempt_at TEXT,
            delivered_at TEXT,
            last_error TEXT)""",
        "CREATE INDEX webhooks_due ON webhooks (next_attempt_at)",
    ),
)

POSTGRES_STEPS: tuple[Step, ...] = (
    (
        """CREATE TABLE transactions (
            tx_id TEXT PRIMARY KEY,
            request_name TEXT NOT NULL,
            nonce TEXT NOT NULL UNIQUE,
            state TEXT NOT NULL UNIQUE,
            request_jwt TEXT,
            status TEXT NOT NULL CHECK (status IN ('pending', 'done', 'expired')),
            created_at TIMESTAMPTZ NOT NULL,
            expires_at TIMESTAMPTZ NOT NULL,
            metadata JSONB NOT NULL,
            result JSONB,
            completed_at TIMESTAMPTZ)""",
        "CREATE INDEX transactions_expiry ON transactions (status, expires_at)",
        "CREATE TABLE used_nonces (nonce TEXT PRIMARY KEY, expires_at TIMESTAMPTZ NOT NULL)",
        """CREATE TABLE webhooks (
            tx_id TEXT PRIMARY KEY REFERENCES transactions (tx_id) ON DELETE CASCADE,
            url TEXT NOT NULL,
            attempts INTEGER NOT NULL DEFAULT 0,
            next_attempt_at TIMESTAMPTZ,
            delivered_at TIMESTAMPTZ,
            last_error TEXT)""",
        "CREATE INDEX webhooks_due ON webhooks (next_attempt_at)",
    ),
)
