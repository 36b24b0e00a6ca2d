"""Measuring the knowledge layer on manuals it was not built with.

An evaluation corpus (``samples/eval/<split>/``) holds manuals with the questions and meter
readings a technician would say about them, written by someone who never read edge's code. The
corpus is ingested into a fresh store, every question and reading goes through the same path as a
typed question (``edge ask --text``: router, semantic cache, tools), and the answers are scored:
answer accuracy, recall@1/@3 of the search, no-answer questions declined, out-of-range readings
warned, false warnings, clarifying questions, and how long the answers are.

* :mod:`edge.evaluation.corpus` reads the corpus files;
* :mod:`edge.evaluation.matching` decides whether an answer holds an expected value;
* :mod:`edge.evaluation.runner` runs a split through an assistant;
* :mod:`edge.evaluation.figures` turns outcomes into figures.
"""
