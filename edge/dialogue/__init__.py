"""Dialogue state: what the technician still has to hear, and (as it grows) where a conversation is.

Pure bookkeeping, no engines: the responder and the session consult it, tests drive it directly.
"""
