#!/usr/bin/env python3
"""scripts/bench's driver: measures live-emulator against a bare cpp-httplib server and WireMock in
one run, alternating them so machine drift cancels, and prints figures, ratios and the targets of
the performance issue. docs/performance.md says what each figure means."""

import argparse
import http.client
import json
import os
import re
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
API = "/v4/live_engine_http_srv/destroy_room"
ENVELOPE_BODY = '{"RoomId":"bench-missing-room"}'


def status_kib(pid, field):
    with open(f"/proc/{pid}/status") as status:
        for line in status:
            if line.startswith(field + ":"):
                return int(line.split()[1])
    return 0


def reset_peak_rss(pid):
    """Restarts VmHWM (peak RSS) from the current RSS (Linux: clear_refs 5)."""
    with open(f"/proc/{pid}/clear_refs", "w") as clear_refs:
        clear_refs.write("5")


def rss_kib(pid):
    with open(f"/proc/{pid}/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


class Server:
    """A server process that announces its port on its first stdout line."""

    def __init__(self, name, argv, port_from_line=True, port=None, ready_path=None, stderr=subprocess.DEVNULL):
        self.name = name
        started = time.perf_counter()
        self.process = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=stderr, text=True)
        if port_from_line:
            line = self.process.stdout.readline()
            self.port = int(line.strip().rsplit(":", 1)[1])
        else:
            self.port = port
            deadline = time.time() + 60
            while time.time() < deadline:
                try:
                    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=1)
                    connection.request("POST", ready_path, body="{}")
                    connection.getresponse().read()
                    break
                except OSError:
                    time.sleep(0.02)
        self.startup_ms = (time.perf_counter() - started) * 1000

    def stop(self):
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.process.kill()


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def parse_duration_ms(text):
    value, unit = re.match(r"([\d.]+)(us|ms|s)", text).groups()
    return float(value) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[unit]


def run_wrk(port, connections, seconds, path, script="destroy_room.lua"):
    threads = min(2, connections)
    env = dict(os.environ, BENCH_PATH=path)
    output = subprocess.run(
        ["wrk", f"-t{threads}", f"-c{connections}", f"-d{seconds}s", "--latency",
         "-s", os.path.join(HERE, script), f"http://127.0.0.1:{port}"],
        capture_output=True, text=True, env=env, check=True).stdout
    result = {"rps": float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1)),
              "p50": parse_duration_ms(re.search(r"\s50%\s+(\S+)", output).group(1)),
              "p99": parse_duration_ms(re.search(r"\s99%\s+(\S+)", output).group(1)),
              "errors": 0}
    socket_errors = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", output)
    if socket_errors:
        result["errors"] += sum(int(n) for n in socket_errors.groups())
    non_2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    if non_2xx:
        result["errors"] += int(non_2xx.group(1))
    return result


def all_connections_served(port, path, count=64):
    """Opens `count` keep-alive connections, all kept open, sends one request on each, and reports
    whether every one was answered (none waits for another to close) and the slowest answer."""
    sockets = [socket.create_connection(("127.0.0.1", port)) for _ in range(count)]
    request = (f"POST {path} HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
               f"Content-Length: {len(ENVELOPE_BODY)}\r\n\r\n{ENVELOPE_BODY}").encode()
    slowest = 0.0
    answered = 0
    for connection in sockets:
        connection.settimeout(2)
        started = time.perf_counter()
        connection.sendall(request)
        try:
            if connection.recv(4096).startswith(b"HTTP/1.1 200"):
                answered += 1
        except OSError:
            pass
        slowest = max(slowest, (time.perf_counter() - started) * 1000)
    for connection in sockets:
        connection.close()
    return answered, slowest


def control(port, method, path, body=None):
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    connection.request(method, path, body=json.dumps(body) if body is not None else None,
                       headers={"Content-Type": "application/json"})
    response = connection.getresponse()
    return response.status, json.loads(response.read())


