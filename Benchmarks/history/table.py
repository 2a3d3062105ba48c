#!/usr/bin/env python3
"""Puts run.sh logs side by side as a Markdown table: for each query, warm p50/p95 and cold.

  table.py "label=run.log" "label=run.log" ...
"""
import json, sys

runs = []
for argument in sys.argv[1:]:
    label, path = argument.split("=", 1)
    cold, warm, extra = {}, {}, []
    section = None
    for line in open(path):
        line = line.strip()
        if line.startswith("-- cold"):
            section = "cold"
        elif line.startswith("-- warm"):
            section = "warm"
        elif line.startswith("{"):
            row = json.loads(line)
            (cold if section == "cold" else warm)[row["name"]] = row
        elif line.startswith(("server RSS", "bytes per dossier", "start", "PostgreSQL:")):
            extra.append(line)
    runs.append((label, cold, warm, extra))

names = list(runs[0][1].keys()) or list(runs[0][2].keys())
print("| query | " + " | ".join(label for label, *_ in runs) + " |")
print("|---|" + "---|" * len(runs))
def cell(cold, warm, name):
    w, c = warm.get(name), cold.get(name)
    if not w and not c:
        return ""
    text = ""
    if w:
        text += "%s / %s" % (fmt(w["p50"]), fmt(w["p95"]))
    if c:
        text += " (cold %s)" % fmt(c["ms"])
    total = (w or c).get("total")
    return text + ("; %s" % total if total is not None else "")
def fmt(ms):
    return "%.0f ms" % ms if ms >= 10 else "%.1f ms" % ms
for name in names:
    print("| %s | %s |" % (name, " | ".join(cell(cold, warm, name) for _, cold, warm, _ in runs)))
for label, _, _, extra in runs:
    for line in extra:
        print("\n%s: %s" % (label, line), end="")
print()
