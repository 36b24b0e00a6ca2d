"""Engines: one Protocol per kind (``base``), one module per engine, a registry to pick by name."""
