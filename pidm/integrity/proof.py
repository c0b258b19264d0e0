"""Data Integrity proofs (VC Data Integrity 1.0 §4): add a proof, add to a proof set or chain,
verify one proof, verify every proof of a document.

Verification checks, in order: the proof's shape (MALFORMED_PROOF_ERROR), its purpose
(MISMATCHED_PROOF_PURPOSE_ERROR), domain and challenge (INVALID_DOMAIN_ERROR /
INVALID_CHALLENGE_ERROR), ``created``/``expires`` against ``now`` (INVALID_PROOF_DATETIME), that the
verification method is in the controller's DID document under the relationship named by the proof
purpose (VERIFICATION_METHOD_NOT_FOUND), and finally the cryptosuite's signature
(PROOF_VERIFICATION_ERROR). In a set or chain every proof must verify, and a proof naming
``previousProof`` is verified over the document together with the proofs it names (§4.4).
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping, Sequence
from datetime import datetime, timedelta
from typing import Any

from pidm.did.model import DIDURL, RELATIONSHIPS, DIDDocument, VerificationMethod
from pidm.did.resolver import DIDResolver
from pidm.encoding import multibase_decode, multibase_encode
from pidm.errors import (
    InvalidChallengeError,
    InvalidDomainError,
    InvalidProofDatetime,
    MalformedProofError,
    MalformedValueError,
    MismatchedProofPurposeError,
    ProofGenerationError,
    ProofVerificationError,
    UnsupportedAlgorithm,
    VerificationMethodNotFound,
    shorten,
)
from pidm.integrity.ecdsa_jcs_2019 import ECDSA_JCS_2019
from pidm.integrity.ecdsa_rdfc_2019 import ECDSA_RDFC_2019
from pidm.integrity.eddsa_jcs_2022 import EDDSA_JCS_2022
from pidm.integrity.eddsa_rdfc_2022 import EDDSA_RDFC_2022
from pidm.integrity.model import Proof
from pidm.integrity.suite import PROOF_TYPE, Cryptosuite
from pidm.integrity.xsd import format_datetime
from pidm.jsonld.loader import DocumentLoader
from pidm.keys import Signer

__all__ = [
    "DEFAULT_SKEW",
    "MAX_PROOFS",
    "SUITES",
    "add_proof",
    "get_suite",
    "proofs_of",
    "verify_document",
    "verify_proof",
]

#: Allowed difference between clocks when checking ``created`` and ``expires``.
DEFAULT_SKEW = timedelta(minutes=5)
#: A document may carry at most this many proofs (each costs a canonicalization).
MAX_PROOFS = 16
SUITES: dict[str, Cryptosuite] = {
    s.name: s for s in (EDDSA_RDFC_2022, EDDSA_JCS_2022, ECDSA_RDFC_2019, ECDSA_JCS_2019)}
_DI_CONTEXTS = ("https://www.w3.org/ns/credentials/v2", "https://w3id.org/security/data-integrity/v2")


def get_suite(name: str) -> Cryptosuite:
    """The cryptosuite called ``name``; UNSUPPORTED_ALGORITHM if pidm does not implement it."""
    suite = SUITES.get(name) if isinstance(name, str) else None
    if suite is None:
        raise UnsupportedAlgorithm(f"unsupported cryptosuite {shorten(name)}")
    return suite


def proofs_of(document: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    """The document's proofs as a list (a single proof object is a set of one)."""
    if not isinstance(document, Mapping):
        raise MalformedValueError("a secured document must be a JSON object")
    raw = document.get("proof")
    if raw is None:
        raise MalformedProofError("the document has no 'proof'")
    proofs = raw if isinstance(raw, list) else [raw]
    if not proofs:
        raise MalformedProofError("the document's 'proof' is empty")
    if len(proofs) > MAX_PROOFS:
        raise MalformedProofError(f"the document has more than {MAX_PROOFS} proofs")
    if not all(isinstance(p, Mapping) for p in proofs):
        raise MalformedProofError("every 'proof' entry must be an object")
    return list(proofs)


def _matching(proofs: Sequence[Mapping[str, Any]], wanted: Sequence[str],
              error: type[Exception]) -> list[dict[str, Any]]:
    """§4.3/§4.5: the proofs whose ``id`` a ``previousProof`` names (each must exist)."""
    out = []
    for proof_id in wanted:
        found = [p for p in proofs if p.get("id") == proof_id]
        if not found:
            raise error(f"previousProof {shorten(proof_id)} is not in the proof set")
        out.append(dict(found[0]))
    return out


def _input_document(document: Mapping[str, Any], matching: list[dict[str, Any]],
                    ) -> dict[str, Any]:
    unsecured = {k: v for k, v in document.items() if k != "proof"}
    if matching:
        unsecured["proof"] = matching
    return unsecured


def _inject_context(document: Mapping[str, Any]) -> dict[str, Any]:
    """§2.4.2 Context Injection: append the Data Integrity context when the document's
    ``@context`` defines neither it nor the VCDM 2.0 context."""
    out = dict(document)
    context = out.get("@context")
    if context is None:
        return out
    items = context if isinstance(context, list) else [context]
    if not any(c in _DI_CONTEXTS for c in items):
        out["@context"] = [*items, _DI_CONTEXTS[1]]
    return out


