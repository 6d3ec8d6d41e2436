#!/usr/bin/env python3
"""A live-conformance adapter in Python, standard library only (docs/conformance.md, "The adapter
protocol"): `client.py [destroy|create|get|update|list] ROOM...` calls the command for every room
named on the command line (a bare room list destroys) and prints one JSON line per room; `list`
prints one line per room listed. It signs with its own TLSSigAPIv2 code (the Python helper's,
helpers/python/src/live_emulator/tlssig.py), written from the algorithm, not from our C++.

Retries only where it is safe (no answer, a broken answer, HTTP 5xx, 100001, 60007; for create
also 100012, after the 1 s repeat window) with exponential backoff and full jitter; after an
attempt whose outcome is unknown, destroy's 100004 means an earlier attempt destroyed the room, and
create's 100010 that an earlier attempt created it.
"""
import http.client
import json
import os
import random
import secrets
import ssl
import sys
import time
import urllib.parse

# The signer of the Python helper, used straight from the repository (no install needed).
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "..", "helpers", "python", "src"))
from live_emulator import tlssig  # noqa: E402

SERVICE = "/v4/live_engine_http_srv/"
# operation: (command, the outcome of ErrorCode 0, the code that means "already" after an unknown
# outcome and its outcome, codes that are safe to retry besides 100001 and 60007)
OPERATIONS = {
    "destroy": ("destroy_room", "destroyed", 100004, "already_destroyed", ()),
    "create": ("create_room", "created", 100010, "already_created", (100012,)),
    "get": ("get_room_info", "ok", None, None, ()),
    "update": ("update_room_info", "updated", None, None, ()),
}
LIST_MIN_INTERVAL_S = 1 / 9  # get_room_list: 10 calls per second
TIMEOUT_S = 3.0          # the vendor's own server-side timeout
MAX_ATTEMPTS = 5
BASE_S, CAP_S = 0.1, 2.0
MIN_INTERVAL_S = 1 / 190  # below the documented 200 calls per second


