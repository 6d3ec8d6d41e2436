-- wrk script for scripts/bench --only callback: valid destroy_room calls, each for another room that
-- exists (seeded as bench-cb-<thread>-<n>), so every call dissolves a room and makes a callback.
local threads = 0
function setup(thread)
  thread:set("id", threads)
  threads = threads + 1
end
function init(args)
  counter = 0
end
function request()
  counter = counter + 1
  local body = string.format('{"RoomId":"bench-cb-%d-%d"}', id, counter)
  return wrk.format("POST", os.getenv("BENCH_PATH"), {["Content-Type"] = "application/json"}, body)
end