def rate_limiter_accuracy(emulator_path, usersig, offered_per_second=1000, seconds=10, workers=8):
    """Offers `offered_per_second` valid calls per second for `seconds` against the default limit and
    checks the journal: admitted count, and the most admitted in any one-second window."""
    server = Server("live-emulator", [emulator_path, "--port", "0", "--log-format", "none",
                                      "--journal-size", str(offered_per_second * seconds * 2)])
    path = f"{API}?sdkappid=88888888&identifier=admin&usersig={usersig}&random=1&contenttype=json"
    total = offered_per_second * seconds
    start = time.perf_counter() + 0.2

    def worker(index):
        connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=5)
        for i in range(index, total, workers):
            delay = start + i / offered_per_second - time.perf_counter()
            if delay > 0:
                time.sleep(delay)
            connection.request("POST", path, body=ENVELOPE_BODY, headers={"Content-Type": "application/json"})
            connection.getresponse().read()

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(workers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - start
    _, journal = control(server.port, "GET", "/__emulator/requests")
    server.stop()
    admitted = sorted(entry["time"] for entry in journal["requests"] if entry["error_code"] != 60007)
    offered = len(journal["requests"])
    worst = 0
    left = 0
    for right, t in enumerate(admitted):  # window (t - 1 s, t]
        while admitted[left] <= t - 1.0:
            left += 1
        worst = max(worst, right - left + 1)
    return {"offered": offered, "elapsed": elapsed, "admitted": len(admitted), "worst_window": worst}


def rss_with_rooms(emulator_path, rooms=1_000_000, batch=10_000, family=False):
    """RSS idle and holding `rooms` rooms; with `family`, each room also has a metadata key and an
    admin (its parts) and one member in it (its occupancy), as the rest of the family leaves it."""
    server = Server("live-emulator", [emulator_path, "--port", "0", "--log-format", "none"])
    idle = rss_kib(server.process.pid)
    for first in range(0, rooms, batch):
        numbers = range(first, min(first + batch, rooms))
        room = lambda n: {"sdkappid": 88888888, "room_id": f"bench-room-{n:07d}", "owner": "admin",
                          "create_time": 1700000000}
        if family:
            payload = {"rooms": [{**room(n), "parts": {"metadata": [{"Key": "topic", "Value": "music"}],
                                                       "admins": ["moderator"]}} for n in numbers],
                       "members": [{"sdkappid": 88888888, "room_id": f"bench-room-{n:07d}", "enter": [f"viewer-{n}"]}
                                   for n in numbers]}
            status, _ = control(server.port, "POST", "/__emulator/scenarios", payload)
            assert status == 200, status
        else:
            status, _ = control(server.port, "POST", "/__emulator/rooms", {"rooms": [room(n) for n in numbers]})
            assert status == 201, status
    loaded = rss_kib(server.process.pid)
    server.stop()
    return idle, loaded


def latency_under_abuse(emulator_path, usersig, idle=200, loris=50, calls=500):
    """Opens `idle` silent connections and `loris` slow-loris ones (a request line, then one header
    byte every 100 ms, never finishing), then times `calls` well-behaved calls: half on one
    keep-alive connection, half each on a new connection. Returns the latencies in ms, sorted."""
    server = Server("live-emulator", [emulator_path, "--port", "0", "--log-format", "none", "--rate-limit", "0"])
    path = f"{API}?sdkappid=88888888&identifier=admin&usersig={usersig}&random=1&contenttype=json"
    idle_sockets = [socket.create_connection(("127.0.0.1", server.port)) for _ in range(idle)]
    loris_sockets = []
    for _ in range(loris):
        connection = socket.create_connection(("127.0.0.1", server.port))
        connection.sendall(f"POST {path} HTTP/1.1\r\nHost: x\r\nX-Slow: ".encode())
        loris_sockets.append(connection)
    stop = threading.Event()

    def dribble():
        while not stop.wait(0.1):
            for connection in loris_sockets:
                try:
                    connection.sendall(b"a")
                except OSError:
                    pass

    dribbler = threading.Thread(target=dribble)
    dribbler.start()
    time.sleep(0.5)  # let every abusive connection reach its worker
    request = (f"POST {path} HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
               f"Content-Length: {len(ENVELOPE_BODY)}\r\n\r\n{ENVELOPE_BODY}").encode()
    latencies = []
    keep_alive = socket.create_connection(("127.0.0.1", server.port))
    keep_alive.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    for i in range(calls):
        started = time.perf_counter()
        if i % 2 == 0:
            connection = keep_alive
        else:
            connection = socket.create_connection(("127.0.0.1", server.port))
            connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        connection.settimeout(5)
        connection.sendall(request)
        answer = b""
        while b"\r\n\r\n" not in answer or not answer.rstrip().endswith(b"}"):
            chunk = connection.recv(4096)
            if not chunk:
                break
            answer += chunk
        latencies.append((time.perf_counter() - started) * 1000)
        if connection is not keep_alive:
            connection.close()
        time.sleep(0.005)
    stop.set()
    dribbler.join()
    for connection in idle_sockets + loris_sockets + [keep_alive]:
        connection.close()
    server.stop()
    return sorted(latencies)


def log_cost(emulator_path, path, rounds, seconds, connections=8):
    """The request log's price: live-emulator with its default log (text, to a file) against
    --log-format none, alternated round by round so machine drift cancels. Returns the medians."""
    with tempfile.NamedTemporaryFile(prefix="bench-log-", suffix=".log") as log_file:
        servers = {
            "default log (text, to a file)": Server(
                "live-emulator", [emulator_path, "--port", "0", "--rate-limit", "0"], stderr=log_file),
            "--log-format none": Server(
                "live-emulator", [emulator_path, "--port", "0", "--rate-limit", "0", "--log-format", "none"]),
        }
        names = list(servers)
        for name in names:
            run_wrk(servers[name].port, connections, 2, path)  # warm-up
        samples = {name: [] for name in names}
        for round_index in range(rounds):
            order = names if round_index % 2 == 0 else names[::-1]
            for name in order:
                samples[name].append(run_wrk(servers[name].port, connections, seconds, path)["rps"])
        for server in servers.values():
            server.stop()
        logged_lines = sum(1 for _ in open(log_file.name))
    medians = {name: statistics.median(values) for name, values in samples.items()}
    return names, samples, medians, logged_lines


def print_log_cost(emulator, path, rounds, seconds):
    names, samples, medians, lines = log_cost(emulator, path, max(rounds, 5), seconds)
    print(f"request log at 8 connections, {max(rounds, 5)} alternated rounds of {seconds} s (requests/s):")
    for name in names:
        runs = ", ".join(f"{value:.0f}" for value in samples[name])
        print(f"  {name:<30} median {medians[name]:>8.0f}   ({runs})")
    ratio = medians[names[0]] / medians[names[1]]
    print(f"  default log / no log = {ratio:.3f} ({(1 - ratio) * 100:+.1f}% cost); {lines} lines written")
    return ratio


def callback_cost(emulator_path, bare_path, path, rounds, seconds, connections=8, rooms_per_thread=150_000):
    """The webhook's price on the destroy answer: every call dissolves a room. One emulator has no
    callback configured, the other sends every dissolution to a fast receiver (the bare server).
    Rounds alternate; each round seeds fresh rooms. Returns p99 samples (ms) per emulator."""
    receiver = Server("bench-bare-server", [bare_path])
    configs = {}
    for name, callback in (("no callback", None),
                           ("callback configured", {"url": f"http://127.0.0.1:{receiver.port}/v4/callback",
                                                    "commands": ["Live.CallbackAfterDestroyRoom"],
                                                    "token": "bench-token"})):
        app = {"sdkappid": 88888888, "secret_key": "emulator-secret-key", "admins": ["admin"]}
        if callback:
            app["callback"] = callback
        handle = tempfile.NamedTemporaryFile("w", prefix="bench-callback-", suffix=".json", delete=False)
        json.dump({"apps": [app]}, handle)
        handle.close()
        configs[name] = handle.name
    servers = {name: Server("live-emulator", [emulator_path, "--port", "0", "--rate-limit", "0", "--log-format",
                                              "none", "--journal-size", "1000", "--config", config])
               for name, config in configs.items()}

    def seed(port):
        control(port, "POST", "/__emulator/reset")
        for thread in range(2):
            for first in range(1, rooms_per_thread + 1, 10_000):
                payload = {"rooms": [{"sdkappid": 88888888, "room_id": f"bench-cb-{thread}-{n}", "owner": "admin"}
                                     for n in range(first, min(first + 10_000, rooms_per_thread + 1))]}
                status, _ = control(port, "POST", "/__emulator/rooms", payload)
                assert status == 201, status

    samples = {name: [] for name in servers}
    delivered = {}
    for round_index in range(rounds):
        order = list(servers) if round_index % 2 == 0 else list(servers)[::-1]
        for name in order:
            seed(servers[name].port)
            result = run_wrk(servers[name].port, connections, seconds, path, "destroy_rooms.lua")
            samples[name].append(result)
            status, body = control(servers[name].port, "GET", "/__emulator/callbacks")
            states = {}
            for delivery in body["callbacks"]:
                states[delivery["state"]] = states.get(delivery["state"], 0) + 1
            delivered[name] = states
    for server in list(servers.values()) + [receiver]:
        server.stop()
    for config in configs.values():
        os.unlink(config)
    return samples, delivered


def print_callback_cost(emulator, bare, path, rounds, seconds):
    samples, delivered = callback_cost(emulator, bare, path, max(rounds, 5), seconds)
    print(f"destroy answers at 8 connections, each dissolving a room, {max(rounds, 5)} alternated rounds of {seconds} s:")
    medians = {}
    for name, results in samples.items():
        medians[name] = statistics.median(result["p99"] for result in results)
        runs = ", ".join(f"{result['p99']:.2f}" for result in results)
        rps = statistics.median(result["rps"] for result in results)
        print(f"  {name:<22} p99 median {medians[name]:.2f} ms ({runs}); {rps:.0f} requests/s; "
              f"last round's deliveries (the most recent 1,000): {delivered.get(name, {})}")
    ratio = medians["callback configured"] / medians["no callback"]
    print(f"  p99 with a callback / without = {ratio:.3f}")
    return ratio


def journal_reads(emulator_path, path, reads=3):
    """Fills the journal (10,000 entries, after 3 s of traffic), then reads it whole `reads` times:
    the answer's size, each read's time, and RSS before and after each."""
    server = Server("live-emulator", [emulator_path, "--port", "0", "--rate-limit", "0", "--log-format", "none"])
    run_wrk(server.port, 8, 3, path)
    figures = {"rss_before": [rss_kib(server.process.pid)], "seconds": [], "bytes": 0, "entries": 0,
               "transient_kib": []}
    for _ in range(reads):
        reset_peak_rss(server.process.pid)
        rss_at_start = rss_kib(server.process.pid)
        # Timed to the last byte received, not including this script's own JSON parsing.
        connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=60)
        started = time.perf_counter()
        connection.request("GET", "/__emulator/requests")
        answer = connection.getresponse()
        body = answer.read()
        figures["seconds"].append(time.perf_counter() - started)
        assert answer.status == 200, answer.status
        connection.close()
        figures["transient_kib"].append(status_kib(server.process.pid, "VmHWM") - rss_at_start)
        figures["bytes"] = len(body)
        figures["entries"] = len(json.loads(body)["requests"])
        figures["rss_before"].append(rss_kib(server.process.pid))
    server.stop()
    return figures


