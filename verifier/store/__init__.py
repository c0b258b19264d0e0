"""Persistence of the verifier service: Protocols in base.py, SQLite and PostgreSQL backends."""
