"""One exception hierarchy with stable, machine-readable codes.

Every error pidm raises is a :class:`PidmError`. Each concrete class carries a ``code`` (a W3C
code where a specification defines one — VCDM 2.0 §7.2, Data Integrity 1.0 §2.4, Bitstring Status
List §3.5 — otherwise a project SCREAMING_SNAKE code), the verification ``check`` it belongs to,
and the HTTP status a service answers with. Released codes never change; every code has a row in
``specs/errors.md``.

    PidmError
    ├── InputError              PARSING_ERROR, MALFORMED_VALUE_ERROR, PAYLOAD_TOO_LARGE,
    │                           UNSUPPORTED_ALGORITHM
    ├── ContextError            UNKNOWN_CONTEXT, DATA_LOSS_DETECTION_ERROR, CANONICALIZATION_LIMIT
    ├── KeyMaterialError        INVALID_KEY
    ├── ResolutionError         INVALID_DID, DID_NOT_FOUND, METHOD_NOT_SUPPORTED,
    │                           VERIFICATION_METHOD_NOT_FOUND, FETCH_REFUSED
    ├── ProofError              PROOF_GENERATION_ERROR, MALFORMED_PROOF_ERROR,
    │                           MISMATCHED_PROOF_PURPOSE_ERROR, INVALID_DOMAIN_ERROR,
    │                           INVALID_CHALLENGE_ERROR, PROOF_TRANSFORMATION_ERROR,
    │                           INVALID_PROOF_CONFIGURATION, INVALID_PROOF_DATETIME,
    │                           PROOF_VERIFICATION_ERROR
    ├── CredentialError         INVALID_CREDENTIAL
    ├── SdJwtError              DISCLOSURE_DUPLICATE, DISCLOSURE_ORPHAN, DISCLOSURE_INVALID,
    │                           KB_JWT_INVALID, SD_ALG_UNSUPPORTED
    ├── HolderBindingError      NONCE_MISMATCH, NONCE_REPLAYED, AUDIENCE_MISMATCH
    ├── ValidityError           CREDENTIAL_EXPIRED, CREDENTIAL_NOT_YET_VALID
    ├── TrustError              ISSUER_NOT_TRUSTED
    ├── StatusError             STATUS_RETRIEVAL_ERROR, STATUS_VERIFICATION_ERROR,
    │                           STATUS_LIST_LENGTH_ERROR, CREDENTIAL_REVOKED, CREDENTIAL_SUSPENDED
    ├── WalletError             LOCKER_LOCKED, WRONG_PASSPHRASE, CONSENT_REFUSED, WALLET_NOT_FOUND
    ├── StoreError              STORE_UNAVAILABLE, CONFLICT
    └── ServiceError            CONFIG_ERROR, UNAUTHORIZED, NOT_FOUND
"""

from __future__ import annotations

from typing import Any, ClassVar

_VCDM = "https://www.w3.org/TR/vc-data-model#"
_SECURITY = "https://w3id.org/security#"
_STATUS = "https://www.w3.org/ns/credentials/status-list#"
_PIDM = "https://pidm.dev/errors#"

_MAX_VALUE_IN_MESSAGE = 80


def shorten(value: object, limit: int = _MAX_VALUE_IN_MESSAGE) -> str:
    """Return ``repr(value)`` cut to ``limit`` characters, for messages about hostile input."""
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."


class PidmError(Exception):
    """Base of every error pidm raises.

    ``code`` is stable and machine-readable; ``check`` names the verification check the error
    belongs to (or None); ``http_status`` is what a service answers with.
    """

    code: ClassVar[str] = "PIDM_ERROR"
    check: ClassVar[str | None] = None
    http_status: ClassVar[int] = 400
    type_base: ClassVar[str] = _PIDM
    title: ClassVar[str] = "pidm error"

    def __init__(self, message: str, *, detail: Any = None) -> None:
        super().__init__(message)
        self.message = message
        self.detail = detail

    @property
    def type_uri(self) -> str:
        return self.type_base + self.code

    def to_problem(self) -> dict[str, Any]:
        """Return the RFC 9457 problem-details object for this error."""
        problem: dict[str, Any] = {
            "type": self.type_uri,
            "code": self.code,
            "title": self.title,
            "status": self.http_status,
            "detail": self.message,
        }
        return problem


# --- input -------------------------------------------------------------------------------------
class InputError(PidmError):
    title = "Invalid input"


