"""Shared fixtures: a loaded assistant (real models) and a manuals database built from samples."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path

import pytest

from edge.assistant import Assistant, load_assistant
from edge.config import Config, load_config
from edge.fleet.localpg import LocalPostgres, postgres_available

REPO = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="session")
def state_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A state folder shared by the session's real-model tests."""
    return tmp_path_factory.mktemp("state")


@pytest.fixture(scope="session")
def config(state_dir: Path) -> Config:
    """Default settings with the session's state folder."""
    return load_config(env={}, overrides={"device.state_dir": str(state_dir)})


@pytest.fixture(scope="session")
def assistant(config: Config) -> Iterator[Assistant]:
    """The real engines and the sample manuals, loaded once for the whole session."""
    from edge.report.service import ReportingService
    from edge.toolset import default_tools
    from tests.integration.knowledge_env import database_copy

    database_copy("markdown", config.knowledge_db)
    reporter = ReportingService(config, status=False).reporter
    loaded = asyncio.run(load_assistant(config, lambda a: default_tools(a, reporter)))
    yield loaded
    loaded.close()


@pytest.fixture
def fresh(assistant: Assistant) -> Assistant:
    """The shared assistant with an empty conversation and nothing left to tell."""
    assistant.start_afresh()
    return assistant


@pytest.fixture(scope="session")
def postgres() -> Iterator[LocalPostgres]:
    """One PostgreSQL server for the session (each test gets its own database)."""
    if not postgres_available():
        pytest.fail("PostgreSQL is missing: apt-get install postgresql (make system-deps)")
    server = LocalPostgres()
    server.start()
    yield server
    server.remove()
