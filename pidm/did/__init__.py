"""Decentralized identifiers: parsing, the did:key, did:jwk and did:web methods, resolution."""
