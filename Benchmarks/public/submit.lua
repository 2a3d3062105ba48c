-- wrk script: online submissions (POST /api/v1/public/dossiers), multipart/form-data with a
-- 200 KB PDF whose content differs in every request (so every request writes its own blob), a
-- small PNG, and an Idempotency-Key of its own, as a careful client sends.
local boundary = "motcua-bench-3f9a1c"
local counter = 0
local prefix, suffix

setup = function(thread)
  thread:set("tid", tostring(math.random(1, 1e9)))
end

init = function(args)
  local size = tonumber(os.getenv("MOTCUA_ATTACHMENT_BYTES") or "204800")
  local application = os.getenv("MOTCUA_APPLICATION")
  prefix = "--" .. boundary .. "\r\nContent-Disposition: form-data; name=\"application\"\r\nContent-Type: application/json\r\n\r\n"
    .. application .. "\r\n--" .. boundary
    .. "\r\nContent-Disposition: form-data; name=\"document-4\"; filename=\"giay-chung-sinh.pdf\"\r\nContent-Type: application/pdf\r\n\r\n%PDF-1.7\n% "
  suffix = "\n" .. string.rep("0 0 obj << /Filler >> endobj\n", math.floor((size - 40) / 29)) .. "%%EOF\r\n--" .. boundary
    .. "\r\nContent-Disposition: form-data; name=\"document-8\"; filename=\"to-khai.png\"\r\nContent-Type: image/png\r\n\r\n"
    .. "\137PNG\r\n\26\n" .. string.rep("\7", 256) .. "\r\n--" .. boundary .. "--\r\n"
end

request = function()
  counter = counter + 1
  local unique = tid .. "-" .. counter
  return wrk.format("POST", "/api/v1/public/dossiers", {
    ["Content-Type"] = "multipart/form-data; boundary=" .. boundary,
    ["Idempotency-Key"] = "bench-" .. unique,
  }, prefix .. unique .. suffix)
end

dofile("Benchmarks/report.lua")
