"""DID Core 1.0 values: DID, DID URL, verification method and DID document, parsed once into
frozen values that raise coded errors."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from pidm.errors import (
    InvalidDID,
    KeyMaterialError,
    MalformedValueError,
    UnsupportedAlgorithm,
    VerificationMethodNotFound,
    shorten,
)
from pidm.keys import PublicKey

# DID Core §3.1: did = "did:" method-name ":" method-specific-id
_DID = re.compile(
    r"^did:(?P<method>[a-z0-9]+):(?P<id>(?:[A-Za-z0-9._-]|%[0-9A-Fa-f]{2}|:)*"
    r"(?:[A-Za-z0-9._-]|%[0-9A-Fa-f]{2}))$"
)
MAX_DID_LENGTH = 8192
RELATIONSHIPS = (
    "authentication",
    "assertionMethod",
    "keyAgreement",
    "capabilityInvocation",
    "capabilityDelegation",
)


@dataclass(frozen=True, slots=True)
class DID:
    method: str
    method_id: str

    @classmethod
    def parse(cls, text: str) -> DID:
        if not isinstance(text, str) or len(text) > MAX_DID_LENGTH:
            raise InvalidDID(f"not a DID: {shorten(text)}")
        match = _DID.fullmatch(text)  # match() accepted a trailing newline
        if not match:
            raise InvalidDID(f"not a DID: {shorten(text)}")
        return cls(match["method"], match["id"])

    def __str__(self) -> str:
        return f"did:{self.method}:{self.method_id}"


@dataclass(frozen=True, slots=True)
class DIDURL:
    did: DID
    path: str = ""
    query: str = ""
    fragment: str = ""

    @classmethod
    def parse(cls, text: str) -> DIDURL:
        if not isinstance(text, str):
            raise InvalidDID(f"not a DID URL: {shorten(text)}")
        rest, _, fragment = text.partition("#")
        rest, _, query = rest.partition("?")
        match = re.fullmatch(r"(did:[a-z0-9]+:[^/]*)(/.*)?", rest)
        if not match:
            raise InvalidDID(f"not a DID URL: {shorten(text)}")
        return cls(DID.parse(match[1]), match[2] or "", query, fragment)

    def __str__(self) -> str:
        out = str(self.did) + self.path
        if self.query:
            out += "?" + self.query
        if self.fragment:
            out += "#" + self.fragment
        return out


@dataclass(frozen=True, slots=True)
class VerificationMethod:
    id: str
    type: str
    controller: str
    public_key: PublicKey

    @classmethod
    def parse(cls, data: Mapping[str, Any], *, base: str = "") -> VerificationMethod:
        """Parse a Multikey or JsonWebKey(2020) verification method object."""
        if not isinstance(data, Mapping):
            raise MalformedValueError("verification method must be an object")
        vm_id, vm_type, controller = data.get("id"), data.get("type"), data.get("controller")
        if not isinstance(vm_id, str) or not isinstance(vm_type, str):
            raise MalformedValueError("verification method needs string 'id' and 'type'")
        if vm_id.startswith("#"):
            vm_id = base + vm_id
        if not isinstance(controller, str):
            raise MalformedValueError(f"verification method {shorten(vm_id)} has no 'controller'")
        try:
            if "publicKeyMultibase" in data:
                key = PublicKey.from_multikey(data["publicKeyMultibase"])
            elif "publicKeyJwk" in data:
                key = PublicKey.from_jwk(data["publicKeyJwk"])
            else:
                raise KeyMaterialError(f"verification method {shorten(vm_id)} has no public key")
        except UnsupportedAlgorithm:
            raise
        return cls(vm_id, vm_type, controller, key)

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"id": self.id, "type": self.type, "controller": self.controller}
        if self.type == "Multikey":
            out["publicKeyMultibase"] = self.public_key.to_multikey()
        else:
            out["publicKeyJwk"] = self.public_key.to_jwk()
        return out


@dataclass(frozen=True, slots=True)
class DIDDocument:
    id: str
    verification_methods: tuple[VerificationMethod, ...]
    relationships: Mapping[str, tuple[str, ...]]
    raw: Mapping[str, Any] = field(default_factory=dict, compare=False)

    @classmethod
    def parse(cls, data: Mapping[str, Any]) -> DIDDocument:
        """Parse a DID document; verification methods with unsupported keys are left out."""
        if not isinstance(data, Mapping) or not isinstance(data.get("id"), str):
            raise MalformedValueError("DID document needs a string 'id'")
        doc_id = data["id"]
        DID.parse(doc_id)
        methods: list[VerificationMethod] = []
        embedded: dict[str, list[str]] = {r: [] for r in RELATIONSHIPS}
        raw_methods = data.get("verificationMethod", [])
        if not isinstance(raw_methods, list):
            raise MalformedValueError("'verificationMethod' must be an array")
        for item in raw_methods[:64]:
            try:
                methods.append(VerificationMethod.parse(item, base=doc_id))
            except (UnsupportedAlgorithm, KeyMaterialError):
                continue
        for rel in RELATIONSHIPS:
            entries = data.get(rel, [])
            if not isinstance(entries, list):
                raise MalformedValueError(f"'{rel}' must be an array")
            for entry in entries[:64]:
                if isinstance(entry, str):
                    embedded[rel].append(doc_id + entry if entry.startswith("#") else entry)
                elif isinstance(entry, Mapping):
                    try:
                        vm = VerificationMethod.parse(entry, base=doc_id)
                    except (UnsupportedAlgorithm, KeyMaterialError):
                        continue
                    methods.append(vm)
                    embedded[rel].append(vm.id)
        return cls(doc_id, tuple(methods), {k: tuple(v) for k, v in embedded.items()}, data)

    def method(self, vm_id: str) -> VerificationMethod:
        """Return the verification method ``vm_id`` or raise VERIFICATION_METHOD_NOT_FOUND."""
        if vm_id.startswith("#"):
            vm_id = self.id + vm_id
        for vm in self.verification_methods:
            if vm.id == vm_id:
                return vm
        raise VerificationMethodNotFound(f"{shorten(vm_id)} is not in the DID document")

    def authorized(self, vm_id: str, relationship: str) -> VerificationMethod:
        """Return the method if the document lists it under ``relationship``, else raise."""
        vm = self.method(vm_id)
        if vm.id not in self.relationships.get(relationship, ()):
            raise VerificationMethodNotFound(
                f"{shorten(vm.id)} is not authorized for '{relationship}'"
            )
        return vm

    def to_json(self) -> dict[str, Any]:
        if self.raw:
            return dict(self.raw)
        out: dict[str, Any] = {
            "@context": ["https://www.w3.org/ns/did/v1", "https://w3id.org/security/multikey/v1"],
            "id": self.id,
            "verificationMethod": [vm.to_json() for vm in self.verification_methods],
        }
        for rel, ids in self.relationships.items():
            if ids:
                out[rel] = list(ids)
        return out
