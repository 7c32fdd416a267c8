"""The register of processing (clause 7.2): generated from purposes, partners and retention rules."""
