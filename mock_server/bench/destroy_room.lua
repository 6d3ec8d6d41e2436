-- wrk script for scripts/bench: a valid destroy_room call (real UserSig, all five parameters) for a
-- room that does not exist, so every request runs the whole check chain and answers 100004.
wrk.method = "POST"
wrk.path = os.getenv("BENCH_PATH")
wrk.body = '{"RoomId":"bench-missing-room"}'
wrk.headers["Content-Type"] = "application/json"
