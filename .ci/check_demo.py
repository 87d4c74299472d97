"""Parses the outputs of `careneed demo` back and checks them (stdlib only)."""
import csv
import json
import sys
from pathlib import Path

out = Path(sys.argv[1])
fail = []

def check(cond, msg):
    if not cond:
        fail.append(msg)

areas = json.loads((out / "areas.geojson").read_text(encoding="utf-8"))
check(areas.get("type") == "FeatureCollection", "areas.geojson is not a FeatureCollection")
check("crs" not in areas, "areas.geojson carries a crs member")
feats = areas["features"]
check(len(feats) == 172, f"areas.geojson has {len(feats)} features, expected 172")
codes = set()
for f in feats:
    p = f["properties"]
    for key in ("code", "name", "municipality", "population", "cni"):
        check(p.get(key) is not None, f"feature {f.get('id')} lacks {key}")
    codes.add(p["code"])
    check(0.3 < p["cni"] < 3.0, f"{p['code']}: cni {p['cni']} out of range")
    check(f["geometry"]["type"] in ("Polygon", "MultiPolygon"), f"{p['code']}: geometry type")
    ring = f["geometry"]["coordinates"][0] if f["geometry"]["type"] == "Polygon" else f["geometry"]["coordinates"][0][0]
    lon, lat = ring[0]
    check(14.0 < lon < 18.5 and 59.8 < lat < 62.6, f"{p['code']}: not WGS84 in Gävleborg: {lon},{lat}")
check(len(codes) == 172, "duplicate codes in areas.geojson")

with open(out / "ranking.csv", newline="", encoding="utf-8") as fh:
    rows = list(csv.DictReader(fh))
check(len(rows) == 172, f"ranking.csv has {len(rows)} rows")
ranks = [int(r["rank"]) for r in rows]
check(ranks == list(range(1, 173)), "ranking.csv ranks are not 1..172 in order")
cnis = [float(r["cni"]) for r in rows]
check(cnis == sorted(cnis, reverse=True), "ranking.csv is not sorted by CNI")
check(cnis[0] > 1.8 and cnis[-1] < 0.75, f"CNI spread {cnis[-1]}..{cnis[0]} narrower than 0.75..1.8")
pop = sum(float(r["population"]) for r in rows)
mean = sum(float(r["population"]) * float(r["cni"]) for r in rows) / pop
check(abs(mean - 1.0) < 1e-3, f"population-weighted mean CNI {mean} is not 1 (R computed from the input)")

with open(out / "vti.csv", newline="", encoding="utf-8") as fh:
    vti = list(csv.DictReader(fh))
check(len(vti) == 25, f"vti.csv has {len(vti)} centres")
for r in vti:
    v = float(r["p_first"]) / 3 + float(r["p_bcg"]) + float(r["p_smoke"])
    check(abs(v - float(r["vti"])) < 2e-4, f"{r['bvc']}: vti {r['vti']} != {v}")

catch = json.loads((out / "catchments.geojson").read_text(encoding="utf-8"))
check(len(catch["features"]) == 25, f"catchments.geojson has {len(catch['features'])} features")
with open(out / "catchments.csv", newline="", encoding="utf-8") as fh:
    crow = list(csv.DictReader(fh))
check(abs(sum(float(r["population"]) for r in crow) - pop) < 1, "catchment populations do not sum to the areas'")

report = json.loads((out / "run_report.json").read_text(encoding="utf-8"))
check(report["areas_in_table"] == 172 and report["matched"] == 172, "run_report.json counts")

if fail:
    print("demo output check FAILED:")
    for m in fail:
        print(" -", m)
    sys.exit(1)
print(f"demo outputs ok: {len(feats)} areas, CNI {cnis[-1]:.3f}..{cnis[0]:.3f}, {len(vti)} centres")
