"""Turn-taking: when the technician has finished, and when they talk over the answer.

The endpoint (VAD silence, the transcript's completeness) and the end-of-turn model decide the
first, and a request the technician goes on with at once takes an early end back
(``continuation``); barge-in, told apart from the assistant's own echo, the second.
"""
