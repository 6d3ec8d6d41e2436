"""The example of helpers/python/README.md: a client test that injects faults in an app of its own
and asserts what the client did with the emulator's verify calls.

`destroy_room` stands for the code under test: a backend's call of destroy_room that retries an
internal error (100001) once, then gives up.
"""
import functools
import json
import sys
import urllib.request

import pytest

from live_emulator import VerificationError


def destroy_room(app, room_id, attempts=2):
    """The code under test: returns the ErrorCode, retrying 100001 once (attempts=2)."""
    for _ in range(attempts):
        query = (f"sdkappid={app.sdkappid}&identifier=admin&usersig={app.usersig('admin')}"
                 f"&random=12345&contenttype=json")
        request = urllib.request.Request(f"{app.url}/v4/live_engine_http_srv/destroy_room?{query}",
                                         data=json.dumps({"RoomId": room_id}).encode(),
                                         headers={"Content-Type": "application/json"})
        with urllib.request.urlopen(request, timeout=5) as answer:
            code = json.load(answer)["ErrorCode"]
        if code != 100001:
            return code
    return code


def test_an_internal_error_is_retried_once(live_emulator_app):
    live_emulator_app.add_fault({"error_code": 100001}, room_id="live-room", count=1)

    assert destroy_room(live_emulator_app, "live-room") == 0

    live_emulator_app.verify_sequence([{"api": "destroy_room", "error_code": 100001},
                                       {"api": "destroy_room", "error_code": 0}], strict=True)
    assert live_emulator_app.rooms() == []


def test_a_client_gives_up_after_one_retry(live_emulator_app):
    live_emulator_app.add_fault({"error_code": 100001}, room_id="live-room", count=10)

    assert destroy_room(live_emulator_app, "live-room") == 100001

    live_emulator_app.verify("destroy_room", room_id="live-room", count=2)
    live_emulator_app.verify_never("destroy_room", error_code=0)


def test_the_example_fails_a_client_that_retries_twice(live_emulator_app, monkeypatch):
    # The example's assertion can fail: the same test, with a client that retries twice.
    monkeypatch.setattr(sys.modules[__name__], "destroy_room", functools.partial(destroy_room, attempts=3))
    with pytest.raises(VerificationError) as failure:
        test_a_client_gives_up_after_one_retry(live_emulator_app)
    message = str(failure.value)
    print(message)  # the message helpers/python/README.md shows
    sdkappid = live_emulator_app.sdkappid
    assert message == "\n".join([
        f'expected exactly 2 calls matching api=destroy_room RoomId="live-room" in app {sdkappid}, found 3',
        f"calls seen in app {sdkappid} (3), > marks a match:",
        '> #{} POST destroy_room  RoomId="live-room"  ErrorCode=100001  fault {} (error_code 100001)',
        '> #{} POST destroy_room  RoomId="live-room"  ErrorCode=100001  fault {} (error_code 100001)',
        '> #{} POST destroy_room  RoomId="live-room"  ErrorCode=100001  fault {} (error_code 100001)',
    ]).format(*[part for call in failure.value.result["calls"] for part in (call["seq"], call["fault_id"])])