class Client:
    def __init__(self, environ):
        for name in ("LIVE_ENDPOINT", "LIVE_SDKAPPID", "LIVE_IDENTIFIER", "LIVE_SECRET_KEY"):
            if not environ.get(name):
                sys.exit(f"client.py: {name} is not set")
        self.endpoint = urllib.parse.urlsplit(environ["LIVE_ENDPOINT"])
        self.sdkappid = int(environ["LIVE_SDKAPPID"])
        self.identifier = environ["LIVE_IDENTIFIER"]
        self.usersig = tlssig.usersig(environ["LIVE_SECRET_KEY"], self.identifier, self.sdkappid, 86400)
        self.context = None
        if self.endpoint.scheme == "https":
            self.context = ssl.create_default_context(cafile=environ.get("LIVE_CA_FILE") or None)
        self.connection = None
        self.next_start = 0.0

    def _connect(self):
        host, port = self.endpoint.hostname, self.endpoint.port
        if self.context is not None:
            return http.client.HTTPSConnection(host, port or 443, timeout=TIMEOUT_S, context=self.context)
        return http.client.HTTPConnection(host, port or 80, timeout=TIMEOUT_S)

    def _pace(self, interval):
        now = time.monotonic()
        start = max(now, self.next_start)
        self.next_start = start + interval
        if start > now:
            time.sleep(start - now)

    def call(self, command, payload):
        """One attempt: (status, body) or (None, reason) when no whole answer came."""
        query = urllib.parse.urlencode({
            "sdkappid": self.sdkappid, "identifier": self.identifier, "usersig": self.usersig,
            "random": secrets.randbelow(2**32), "contenttype": "json"})
        body = json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode()
        if self.connection is None:
            self.connection = self._connect()
        try:
            self.connection.request("POST", f"{SERVICE}{command}?{query}", body=body,
                                    headers={"Content-Type": "application/json"})
            response = self.connection.getresponse()
            text = response.read()
            if response.will_close:
                self._drop()
            return response.status, text
        except (OSError, http.client.HTTPException) as error:  # timeouts, resets, cut bodies
            self._drop()
            return None, f"{type(error).__name__}: {error}"

    def _drop(self):
        if self.connection is not None:
            self.connection.close()
        self.connection = None

    def run(self, operation, room_id):
        command, success, already_code, already, safe = OPERATIONS[operation]
        if operation in ("destroy", "get"):
            payload = {"RoomId": room_id}
        elif operation == "create":
            payload = {"RoomInfo": {"RoomId": room_id, "RoomType": "Live"}}
        else:
            payload = {"RoomInfo": {"RoomId": room_id, "Notice": "updated by client.py"}}
        result = self.attempts(command, payload, success, already_code, already, safe)
        return {"RoomId": room_id, **result}

    def attempts(self, command, request, success, already_code=None, already=None, safe=(), interval=MIN_INTERVAL_S):
        """Calls `command` until an answer is final or the attempts run out; the line's members."""
        unknown = False
        last = None
        for attempt in range(1, MAX_ATTEMPTS + 1):
            self._pace(interval)
            status, payload = self.call(command, request)
            retryable = False
            envelope = None
            if status == 200:
                try:
                    envelope = json.loads(payload)
                    if not isinstance(envelope, dict) or not isinstance(envelope.get("ErrorCode"), int):
                        envelope = None
                except ValueError:
                    envelope = None
            if envelope is None:
                # No answer, an HTTP error page, or a 200 whose body is not an envelope: the outcome
                # is unknown, and retrying is safe (a destroyed room answers 100004).
                unknown = True
                retryable = status is None or status >= 500 or status == 200
                reason = payload if status is None else f"HTTP {status}"
                last = {"outcome": "transport_error", "ErrorCode": None, "ErrorInfo": str(reason), "RequestId": None}
            else:
                code = envelope["ErrorCode"]
                request_id = envelope.get("RequestId")
                if code == 0:
                    return {"outcome": success, "ErrorCode": 0, "ErrorInfo": "", "RequestId": request_id,
                            "attempts": attempt, "Response": envelope.get("Response")}
                if code == already_code and unknown:
                    return {"outcome": already, "ErrorCode": code, "ErrorInfo": envelope.get("ErrorInfo"),
                            "RequestId": request_id, "attempts": attempt}
                last = {"outcome": "error", "ErrorCode": code, "ErrorInfo": envelope.get("ErrorInfo"),
                        "RequestId": request_id}
                retryable = code in (100001, 60007) or code in safe
            if not retryable or attempt == MAX_ATTEMPTS:
                break
            wait = random.uniform(0, min(CAP_S, BASE_S * 2 ** (attempt - 1)))
            if unknown and already_code == 100010:
                wait = max(wait, 1.0)  # create: past the 1 s repeat window, a retry answers 100010
            time.sleep(wait)
        return {**last, "attempts": attempt}

    def list_rooms(self):
        """Every page of get_room_list through Next: a line per room, and one for a failure."""
        lines, next_token = [], ""
        while True:
            page = self.attempts("get_room_list", {"Next": next_token, "Count": 20}, "listed",
                                 interval=LIST_MIN_INTERVAL_S)
            if page["outcome"] != "listed":
                lines.append(page)
                return lines
            response = page.get("Response") or {}
            lines += [{"RoomId": room.get("RoomId"), "outcome": "listed"} for room in response.get("RoomList", [])]
            next_token = response.get("Next", "")
            if not next_token:
                return lines


def main():
    sys.stdout.reconfigure(encoding="utf-8")
    client = Client(os.environ)
    arguments = [os.fsencode(argument).decode("utf-8") for argument in sys.argv[1:]]  # the ids' bytes
    operation = "destroy"
    if arguments and arguments[0] in (*OPERATIONS, "list"):
        operation = arguments.pop(0)
    if operation == "list":
        results = client.list_rooms()
    else:
        results = (client.run(operation, room_id) for room_id in arguments)
    exit_code = 0
    for result in results:
        result.pop("Response", None)
        print(json.dumps(result, ensure_ascii=False), flush=True)
        if result["outcome"] == "error":
            exit_code = max(exit_code, 1)
        elif result["outcome"] == "transport_error":
            exit_code = 2
    return exit_code


if __name__ == "__main__":
    sys.exit(main())
