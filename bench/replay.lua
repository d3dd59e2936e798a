-- wrk script: replays pre-signed Twilio requests from a TSV file (path, body, signature),
-- each thread from its own offset, and prints a JSON summary line at the end.
local requests_file = os.getenv("BENCH_REQUESTS")
local counter, requests = 0, {}
local threads = {}

-- BENCH_ADDRESSES ("host:port,host:port"): thread n connects to address n (modulo), so one
-- wrk splits its load over several app servers, as a load balancer would, with one histogram.
-- Requests keep the Host of the URL given to wrk, which their signatures are computed for.
local addresses = {}
for host, port in string.gmatch(os.getenv("BENCH_ADDRESSES") or "", "([^,:]+):(%d+)") do
  addresses[#addresses + 1] = wrk.lookup(host, port)[1]
end

function setup(thread)
  thread:set("id", #threads)
  if #addresses > 0 then
    thread.addr = addresses[#threads % #addresses + 1]
  end
  table.insert(threads, thread)
end

function init(args)
  for line in io.lines(requests_file) do
    local path, body, signature = line:match("^([^\t]*)\t([^\t]*)\t([^\t]*)$")
    requests[#requests + 1] = wrk.format("POST", path, {
      ["Content-Type"] = "application/x-www-form-urlencoded",
      ["X-Twilio-Signature"] = signature,
    }, body)
  end
  counter = math.floor(#requests / 2) * id
end

function request()
  counter = counter % #requests + 1
  return requests[counter]
end

function done(summary, latency, requests_)
  local e = summary.errors
  io.write(string.format(
    'BENCH {"requests": %d, "duration_us": %d, "p50_us": %d, "p99_us": %d, "non2xx": %d, ' ..
    '"socket_errors": %d}\n',
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(99),
    e.status, e.connect + e.read + e.write + e.timeout))
end
