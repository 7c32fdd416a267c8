-- wrk script of the HTTP benchmarks (bench/wrk.py): rotate through the requests listed in a file and count every
-- answer that is not 200 (wrk's own count skips redirects, which would hide a page that sends
-- the benchmark's citizen to a sign-in or interstitial page). At the end, one JSON line.
--
-- The file (first script argument) holds one request a line: the path, then optionally a tab
-- and an Authorization header value, then optionally a tab and a JSON body, which makes the
-- request a POST. Headers given with -H (Host, Cookie) go on every request.

local threads = {}
local next_id = 0

function setup(thread)
   thread:set("id", next_id)
   next_id = next_id + 1
   table.insert(threads, thread)
end

function init(args)
   non200 = 0
   first_bad = ""
   requests = {}
   for line in io.lines(args[1]) do
      local path, authorization, body = line:match("^([^\t]+)\t?([^\t]*)\t?(.*)$")
      local headers = {}
      for name, value in pairs(wrk.headers) do
         headers[name] = value
      end
      if authorization ~= "" then
         headers["Authorization"] = authorization
      end
      if body ~= "" then
         headers["Content-Type"] = "application/json"
         table.insert(requests, wrk.format("POST", path, headers, body))
      else
         table.insert(requests, wrk.format("GET", path, headers))
      end
   end
   -- Each thread starts at its own place in the list.
   position = (id * 7919) % #requests
end

function request()
   position = position % #requests + 1
   return requests[position]
end

function response(status, headers, body)
   if status ~= 200 then
      non200 = non200 + 1
      if first_bad == "" then
         first_bad = tostring(status) .. " " .. (headers["Location"] or headers["location"] or "")
      end
   end
end

function done(summary, latency, requests)
   local bad, example = 0, ""
   for _, thread in ipairs(threads) do
      bad = bad + thread:get("non200")
      if example == "" then
         example = thread:get("first_bad")
      end
   end
   local errors = summary.errors
   io.write(string.format(
      '{"requests": %d, "duration_us": %d, "p50_us": %d, "p95_us": %d, "p99_us": %d, "non200": %d, ' ..
      '"socket_errors": %d, "timeouts": %d, "first_bad": "%s"}\n',
      summary.requests, summary.duration, latency:percentile(50), latency:percentile(95),
      latency:percentile(99), bad,
      errors.connect + errors.read + errors.write, errors.timeout, example:gsub('"', "'")
   ))
end
