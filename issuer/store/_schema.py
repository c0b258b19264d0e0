"""The issuer schema, one ordered list of migration steps per backend (see
``service_kit.migrate``).

Never edit a released step: append a new one.
"""

from __future__ import annotations

from service_kit.migrate import Step

SQLITE_STEPS: tuple[Step, ...] = (
    (
        """CREATE TABLE offers (
            offer_id TEXT PRIMARY KEY,
            configuration_ids TEXT NOT NULL,
            subject TEXT NOT NULL,
            pre_auth_code_hash TEXT NOT NULL UNIQUE,
            tx_code_hash TEXT,
            created_at TEXT NOT NULL,
            expires_at TEXT NOT NULL,
            used_at TEXT)""",
        """CREATE TABLE access_tokens (
            token_hash TEXT PRIMARY KEY,
            offer_id TEXT NOT NULL REFERENCES offers (offer_id) ON DELETE CASCADE,
            expires_at TEXT NOT NULL)""",
        "CREATE INDEX access_tokens_offer ON access_tokens (offer_id)",
        "CREATE TABLE c_nonces (nonce TEXT PRIMARY KEY, expires_at TEXT NOT NULL)",
        """CREATE TABLE status_lists (
            list_id TEXT PRIMARY KEY,
            purpose TEXT NOT NULL,
            size INTEGER NOT NULL CHECK (size > 0),
            status_size INTEGER NOT NULL,
            bits BLOB NOT NULL,
            version INTEGER NOT NULL DEFAULT 0,
            created_at TEXT NOT NULL,
            updated_at TEXT NOT NULL)""",
        """CREATE TABLE status_allocations (
            list_id TEXT NOT NULL REFERENCES status_lists (list_id),
            idx INTEGER NOT NULL,
            PRIMARY KEY (list_id, idx)) WITHOUT ROWID""",
        """CREATE TABLE credentials (
            credential_id TEXT PRIMARY KEY,
            configuration_id TEXT NOT NULL,
            format TEXT NOT NULL,
            holder_thumbprint TEXT,
            status_list_id TEXT REFERENCES status_lists (list_id),
            status_index INTEGER,
            status TEXT NOT NULL CHECK (status IN ('valid', 'suspended', 'revoked')),
            issued_at TEXT NOT NULL,
            expires_at TEXT,
            UNIQUE (status_list_id, status_index))""",
        "CREATE INDEX credentials_holder ON credentials (holder_thumbprint)",
        "CREATE INDEX credentials_issued ON credentials (issued_at)",
    ),
    # 2: wrong tx_codes are counted in the store, so every replica sees the same count
    ("ALTER TABLE offers ADD COLUMN tx_failures INTEGER NOT NULL DEFAULT 0",),
)

POSTGRES_STEPS: tuple[Step, ...] = (
    (
        """CREATE TABLE offers (
            offer_id TEXT PRIMARY KEY,
            configuration_ids JSONB NOT NULL,
            subject JSONB NOT NULL,
            pre_auth_code_hash TEXT NOT NULL UNIQUE,
            tx_code_hash TEXT,
            created_at TIMESTAMPTZ NOT NULL,
            expires_at TIMESTAMPTZ NOT NULL,
            used_at TIMESTAMPTZ)""",
        """CREATE TABLE access_tokens (
            token_hash TEXT PRIMARY KEY,
            offer_id TEXT NOT NULL REFERENCES offers (offer_id) ON DELETE CASCADE,
            expires_at TIMESTAMPTZ NOT NULL)""",
        "CREATE INDEX access_tokens_offer ON access_tokens (offer_id)",
        "CREATE TABLE c_nonces (nonce TEXT PRIMARY KEY, expires_at TIMESTAMPTZ NOT NULL)",
        """CREATE TABLE status_lists (
            list_id TEXT PRIMARY KEY,
            purpose TEXT NOT NULL,
            size INTEGER NOT NULL CHECK (size > 0),
            status_size INTEGER NOT NULL,
            bits BYTEA NOT NULL,
            version BIGINT NOT NULL DEFAULT 0,
            created_at TIMESTAMPTZ NOT NULL,
            updated_at TIMESTAMPTZ NOT NULL)""",
        """CREATE TABLE status_allocations (
            list_id TEXT NOT NULL REFERENCES status_lists (list_id),
            idx INTEGER NOT NULL,
            PRIMARY KEY (list_id, idx))""",
        """CREATE TABLE credentials (
            credential_id TEXT PRIMARY KEY,
            configuration_id TEXT NOT NULL,
            format TEXT NOT NULL,
            holder_thumbprint TEXT,
            status_list_id TEXT REFERENCES status_lists (list_id),
            status_index INTEGER,
            status TEXT NOT NULL CHECK (status IN ('valid', 'suspended', 'revoked')),
            issued_at TIMESTAMPTZ NOT NULL,
            expires_at TIMESTAMPTZ,
            UNIQUE (status_list_id, status_index))""",
        "CREATE INDEX credentials_holder ON credentials (holder_thumbprint)",
        "CREATE INDEX credentials_issued ON credentials (issued_at)",
    ),
    # 2: wrong tx_codes are counted in the store, so every replica sees the same count
    ("ALTER TABLE offers ADD COLUMN tx_failures INTEGER NOT NULL DEFAULT 0",),
)
