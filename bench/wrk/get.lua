-- GET the URL given to wrk with the bearer token (the list scenarios).
-- wrk -s get.lua ... <url> -- <token>
function init(args)
  wrk.headers["Authorization"] = "Bearer " .. args[1]
end

local bad = 0
function response(status, headers, body)
  if status ~= 200 then
    bad = bad + 1
    if bad <= 2 then io.stderr:write("status " .. status .. ": " .. string.sub(body, 1, 300) .. "\n") end
  end
end
