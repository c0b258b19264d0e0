"""Server plumbing shared by the issuer and verifier services.

The core package ``pidm`` stays free of servers and databases (``tests/test_layering.py``), and
neither service should import the other, so what both need lives here, parametrized by what
differs between them: turning errors into HTTP responses (``middleware``, ``responses``), the
building blocks of their OpenAPI documents (``openapi``), writing (``init``) and checking
(``config``) their TOML configuration, and their stores' connections, schema migrations and
lifecycle (``db``, ``migrate``, ``lifecycle``).
"""
