-- wrk script: officer-API desk intakes (POST /api/v1/dossiers), one complete dossier each.
-- A static request (token from MOTCUA_TOKEN, body from MOTCUA_BODY), so that wrk spends as
-- little CPU as possible on the 2 cores it shares with the server.
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = "Bearer " .. os.getenv("MOTCUA_TOKEN")
wrk.body = os.getenv("MOTCUA_BODY")

dofile("Benchmarks/report.lua")
