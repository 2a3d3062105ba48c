#!/usr/bin/env python3
"""Times the officer queries of issue #21 against a running server (Benchmarks/history/run.sh).

  measure.py BASE_URL QUERIES_JSON --warm N      # p50/p95 over N runs of each, after one unmeasured run
  measure.py BASE_URL QUERIES_JSON --only NAME   # one run of one query (the cold figure)
  measure.py BASE_URL QUERIES_JSON --list        # the query names
  measure.py BASE_URL QUERIES_JSON --warm N --match TEXT   # only the queries whose name holds TEXT

Prints one JSON object per query: name, HTTP status, milliseconds, and the answer's total.
"""
import json, sys, time, urllib.parse, urllib.request

def queries(samples):
    q = urllib.parse.quote
    rare = q(samples["rareName"])
    return [
        ("list, first page", "/api/v1/dossiers?limit=20"),
        ("list, page 2 (cursor or offset)", "PAGE2"),
        ("name 'nguyen van'", "/api/v1/dossiers?limit=20&name=nguyen%20van"),
        ("name 'van an'", "/api/v1/dossiers?limit=20&name=van%20an"),
        ("name, a rare full name", "/api/v1/dossiers?limit=20&name=" + rare),
        ("ID number", "/api/v1/dossiers?limit=20&idNumber=" + samples["idNumber"]),
        ("phone", "/api/v1/dossiers?limit=20&phone=" + samples["phone"]),
        ("exact code", "/api/v1/dossiers?limit=20&code=" + q(samples["code"])),
        ("code prefix (agency and month)", "/api/v1/dossiers?limit=20&code=" + q(samples["codePrefix"])),
        ("status=processing", "/api/v1/dossiers?limit=20&status=processing"),
        ("status=returned,refused", "/api/v1/dossiers?limit=20&status=returned,refused"),
        ("procedure", "/api/v1/dossiers?limit=20&procedure=" + samples["procedure"]),
        ("date range (a month, 2 years ago)", "/api/v1/dossiers?limit=20&from=2024-10-01&to=2024-10-31"),
        ("procedure + date range", "/api/v1/dossiers?limit=20&procedure=" + samples["procedure"] + "&from=2024-01-01&to=2024-12-31"),
        ("name + status", "/api/v1/dossiers?limit=20&name=nguyen%20van&status=processing"),
        ("ID number + status", "/api/v1/dossiers?limit=20&status=returned&idNumber=" + samples["idNumber"]),
        ("queue counts", "/api/v1/queues"),
        ("leader's digest", "/api/v1/digest"),
        ("leader's digest, limit=1000", "/api/v1/digest?limit=1000"),
        ("queue 'ready', first page", "/api/v1/queues/ready?limit=20"),
    ]

def get(base, token, path):
    request = urllib.request.Request(base + path, headers={"Authorization": "Bearer " + token})
    started = time.perf_counter()
    try:
        with urllib.request.urlopen(request, timeout=600) as answer:
            body = answer.read()
            status = answer.status
    except urllib.error.HTTPError as error:
        body, status = error.read(), error.code
    return status, (time.perf_counter() - started) * 1000, body

def resolve(base, token, path):
    if path != "PAGE2":
        return path
    status, _, body = get(base, token, "/api/v1/dossiers?limit=20")
    cursor = json.loads(body).get("nextCursor")
    return "/api/v1/dossiers?limit=20&" + ("cursor=" + cursor if cursor else "offset=20")

def main():
    base, samples = sys.argv[1], json.load(open(sys.argv[2]))
    token = samples["token"]
    all_queries = queries(samples)
    if "--list" in sys.argv:
        for name, _ in all_queries:
            print(name)
        return
    if "--only" in sys.argv:
        wanted = sys.argv[sys.argv.index("--only") + 1]
        name, path = next(item for item in all_queries if item[0] == wanted)
        # The page-2 cursor needs page 1 first: cold means the query itself is the first after start.
        status, ms, body = get(base, token, path if path != "PAGE2" else "/api/v1/dossiers?limit=20&offset=20")
        print(json.dumps({"name": name, "status": status, "ms": round(ms, 1), "total": total(body)}, ensure_ascii=False))
        return
    runs = int(sys.argv[sys.argv.index("--warm") + 1])
    match = sys.argv[sys.argv.index("--match") + 1] if "--match" in sys.argv else ""
    for name, path in all_queries:
        if match not in name:
            continue
        path = resolve(base, token, path)
        status, _, body = get(base, token, path)
        times = []
        for _ in range(runs):
            s, ms, _ = get(base, token, path)
            status = max(status, s)
            times.append(ms)
        times.sort()
        p50 = times[len(times) // 2]
        p95 = times[min(len(times) - 1, int(len(times) * 0.95))]
        print(json.dumps({"name": name, "status": status, "p50": round(p50, 1), "p95": round(p95, 1), "total": total(body)},
                         ensure_ascii=False), flush=True)

def total(body):
    try:
        value = json.loads(body)
    except ValueError:
        return None
    if isinstance(value, dict):
        if "total" in value:
            return str(value["total"]) + ("" if value.get("totalIsExact", True) else "+")
        if "items" in value:
            return len(value["items"])
    return None

main()