def _options(cryptosuite: str, verification_method: str, purpose: str, created: datetime, *,
             expires: datetime | None, challenge: str | None, domain: str | Sequence[str] | None,
             proof_id: str | None, previous_proof: str | Sequence[str] | None) -> dict[str, Any]:
    """The proof options, in the member order of the W3C examples."""
    options: dict[str, Any] = {"type": PROOF_TYPE}
    if proof_id is not None:
        options["id"] = proof_id
    options |= {"cryptosuite": cryptosuite, "created": format_datetime(created),
                "verificationMethod": verification_method, "proofPurpose": purpose}
    if expires is not None:
        options["expires"] = format_datetime(expires)
    if challenge is not None:
        options["challenge"] = challenge
    if domain is not None:
        options["domain"] = domain if isinstance(domain, str) else list(domain)
    if previous_proof:
        options["previousProof"] = (previous_proof if isinstance(previous_proof, str)
                                    else list(previous_proof))
    return options


def add_proof(
    document: Mapping[str, Any],
    *,
    signer: Signer,
    cryptosuite: str,
    created: datetime,
    proof_purpose: str = "assertionMethod",
    challenge: str | None = None,
    domain: str | Sequence[str] | None = None,
    expires: datetime | None = None,
    proof_id: str | None = None,
    previous_proof: str | Sequence[str] | None = None,
    loader: DocumentLoader | None = None,
) -> dict[str, Any]:
    """Return a copy of ``document`` secured with one more proof (§4.2 / §4.3).

    The verification method is ``signer.key_id``. A document that already has proofs gets a
    proof set; ``previous_proof`` (ids of proofs in it) makes a chain. Raises
    PROOF_GENERATION_ERROR, UNSUPPORTED_ALGORITHM (also for a signer whose key the suite does
    not use), and what canonicalization raises (DATA_LOSS_DETECTION_ERROR, UNKNOWN_CONTEXT, …).
    """
    suite = get_suite(cryptosuite).for_key(signer.algorithm)
    if not isinstance(document, Mapping):
        raise MalformedValueError("a document to secure must be a JSON object")
    if proof_purpose not in RELATIONSHIPS:
        raise ProofGenerationError(f"unknown proof purpose {shorten(proof_purpose)}")
    if not signer.key_id:
        raise ProofGenerationError("the signer has no key id (verificationMethod)")
    existing = proofs_of(document) if "proof" in document else []
    previous = [previous_proof] if isinstance(previous_proof, str) else list(previous_proof or [])
    options = _options(suite.name, signer.key_id, proof_purpose, created, expires=expires,
                       challenge=challenge, domain=domain, proof_id=proof_id,
                       previous_proof=previous_proof)
    base = _inject_context(document)
    unsecured = _input_document(base, _matching(existing, previous, ProofGenerationError))
    proof = suite.proof_options(options, unsecured)
    data = suite.hash(suite.transform(unsecured, loader=loader),
                      suite.configure(proof, unsecured, loader=loader))
    proof["proofValue"] = multibase_encode(suite.sign(data, signer), "z")
    secured = {k: v for k, v in base.items() if k != "proof"}
    secured["proof"] = [*existing, proof] if existing else proof
    return secured


def _check_options(proof: Proof, *, now: datetime, expected_purpose: str | None,
                   challenge: str | None, domain: str | Sequence[str] | None,
                   skew: timedelta) -> None:
    """§4.4 Verify Proof steps 4–7, plus ``created`` / ``expires`` against ``now``."""
    if expected_purpose is not None and proof.proof_purpose != expected_purpose:
        raise MismatchedProofPurposeError(
            f"proof purpose is {shorten(proof.proof_purpose)}, expected {expected_purpose}")
    if domain is not None:
        wanted = {domain} if isinstance(domain, str) else set(domain)
        if set(proof.domain) != wanted:
            raise InvalidDomainError(f"proof domain {shorten(list(proof.domain))} does not "
                                     f"match {shorten(sorted(wanted))}")
    if challenge is not None and proof.challenge != challenge:
        raise InvalidChallengeError("proof challenge does not match the expected challenge")
    # Differences, not now ± skew: that overflowed near year 1 or 9999 (OverflowError).
    if proof.created is not None and proof.created - now > skew:
        raise InvalidProofDatetime(f"proof created {proof.raw.get('created')} is in the future")
    if proof.expires is not None and now - proof.expires >= skew:
        raise InvalidProofDatetime(f"proof expired at {proof.raw.get('expires')}")


def method_id(verification_method: str) -> str:
    """The DID URL of a proof's verification method.

    A bare did:key DID names its only key, ``did:key:z…#z…`` (did:key §3.1.2); the W3C
    Bitstring Status List examples are signed that way.
    """
    if "#" not in verification_method and verification_method.startswith("did:key:"):
        return f"{verification_method}#{verification_method[len('did:key:'):]}"
    return verification_method


