"""How edge talks: what is said for an answer, and where the conversation stands.

- :mod:`~edge.dialogue.present` (with :mod:`~edge.dialogue.rows`): answers for the ear, value first,
  a short citation, the rest kept for "more", "why" and "source?";
- :mod:`~edge.dialogue.procedure`: procedures step by step;
- :mod:`~edge.dialogue.control`: control words ("stop", "next", "repeat", "yes"), misheard ones too;
- :mod:`~edge.dialogue.followup`: "and the caliper halves?", "in foot-pounds?";
- :mod:`~edge.dialogue.checkback`: doubtful readings and incidents read back before acting;
- :mod:`~edge.dialogue.state` and :mod:`~edge.dialogue.dialogue`: the state, saved in the state
  dir, and the decisions on it (time is always an argument);
- :mod:`~edge.dialogue.notices`: outcomes the technician must still hear;
- :mod:`~edge.dialogue.conversation`: the history the LLM sees;
- :mod:`~edge.dialogue.rehearsal`: scripted conversations for the tests and the benchmark.

Pure bookkeeping, no engines: the responder and the session consult it, tests drive it directly.
See ``docs/dialogue.md``.
"""
