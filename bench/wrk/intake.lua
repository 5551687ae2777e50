-- POST /api/v1/dossiers/ with a fresh applicant and a unique Idempotency-Key per request.
-- wrk -s intake.lua ... -- <token> <procedure code> <run id>
local counter = 0
local threads = {}

function setup(thread)
  thread:set("thread_id", #threads + 1)
  table.insert(threads, thread)
end

function init(args)
  -- One token, or several separated by commas: the requests take them in turn (several desks).
  tokens = {}
  for t in string.gmatch(args[1], "[^,]+") do table.insert(tokens, t) end
  procedure = args[2] or "1.004873"
  run = args[3] or tostring(os.time())
  math.randomseed(os.time() + thread_id * 7919)
  wrk.method = "POST"
  wrk.headers["Content-Type"] = "application/json"
end

function request()
  counter = counter + 1
  local n = thread_id * 10000000 + counter
  local body = string.format(
    '{"procedure":"%s","channel":"counter","applicant":{"full_name":"Nguyễn Văn Thử %d",' ..
    '"id_number":"0790%08d","phone":"09%08d","email":"thu%d@example.vn","address":"Thôn %d, xã Diên Khánh"},' ..
    '"summary":"Hồ sơ đo tải"}', procedure, n, n % 100000000, n % 100000000, n, n % 50)
  wrk.headers["Idempotency-Key"] = string.format("bench-%s-%d-%d", run, thread_id, counter)
  wrk.headers["Authorization"] = "Bearer " .. tokens[(counter + thread_id) % #tokens + 1]
  return wrk.format(nil, nil, nil, body)
end

local statuses = {}
function response(status, headers, body)
  statuses[status] = (statuses[status] or 0) + 1
  if status ~= 201 and (statuses[status] or 0) <= 2 then
    io.stderr:write("status " .. status .. ": " .. string.sub(body, 1, 300) .. "\n")
  end
end