def _did_of(vm_id: str) -> str:
    return str(DIDURL.parse(vm_id).did)


def _authorized(controller: DIDDocument, proof: Proof) -> VerificationMethod:
    vm_id = method_id(proof.verification_method)
    if _did_of(vm_id) != controller.id:
        raise VerificationMethodNotFound(
            f"{shorten(vm_id)} does not belong to DID document {shorten(controller.id)}")
    vm = controller.authorized(vm_id, proof.proof_purpose)
    if vm.controller != controller.id:
        raise VerificationMethodNotFound(f"{shorten(vm.id)} is controlled by "
                                         f"{shorten(vm.controller)}, not {shorten(controller.id)}")
    return vm


def verify_proof(
    document: Mapping[str, Any],
    proof: Mapping[str, Any],
    *,
    controller: DIDDocument,
    now: datetime,
    expected_purpose: str | None = "assertionMethod",
    challenge: str | None = None,
    domain: str | Sequence[str] | None = None,
    loader: DocumentLoader | None = None,
    skew: timedelta = DEFAULT_SKEW,
) -> VerificationMethod:
    """Verify ``proof`` (one of ``document``'s proofs) with keys from ``controller``'s document.

    Returns the verification method that signed. Raises the codes listed in the module
    docstring; canonicalization failures keep their own codes.
    """
    parsed = Proof.parse(proof)
    get_suite(parsed.cryptosuite)
    _check_options(parsed, now=now, expected_purpose=expected_purpose, challenge=challenge,
                   domain=domain, skew=skew)
    return _verify_signature(document, parsed, proofs_of(document), controller, loader)


def _verify_signature(document: Mapping[str, Any], parsed: Proof,
                      proofs: Sequence[Mapping[str, Any]], controller: DIDDocument,
                      loader: DocumentLoader | None) -> VerificationMethod:
    """§4.4 from key retrieval on, for a proof whose options were checked: the verification
    method, then the cryptosuite over the document (with the proofs a chain names)."""
    vm = _authorized(controller, parsed)
    suite = _suite_for(parsed.cryptosuite, vm)
    signature = multibase_decode_proof(parsed.proof_value)
    matching = _matching(proofs, parsed.previous_proof, ProofVerificationError)
    options = {k: v for k, v in parsed.raw.items() if k != "proofValue"}
    unsecured, config = suite.verify_inputs(_input_document(document, matching), options)
    data = suite.hash(suite.transform(unsecured, loader=loader),
                      suite.configure(config, unsecured, loader=loader))
    if not suite.verify(data, signature, vm.public_key):
        raise ProofVerificationError(f"{suite.name} signature by {shorten(vm.id)} does not verify")
    return vm


def _suite_for(name: str, vm: VerificationMethod) -> Cryptosuite:
    """The cryptosuite bound to ``vm``'s key; PROOF_VERIFICATION_ERROR for a key the suite
    does not use (an Ed25519 key named in an ECDSA proof, say)."""
    suite = get_suite(name)
    try:
        return suite.for_key(vm.public_key.algorithm)
    except UnsupportedAlgorithm as exc:
        raise ProofVerificationError(f"{name} proof names {shorten(vm.id)}, a "
                                     f"{vm.public_key.algorithm} key it cannot be made with"
                                     ) from exc


def multibase_decode_proof(value: str) -> bytes:
    """Decode a base58btc ``proofValue``; MALFORMED_PROOF_ERROR if it is not one."""
    try:
        return multibase_decode(value, field="proofValue", allowed="z")
    except MalformedValueError as exc:
        raise MalformedProofError(str(exc)) from exc


async def verify_document(
    document: Mapping[str, Any],
    *,
    resolver: DIDResolver,
    now: datetime,
    expected_purpose: str | None = "assertionMethod",
    challenge: str | None = None,
    domain: str | Sequence[str] | None = None,
    loader: DocumentLoader | None = None,
    skew: timedelta = DEFAULT_SKEW,
) -> tuple[VerificationMethod, ...]:
    """Verify every proof of ``document`` (§4.5), resolving each verification method's DID
    through ``resolver``. Returns the verification methods, in proof order."""
    raw_proofs = proofs_of(document)
    proofs = [Proof.parse(p) for p in raw_proofs]
    for proof in proofs:
        _check_options(proof, now=now, expected_purpose=expected_purpose, challenge=challenge,
                       domain=domain, skew=skew)
    dids = [_did_of(method_id(p.verification_method)) for p in proofs]
    unique = list(dict.fromkeys(dids))
    if len(unique) == 1:  # the usual case: no task per lookup
        docs = [await resolver.resolve(unique[0])]
    else:
        docs = await asyncio.gather(*(resolver.resolve(did) for did in unique))
    by_did = {doc.id: doc for doc in docs}
    methods = []
    for proof, did in zip(proofs, dids, strict=True):
        controller = by_did.get(did)
        if controller is None:
            raise VerificationMethodNotFound(f"no DID document was resolved for {shorten(did)}")
        methods.append(_verify_signature(document, proof, raw_proofs, controller, loader))
    return tuple(methods)
