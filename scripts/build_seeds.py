#!/usr/bin/env python3
"""Builds Seeds/procedures.json from ../shared/catalogue/procedures.json.

Each record keeps its `source`. Values the national catalogue does not publish are filled with
a default and named in the record's `illustrative` list, so nobody mistakes them for law:
- `term`: published "N Ngày làm việc" -> working days; "N Ngày" -> calendar days; times that
  differ by channel -> the desk (Trực tiếp) time; a bare number with no unit -> working days,
  marked illustrative. Records with no time at all are left out.
- `fee.amount`: the amount in đồng when the text starts with one; 0 for a bare "Miễn phí";
  otherwise null (the province sets it), with the published text kept in `fee.text`.
- `onlineLevel`: published for 1.001193 only; otherwise 3 when "Trực tuyến" is a published
  channel, else 2 (illustrative).
- `postalIntake`: the published "Dịch vụ bưu chính" channel; `postalReturn`: assumed equal to it
  (illustrative).
- `anywhereInProvince` (filing at any desk of the province, NĐ 118/2025/NĐ-CP): each province
  publishes its own list and the national catalogue does not carry the flag, so it is set on a
  few civil-status and certification procedures commonly on such lists (`ANYWHERE`), marked
  illustrative; a deployment replaces it with its province's published list.

Run: python3 scripts/build_seeds.py ../shared/catalogue/procedures.json > Seeds/procedures.json
"""
import json
import re
import sys


# Illustrative: no published list of the seed provinces was found (see the docstring).
ANYWHERE = {"1.001193", "1.000656", "1.004873", "2.000942"}


def term_of(record):
    if record["field"] == "Chứng thực" and not record["processingDays"] and not record.get("processingText"):
        # Nghị định 23/2015/NĐ-CP, art. 7: copies and signatures the same working day (the next one
        # after 15:00); contracts and transactions within 2 working days.
        name = record["name"].lower()
        contract = not name.startswith("cấp bản sao") and any(w in name for w in ("hợp đồng", "giao dịch", "di chúc", "di sản", "văn bản thỏa thuận"))
        return {"workingDays": 2 if contract else 1}, True, "the catalogue page shows no time; term per Nghị định 23/2015/NĐ-CP art. 7"
    if record["processingDays"]:
        return {"workingDays": record["processingDays"]}, False, None
    text = record.get("processingText")
    if not text:
        return None, False, None
    by_channel = dict(re.findall(r"(Trực tiếp|Trực tuyến|Dịch vụ bưu chính): (\d+ Ngày(?: làm việc)?)", text))
    chosen = by_channel.get("Trực tiếp") or (text if re.fullmatch(r"\d+ Ngày(?: làm việc)?", text) else None)
    if chosen:
        n = int(chosen.split()[0])
        note = "desk (Trực tiếp) time; other channels publish other times" if by_channel and len(set(by_channel.values())) > 1 else None
        return ({"workingDays": n} if "làm việc" in chosen else {"calendarDays": n}), False, note
    m = re.fullmatch(r"(\d+) \(đơn vị không hiển thị trên trang\)", text)
    if m:
        return {"workingDays": int(m.group(1))}, True, "the portal shows no unit; read as working days"
    return None, False, None


def fee_of(text):
    if text is None:
        return {"amount": None, "text": "Không có thông tin"}
    m = re.match(r"([\d,]+) Việt Nam Đồng", text)
    if m:
        return {"amount": int(m.group(1).replace(",", "")), "text": text}
    if text.strip() == "Miễn phí":
        return {"amount": 0, "text": text}
    return {"amount": None, "text": text}


def main(path):
    records = json.load(open(path, encoding="utf-8"))
    out = []
    for r in records:
        term, term_guess, term_note = term_of(r)
        documents = [
            {"name": d["name"], "originals": d.get("originalCount", 1 if d["original"] else 0), "copies": d["copies"]}
            for d in (r["documents"] or [])
            if d.get("originalCount", 1 if d["original"] else 0) + d["copies"] > 0
        ]
        if term is None or not documents:
            continue
        illustrative = ["postalReturn"]
        if term_guess:
            illustrative.append("term")
        online = r["onlineLevel"]
        if online is None:
            online = 3 if "Trực tuyến" in r["channels"] else 2
            illustrative.append("onlineLevel")
        if r["code"] in ANYWHERE:
            illustrative.append("anywhereInProvince")
        notes = [n for n in [term_note, r.get("levelNote")] if n]
        source = r["source"] + (f"; online level: {r['onlineLevelSource']}" if r.get("onlineLevelSource") else "")
        out.append({
            "code": r["code"],
            "name": r["name"],
            "field": r["field"],
            "level": r["level"],
            "term": term,
            "fee": fee_of(r["fee"]),
            "onlineLevel": online,
            "postalIntake": bool(r["postal"]),
            "postalReturn": bool(r["postal"]),
            "documents": documents,
            "source": source,
            "illustrative": illustrative,
            **({"notes": notes} if notes else {}),
            **({"anywhereInProvince": True} if r["code"] in ANYWHERE else {}),
        })
    json.dump({"generatedFrom": "shared/catalogue/procedures.json (see scripts/build_seeds.py for the rules)",
               "procedures": out}, sys.stdout, ensure_ascii=False, indent=1)
    print()
    print(f"{len(out)} procedures", file=sys.stderr)


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "../shared/catalogue/procedures.json")