def print_journal_reads(emulator, path):
    figures = journal_reads(emulator, path)
    rss = " -> ".join(f"{kib / 1024:.0f}" for kib in figures["rss_before"])
    times = ", ".join(f"{seconds * 1000:.0f}" for seconds in figures["seconds"])
    print(f"full journal read: {figures['entries']} entries, {figures['bytes'] / 1e6:.1f} MB; "
          f"{times} ms per read; RSS {rss} MiB (before, then after each read); peak RSS during each read "
          f"above its start: {', '.join(f'{kib / 1024:.1f}' for kib in figures['transient_kib'])} MiB")
    return figures


class DashboardPoller:
    """What an open dashboard asks of the emulator, request for request (mock_server/http/dashboard/
    dashboard.js): every 0.5 s the newest journal entries since its last poll (500 at first, then at
    most 100) and the clock; every
    3 s the limiter, the faults and the rooms of the first app. Measured here rather than in a
    browser so that the browser's own CPU on this 2-core machine is not counted as the emulator's."""

    def __init__(self, port):
        self.port = port
        self.stop_event = threading.Event()
        self.polls = 0
        self.thread = threading.Thread(target=self.run, daemon=True)
        self.thread.start()

    def run(self):
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        last_seq = 0
        tick = 0
        while not self.stop_event.is_set():
            rows = 500 if last_seq == 0 else 100
            paths = [f"/__emulator/requests?after_seq={last_seq}&last={rows}", "/__emulator/clock"]
            if tick % 6 == 0:
                paths += ["/__emulator/limiter", "/__emulator/faults", "/__emulator/rooms?sdkappid=88888888"]
            for path in paths:
                connection.request("GET", path)
                answer = json.loads(connection.getresponse().read())
                if path.startswith("/__emulator/requests"):
                    last_seq = answer["last_seq"]
                self.polls += 1
            tick += 1
            self.stop_event.wait(0.5)
        connection.close()

    def stop(self):
        self.stop_event.set()
        self.thread.join()


