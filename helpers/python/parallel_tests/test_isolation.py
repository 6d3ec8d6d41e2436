"""Many tests with conflicting faults and clocks, run by pytest-xdist workers on ONE emulator, each in
an app of its own (live_emulator_app): none may see another's rooms, faults, journal or time.

run.sh runs this with 8 workers and checks that the tests overlapped in time; with
LIVE_PARALLEL_SHARED_APP=1 every test uses the same configured app instead, and run.sh checks that
they then fail (the check can fail).
"""
import json
import os
import urllib.request

import pytest

from live_emulator import EmulatorApp

ROUNDS = 20  # calls per test, so that the workers' tests overlap


def destroy(app, room_id):
    query = f"sdkappid={app.sdkappid}&identifier=admin&usersig={app.usersig('admin')}&random=1&contenttype=json"
    request = urllib.request.Request(f"{app.url}/v4/live_engine_http_srv/destroy_room?{query}",
                                     data=json.dumps({"RoomId": room_id}).encode(),
                                     headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=10) as answer:
        return json.load(answer)["ErrorCode"]


@pytest.fixture
def app(request, live_emulator_shared):
    if os.environ.get("LIVE_PARALLEL_SHARED_APP"):  # the broken setup: one app for every test
        yield EmulatorApp(live_emulator_shared, {"sdkappid": 88888888, "secret_key": "emulator-secret-key",
                                                 "root_admin": "administrator"})
        return
    yield request.getfixturevalue("live_emulator_app")


@pytest.mark.parametrize("case", range(32))
def test_conflicting_faults_and_clocks_do_not_leak(case, app, live_emulator_shared):
    if case % 3 == 1:
        app.advance(2 * 86400)  # this app's UserSigs are expired: every call answers 70001
        expected = 70001
    elif case % 4 == 0:
        expected = 0  # no fault: another test's fault would show here
    else:
        expected = 90000 + case  # a code only this test injects
        app.add_fault({"error_code": expected}, count=1000)
    for round_ in range(ROUNDS):
        room = f"room-{case}-{round_}"
        app.add_room(room, owner="admin")
        assert destroy(app, room) == expected, f"round {round_}"
    app.verify("destroy_room", error_code=expected, count=ROUNDS)
    assert [rule["action"]["error_code"] for rule in app.faults()] == ([] if expected in (0, 70001) else [expected])
    report = os.environ.get("LIVE_PARALLEL_REPORT")
    if report:  # how many tests' apps were on the emulator at this moment
        present = sum(1 for entry in live_emulator_shared.apps() if entry["added_at_run_time"])
        worker = os.environ.get("PYTEST_XDIST_WORKER", "main")
        with open(os.path.join(report, f"{worker}.txt"), "a") as out:
            out.write(f"{live_emulator_shared.url} {present}\n")
