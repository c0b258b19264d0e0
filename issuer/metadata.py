"""The issuer's published metadata, built from the configuration (pure functions).

* OpenID4VCI 1.0 §12.2 Credential Issuer Metadata (``/.well-known/openid-credential-issuer``),
  with one credential configuration per credential type and format (Appendix A.1.2 ``ldp_vc``,
  A.3 ``dc+sd-jwt``) and the claims description of Appendix B.2.
* RFC 8414 Authorization Server Metadata (``/.well-known/oauth-authorization-server``) with
  OpenID4VCI §12.3 ``pre-authorized_grant_anonymous_access_supported``.
* The did:web DID document (``/.well-known/did.json``) naming the signing key.
"""

from __future__ import annotations

from typing import Any

from issuer.config import CredentialConfiguration, IssuerConfig
from issuer.proofs import PROOF_ALGS
from pidm.keys import JOSE_ALG, PublicKey
from pidm.oid4vc.vci import PRE_AUTHORIZED_GRANT

VCDM2_CONTEXT = "https://www.w3.org/ns/credentials/v2"
#: VCDM 2.0 §5.2: maps the configured claim names and types to ``undefined-term#`` IRIs, so
#: verifiers need no context beyond the two bundled with every pidm loader.
UNDEFINED_TERMS_CONTEXT = "https://www.w3.org/ns/credentials/undefined-terms/v2"
CREDENTIAL_CONTEXT = (VCDM2_CONTEXT, UNDEFINED_TERMS_CONTEXT)
CRYPTOSUITE = "eddsa-rdfc-2022"
LOCALE = "en"

CREDENTIAL_PATH = "/credential"
NONCE_PATH = "/nonce"
TOKEN_PATH = "/token"
OFFER_PATH = "/offers/{offer_id}"


def credential_issuer_metadata(config: IssuerConfig, signing_key: PublicKey) -> dict[str, Any]:
    """The Credential Issuer Metadata document (unsigned JSON)."""
    meta: dict[str, Any] = {
        "credential_issuer": config.public_url,
        "credential_endpoint": config.url(CREDENTIAL_PATH),
        "nonce_endpoint": config.url(NONCE_PATH),
        "token_endpoint": config.url(TOKEN_PATH),  # pidm extension: saves the RFC 8414 trip
    }
    if config.batch_size >= 2:
        meta["batch_credential_issuance"] = {"batch_size": config.batch_size}
    meta["display"] = [{"name": config.name, "locale": LOCALE}]
    meta["credential_configurations_supported"] = {
        cid: configuration_metadata(c, signing_key) for cid, c in config.configurations.items()
    }
    return meta


def configuration_metadata(conf: CredentialConfiguration, signing_key: PublicKey) -> dict[str, Any]:
    """One entry of ``credential_configurations_supported``."""
    ctype = conf.type
    out: dict[str, Any] = {"format": conf.format, "scope": conf.id}
    if conf.format == "dc+sd-jwt":
        out["cryptographic_binding_methods_supported"] = ["jwk"]
        out["credential_signing_alg_values_supported"] = [JOSE_ALG[signing_key.algorithm]]
    else:
        out["cryptographic_binding_methods_supported"] = ["did:key", "did:jwk"]
        out["credential_signing_alg_values_supported"] = [CRYPTOSUITE]
    out["proof_types_supported"] = {
        "jwt": {"proof_signing_alg_values_supported": list(PROOF_ALGS)}
    }
    prefix: list[str] = []
    if conf.format == "dc+sd-jwt":
        out["vct"] = ctype.vct
    else:
        out["credential_definition"] = {
            "@context": list(CREDENTIAL_CONTEXT),
            "type": ["VerifiableCredential", ctype.ld_type],
        }
        prefix = ["credentialSubject"]
    out["credential_metadata"] = {
        "display": [{"name": ctype.display_name, "locale": LOCALE}],
        "claims": [
            {
                "path": [*prefix, claim.name],
                "display": [{"name": claim.display, "locale": LOCALE}],
            }
            for claim in ctype.claims
        ],
    }
    return out


def authorization_server_metadata(config: IssuerConfig) -> dict[str, Any]:
    """RFC 8414 metadata of the built-in authorization server (pre-authorized code only)."""
    return {
        "issuer": config.public_url,
        "token_endpoint": config.url(TOKEN_PATH),
        "grant_types_supported": [PRE_AUTHORIZED_GRANT],
        "token_endpoint_auth_methods_supported": ["none"],
        "pre-authorized_grant_anonymous_access_supported": True,
    }


def did_document(config: IssuerConfig, public: PublicKey) -> dict[str, Any]:
    """The did:web document: one Multikey used for assertions (credentials, status lists)."""
    vm_id = f"{config.did}#key-1"
    return {
        "@context": ["https://www.w3.org/ns/did/v1", "https://w3id.org/security/multikey/v1"],
        "id": config.did,
        "verificationMethod": [
            {
                "id": vm_id,
                "type": "Multikey",
                "controller": config.did,
                "publicKeyMultibase": public.to_multikey(),
            }
        ],
        "assertionMethod": [vm_id],
        "authentication": [vm_id],
    }
