"""The Emulator class against a real live-emulator ($LIVE_EMULATOR): every control call it wraps,
and how it starts and stops."""
import os
import pathlib
import tempfile

import pytest

from live_emulator import ControlError, Emulator, usersig

KEY = "emulator-secret-key"  # the embedded default's app 88888888


def test_starts_on_a_free_port_and_stops():
    emulator = Emulator().start()
    try:
        assert emulator.url.startswith("http://127.0.0.1:")
        assert emulator.port > 0
        assert emulator.health()["status"] == "ok"
    finally:
        assert emulator.stop() == 0  # a clean exit on SIGTERM


def test_a_bad_config_fails_start_with_the_emulator_message():
    with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as bad:
        bad.write('{"apps": []}')
    try:
        with pytest.raises(RuntimeError, match="apps"):
            Emulator(config=bad.name).start()
    finally:
        os.unlink(bad.name)


def test_rooms_faults_clock_and_journal(live_emulator):
    emulator = live_emulator
    assert [room["room_id"] for room in emulator.rooms(88888888)] == ["live-room"]
    emulator.add_room(88888888, "party", "admin")
    assert emulator.add_rooms([{"sdkappid": 88888888, "room_id": f"r{n}", "owner": "admin"} for n in range(3)]) == 3
    assert len(emulator.rooms()) == 5
    emulator.remove_room(88888888, "r0")
    assert emulator.set_statistic(88888888, "party", TotalViewers=12)["statistic"]["TotalViewers"] == 12
    assert emulator.members(88888888, "party", enter=["alice"])["members"][0]["id"] == "alice"
    assert emulator.members(88888888, "party")["members"][0]["id"] == "alice"

    first = emulator.add_fault({"error_code": 100001}, room_id="party", count=2)
    second = emulator.add_fault({"http_status": 502})
    assert [rule["id"] for rule in emulator.faults()] == [first, second]
    emulator.delete_fault(second)
    assert [rule["id"] for rule in emulator.faults()] == [first]
    emulator.clear_faults()
    assert emulator.faults() == []

    frozen = emulator.freeze(at=1700000000)
    assert frozen == {"now": 1700000000, "mode": "manual"}
    assert emulator.advance(1.5)["now"] == 1700000001.5
    assert emulator.real_time()["mode"] == "real"

    assert emulator.requests() == []
    assert emulator.journal()["last_seq"] == 0
    assert {window["api"] for window in emulator.limiter()} >= {"destroy_room"}
    assert any(recipe["name"] == "rate-limit-burst" for recipe in emulator.scenario_recipes())
    assert emulator.apply_scenario({"rooms": [{"sdkappid": 88888888, "room_id": "s", "owner": "admin"}]})
    assert emulator.callbacks() == []
    assert emulator.apps()[0]["sdkappid"] == 88888888


def test_a_refused_call_raises_with_the_emulator_message(live_emulator):
    with pytest.raises(ControlError) as refused:
        live_emulator.add_fault({"error_code": -1})
    assert refused.value.status == 400
    assert "error_code" in refused.value.message
    with pytest.raises(ControlError) as missing:
        live_emulator.remove_room(88888888, "no-such-room")
    assert missing.value.status == 404


def test_the_function_fixture_resets_between_tests_part_one(live_emulator):
    live_emulator.add_room(88888888, "left-over", "admin")


def test_the_function_fixture_resets_between_tests_part_two(live_emulator):
    assert "left-over" not in {room["room_id"] for room in live_emulator.rooms()}


def test_a_token_protected_emulator():
    with Emulator(control_token="t0ken") as emulator:
        assert emulator.health()["status"] == "ok"
        emulator.control_token = "wrong"
        with pytest.raises(ControlError) as refused:
            emulator.health()
        assert refused.value.status == 403


def test_usersig_is_accepted_by_the_emulator(live_emulator):
    token = usersig(KEY, "admin", 88888888)
    from http.client import HTTPConnection
    connection = HTTPConnection("127.0.0.1", live_emulator.port, timeout=10)
    connection.request("POST", f"/v4/live_engine_http_srv/destroy_room?sdkappid=88888888&identifier=admin"
                               f"&usersig={token}&random=1&contenttype=json",
                       body='{"RoomId":"live-room"}', headers={"Content-Type": "application/json"})
    assert b'"ErrorCode":0' in connection.getresponse().read()
    assert live_emulator.requests()[0]["error_name"] == "ok"
