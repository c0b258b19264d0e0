"""Persistence of the issuer service: Protocols in base.py, SQLite and PostgreSQL backends."""
