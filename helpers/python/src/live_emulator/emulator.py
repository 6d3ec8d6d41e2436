"""Start live-emulator on port 0, wait for its listening line, drive its control API, stop it.

Every control call of docs/control-api.md has a method here. A call the emulator refuses raises
ControlError with the emulator's own message (it names the field and what was expected).
"""
import http.client
import json
import os
import queue
import shutil
import subprocess
import sysconfig
import threading
import urllib.parse

LISTENING = "live-emulator listening on "
_ATTACHED = object()  # the binary of an emulator this object did not start


class VerificationError(AssertionError):
    """A verification did not hold. The message is the emulator's: what was expected, then the calls
    it saw, one line each, with > marking those that matched. `result` is the whole answer.

    It is an AssertionError, so pytest (and unittest) report it as a failed assertion with that
    message, with no assertion rewriting needed in the test module."""

    def __init__(self, message, result):
        super().__init__(message)
        self.result = result


class ControlError(Exception):
    """The control API refused a call: `status` is the HTTP status, the message the emulator's."""

    def __init__(self, method, path, status, message):
        super().__init__(f"{method} {path}: HTTP {status}: {message}")
        self.status = status
        self.message = message


def find_binary(binary=None):
    """The live-emulator to run: `binary`, else $LIVE_EMULATOR, else the one the wheel installed
    beside this Python (its scripts folder, found even when that is not on PATH), else PATH."""
    candidate = binary or os.environ.get("LIVE_EMULATOR") or _installed_beside_python() or shutil.which("live-emulator")
    if not candidate:
        raise FileNotFoundError("live-emulator not found: pass binary=, set LIVE_EMULATOR, install the "
                                "live_emulator wheel (it carries the programs), or put it on PATH")
    return candidate


def _installed_beside_python():
    candidate = os.path.join(sysconfig.get_path("scripts"), "live-emulator")
    return candidate if os.access(candidate, os.X_OK) else None


