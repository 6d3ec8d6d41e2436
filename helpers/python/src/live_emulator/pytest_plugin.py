"""pytest fixtures for live-emulator, registered through the package's pytest11 entry point.

- `live_emulator_process` (session scope): one emulator for the whole run, started on port 0 with
  `--live-emulator-config` / $LIVE_EMULATOR_CONFIG (or its embedded default) and stopped at the end.
- `live_emulator` (function scope): the same process, reset before each test, so every test starts
  from the configured rooms, an empty journal, no faults and the real clock.

The binary is `--live-emulator` / $LIVE_EMULATOR / the one the live_emulator wheel installed beside
this Python / live-emulator on PATH.
"""
import os

import pytest

from .emulator import Emulator


def pytest_addoption(parser):
    group = parser.getgroup("live-emulator")
    group.addoption("--live-emulator", default=None, help="the live-emulator binary")
    group.addoption("--live-emulator-config", default=None, help="its config file (default: its embedded default)")


@pytest.fixture(scope="session")
def live_emulator_process(request):
    binary = request.config.getoption("--live-emulator")
    config = request.config.getoption("--live-emulator-config") or os.environ.get("LIVE_EMULATOR_CONFIG")
    with Emulator(binary=binary, config=config) as emulator:
        yield emulator


@pytest.fixture
def live_emulator(live_emulator_process):
    live_emulator_process.reset()
    return live_emulator_process