def dashboard_cost(emulator_path, path, rounds, seconds, connections=8):
    """requests/s at 8 connections with and without an open dashboard polling, on one emulator,
    alternated round by round. Returns the samples per setting."""
    server = Server("live-emulator", [emulator_path, "--port", "0", "--rate-limit", "0", "--log-format", "none"])
    run_wrk(server.port, connections, 2, path)  # warm-up
    samples = {"no dashboard": [], "dashboard open": []}
    polls = 0
    for round_index in range(rounds):
        order = list(samples) if round_index % 2 == 0 else list(samples)[::-1]
        for name in order:
            poller = DashboardPoller(server.port) if name == "dashboard open" else None
            samples[name].append(run_wrk(server.port, connections, seconds, path)["rps"])
            if poller:
                poller.stop()
                polls += poller.polls
    server.stop()
    return samples, polls


def print_dashboard_cost(emulator, path, rounds, seconds):
    samples, polls = dashboard_cost(emulator, path, max(rounds, 6), seconds)
    print(f"requests/s at 8 connections, {max(rounds, 6)} alternated rounds of {seconds} s, "
          f"{polls} dashboard polls in all:")
    medians = {}
    for name, values in samples.items():
        medians[name] = statistics.median(values)
        print(f"  {name:<15} median {medians[name]:>8.0f}   ({', '.join(f'{v:.0f}' for v in values)})")
    ratio = medians["dashboard open"] / medians["no dashboard"]
    print(f"  dashboard open / none = {ratio:.3f} ({(1 - ratio) * 100:+.1f}% cost)")
    return ratio


