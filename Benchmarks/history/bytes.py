#!/usr/bin/env python3
"""Bytes per dossier of a MotCua SQLite database (issue #21): projection, list or access rows,
the name index and every index, not the control sheet (events) nor the statistics.

Each dossier is counted as its row's own bytes (its JSON and columns) plus an equal share of the
rest (page headers and free space, list rows, index entries): median and p99 over the dossiers.
"""
import sqlite3, sys

db = sqlite3.connect("file:" + sys.argv[1] + "?mode=ro", uri=True)
names = [r[0] for r in db.execute("SELECT name FROM sqlite_schema WHERE type IN ('table', 'index')")]
counted = [n for n in names if n.startswith(("dossiers", "dossier_list", "dossier_access", "dossier_name", "sqlite_autoindex_dossiers"))]
sizes = dict(db.execute("SELECT name, sum(pgsize) FROM dbstat GROUP BY name").fetchall())
total = sum(sizes.get(n, 0) for n in counted)
count = db.execute("SELECT count(*) FROM dossiers").fetchone()[0]
columns = [r[1] for r in db.execute("PRAGMA table_info(dossiers)")]
row = " + ".join("coalesce(length(%s), 0)" % c for c in columns)
rows = sum_rows = db.execute("SELECT sum(%s) FROM dossiers" % row).fetchone()[0]
share = (total - sum_rows) / count
def at(fraction):
    return db.execute("SELECT %s AS s FROM dossiers ORDER BY s LIMIT 1 OFFSET ?" % row, (int(count * fraction),)).fetchone()[0] + share
print("dossiers: %d; structures counted: %.1f GB (%s)" % (count, total / 1e9, ", ".join(sorted(counted))))
print("bytes per dossier: mean %.0f, median %.0f, p99 %.0f (rows' own bytes plus %.0f each of the rest)"
      % (total / count, at(0.5), at(0.99), share))
print("file: %.1f GB for %d dossiers" % (sum(sizes.values()) / 1e9, count))
