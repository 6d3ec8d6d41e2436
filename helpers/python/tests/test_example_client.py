"""The example of helpers/python/README.md: a client test that uses faults and the journal.

`destroy_room` stands for the code under test: a backend's call of destroy_room that retries an
internal error (100001) once.
"""
import functools
import json
import sys
import urllib.request

import pytest

from live_emulator import usersig


def destroy_room(endpoint, room_id, sdkappid=88888888, identifier="admin", key="emulator-secret-key",
                 attempts=2):
    """The code under test: returns the ErrorCode, retrying 100001 once."""
    for _ in range(attempts):
        query = (f"sdkappid={sdkappid}&identifier={identifier}&usersig={usersig(key, identifier, sdkappid)}"
                 f"&random=12345&contenttype=json")
        request = urllib.request.Request(f"{endpoint}/v4/live_engine_http_srv/destroy_room?{query}",
                                         data=json.dumps({"RoomId": room_id}).encode(),
                                         headers={"Content-Type": "application/json"})
        with urllib.request.urlopen(request, timeout=5) as answer:
            code = json.load(answer)["ErrorCode"]
        if code != 100001:
            return code
    return code


def test_an_internal_error_is_retried_once(live_emulator):
    live_emulator.add_fault({"error_code": 100001}, room_id="live-room", count=1)

    assert destroy_room(live_emulator.url, "live-room") == 0

    calls = live_emulator.requests(room_id="live-room")
    assert [call["error_code"] for call in calls] == [100001, 0]
    assert live_emulator.rooms(88888888) == []


def test_a_lost_answer_then_100004_is_seen_by_the_client(live_emulator):
    # The destroy happens, then the answer is replaced by 100001: the retry finds no room.
    live_emulator.add_fault({"error_code": 100001}, room_id="live-room", after_apply=True)

    assert destroy_room(live_emulator.url, "live-room") == 100004
    assert [call["error_name"] for call in live_emulator.requests()] == ["internal_error", "room_not_found"]


def test_the_example_fails_a_client_that_does_not_retry(live_emulator, monkeypatch):
    # The example's checks can fail: the same test, with a client that gives up after one attempt.
    monkeypatch.setattr(sys.modules[__name__], "destroy_room", functools.partial(destroy_room, attempts=1))
    with pytest.raises(AssertionError):
        test_an_internal_error_is_retried_once(live_emulator)
