"""The conversation keeps what was heard, bounded, and shows the LLM a short view of it."""

from __future__ import annotations

from edge.dialogue.conversation import Conversation, Exchange


def test_long_answers_are_shortened_in_the_llm_history_only() -> None:
    steps = " ".join(f"Step {n}: do the thing number {n} carefully." for n in range(1, 10))
    conversation = Conversation()
    conversation.add(Exchange("How do I lock out the turbine?", steps))
    conversation.add(Exchange("Thanks.", "You're welcome."))
    user, answer, _, short = conversation.messages(max_answer_chars=60)
    assert user.content == "How do I lock out the turbine?"
    assert answer.content.endswith(" ...") and len(answer.content) <= 64
    assert steps.startswith(answer.content.removesuffix(" ..."))
    assert short.content == "You're welcome."
    assert conversation.last_heard == "You're welcome."
    assert conversation.exchanges[0].heard == steps  # the record itself is whole


def test_only_the_latest_exchanges_are_kept() -> None:
    conversation = Conversation(max_exchanges=2)
    for n in range(3):
        conversation.add(Exchange(f"question {n}", f"answer {n}"))
    assert conversation.requests() == ("question 1", "question 2")
