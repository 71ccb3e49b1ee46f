"""Random sequences of valid and invalid requests keep the store consistent (Hypothesis state machine).

Each step sends one request naming ids the client has seen (or made-up ones): messages, retries, renames,
deletes, feedback, listings, stopped streams. After every step no answer may be a 5xx or a cut-off stream,
and every thread must still start with a user message (see ``_sequences.ChatSessions``).
"""

from __future__ import annotations

from _sequences import ChatSessions
from hypothesis import HealthCheck, settings


class FastSessions(ChatSessions):
    """A few short sequences: the stress run does hundreds."""


FastSessions.TestCase.settings = settings(
    max_examples=25,
    stateful_step_count=12,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow],
)
test_random_request_sequences_keep_the_store_consistent = FastSessions.TestCase
