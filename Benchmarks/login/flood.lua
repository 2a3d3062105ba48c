-- wrk script: wrong passwords for one officer (MOTCUA_USER), as from one client behind the
-- balancer (X-Forwarded-For 203.0.113.7): the login flood of issue #19.
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.headers["X-Forwarded-For"] = "203.0.113.7"
wrk.body = '{"username":"' .. os.getenv("MOTCUA_USER") .. '","password":"doan-mo-mat-khau"}'

dofile("Benchmarks/report.lua")
