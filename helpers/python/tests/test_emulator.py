"""The Emulator class against a real live-emulator ($LIVE_EMULATOR): every control call it wraps,
and how it starts and stops."""
import os
import pathlib
import tempfile

import pytest

from live_emulator import ControlError, Emulator, VerificationError, usersig

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


# ---------------------------------------------------------------------- apps, verification, waits

def _destroy(app, room_id="live-room"):
    import json
    import urllib.request
    query = f"sdkappid={app.sdkappid}&identifier=admin&usersig={app.usersig('admin')}&random=1&contenttype=json"
    request = urllib.request.Request(f"{app.url}/v4/live_engine_http_srv/destroy_room?{query}",
                                     data=json.dumps({"RoomId": room_id}).encode(),
                                     headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=5) as answer:
        return json.load(answer)["ErrorCode"]


def test_an_app_of_its_own_is_scoped_and_removed(live_emulator_process):
    mine = live_emulator_process.add_app(admins=["admin"], rooms=[{"room_id": "live-room", "owner": "admin"}])
    theirs = live_emulator_process.add_app(admins=["admin"], rooms=[{"room_id": "live-room", "owner": "admin"}])
    try:
        mine.add_fault({"error_code": 100001}, count=5)
        assert _destroy(mine) == 100001
        assert _destroy(theirs) == 0
        assert [rule["sdkappid"] for rule in mine.faults()] == [mine.sdkappid]
        assert theirs.faults() == []
        assert [call["error_code"] for call in mine.requests()] == [100001]
        mine.advance(86401)  # a day on: my UserSigs expire, theirs do not
        assert mine.clock()["ahead_seconds"] == 86401
        assert _destroy(mine) == 70001
        mine.reset()
        assert mine.faults() == [] and mine.requests() == [] and mine.clock()["ahead_seconds"] == 0
        assert [room["room_id"] for room in mine.rooms()] == ["live-room"]
        assert [call["error_code"] for call in theirs.requests()] == [0]
    finally:
        mine.remove()
        theirs.remove()
    with pytest.raises(ControlError) as gone:
        mine.rooms()
    assert gone.value.status == 404


def test_verify_raises_with_the_calls_seen(live_emulator_app):
    assert _destroy(live_emulator_app) == 0
    assert _destroy(live_emulator_app) == 100004
    assert len(live_emulator_app.verify("destroy_room", count=2)) == 2
    live_emulator_app.verify("destroy_room", at_least=1, at_most=2)
    live_emulator_app.verify_never("create_room")
    live_emulator_app.verify_sequence([{"error_code": 0}, {"error_code": 100004}], strict=True)
    with pytest.raises(VerificationError) as failure:
        live_emulator_app.verify_sequence([{"error_code": 100004}, {"error_code": 0}])
    assert "- 2. ErrorCode=0  missing after #" in str(failure.value)
    assert isinstance(failure.value, AssertionError)
    with pytest.raises(VerificationError, match=r"expected no call matching ErrorCode=100004 in app \d+, found 1"):
        live_emulator_app.verify_never(error_code=100004)


def test_wait_for_answers_when_asynchronous_code_has_called(live_emulator_app):
    import threading
    worker = threading.Timer(0.05, _destroy, args=(live_emulator_app,))  # code under test, running later
    worker.start()
    calls = live_emulator_app.wait_for("destroy_room", count=1, timeout=10)
    worker.join()
    assert [call["error_code"] for call in calls] == [0]
    with pytest.raises(VerificationError, match="after waiting 100 ms, expected at least 1 call matching api=create_room"):
        live_emulator_app.wait_for("create_room", timeout=0.1)


def test_wait_for_a_callback_delivered_to_a_receiver(live_emulator_process):
    import http.server
    import threading
    received = []

    class Receiver(http.server.BaseHTTPRequestHandler):
        def do_POST(self):
            received.append(self.rfile.read(int(self.headers["Content-Length"])))
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.end_headers()
            self.wfile.write(b'{"ActionStatus":"OK","ErrorInfo":"","ErrorCode":0}')

        def log_message(self, *args):
            pass

    receiver = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Receiver)
    threading.Thread(target=receiver.serve_forever, daemon=True).start()
    app = live_emulator_process.add_app(
        admins=["admin"], rooms=[{"room_id": "live-room", "owner": "admin"}],
        callback={"url": f"http://127.0.0.1:{receiver.server_address[1]}/cb",
                  "commands": ["Live.CallbackAfterDestroyRoom"]})
    try:
        assert _destroy(app) == 0
        delivered = app.wait_for("Live.CallbackAfterDestroyRoom", timeout=10)
        assert [(d["command"], d["event_type"], d["state"]) for d in delivered] == [
            ("Live.CallbackAfterDestroyRoom", "DestroyByUser", "delivered")]
        assert len(received) == 1
    finally:
        app.remove()
        receiver.shutdown()


def test_attach_drives_an_emulator_started_elsewhere(live_emulator_process):
    attached = Emulator.attach(live_emulator_process.url)
    assert attached.health()["status"] == "ok"
    assert attached.start() is attached and attached.stop() is None  # not its process


@pytest.mark.live_emulator_app(root_admin="boss", rooms=[{"room_id": "stage", "owner": "boss"}], response_style="current")
def test_the_marker_gives_live_emulator_app_another_app(live_emulator_app):
    assert live_emulator_app.root_admin == "boss"
    assert [room["room_id"] for room in live_emulator_app.rooms()] == ["stage"]
    assert live_emulator_app.app["response_style"] == "current"