class Emulator:
    """One live-emulator process. Use it as a context manager:

        with Emulator(config="config.json") as emulator:
            emulator.add_fault(action={"error_code": 100001}, room_id="live-room")
            ...  # call emulator.url from the code under test
            assert emulator.requests(room_id="live-room")[0]["error_code"] == 100001
    """

    def __init__(self, binary=None, config=None, scenarios=(), args=(), control_token=None,
                 start_timeout=15.0, ca_file=None):
        self.binary = find_binary(binary) if binary != _ATTACHED else None
        self.config = config
        self.scenarios = list(scenarios)
        self.args = list(args)
        self.control_token = control_token
        self.start_timeout = start_timeout
        self.ca_file = ca_file  # for an emulator started with --tls-cert: the CA that signed it
        self.process = None
        self.url = None
        self.port = None
        self.startup_lines = []

    @classmethod
    def attach(cls, url, control_token=None, ca_file=None):
        """An emulator started by someone else (another process, a container, the pytest-xdist
        controller): the control calls work, start() and stop() do nothing."""
        emulator = cls(binary=_ATTACHED, control_token=control_token, ca_file=ca_file)
        emulator.url = url.rstrip("/")
        emulator.port = urllib.parse.urlsplit(emulator.url).port
        return emulator

    # ------------------------------------------------------------------ process

    def start(self):
        if self.binary is None:  # attached
            return self
        argv = [self.binary, "--port", "0", "--log-format", "none"]
        if self.config:
            argv += ["--config", os.fspath(self.config)]
        for scenario in self.scenarios:
            argv += ["--scenario", os.fspath(scenario)]
        if self.control_token:
            argv += ["--control-token", self.control_token]
        argv += self.args
        self.process = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        lines = queue.Queue()
        threading.Thread(target=self._read_stdout, args=(lines,), daemon=True).start()
        try:
            first = lines.get(timeout=self.start_timeout)
        except queue.Empty:
            self.stop()
            raise TimeoutError(f"live-emulator printed no listening line within {self.start_timeout} s") from None
        if first is None or not first.startswith(LISTENING):
            try:
                self.process.wait(timeout=5)  # it closed its stdout: it is exiting
                error = self.process.stderr.read().strip()
            except subprocess.TimeoutExpired:
                error = ""
            status = self.stop()
            raise RuntimeError(f"live-emulator did not start (exit status {status}): {error or first!r}")
        self.url = first[len(LISTENING):].strip()
        self.port = int(self.url.rsplit(":", 1)[1])
        return self

    def _read_stdout(self, lines):
        first = True
        for line in self.process.stdout:
            if first:
                lines.put(line.rstrip("\n"))
                first = False
            else:
                self.startup_lines.append(line.rstrip("\n"))
        if first:
            lines.put(None)

    def stop(self):
        """Stops the process (SIGTERM, then SIGKILL after 10 s); returns its exit status."""
        if self.process is None:
            return None
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        for stream in (self.process.stdout, self.process.stderr):
            if stream:
                stream.close()
        status, self.process = self.process.returncode, None
        return status

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()

    # ------------------------------------------------------------------ HTTP

    def control(self, method, path, body=None, query=None, timeout=None):
        """One control call: the parsed JSON answer (the text for a non-JSON answer), or ControlError."""
        if query:
            present = {name: value for name, value in query.items() if value is not None}
            if present:
                path += "?" + urllib.parse.urlencode(present)
        headers = {}
        if method != "GET":
            headers["Content-Type"] = "application/json"  # every state-changing call says JSON
        if self.control_token:
            headers["Authorization"] = f"Bearer {self.control_token}"
        connection = self._connection(timeout)
        try:
            connection.request(method, path, body=None if body is None else json.dumps(body), headers=headers)
            response = connection.getresponse()
            text = response.read().decode()
        finally:
            connection.close()
        is_json = response.getheader("Content-Type", "").startswith("application/json")
        answer = json.loads(text) if text and is_json else (text or None)
        if response.status >= 300:
            message = answer.get("error", text) if isinstance(answer, dict) else text
            raise ControlError(method, path, response.status, message)
        return answer

    def _connection(self, timeout=None):
        if self.url is None:
            raise RuntimeError("the emulator is not started")
        parsed = urllib.parse.urlsplit(self.url)
        if parsed.scheme == "https":
            import ssl
            return http.client.HTTPSConnection(parsed.hostname, parsed.port, timeout=timeout or 30,
                                               context=ssl.create_default_context(cafile=self.ca_file))
        return http.client.HTTPConnection(parsed.hostname, parsed.port, timeout=timeout or 30)

    # ------------------------------------------------------------------ control calls

    def health(self):
        return self.control("GET", "/__emulator/health")

    def reset(self, sdkappid=None):
        """Back to the configured initial state (rooms, journal, faults, limiter, clock, apps); with
        `sdkappid`, only that app's."""
        return self.control("POST", "/__emulator/reset", query={"sdkappid": sdkappid})

    def apps(self):
        return self.control("GET", "/__emulator/apps")["apps"]

    def add_app(self, **app):
        """Adds an app for one test (docs/control-api.md, "Apps at run time"): an app object as in the
        config, every member optional (sdkappid and secret_key are chosen when left out), plus
        rooms=[...]. Returns an EmulatorApp whose calls are scoped to it."""
        return EmulatorApp(self, self.control("POST", "/__emulator/apps", app))

    def remove_app(self, sdkappid):
        return self.control("DELETE", f"/__emulator/apps/{sdkappid}")

    def rooms(self, sdkappid=None):
        return self.control("GET", "/__emulator/rooms", query={"sdkappid": sdkappid})["rooms"]

    def add_room(self, sdkappid, room_id, owner, **fields):
        """Adds one room (a room object as in the config); returns it."""
        return self.control("POST", "/__emulator/rooms",
                            dict(fields, sdkappid=sdkappid, room_id=room_id, owner=owner))

    def add_rooms(self, rooms):
        """Adds many room objects, all or nothing; returns how many."""
        return self.control("POST", "/__emulator/rooms", {"rooms": list(rooms)})["added"]

    def remove_room(self, sdkappid, room_id):
        return self.control("DELETE", f"/__emulator/rooms/{sdkappid}/{urllib.parse.quote(room_id, safe='')}")

    def set_statistic(self, sdkappid, room_id, **counters):
        return self.control("POST", f"/__emulator/rooms/{sdkappid}/{urllib.parse.quote(room_id, safe='')}/statistic",
                            counters)

    def members(self, sdkappid, room_id, **events):
        """Member events (enter=[...], leave=[...], ...); without events, the room's occupancy."""
        path = f"/__emulator/rooms/{sdkappid}/{urllib.parse.quote(room_id, safe='')}/members"
        return self.control("POST", path, events) if events else self.control("GET", path)

    def add_fault(self, action, api="destroy_room", **rule):
        """Adds a fault rule (action={"error_code": 100001}, room_id=..., count=..., for_ms=...,
        after_apply=...); returns its id."""
        return self.control("POST", "/__emulator/faults", dict(rule, api=api, action=action))["id"]

    def faults(self, sdkappid=None):
        return self.control("GET", "/__emulator/faults", query={"sdkappid": sdkappid})["faults"]

    def delete_fault(self, fault_id):
        return self.control("DELETE", f"/__emulator/faults/{fault_id}")

    def clear_faults(self, sdkappid=None):
        return self.control("DELETE", "/__emulator/faults", query={"sdkappid": sdkappid})

    def requests(self, api=None, sdkappid=None, room_id=None, after_seq=None, limit=None, last=None):
        """The journal's entries, oldest first, filtered like GET /__emulator/requests."""
        return self.journal(api, sdkappid, room_id, after_seq, limit, last)["requests"]

    def journal(self, api=None, sdkappid=None, room_id=None, after_seq=None, limit=None, last=None):
        """The whole answer: {"requests": [...], "last_seq": N} (poll again with after_seq=N)."""
        return self.control("GET", "/__emulator/requests",
                            query={"api": api, "sdkappid": sdkappid, "room_id": room_id,
                                   "after_seq": after_seq, "limit": limit, "last": last})

    def clear_requests(self, sdkappid=None):
        return self.control("DELETE", "/__emulator/requests", query={"sdkappid": sdkappid})

    # ------------------------------------------------------------------ verification

    def verify(self, api=None, room_id=None, error_code=None, identifier=None, state=None, event_type=None,
               count=None, at_least=None, at_most=None, sdkappid=None):
        """Asserts how many calls match (by default at least one): count=N, at_least=N, at_most=N.
        A callback command as `api` ("Live.CallbackAfterDestroyRoom") counts callbacks delivered.
        Returns the matching calls; raises VerificationError with the emulator's message."""
        where = _pattern(api, room_id, error_code, identifier, state, event_type)
        return self._verify({"where": where, "count": count, "at_least": at_least, "at_most": at_most,
                             "sdkappid": sdkappid})

    def verify_never(self, api=None, room_id=None, error_code=None, identifier=None, state=None,
                     event_type=None, sdkappid=None):
        """Asserts that no call matches."""
        return self.verify(api, room_id, error_code, identifier, state, event_type, count=0, sdkappid=sdkappid)

    def verify_sequence(self, steps, strict=False, sdkappid=None):
        """Asserts that calls matching `steps` (dicts of api, room_id, error_code, ...) came in this
        order; other calls between them are allowed unless strict=True."""
        return self._verify({"sequence": [_pattern(**step) for step in steps], "strict": strict or None,
                             "sdkappid": sdkappid})

    def wait_for(self, api=None, count=1, timeout=5.0, room_id=None, error_code=None, identifier=None,
                 state=None, event_type=None, sdkappid=None):
        """Waits until at least `count` calls (or callbacks delivered) match, at most `timeout`
        seconds. The emulator answers when they have arrived: nothing polls. Returns them."""
        where = _pattern(api, room_id, error_code, identifier, state, event_type)
        return self._verify({"where": where, "at_least": count, "sdkappid": sdkappid,
                             "wait_ms": int(timeout * 1000)}, timeout=timeout + 30)

    def _verify(self, body, timeout=None):
        body = {name: value for name, value in body.items() if value is not None}
        result = self.control("POST", "/__emulator/verify", body, timeout=timeout)
        if not result["ok"]:
            raise VerificationError(result["message"].rstrip("\n"), result)
        return result["calls"]

    def clock(self, sdkappid=None):
        return self.control("GET", "/__emulator/clock", query={"sdkappid": sdkappid})

    def freeze(self, at=None):
        """Freezes the clock where it stands, or at Unix time `at`."""
        return self.control("POST", "/__emulator/clock", {"mode": "manual"} if at is None else {"now": at})

    def advance(self, seconds, sdkappid=None):
        """Moves the clock forward; with `sdkappid`, only that app's time."""
        return self.control("POST", "/__emulator/clock", {"advance_seconds": seconds}, query={"sdkappid": sdkappid})

    def real_time(self):
        return self.control("POST", "/__emulator/clock", {"mode": "real"})

    def apply_scenario(self, scenario):
        """Applies a scenario document (a dict) on top of the current state."""
        return self.control("POST", "/__emulator/scenarios", scenario)

    def scenario_recipes(self):
        """The recipes built into the emulator: [{"name", "description", "scenario"}]."""
        return self.control("GET", "/__emulator/scenarios")["scenarios"]

    def limiter(self, sdkappid=None):
        return self.control("GET", "/__emulator/limiter", query={"sdkappid": sdkappid})["windows"]

    def callbacks(self, command=None, sdkappid=None, room_id=None):
        return self.control("GET", "/__emulator/callbacks",
                            query={"command": command, "sdkappid": sdkappid, "room_id": room_id})["callbacks"]

    def clear_callbacks(self, sdkappid=None):
        return self.control("DELETE", "/__emulator/callbacks", query={"sdkappid": sdkappid})

    def metrics(self):
        """The counters, in Prometheus' text format (a string)."""
        return self.control("GET", "/__emulator/metrics")

    def openapi(self):
        """The emulator's OpenAPI 3.1 description of its vendor and control APIs."""
        return self.control("GET", "/__emulator/openapi.json")


