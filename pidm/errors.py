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
    ├── HolderBindingError      NONCE_MISMATCH, NONCE_REPLAYED, AUDIENCE_MISMATCH,
    │                           HOLDER_MISMATCH
    ├── ValidityError           CREDENTIAL_EXPIRED, CREDENTIAL_NOT_YET_VALID
    ├── TrustError              ISSUER_NOT_TRUSTED
    ├── StatusError             STATUS_RETRIEVAL_ERROR, STATUS_VERIFICATION_ERROR,
    │                           STATUS_LIST_LENGTH_ERROR, CREDENTIAL_REVOKED, CREDENTIAL_SUSPENDED
    ├── WalletError             LOCKER_LOCKED, WRONG_PASSPHRASE, CONSENT_REFUSED, WALLET_NOT_FOUND
    ├── StoreError              STORE_UNAVAILABLE, CONFLICT
    ├── ServiceError            CONFIG_ERROR, UNAUTHORIZED, NOT_FOUND, METHOD_NOT_ALLOWED
    └── OAuthError              (OpenID4VCI / OpenID4VP / DCQL message layer)
                                INVALID_DCQL_QUERY, NO_MATCHING_CREDENTIALS, DCQL_NOT_SATISFIED,
                                UNREQUESTED_DATA, INVALID_CLIENT_ID,
                                INVALID_AUTHORIZATION_REQUEST, INVALID_REQUEST_OBJECT,
                                CLIENT_KEY_MISMATCH, INVALID_CONSENT_TERMS,
                                INVALID_AUTHORIZATION_RESPONSE, INVALID_CREDENTIAL_OFFER,
                                INVALID_ISSUER_RESPONSE, INVALID_TOKEN_REQUEST,
                                UNSUPPORTED_GRANT_TYPE, INVALID_GRANT, INVALID_TOKEN,
                                INVALID_CREDENTIAL_REQUEST, UNKNOWN_CREDENTIAL_CONFIGURATION,
                                INVALID_PROOF, INVALID_NONCE

Every class also carries ``oauth_error``: the OAuth 2.0 ``error`` value (RFC 6749 §5.2, RFC 6750
§3.1, OpenID4VCI 1.0 §8.3.1.2, OpenID4VP 1.0 §8.5) an OpenID4VCI / OpenID4VP endpoint answers
with; ``to_oauth()`` gives ``{"error", "error_description"}``. The default is
``invalid_request``; the ``OAuthError`` family sets the specific values (``invalid_proof``,
``invalid_nonce``, ``invalid_grant``, ``invalid_credential_request``, ``access_denied`` ...).
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
    oauth_error: ClassVar[str] = "invalid_request"

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

    def to_oauth(self) -> dict[str, str]:
        """Return the OAuth error object; the description keeps to the ASCII set RFC 6749 allows."""
        text = "".join(
            ch if " " <= ch <= "~" and ch not in '"\\' else "'" if ch == '"' else "?"
            for ch in self.message[:300]
        )
        return {"error": self.oauth_error, "error_description": text}


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


class UsageError(InputError):
    """A command cannot run as invoked: options that exclude each other, a file it may not
    write, an address it cannot listen on, or no answer to a question on standard input."""

    code = "USAGE_ERROR"
    title = "Usage error"


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


class HolderMismatch(HolderBindingError):
    """The presentation's signer is not the subject of a credential it presents."""

    code = "HOLDER_MISMATCH"
    title = "Presenter is not the credential subject"


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
    oauth_error = "access_denied"
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


class MethodNotAllowed(ServiceError):
    """The endpoint exists but does not take this HTTP method; ``Allow`` names those it does."""

    code = "METHOD_NOT_ALLOWED"
    http_status = 405
    title = "Method not allowed"


# --- OpenID4VCI / OpenID4VP / DCQL --------------------------------------------------------------
class OAuthError(PidmError):
    """A malformed or refused OpenID4VCI / OpenID4VP message; ``oauth_error`` is its OAuth code."""

    title = "OpenID4VC protocol error"


