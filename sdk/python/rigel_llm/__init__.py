"""Rigel's GPT-2 runtime for `llm-inference` jobs: generation with activation fingerprints, and
their verification with calibrated tolerances (docs/PROTOCOL.md §19)."""
