"""edge: an offline voice copilot for field technicians."""

__version__ = "0.1.0"
