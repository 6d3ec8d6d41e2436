"""The helper agrees with the emulator's OpenAPI description: every control call its methods make is
an operation there, and every control operation there is made by one of its methods."""
import re
import urllib.parse

from live_emulator import Emulator

# Every method once, with arguments that the emulator accepts.
CALLS = [
    lambda e: e.health(), lambda e: e.apps(), lambda e: e.rooms(), lambda e: e.rooms(88888888),
    lambda e: e.add_room(88888888, "a/b room", "admin"), lambda e: e.add_rooms([{"sdkappid": 88888888, "room_id": "b", "owner": "admin"}]),
    lambda e: e.set_statistic(88888888, "a/b room", TotalViewers=1), lambda e: e.members(88888888, "a/b room", enter=["x"]),
    lambda e: e.members(88888888, "a/b room"), lambda e: e.remove_room(88888888, "a/b room"),
    lambda e: e.delete_fault(e.add_fault({"error_code": 100001})), lambda e: e.faults(), lambda e: e.clear_faults(),
    lambda e: e.requests(last=5), lambda e: e.journal(), lambda e: e.clear_requests(),
    lambda e: e.clock(), lambda e: e.freeze(), lambda e: e.advance(1), lambda e: e.real_time(),
    lambda e: e.apply_scenario({}), lambda e: e.scenario_recipes(), lambda e: e.limiter(),
    lambda e: e.callbacks(), lambda e: e.clear_callbacks(), lambda e: e.metrics(), lambda e: e.openapi(),
    lambda e: e.add_app().remove(), lambda e: e.verify_never("create_room"),
    lambda e: e.reset(),
]


def operation_matcher(document):
    """(method, regex) for each control operation of the document."""
    operations = []
    for path, methods in document["paths"].items():
        if not path.startswith("/__emulator/") or path.startswith("/__emulator/ui"):
            continue  # the dashboard's files are for browsers, not a control call
        pattern = "^" + re.sub(r"\\\{[^}]+\\\}", "[^/]+", re.escape(path)) + "$"
        operations += [(method.upper(), path, re.compile(pattern)) for method in methods]
    return operations


def test_every_call_is_described_and_every_operation_is_called(live_emulator, monkeypatch):
    made = []
    original = Emulator.control

    def recording(self, method, path, body=None, query=None, timeout=None):
        made.append((method, urllib.parse.urlsplit(path).path))
        return original(self, method, path, body, query, timeout)

    operations = operation_matcher(live_emulator.openapi())
    monkeypatch.setattr(Emulator, "control", recording)
    for call in CALLS:
        call(live_emulator)
    used = set()
    for method, path in made:
        matches = [documented for verb, documented, regex in operations if verb == method and regex.match(path)]
        assert matches, f"{method} {path} is not an operation of openapi.json"
        used.update((method, documented) for documented in matches)
    unused = {(verb, documented) for verb, documented, _ in operations} - used
    assert not unused, f"operations of openapi.json that no helper method makes: {sorted(unused)}"


def test_the_check_fails_on_an_undescribed_path(live_emulator):
    operations = operation_matcher(live_emulator.openapi())
    assert not [p for verb, p, regex in operations if verb == "GET" and regex.match("/__emulator/nope")]
    assert [p for verb, p, regex in operations if verb == "DELETE" and regex.match("/__emulator/faults/7")]