class ParsingError(InputError):
    code = "PARSING_ERROR"
    type_base = _VCDM
    title = "Parsing error"


class MalformedValueError(InputError):
    code = "MALFORMED_VALUE_ERROR"
    type_base = _VCDM
    title = "Malformed value"


class PayloadTooLarge(InputError):
    code = "PAYLOAD_TOO_LARGE"
    http_status = 413
    title = "Payload too large"


class UnsupportedAlgorithm(InputError):
    code = "UNSUPPORTED_ALGORITHM"
    check = "signature"
    title = "Unsupported algorithm"


# --- JSON-LD contexts --------------------------------------------------------------------------
class ContextError(PidmError):
    title = "JSON-LD context error"


class UnknownContext(ContextError):
    code = "UNKNOWN_CONTEXT"
    title = "Unknown JSON-LD context"


class DataLossDetected(ContextError):
    code = "DATA_LOSS_DETECTION_ERROR"
    type_base = _SECURITY
    title = "Data loss detected during JSON-LD expansion"


class CanonicalizationLimit(ContextError):
    code = "CANONICALIZATION_LIMIT"
    title = "Canonicalization work limit exceeded"


# --- keys --------------------------------------------------------------------------------------
class KeyMaterialError(PidmError):
    code = "INVALID_KEY"
    title = "Invalid key material"


# --- DID resolution ----------------------------------------------------------------------------
class ResolutionError(PidmError):
    check = "signature"
    title = "DID resolution error"


class InvalidDID(ResolutionError):
    code = "INVALID_DID"
    title = "Invalid DID"


class DIDNotFound(ResolutionError):
    code = "DID_NOT_FOUND"
    http_status = 404
    title = "DID not found"


class MethodNotSupported(ResolutionError):
    code = "METHOD_NOT_SUPPORTED"
    title = "DID method not supported"


class VerificationMethodNotFound(ResolutionError):
    code = "VERIFICATION_METHOD_NOT_FOUND"
    title = "Verification method not found"


class FetchRefused(ResolutionError):
    code = "FETCH_REFUSED"
    title = "Fetch refused"


# --- Data Integrity proofs ---------------------------------------------------------------------
class ProofError(PidmError):
    check = "signature"
    type_base = _SECURITY
    title = "Proof error"


class ProofGenerationError(ProofError):
    code = "PROOF_GENERATION_ERROR"
    title = "Proof generation error"


class MalformedProofError(ProofError):
    code = "MALFORMED_PROOF_ERROR"
    title = "Malformed proof"


class MismatchedProofPurposeError(ProofError):
    code = "MISMATCHED_PROOF_PURPOSE_ERROR"
    title = "Mismatched proof purpose"


class InvalidDomainError(ProofError):
    code = "INVALID_DOMAIN_ERROR"
    check = "audience"
    title = "Invalid domain"


class InvalidChallengeError(ProofError):
    code = "INVALID_CHALLENGE_ERROR"
    check = "nonce"
    title = "Invalid challenge"


class ProofTransformationError(ProofError):
    code = "PROOF_TRANSFORMATION_ERROR"
    title = "Proof transformation error"


class InvalidProofConfiguration(ProofError):
    code = "INVALID_PROOF_CONFIGURATION"
    title = "Invalid proof configuration"


class InvalidProofDatetime(ProofError):
    code = "INVALID_PROOF_DATETIME"
    title = "Invalid proof datetime"


class ProofVerificationError(ProofError):
    code = "PROOF_VERIFICATION_ERROR"
    title = "Proof verification failed"


# --- credential structure ----------------------------------------------------------------------
class CredentialError(PidmError):
    code = "INVALID_CREDENTIAL"
    check = "schema"
    type_base = _PIDM
    title = "Invalid credential"


# --- SD-JWT ------------------------------------------------------------------------------------
class SdJwtError(PidmError):
    check = "disclosures"
    title = "SD-JWT error"


class DisclosureDuplicate(SdJwtError):
    code = "DISCLOSURE_DUPLICATE"
    title = "Duplicate disclosure or digest"


class DisclosureOrphan(SdJwtError):
    code = "DISCLOSURE_ORPHAN"
    title = "Disclosure not referenced"


class DisclosureInvalid(SdJwtError):
    code = "DISCLOSURE_INVALID"
    title = "Invalid disclosure"


class KbJwtInvalid(SdJwtError):
    code = "KB_JWT_INVALID"
    check = "holder_binding"
    title = "Invalid key-binding JWT"


