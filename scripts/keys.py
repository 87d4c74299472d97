#!/usr/bin/env python3
"""Regenerates data/keys/ from SCB's DeSO–RegSO key files (CC0, see data/keys/README.md).

Usage: python3 scripts/keys.py ../shared/data/real data/keys
Reads deso2018_regso2020_key_sweden.csv and deso2025_regso2025_key_sweden.csv and writes
deso2018_regso2020.csv, deso2025_regso2025.csv (deso,regso,regso_name, sorted by DeSO)
and kommuner.csv (kommunkod,kommunnamn). Standard library only. The test
`codes::shipped_keys_match_the_shared_files` checks the output against the inputs.
"""
import csv
import os
import sys

src, dst = sys.argv[1], sys.argv[2]
kommuner = {}
for name, year in [("deso2018_regso2020", ("2018", "2020")), ("deso2025_regso2025", ("2025", "2025"))]:
    rows = list(csv.DictReader(open(os.path.join(src, name + "_key_sweden.csv"), encoding="utf-8")))
    rows.sort(key=lambda r: r["deso_" + year[0]])
    with open(os.path.join(dst, name + ".csv"), "w", encoding="utf-8", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(["deso", "regso", "regso_name"])
        for r in rows:
            w.writerow([r["deso_" + year[0]], r["regso_" + year[1]], r["regso_%s_namn" % year[1]]])
            kommuner[r["kommunkod"]] = r["kommunnamn"]
with open(os.path.join(dst, "kommuner.csv"), "w", encoding="utf-8", newline="") as f:
    w = csv.writer(f, lineterminator="\n")
    w.writerow(["kommunkod", "kommunnamn"])
    for k in sorted(kommuner):
        w.writerow([k, kommuner[k]])