def soak(emulator_path, path, minutes):
    """Traffic (wrk, 8 connections, destroy calls) for `minutes`, while a control client every 0.2 s
    adds a fault, resets, moves or frees the clock, seeds and removes rooms, and reads the whole
    journal, in turn. RSS is sampled every 5 s."""
    server = Server("live-emulator", [emulator_path, "--port", "0", "--rate-limit", "0", "--log-format", "none"])
    seconds = int(minutes * 60)
    traffic = subprocess.Popen(
        ["wrk", "-t2", "-c8", f"-d{seconds}s", "-s", os.path.join(HERE, "destroy_room.lua"),
         f"http://127.0.0.1:{server.port}"],
        stdout=subprocess.DEVNULL, env=dict(os.environ, BENCH_PATH=path))
    steps = [
        lambda: control(server.port, "POST", "/__emulator/faults",
                        {"api": "destroy_room", "count": 50, "action": {"error_code": 100001}}),
        lambda: control(server.port, "POST", "/__emulator/clock", {"advance_seconds": 1.5}),
        lambda: control(server.port, "POST", "/__emulator/rooms",
                        {"rooms": [{"sdkappid": 88888888, "room_id": f"soak-{n}", "owner": "admin"}
                                   for n in range(1000)]}),
        lambda: control(server.port, "GET", "/__emulator/requests"),
        lambda: control(server.port, "POST", "/__emulator/clock", {"mode": "real"}),
        lambda: control(server.port, "GET", "/__emulator/requests?after_seq=0&last=500"),
        lambda: control(server.port, "POST", "/__emulator/reset"),
    ]
    samples = []
    threads = []
    started = time.monotonic()
    step = 0
    next_sample = started
    while time.monotonic() - started < seconds:
        steps[step % len(steps)]()
        step += 1
        if time.monotonic() >= next_sample:
            samples.append((time.monotonic() - started, rss_kib(server.process.pid)))
            threads.append(status_kib(server.process.pid, "Threads"))
            next_sample += 5
        time.sleep(0.2)
    traffic.wait()
    samples.append((time.monotonic() - started, rss_kib(server.process.pid)))
    server.stop()
    return samples, step, threads