class SdAlgUnsupported(SdJwtError):
    code = "SD_ALG_UNSUPPORTED"
    title = "Unsupported _sd_alg"


# --- holder binding ----------------------------------------------------------------------------
class HolderBindingError(PidmError):
    check = "holder_binding"
    title = "Holder binding error"


class NonceMismatch(HolderBindingError):
    code = "NONCE_MISMATCH"
    check = "nonce"
    title = "Nonce mismatch"


class NonceReplayed(HolderBindingError):
    code = "NONCE_REPLAYED"
    check = "nonce"
    title = "Nonce already used"


class AudienceMismatch(HolderBindingError):
    code = "AUDIENCE_MISMATCH"
    check = "audience"
    title = "Audience mismatch"


# --- validity period ---------------------------------------------------------------------------
class ValidityError(PidmError):
    check = "validity_period"
    title = "Validity period error"


class CredentialExpired(ValidityError):
    code = "CREDENTIAL_EXPIRED"
    title = "Credential expired"


class CredentialNotYetValid(ValidityError):
    code = "CREDENTIAL_NOT_YET_VALID"
    title = "Credential not yet valid"


# --- trust -------------------------------------------------------------------------------------
class TrustError(PidmError):
    check = "issuer_trust"
    http_status = 403
    title = "Trust error"


class IssuerNotTrusted(TrustError):
    code = "ISSUER_NOT_TRUSTED"
    title = "Issuer not trusted"


# --- status lists ------------------------------------------------------------------------------
class StatusError(PidmError):
    check = "status"
    type_base = _STATUS
    title = "Status error"


class StatusRetrievalError(StatusError):
    code = "STATUS_RETRIEVAL_ERROR"
    title = "Status list could not be retrieved"


class StatusVerificationError(StatusError):
    code = "STATUS_VERIFICATION_ERROR"
    title = "Status list could not be verified"


class StatusListLengthError(StatusError):
    code = "STATUS_LIST_LENGTH_ERROR"
    title = "Status list index out of range"


class CredentialRevoked(StatusError):
    code = "CREDENTIAL_REVOKED"
    type_base = _PIDM
    title = "Credential revoked"


class CredentialSuspended(StatusError):
    code = "CREDENTIAL_SUSPENDED"
    type_base = _PIDM
    title = "Credential suspended"


# --- wallet ------------------------------------------------------------------------------------
class WalletError(PidmError):
    title = "Wallet error"


class LockerLocked(WalletError):
    code = "LOCKER_LOCKED"
    title = "Wallet locked"


class WrongPassphrase(WalletError):
    """Every failure to unseal — wrong passphrase or tampered data — is this one opaque error."""

    code = "WRONG_PASSPHRASE"
    http_status = 401
    title = "Wrong passphrase or damaged data"


class ConsentRefused(WalletError):
    code = "CONSENT_REFUSED"
    title = "Consent refused"


class WalletNotFound(WalletError):
    """No wallet in the given directory (create one first, or check --wallet / PIDM_WALLET)."""

    code = "WALLET_NOT_FOUND"
    http_status = 404
    title = "Wallet not found"


# --- storage -----------------------------------------------------------------------------------
class StoreError(PidmError):
    http_status = 503
    title = "Store error"


class StoreUnavailable(StoreError):
    code = "STORE_UNAVAILABLE"
    title = "Store unavailable"


class Conflict(StoreError):
    code = "CONFLICT"
    http_status = 409
    title = "Conflict"


# --- services ----------------------------------------------------------------------------------
class ServiceError(PidmError):
    title = "Service error"


class ConfigError(ServiceError):
    """A service configuration file is missing, unreadable or inconsistent."""

    code = "CONFIG_ERROR"
    http_status = 500
    title = "Configuration error"


class Unauthorized(ServiceError):
    """A protected endpoint was called without valid credentials (bearer token)."""

    code = "UNAUTHORIZED"
    http_status = 401
    title = "Unauthorized"


class NotFound(ServiceError):
    """The resource named in the request does not exist."""

    code = "NOT_FOUND"
    http_status = 404
    title = "Not found"


def all_error_classes() -> list[type[PidmError]]:
    """Return every concrete error class (those that define their own code)."""
    seen: list[type[PidmError]] = []
    stack: list[type[PidmError]] = [PidmError]
    while stack:
        cls = stack.pop()
        if "code" in cls.__dict__ and cls is not PidmError:
            seen.append(cls)
        stack.extend(cls.__subclasses__())
    return seen
