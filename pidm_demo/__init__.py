"""``pidm demo``: the main job end to end on loopback, narrated and checked.

Two issuers (a retailer's loyalty programme and an age-verification provider), a marketer's
verifier and a consumer's wallet, all in one process with embedded SQLite in a temporary
directory. This package sits outside ``pidm/`` because it runs servers; the ``pidm`` command
reaches it through :mod:`pidm.cli_demo`.
"""

from __future__ import annotations

from pidm_demo.run import demo_main, run_demo

__all__ = ["demo_main", "run_demo"]
