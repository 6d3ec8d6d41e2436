"""pytest fixtures for live-emulator, registered through the package's pytest11 entry point.

- `live_emulator_process` (session scope): one emulator for the whole run, started on port 0 with
  `--live-emulator-config` / $LIVE_EMULATOR_CONFIG (or its embedded default) and stopped at the end;
  or, with `--live-emulator-url` / $LIVE_EMULATOR_URL, one that is already running.
- `live_emulator` (function scope): the same process, reset before each test, so every test starts
  from the configured rooms, an empty journal, no faults and the real clock.
- `live_emulator_app` (function scope): an app of the test's own on the emulator that every worker
  shares, removed after the test. Its rooms, faults, journal, callbacks, rate windows and clock are
  its own, so tests running in parallel (pytest-xdist) never see each other's. Under pytest-xdist
  the controller starts that one emulator and every worker attaches to it. The app is the embedded
  default's in shape (root admin "administrator", App admin "admin", room "live-room" owned by
  "admin"); `@pytest.mark.live_emulator_app(...)` gives another app object (docs/control-api.md).

The binary is `--live-emulator` / $LIVE_EMULATOR / the one the live_emulator wheel installed beside
this Python / live-emulator on PATH.
"""
import os

import pytest

from .emulator import Emulator

DEFAULT_APP = {"admins": ["admin"], "rooms": [{"room_id": "live-room", "owner": "admin"}]}
_SHARED_URL = "live_emulator_url"  # the key under which the xdist controller tells its workers


def pytest_addoption(parser):
    group = parser.getgroup("live-emulator")
    group.addoption("--live-emulator", default=None, help="the live-emulator binary")
    group.addoption("--live-emulator-config", default=None, help="its config file (default: its embedded default)")
    group.addoption("--live-emulator-url", default=None,
                    help="use the emulator already running at this URL instead of starting one ($LIVE_EMULATOR_URL)")


def pytest_configure(config):
    config.addinivalue_line("markers", "live_emulator_app(**app): the app object live_emulator_app adds")
    # The pytest-xdist controller starts the one emulator its workers share for live_emulator_app.
    if hasattr(config, "workerinput") or not config.pluginmanager.hasplugin("xdist"):
        return
    if not getattr(config.option, "numprocesses", None) or _given_url(config):
        return
    try:
        shared = Emulator(binary=config.getoption("--live-emulator"), config=_config_file(config),
                          control_token=os.environ.get("LIVE_EMULATOR_CONTROL_TOKEN")).start()
    except FileNotFoundError:
        return  # a run that does not use the fixtures needs no binary; one that does is told then
    config.pluginmanager.register(_SharedWithWorkers(shared), "live-emulator-xdist")


class _SharedWithWorkers:
    def __init__(self, emulator):
        self.emulator = emulator

    def pytest_configure_node(self, node):
        node.workerinput[_SHARED_URL] = self.emulator.url

    def pytest_unconfigure(self, config):
        self.emulator.stop()


def _given_url(config):
    return config.getoption("--live-emulator-url") or os.environ.get("LIVE_EMULATOR_URL")


def _config_file(config):
    return config.getoption("--live-emulator-config") or os.environ.get("LIVE_EMULATOR_CONFIG")


@pytest.fixture(scope="session")
def live_emulator_process(request):
    config = request.config
    url = _given_url(config)
    if url:
        yield Emulator.attach(url, control_token=os.environ.get("LIVE_EMULATOR_CONTROL_TOKEN"))
        return
    with Emulator(binary=config.getoption("--live-emulator"), config=_config_file(config)) as emulator:
        yield emulator


@pytest.fixture
def live_emulator(live_emulator_process):
    live_emulator_process.reset()
    return live_emulator_process


@pytest.fixture(scope="session")
def live_emulator_shared(request):
    """The emulator that live_emulator_app adds apps to: the xdist controller's, or this process's."""
    url = getattr(request.config, "workerinput", {}).get(_SHARED_URL)
    if url:
        return Emulator.attach(url, control_token=os.environ.get("LIVE_EMULATOR_CONTROL_TOKEN"))
    return request.getfixturevalue("live_emulator_process")


@pytest.fixture
def live_emulator_app(request, live_emulator_shared):
    marker = request.node.get_closest_marker("live_emulator_app")
    app = live_emulator_shared.add_app(**(marker.kwargs if marker else DEFAULT_APP))
    yield app
    app.remove()
