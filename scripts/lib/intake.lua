-- wrk script: POST a distinct, valid report on every request.
-- The request is assembled from precomputed pieces so that the client spends little CPU on it (it
-- shares the machine with the service). Answers other than 2xx and 3xx are counted by wrk itself
-- (errors.status); no per-response Lua runs.
local counter = 0
local thread_id = 0
local next_id = 0
local first_octets = {"23.", "45.", "51.", "62.", "81.", "91.", "104.", "151.", "185.", "203."}
local head = "POST /report/v2.0/abuse HTTP/1.1\r\nHost: bench\r\nContent-Type: application/json\r\nContent-Length: "
-- Each report comes from an address of its own, so that every one queues its receipt (one address gets
-- at most ABUSEDESK_RECEIPTS_PER_HOUR of them).
local body_start = [[{"reporterName":"Bench Reporter","threatType":"IP Address","incidentType":"Account Compromise/Unauthorized Access","attackMethod":"Brute Force","date":"2026-01-15","time":"09:30:00","timeZone":"+0000","destinationPort":"22","severity":"Medium","reportNotes":"SSH brute force, sample ]]
local floor = math.floor

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
  local body = body_start .. n .. [[","reporterEmail":"bench+]] .. n .. [[@example.org","sourceIp":"]] .. first_octets[(n % 10) + 1] .. (floor(n / 65536) % 250 + 1) .. "."
               .. (floor(n / 256) % 256) .. "." .. (n % 254 + 1) .. [["}]]
  return head .. #body .. "\r\n\r\n" .. body
end

done = function(summary, latency, requests)
  io.write(string.format("RESULT requests=%d rps=%.1f p50_ms=%.2f p99_ms=%.2f ok=%d other=%d errors=%d\n",
    summary.requests, summary.requests / (summary.duration / 1e6), latency:percentile(50) / 1000,
    latency:percentile(99) / 1000, summary.requests - summary.errors.status, summary.errors.status,
    summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.status + summary.errors.timeout))
end
