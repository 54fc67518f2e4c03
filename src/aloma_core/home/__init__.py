"""Composition roots: each builds the core over one home's adapters."""
