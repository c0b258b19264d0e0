"""VC Data Integrity 1.0 proofs and the EdDSA cryptosuites (eddsa-rdfc-2022, eddsa-jcs-2022)."""
