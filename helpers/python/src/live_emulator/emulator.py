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
        self.binary = find_binary(binary)
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

    # ------------------------------------------------------------------ process

    def start(self):
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

    def control(self, method, path, body=None, query=None):
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
        connection = self._connection()
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

    def _connection(self):
        if self.url is None:
            raise RuntimeError("the emulator is not started")
        parsed = urllib.parse.urlsplit(self.url)
        if parsed.scheme == "https":
            import ssl
            return http.client.HTTPSConnection(parsed.hostname, parsed.port, timeout=30,
                                               context=ssl.create_default_context(cafile=self.ca_file))
        return http.client.HTTPConnection(parsed.hostname, parsed.port, timeout=30)

    # ------------------------------------------------------------------ control calls

    def health(self):
        return self.control("GET", "/__emulator/health")

    def reset(self):
        """Back to the configured initial state (rooms, journal, faults, limiter, clock, apps)."""
        return self.control("POST", "/__emulator/reset")

    def apps(self):
        return self.control("GET", "/__emulator/apps")["apps"]

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

    def faults(self):
        return self.control("GET", "/__emulator/faults")["faults"]

    def delete_fault(self, fault_id):
        return self.control("DELETE", f"/__emulator/faults/{fault_id}")

    def clear_faults(self):
        return self.control("DELETE", "/__emulator/faults")

    def requests(self, api=None, sdkappid=None, room_id=None, after_seq=None, limit=None, last=None):
        """The journal's entries, oldest first, filtered like GET /__emulator/requests."""
        return self.journal(api, sdkappid, room_id, after_seq, limit, last)["requests"]

    def journal(self, api=None, sdkappid=None, room_id=None, after_seq=None, limit=None, last=None):
        """The whole answer: {"requests": [...], "last_seq": N} (poll again with after_seq=N)."""
        return self.control("GET", "/__emulator/requests",
                            query={"api": api, "sdkappid": sdkappid, "room_id": room_id,
                                   "after_seq": after_seq, "limit": limit, "last": last})

    def clear_requests(self):
        return self.control("DELETE", "/__emulator/requests")

    def clock(self):
        return self.control("GET", "/__emulator/clock")

    def freeze(self, at=None):
        """Freezes the clock where it stands, or at Unix time `at`."""
        return self.control("POST", "/__emulator/clock", {"mode": "manual"} if at is None else {"now": at})

    def advance(self, seconds):
        return self.control("POST", "/__emulator/clock", {"advance_seconds": seconds})

    def real_time(self):
        return self.control("POST", "/__emulator/clock", {"mode": "real"})

    def apply_scenario(self, scenario):
        """Applies a scenario document (a dict) on top of the current state."""
        return self.control("POST", "/__emulator/scenarios", scenario)

    def scenario_recipes(self):
        """The recipes built into the emulator: [{"name", "description", "scenario"}]."""
        return self.control("GET", "/__emulator/scenarios")["scenarios"]

    def limiter(self):
        return self.control("GET", "/__emulator/limiter")["windows"]

    def callbacks(self, command=None, sdkappid=None, room_id=None):
        return self.control("GET", "/__emulator/callbacks",
                            query={"command": command, "sdkappid": sdkappid, "room_id": room_id})["callbacks"]

    def clear_callbacks(self):
        return self.control("DELETE", "/__emulator/callbacks")

    def metrics(self):
        """The counters, in Prometheus' text format (a string)."""
        return self.control("GET", "/__emulator/metrics")

    def openapi(self):
        """The emulator's OpenAPI 3.1 description of its vendor and control APIs."""
        return self.control("GET", "/__emulator/openapi.json")
