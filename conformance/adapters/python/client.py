#!/usr/bin/env python3
"""A live-conformance adapter in Python, standard library only (docs/conformance.md, "The adapter
protocol"): destroys every room named on the command line through
POST /v4/live_engine_http_srv/destroy_room and prints one JSON line per room. It signs with its own
TLSSigAPIv2 code (the Python helper's, helpers/python/src/live_emulator/tlssig.py), written from the
algorithm, not from our C++.

Retries only where it is safe (no answer, a broken answer, HTTP 5xx, 100001, 60007) with
exponential backoff and full jitter; after an attempt whose outcome is unknown, 100004 means an
earlier attempt destroyed the room.
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

PATH = "/v4/live_engine_http_srv/destroy_room"
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

    def _pace(self):
        now = time.monotonic()
        start = max(now, self.next_start)
        self.next_start = start + MIN_INTERVAL_S
        if start > now:
            time.sleep(start - now)

    def call(self, room_id):
        """One attempt: (status, body) or (None, reason) when no whole answer came."""
        query = urllib.parse.urlencode({
            "sdkappid": self.sdkappid, "identifier": self.identifier, "usersig": self.usersig,
            "random": secrets.randbelow(2**32), "contenttype": "json"})
        body = json.dumps({"RoomId": room_id}, ensure_ascii=False, separators=(",", ":")).encode()
        if self.connection is None:
            self.connection = self._connect()
        try:
            self.connection.request("POST", f"{PATH}?{query}", body=body,
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

    def destroy(self, room_id):
        unknown = False
        last = None
        for attempt in range(1, MAX_ATTEMPTS + 1):
            self._pace()
            status, payload = self.call(room_id)
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
                last = {"RoomId": room_id, "outcome": "transport_error", "ErrorCode": None,
                        "ErrorInfo": str(reason), "RequestId": None}
            else:
                code = envelope["ErrorCode"]
                request_id = envelope.get("RequestId")
                if code == 0:
                    return {"RoomId": room_id, "outcome": "destroyed", "ErrorCode": 0, "ErrorInfo": "",
                            "RequestId": request_id, "attempts": attempt}
                if code == 100004 and unknown:
                    return {"RoomId": room_id, "outcome": "already_destroyed", "ErrorCode": code,
                            "ErrorInfo": envelope.get("ErrorInfo"), "RequestId": request_id, "attempts": attempt}
                last = {"RoomId": room_id, "outcome": "error", "ErrorCode": code,
                        "ErrorInfo": envelope.get("ErrorInfo"), "RequestId": request_id}
                retryable = code in (100001, 60007)
            if not retryable or attempt == MAX_ATTEMPTS:
                break
            time.sleep(random.uniform(0, min(CAP_S, BASE_S * 2 ** (attempt - 1))))
        return {**last, "attempts": attempt}


def main():
    sys.stdout.reconfigure(encoding="utf-8")
    client = Client(os.environ)
    exit_code = 0
    for argument in sys.argv[1:]:
        room_id = os.fsencode(argument).decode("utf-8")  # the id's bytes, whatever the locale
        result = client.destroy(room_id)
        print(json.dumps(result, ensure_ascii=False), flush=True)
        if result["outcome"] == "error":
            exit_code = max(exit_code, 1)
        elif result["outcome"] == "transport_error":
            exit_code = 2
    return exit_code


if __name__ == "__main__":
    sys.exit(main())
