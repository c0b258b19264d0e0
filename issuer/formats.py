"""The credentials the issuer signs, one builder per format.

* ``dc+sd-jwt`` (SD-JWT VC): ``iss`` the issuer DID, ``kid`` its DID URL, ``vct``, ``iat``,
  ``exp``, ``cnf.jwk`` the holder key, ``status.status_list`` → the Token Status List; the
  claims the configuration marks selectively disclosable become disclosures (plus decoys).
* ``ldp_vc`` (VCDM 2.0 + Data Integrity ``eddsa-rdfc-2022``): ``credentialSubject.id`` the
  holder DID, ``validFrom``/``validUntil``, and two ``BitstringStatusListEntry`` values
  (revocation and suspension) sharing one index.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import datetime
from typing import Any

from issuer.config import CredentialConfiguration, IssuerConfig
from issuer.metadata import CREDENTIAL_CONTEXT, CRYPTOSUITE
from issuer.proofs import HolderKey
from issuer.publisher import list_url
from issuer.status_lists import BITSTRING, TOKEN, Entry
from pidm.keys import Signer
from pidm.sdjwt import issue_sd_jwt
from pidm.status.bitstring_vc import format_datetime, status_list_entry
from pidm.status.token import status_claim

#: Up to this many decoy digests hide how many claims an SD-JWT VC carries.
DECOYS = 3


def subject_claims(conf: CredentialConfiguration, claims: Mapping[str, Any]) -> dict[str, Any]:
    """The offered claims that belong to ``conf``'s credential type, in type order."""
    return {name: claims[name] for name in conf.type.claim_names if name in claims}


def sd_jwt_vc(
    config: IssuerConfig,
    conf: CredentialConfiguration,
    claims: Mapping[str, Any],
    holder: HolderKey,
    entry: Entry,
    *,
    signer: Signer,
    now: datetime,
    rng: Callable[[int], bytes],
) -> str:
    """Issue one SD-JWT VC bound to ``holder`` with its Token Status List entry."""
    subject = subject_claims(conf, claims)
    return issue_sd_jwt(
        subject,
        signer=signer,
        disclose=[name for name in conf.type.disclosable if name in subject],
        holder_key=holder.public,
        vct=conf.type.vct,
        issuer=config.did,
        issued_at=now,
        expires=now + conf.type.validity,
        status=status_claim(list_url(config, TOKEN, entry.list_id), entry.index),
        decoys=DECOYS,
        rng=rng,
    )


def status_entries(config: IssuerConfig, entry: Entry) -> list[dict[str, Any]]:
    """The revocation and suspension ``BitstringStatusListEntry`` of a bitstring entry."""
    suspension = entry.suspension_list_id
    assert suspension is not None, "a bitstring entry has a suspension twin"
    return [
        status_list_entry(list_url(config, BITSTRING, entry.list_id), entry.index, "revocation"),
        status_list_entry(list_url(config, BITSTRING, suspension), entry.index, "suspension"),
    ]


def ldp_vc(
    config: IssuerConfig,
    conf: CredentialConfiguration,
    claims: Mapping[str, Any],
    holder: HolderKey,
    entry: Entry,
    *,
    credential_id: str,
    signer: Signer,
    now: datetime,
    loader: Any = None,
) -> dict[str, Any]:
    """Issue one VCDM 2.0 credential about ``holder``'s DID, signed ``eddsa-rdfc-2022``."""
    doc: dict[str, Any] = {
        "@context": list(CREDENTIAL_CONTEXT),
        "id": credential_id,
        "type": ["VerifiableCredential", conf.type.ld_type],
        "name": conf.type.display_name,
        "issuer": config.did,
        "validFrom": format_datetime(now),
        "validUntil": format_datetime(now + conf.type.validity),
        "credentialSubject": {"id": holder.subject_did, **subject_claims(conf, claims)},
        "credentialStatus": status_entries(config, entry),
    }
    return sign_ldp(doc, signer=signer, now=now, loader=loader)


def sign_ldp(doc: dict[str, Any], *, signer: Signer, now: datetime, loader: Any) -> dict[str, Any]:
    """Secure ``doc`` with an ``eddsa-rdfc-2022`` assertion proof created ``now``."""
    from pidm.integrity.proof import add_proof

    signed: dict[str, Any] = add_proof(
        doc, signer=signer, cryptosuite=CRYPTOSUITE, created=now, loader=loader
    )
    return signed
