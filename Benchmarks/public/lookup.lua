-- wrk script: citizen status lookups (GET /api/v1/public/dossiers/{code} with X-Access-Secret),
-- round-robin over the dossiers in MOTCUA_DOSSIERS ("code secret,code secret,...").
local dossiers = {}
local index = 0

init = function(args)
  for pair in string.gmatch(os.getenv("MOTCUA_DOSSIERS"), "[^,]+") do
    local code, secret = string.match(pair, "(%S+) (%S+)")
    table.insert(dossiers, { path = "/api/v1/public/dossiers/" .. code, secret = secret })
  end
  index = math.random(1, #dossiers)
end

request = function()
  index = index % #dossiers + 1
  local d = dossiers[index]
  return wrk.format("GET", d.path, { ["X-Access-Secret"] = d.secret })
end

dofile("Benchmarks/report.lua")
