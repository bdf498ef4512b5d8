-- wrk script: POST a distinct, valid report on every request. Answers other than 2xx and 3xx are
-- counted by wrk itself (errors.status); no per-response Lua runs, so wrk's own cost stays low.
local counter = 0
local thread_id = 0
local next_id = 0
local first_octets = {23, 45, 51, 62, 81, 91, 104, 151, 185, 203}

function setup(thread)
  thread:set("id", next_id)
  next_id = next_id + 1
end

function init(args)
  thread_id = id
end

request = function()
  counter = counter + 1
  local n = counter * 64 + thread_id
  local ip = string.format("%d.%d.%d.%d", first_octets[(n % 10) + 1], math.floor(n / 65536) % 250 + 1,
                           math.floor(n / 256) % 256, n % 254 + 1)
  local body = string.format([[{"reporterName":"Bench Reporter","reporterEmail":"bench@example.org","threatType":"IP Address","incidentType":"Account Compromise/Unauthorized Access","attackMethod":"Brute Force","date":"2026-01-15","time":"09:30:00","timeZone":"+0000","reportNotes":"SSH brute force, sample %d from thread %d","sourceIp":"%s","destinationPort":"22","severity":"Medium"}]], counter, thread_id, ip)
  return wrk.format("POST", "/report/v2.0/abuse", {["Content-Type"] = "application/json"}, body)
end

done = function(summary, latency, requests)
  io.write(string.format("RESULT requests=%d rps=%.1f p50_ms=%.2f p99_ms=%.2f ok=%d other=%d errors=%d\n",
    summary.requests, summary.requests / (summary.duration / 1e6), latency:percentile(50) / 1000,
    latency:percentile(99) / 1000, summary.requests - summary.errors.status, summary.errors.status,
    summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.status + summary.errors.timeout))
end