def print_soak(emulator, path, minutes):
    samples, steps, threads = soak(emulator, path, minutes)
    print(f"soak: {minutes} min of traffic at 8 connections and {steps} control calls (faults, clock moves, "
          f"room seeding, full and tail journal reads, resets)")
    print("  RSS MiB every 5 s: " + " ".join(f"{kib / 1024:.0f}" for _, kib in samples))
    print("  threads every 5 s: " + " ".join(str(count) for count in threads))
    warm = [kib for at, kib in samples if at >= minutes * 60 / 3]
    settled_at = max(kib for at, kib in samples if at < minutes * 60 / 3)
    growth = (max(warm) - settled_at) / 1024
    print(f"  after the first third (warm-up): max {max(warm) / 1024:.0f} MiB against {settled_at / 1024:.0f} MiB "
          f"during warm-up ({growth:+.1f} MiB)")
    return growth


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--bin", required=True, help="directory with live-emulator, live-client, bench-bare-server")
    parser.add_argument("--wiremock-jar", required=True)
    parser.add_argument("--seconds", type=int, default=4, help="wrk duration per measurement")
    parser.add_argument("--rounds", type=int, default=3, help="alternated rounds per connection count")
    parser.add_argument("--only", choices=["abuse", "log", "journal", "callback", "dashboard", "soak", "rooms"],
                        help="run one measurement only")
    parser.add_argument("--soak-minutes", type=float, default=5, help="how long --only soak runs")
    args = parser.parse_args()
    emulator = os.path.join(args.bin, "live-emulator")
    usersig = subprocess.run([os.path.join(args.bin, "live-client"), "usersig", "--sdkappid", "88888888",
                              "--identifier", "admin", "--secret-key", "emulator-secret-key"],
                             capture_output=True, text=True, check=True).stdout.strip()
    path = f"{API}?sdkappid=88888888&identifier=admin&usersig={usersig}&random=12345&contenttype=json"

    def abuse():
        latencies = latency_under_abuse(emulator, usersig)
        worst = latencies[-1]
        print(f"under 200 idle + 50 slow-loris connections: {len(latencies)} calls (half keep-alive, half new "
              f"connections): p50 {statistics.median(latencies):.2f} ms, "
              f"p99 {latencies[int(len(latencies) * 0.99) - 1]:.2f} ms, max {worst:.2f} ms")
        return worst

    if args.only == "callback":
        ratio = print_callback_cost(emulator, os.path.join(args.bin, "bench-bare-server"), path, args.rounds,
                                    args.seconds)
        print(f"{'PASS' if ratio <= 1.10 else 'MISS'}  with a callback configured, the destroy answer's p99 stays "
              f"within 10% of the figure without one")
        return 0

    if args.only == "dashboard":
        ratio = print_dashboard_cost(emulator, path, args.rounds, args.seconds)
        print(f"{'PASS' if ratio >= 0.97 else 'MISS'}  with a dashboard open, 8 connections stay within 3% of the "
              f"figure without one")
        return 0

    if args.only == "soak":
        growth = print_soak(emulator, path, args.soak_minutes)
        print(f"{'PASS' if growth <= 3 else 'MISS'}  RSS flat after warm-up (at most 3 MiB above its warm-up peak)")
        return 0

    if args.only == "journal":
        figures = print_journal_reads(emulator, path)
        print(f"{'PASS' if max(figures['seconds']) <= 0.1 else 'MISS'}  a full-journal read takes at most 100 ms")
        transient_ok = max(figures["transient_kib"]) * 1024 <= 2 * figures["bytes"]
        print(f"{'PASS' if transient_ok else 'MISS'}  a read's transient memory is at most twice the answer's size")
        settled = figures["rss_before"][-1] - figures["rss_before"][0] <= 20 * 1024
        print(f"{'PASS' if settled else 'MISS'}  RSS returns to within 20 MiB of its level before the reads")
        return 0

    if args.only == "log":
        ratio = print_log_cost(emulator, path, args.rounds, args.seconds)
        print(f"{'PASS' if ratio >= 0.97 else 'MISS'}  the default request log costs at most 3% at 8 connections")
        return 0

    if args.only == "rooms":
        # The rooms alone, then each with a metadata key, an admin and a member: the family's parts
        # must stay within twice the plain figure (docs/performance.md).
        _, plain = rss_with_rooms(emulator)
        _, family = rss_with_rooms(emulator, batch=2_000, family=True)  # a control body is at most 1 MiB
        print(f"RSS holding 1,000,000 rooms: {plain / 1024:.1f} MiB; each with a metadata key, an admin and a "
              f"member: {family / 1024:.1f} MiB ({family / plain:.2f} x)")
        sys.exit(0 if family <= 2 * plain else 1)
    if args.only == "abuse":
        worst = abuse()
        print(f"{'PASS' if worst <= 100 else 'MISS'}  every call answered within 100 ms under abuse")
        return 0

    print(f"machine: {os.cpu_count()} cores; wrk {args.seconds} s per measurement, {args.rounds} alternated rounds, median shown")
    print("workload: valid destroy_room calls (real UserSig, all five parameters, rate limit off, request log off)")
    print("          for a room that does not exist: every call runs the whole check chain and answers 100004")
    print()

    startups = []
    for _ in range(20):
        server = Server("live-emulator", [emulator, "--port", "0", "--log-format", "none"])
        startups.append(server.startup_ms)
        server.stop()

    wiremock_port = free_port()
    servers = {
        "live-emulator": Server("live-emulator", [emulator, "--port", "0", "--rate-limit", "0", "--log-format", "none"]),
        "bare cpp-httplib": Server("bare cpp-httplib", [os.path.join(args.bin, "bench-bare-server")]),
        "WireMock": Server("WireMock", ["java", "-jar", args.wiremock_jar, "--port", str(wiremock_port),
                                        "--root-dir", os.path.join(HERE, "wiremock", "stub"), "--disable-banner"],
                           port_from_line=False, port=wiremock_port, ready_path=API),
    }
    idle_rss = rss_kib(servers["live-emulator"].process.pid)
    names = list(servers)
    for name in names:  # warm-up (WireMock's JIT especially)
        run_wrk(servers[name].port, 8, 3, path)

    results = {}
    for connections in (1, 8, 64):
        samples = {name: [] for name in names}
        for round_index in range(args.rounds):
            order = names[round_index % len(names):] + names[:round_index % len(names)]
            for name in order:
                samples[name].append(run_wrk(servers[name].port, connections, args.seconds, path))
        for name in names:
            runs = samples[name]
            results[(name, connections)] = {
                "rps": statistics.median(r["rps"] for r in runs),
                "p50": statistics.median(r["p50"] for r in runs),
                "p99": statistics.median(r["p99"] for r in runs),
                "errors": sum(r["errors"] for r in runs)}
    answered, slowest = all_connections_served(servers["live-emulator"].port, path)
    wiremock_startup = servers["WireMock"].startup_ms
    for server in servers.values():
        server.stop()

    print(f"{'server':<18} {'conns':>5} {'requests/s':>11} {'p50 ms':>8} {'p99 ms':>8} {'errors':>7}")
    for connections in (1, 8, 64):
        for name in names:
            r = results[(name, connections)]
            print(f"{name:<18} {connections:>5} {r['rps']:>11.0f} {r['p50']:>8.3f} {r['p99']:>8.3f} {r['errors']:>7}")
    print()
    ratio_bare = results[("live-emulator", 8)]["rps"] / results[("bare cpp-httplib", 8)]["rps"]
    ratio_wiremock = results[("live-emulator", 8)]["rps"] / results[("WireMock", 8)]["rps"]
    print(f"ratios at 8 connections: live-emulator / bare cpp-httplib = {ratio_bare:.2f}, "
          f"live-emulator / WireMock = {ratio_wiremock:.1f}")
    print(f"start-up to the listening line: median {statistics.median(startups):.1f} ms, max {max(startups):.1f} ms "
          f"(20 starts); WireMock until it answers: {wiremock_startup:.0f} ms")
    idle, loaded = rss_with_rooms(emulator)
    print(f"RSS: idle {idle_rss / 1024:.1f} MiB (fresh process {idle / 1024:.1f} MiB); holding 1,000,000 rooms {loaded / 1024:.1f} MiB")
    print(f"64 keep-alive connections open at once: {answered}/64 answered, slowest {slowest:.1f} ms")
    limiter = rate_limiter_accuracy(emulator, usersig)
    print(f"rate limiter: {limiter['offered']} calls offered over {limiter['elapsed']:.1f} s against the default 200/s: "
          f"{limiter['admitted']} admitted, at most {limiter['worst_window']} in any 1 s window")
    worst_under_abuse = abuse()
    log_ratio = print_log_cost(emulator, path, args.rounds, args.seconds)
    print()
    checks = [
        ("8 connections >= 0.8 x bare cpp-httplib", ratio_bare >= 0.8),
        ("8 connections >= 10 x WireMock", ratio_wiremock >= 10),
        ("p99 <= 2 ms (1 and 8 connections)", all(results[("live-emulator", c)]["p99"] <= 2.0 for c in (1, 8))),
        ("64 connections: all served, no errors", answered == 64 and results[("live-emulator", 64)]["errors"] == 0),
        ("start-up <= 50 ms", max(startups) <= 50),
        ("idle RSS <= 20 MB", idle_rss <= 20 * 1000),
        ("1,000,000 rooms <= 250 MB", loaded <= 250 * 1000),
        ("limiter admits 2,000 +- 1%", abs(limiter["admitted"] - 2000) <= 20),
        ("limiter never > 200 in a 1 s window", limiter["worst_window"] <= 200),
        ("every call answered within 100 ms under 200 idle + 50 slow-loris", worst_under_abuse <= 100),
        ("the default request log costs at most 3% at 8 connections", log_ratio >= 0.97),
    ]
    for label, ok in checks:
        print(f"{'PASS' if ok else 'MISS'}  {label}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
