-- wrk script: dossier detail reads (GET /api/v1/dossiers/{code}) over the codes in MOTCUA_CODES.
local codes = {}
for code in string.gmatch(os.getenv("MOTCUA_CODES"), "[^,]+") do table.insert(codes, code) end
local i = 0
request = function()
  i = i + 1
  return wrk.format("GET", "/api/v1/dossiers/" .. codes[(i % #codes) + 1], { ["Authorization"] = "Bearer " .. os.getenv("MOTCUA_TOKEN") })
end

dofile("Benchmarks/report.lua")
