-- wrk script of bench/scans.py: POST /api/v1/scans, lends and returns of distinct boxes.
--   wrk -t T -c C -d S -s scans.lua URL -- CODES_FILE TOKEN KEY_PREFIX T
-- Each wrk thread takes its own slice of the codes. Request j of a thread lends
-- box j/2 (even j) or returns the box lent GAP lends earlier (odd j): a return
-- never races its lend. The first GAP returns lend boxes from the slice's end
-- instead. Every request has its own idempotency key.
local GAP = 200
local next_id = 0
local threads = {}

function setup(thread)
  thread:set("tid", next_id)
  next_id = next_id + 1
  table.insert(threads, thread)
end

function init(args)
  local codes = {}
  for line in io.lines(args[1]) do
    table.insert(codes, line)
  end
  local per_thread = math.floor(#codes / tonumber(args[4]))
  first = tid * per_thread + 1
  last = first + per_thread - 1
  prefix = args[3] .. "-" .. tid .. "-"
  headers = {["Authorization"] = "Bearer " .. args[2],
             ["Content-Type"] = "application/json"}
  slice = codes
  j = 0
  not201 = 0
end

-- A scan recorded answers 201; a 200 would be a replay of a key seen before.
-- The last such answer of each thread is printed (NOT201 lines) to say what it was.
function response(status, headers, body)
  if status ~= 201 then
    not201 = not201 + 1
    last_not201 = status .. " " .. string.sub(body or "", 1, 300)
  end
end

function request()
  local half = math.floor(j / 2)
  local code, action
  if j % 2 == 0 then
    code, action = slice[first + half], "lend"
  elseif half >= GAP then
    code, action = slice[first + half - GAP], "return"
  else
    code, action = slice[last - half], "lend"
  end
  if code == nil or first + half > last - GAP then
    error("scans.lua: out of boxes; commission more")
  end
  local body = '{"code":"' .. code .. '","action":"' .. action ..
               '","idempotency_key":"' .. prefix .. j .. '"}'
  j = j + 1
  return wrk.format("POST", "/api/v1/scans", headers, body)
end

function done(summary, latency, requests)
  local not201 = 0
  for _, thread in ipairs(threads) do
    not201 = not201 + thread:get("not201")
    local last = thread:get("last_not201")
    if last then
      io.write("NOT201 " .. string.gsub(last, "\n", " ") .. "\n")
    end
  end
  local e = summary.errors
  io.write(string.format("WRK errors connect=%d read=%d write=%d timeout=%d\n",
    e.connect, e.read, e.write, e.timeout))
  io.write(string.format("WRK requests=%d seconds=%.3f not201=%d errors=%d p50_us=%d p99_us=%d\n",
    summary.requests, summary.duration / 1e6, not201,
    summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout,
    latency:percentile(50), latency:percentile(99)))
end
