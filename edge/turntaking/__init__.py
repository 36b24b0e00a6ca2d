"""Turn-taking: when the technician has finished, and when they talk over the answer.

The endpoint (VAD silence, the transcript's completeness) and the end-of-turn model decide the
first; barge-in, told apart from the assistant's own echo, the second.
"""