class InvalidDcqlQuery(OAuthError):
    code = "INVALID_DCQL_QUERY"
    title = "Invalid DCQL query"


class NoMatchingCredentials(OAuthError):
    """The wallet holds no credentials that satisfy the required DCQL credential queries."""

    code = "NO_MATCHING_CREDENTIALS"
    oauth_error = "access_denied"
    title = "No matching credentials"


class DcqlNotSatisfied(OAuthError):
    code = "DCQL_NOT_SATISFIED"
    check = "disclosures"
    title = "Presentations do not satisfy the DCQL query"


class UnrequestedData(OAuthError):
    """The presentations carry a credential query id, credential or claim that was not asked for."""

    code = "UNREQUESTED_DATA"
    check = "disclosures"
    title = "Unrequested data presented"


class InvalidClientId(OAuthError):
    code = "INVALID_CLIENT_ID"
    title = "Invalid or unsupported client_id"


class InvalidAuthorizationRequest(OAuthError):
    code = "INVALID_AUTHORIZATION_REQUEST"
    title = "Invalid authorization request"


class InvalidRequestObject(OAuthError):
    code = "INVALID_REQUEST_OBJECT"
    oauth_error = "invalid_request_object"
    title = "Invalid request object"


class ClientKeyMismatch(OAuthError):
    """The request object's ``kid`` is not a key of the DID named by ``client_id``."""

    code = "CLIENT_KEY_MISMATCH"
    check = "signature"
    oauth_error = "invalid_request_object"
    title = "Request object key does not belong to the client"


class InvalidConsentTerms(OAuthError):
    """pidm's ``purpose`` / ``retention`` / ``offer`` request parameters are malformed."""

    code = "INVALID_CONSENT_TERMS"
    title = "Invalid consent terms"


class InvalidAuthorizationResponse(OAuthError):
    code = "INVALID_AUTHORIZATION_RESPONSE"
    title = "Invalid authorization response"


class InvalidCredentialOffer(OAuthError):
    code = "INVALID_CREDENTIAL_OFFER"
    title = "Invalid credential offer"


class InvalidIssuerResponse(OAuthError):
    """Issuer metadata, token, nonce or credential response the wallet cannot use."""

    code = "INVALID_ISSUER_RESPONSE"
    title = "Invalid credential issuer response"


class InvalidTokenRequest(OAuthError):
    code = "INVALID_TOKEN_REQUEST"
    title = "Invalid token request"


class UnsupportedGrantType(OAuthError):
    code = "UNSUPPORTED_GRANT_TYPE"
    oauth_error = "unsupported_grant_type"
    title = "Unsupported grant type"


class InvalidGrant(OAuthError):
    """Wrong, expired or reused pre-authorized code, or wrong transaction code."""

    code = "INVALID_GRANT"
    oauth_error = "invalid_grant"
    title = "Invalid grant"


class InvalidToken(OAuthError):
    code = "INVALID_TOKEN"
    oauth_error = "invalid_token"
    http_status = 401
    title = "Invalid access token"


class InvalidCredentialRequest(OAuthError):
    code = "INVALID_CREDENTIAL_REQUEST"
    oauth_error = "invalid_credential_request"
    title = "Invalid credential request"


class UnknownCredentialConfiguration(OAuthError):
    code = "UNKNOWN_CREDENTIAL_CONFIGURATION"
    oauth_error = "unknown_credential_configuration"
    title = "Unknown credential configuration"


class InvalidProof(OAuthError):
    """A key proof (``openid4vci-proof+jwt``) is missing, malformed or does not verify."""

    code = "INVALID_PROOF"
    check = "holder_binding"
    oauth_error = "invalid_proof"
    title = "Invalid key proof"


class InvalidNonce(OAuthError):
    """A key proof carries a ``c_nonce`` the issuer did not hand out or already consumed."""

    code = "INVALID_NONCE"
    check = "nonce"
    oauth_error = "invalid_nonce"
    title = "Invalid c_nonce"


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