def _pattern(api=None, room_id=None, error_code=None, identifier=None, state=None, event_type=None):
    pattern = {"api": api, "room_id": room_id, "error_code": error_code, "identifier": identifier,
               "state": state, "event_type": event_type}
    return {name: value for name, value in pattern.items() if value is not None}


class EmulatorApp:
    """An app of its own on a shared emulator (Emulator.add_app, the live_emulator_app fixture).
    Its methods are the Emulator's, scoped to this app: its rooms, faults, journal, callbacks, rate
    windows, clock and reset touch nothing of another app, so parallel tests keep apart."""

    def __init__(self, emulator, app):
        self.emulator = emulator
        self.app = app
        self.sdkappid = app["sdkappid"]
        self.secret_key = app["secret_key"]
        self.root_admin = app["root_admin"]
        self.url = emulator.url

    def usersig(self, identifier=None, expire=86400, issued_at=None):
        """A UserSig of this app for `identifier` (its root admin by default)."""
        from .tlssig import usersig
        return usersig(self.secret_key, identifier or self.root_admin, self.sdkappid, expire=expire,
                       issued_at=issued_at)

    def remove(self):
        return self.emulator.remove_app(self.sdkappid)

    def reset(self):
        return self.emulator.reset(sdkappid=self.sdkappid)

    def rooms(self):
        return self.emulator.rooms(self.sdkappid)

    def add_room(self, room_id, owner=None, **fields):
        return self.emulator.add_room(self.sdkappid, room_id, owner or self.root_admin, **fields)

    def remove_room(self, room_id):
        return self.emulator.remove_room(self.sdkappid, room_id)

    def set_statistic(self, room_id, **counters):
        return self.emulator.set_statistic(self.sdkappid, room_id, **counters)

    def members(self, room_id, **events):
        return self.emulator.members(self.sdkappid, room_id, **events)

    def add_fault(self, action, api="destroy_room", **rule):
        """A fault rule for this app only."""
        return self.emulator.add_fault(action, api=api, sdkappid=self.sdkappid, **rule)

    def faults(self):
        return self.emulator.faults(sdkappid=self.sdkappid)

    def clear_faults(self):
        return self.emulator.clear_faults(sdkappid=self.sdkappid)

    def requests(self, api=None, room_id=None, after_seq=None, limit=None, last=None):
        return self.emulator.requests(api, self.sdkappid, room_id, after_seq, limit, last)

    def clear_requests(self):
        return self.emulator.clear_requests(sdkappid=self.sdkappid)

    def callbacks(self, command=None, room_id=None):
        return self.emulator.callbacks(command, self.sdkappid, room_id)

    def clear_callbacks(self):
        return self.emulator.clear_callbacks(sdkappid=self.sdkappid)

    def limiter(self):
        return self.emulator.limiter(sdkappid=self.sdkappid)

    def clock(self):
        return self.emulator.clock(sdkappid=self.sdkappid)

    def advance(self, seconds):
        """Moves this app's time only: its UserSigs, rate windows and self-dissolving rooms."""
        return self.emulator.advance(seconds, sdkappid=self.sdkappid)

    def verify(self, api=None, **pattern_and_count):
        return self.emulator.verify(api, sdkappid=self.sdkappid, **pattern_and_count)

    def verify_never(self, api=None, **pattern):
        return self.emulator.verify_never(api, sdkappid=self.sdkappid, **pattern)

    def verify_sequence(self, steps, strict=False):
        return self.emulator.verify_sequence(steps, strict=strict, sdkappid=self.sdkappid)

    def wait_for(self, api=None, count=1, timeout=5.0, **pattern):
        return self.emulator.wait_for(api, count=count, timeout=timeout, sdkappid=self.sdkappid, **pattern)
