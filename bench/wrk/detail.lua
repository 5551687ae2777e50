-- GET /api/v1/dossiers/<code>/ for random codes read from a file (one a line).
-- wrk -s detail.lua ... -- <token> <codes file>
local codes = {}

function init(args)
  token = args[1]
  for line in io.lines(args[2]) do
    if #line > 0 then table.insert(codes, line) end
  end
  math.randomseed(os.time() + math.floor(os.clock() * 1000000))
  wrk.headers["Authorization"] = "Bearer " .. token
end

function request()
  local code = codes[math.random(#codes)]
  return wrk.format("GET", "/api/v1/dossiers/" .. code .. "/")
end

local bad = 0
function response(status, headers, body)
  if status ~= 200 then
    bad = bad + 1
    if bad <= 2 then io.stderr:write("status " .. status .. ": " .. string.sub(body, 1, 300) .. "\n") end
  end
end
