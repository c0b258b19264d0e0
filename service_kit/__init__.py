"""aiohttp plumbing shared by the issuer and verifier services.

The core package ``pidm`` stays free of servers (``tests/test_layering.py``), and neither service
should import the other, so what both need from aiohttp — turning errors into HTTP responses,
one way, for every route — lives here, parametrized by what differs between them.
"""
