#!/usr/bin/env python3
"""An example webhook receiver for Live.CallbackAfterDestroyRoom (docs/webhooks.md), standard library
only: what a backend's handler should check before it trusts a callback.

    receiver.py --sdkappid 1400000000 --token TOKEN [--port 0] [BROKEN...]

Prints "receiver listening on http://127.0.0.1:PORT/callback" once it listens. It answers
{"ActionStatus":"OK","ErrorInfo":"","ErrorCode":0} to a callback that
  - is for its own SDKAppID and a command it knows,
  - carries a RequestTime within one minute of its clock, and the Sign of its token and that time
    (compared in constant time),
  - has a JSON body;
and HTTP 403 with ErrorCode 1 otherwise. A callback it has seen before (the same RoomId and
EventTime: delivery is at-least-once) is answered OK again and not processed twice. A body member
it does not know is read past. `GET /processed` answers {"destroyed":[{"RoomId","EventTime",
"EventType"}, ...]}: the dissolutions it processed, oldest first (its log, for
`live-conformance webhook --receiver-log`).

Each BROKEN option makes it a receiver with one defect, which live-conformance must fail:
--accept-any-sign (no Sign check), --process-duplicates (no idempotency), --any-command-is-destroy
(takes every callback for a dissolution), --strict-body (refuses a body member it does not know),
--refuse-system (refuses DestroyBySystem).
"""
import argparse
import hashlib
import hmac
import json
import sys
import threading
import time
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

MAX_SKEW_S = 60
OK = {"ActionStatus": "OK", "ErrorInfo": "", "ErrorCode": 0}


def sign(token, request_time):
    return hashlib.sha256(f"{token}{request_time}".encode()).hexdigest()


class Receiver(BaseHTTPRequestHandler):
    options = None
    seen = set()
    destroyed = []  # what it processed, for GET /processed
    lock = threading.Lock()
    KNOWN_MEMBERS = {"CallbackCommand", "Operator_Account", "RoomId", "EventType", "EventTime", "RoomInfo", "Statistic"}

    def do_GET(self):
        if urllib.parse.urlsplit(self.path).path != "/processed":
            return self.answer(404, {"error": "GET /processed is the log; callbacks are POSTed"})
        with self.lock:
            self.answer(200, {"destroyed": list(self.destroyed)})

    def log_message(self, *args):  # quiet: the emulator's journal has it all
        pass

    def answer(self, status, body):
        text = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(text)))
        self.end_headers()
        self.wfile.write(text)

    def refuse(self, why):
        self.answer(403, {"ActionStatus": "FAIL", "ErrorInfo": why, "ErrorCode": 1})

    def do_POST(self):
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length)
        query = dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(self.path).query))
        if query.get("SdkAppid") != str(self.options.sdkappid):
            return self.refuse(f"SdkAppid {query.get('SdkAppid')!r} is not this app's")
        command = query.get("CallbackCommand")
        if command != "Live.CallbackAfterDestroyRoom" and not (
                self.options.any_command_is_destroy and command in ("Live.CallbackAfterCreateRoom",
                                                                    "Live.CallbackAfterUpdateRoomInfo")):
            return self.refuse(f"unknown CallbackCommand {command!r}")
        request_time = query.get("RequestTime", "")
        if not request_time.isdigit() or abs(time.time() - int(request_time)) > MAX_SKEW_S:
            return self.refuse(f"RequestTime {request_time!r} is not within {MAX_SKEW_S} s of now")
        if not self.options.accept_any_sign and not hmac.compare_digest(
                query.get("Sign", ""), sign(self.options.token, request_time)):
            return self.refuse("Sign does not match")
        try:
            body = json.loads(raw)
            room = body["RoomId"] if "RoomId" in body else body["RoomInfo"]["RoomId"]
            key = (room, body["EventTime"])
        except (ValueError, KeyError, TypeError):
            return self.refuse("the body is not a callback")
        if self.options.strict_body and set(body) - self.KNOWN_MEMBERS:
            return self.refuse(f"unknown body members {sorted(set(body) - self.KNOWN_MEMBERS)}")
        if self.options.refuse_system and body.get("EventType") == "DestroyBySystem":
            return self.refuse("DestroyBySystem is not handled")
        with self.lock:
            first_time = key not in self.seen or self.options.process_duplicates
            self.seen.add(key)
            if first_time:
                # Here a backend would clean up after the room; this one notes that it did.
                self.destroyed.append({"RoomId": room, "EventTime": body["EventTime"],
                                       "EventType": body.get("EventType", "")})
        self.answer(200, OK)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sdkappid", type=int, default=1400000000)
    parser.add_argument("--token", required=True)
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--accept-any-sign", action="store_true", help="broken: skip the Sign check")
    parser.add_argument("--process-duplicates", action="store_true", help="broken: process a duplicate again")
    parser.add_argument("--any-command-is-destroy", action="store_true",
                        help="broken: take a create or update callback for a dissolution")
    parser.add_argument("--strict-body", action="store_true", help="broken: refuse a body member it does not know")
    parser.add_argument("--refuse-system", action="store_true", help="broken: refuse EventType DestroyBySystem")
    Receiver.options = parser.parse_args()
    server = ThreadingHTTPServer(("127.0.0.1", Receiver.options.port), Receiver)
    print(f"receiver listening on http://127.0.0.1:{server.server_address[1]}/callback", flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    return 0


if __name__ == "__main__":
    sys.exit(main())
