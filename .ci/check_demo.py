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
budgets = report["plan"]["budgets"]
check(report["plan"]["budget_unit"] == "fte" and len(budgets) == 2, f"demo plan budgets {budgets}")
check(report["plan"]["exact"]["need"] >= report["plan"]["greedy"]["need"] - 1e-9, "greedy beats the exact knapsack")
with open(out / "plan.csv", newline="", encoding="utf-8") as fh:
    plan = list(csv.DictReader(fh))
check(len(plan) == 25, f"plan.csv has {len(plan)} catchments, expected 25")
check([int(r["rank"]) for r in plan] == list(range(1, len(plan) + 1)), "plan.csv ranks are not 1..n in order")
check({r["bvc"] for r in plan} == {r["bvc"] for r in crow}, "plan.csv and catchments.csv name different BVCs")
sel = [r for r in plan if r["selected"] == "true"]
budget = sum(budgets)
sel_fte = sum(float(r["fte"]) for r in sel)
check(0 < sel_fte <= budget + 0.01, f"selected catchments need {sel_fte} FTE, budget {budget}")
wave1 = sum(float(r["fte"]) for r in sel if r["phase"] == "1")
check(wave1 <= budgets[0] + 0.01 + max((float(r["fte"]) for r in sel if r["locked_in"] == "true"), default=0), f"wave 1 needs {wave1} FTE")
check(all(r["phase"] in ("1", "2") for r in sel), "a selected catchment without a wave 1 or 2")
check(all(r["phase"] == "" for r in plan if r["selected"] == "false"), "an unselected catchment with a wave")
check(all(r["locked_in"] == "false" or r["selected"] == "true" for r in plan), "a locked-in catchment is not selected")
check(all(r["allowed"] == "true" or r["locked_in"] == "true" or r["selected"] == "false" for r in plan), "a catchment below the minimum CNI was selected")
for r in plan:
    lo, hi, p = int(r["rank_low"]), int(r["rank_high"]), float(r["p_selected"])
    check(1 <= lo <= hi <= len(plan), f"{r['bvc']}: rank interval {lo}..{hi}")
    check(0 <= p <= 1, f"{r['bvc']}: P(selected) {p}")
    fte = float(r["fte_nurse"]) + float(r["fte_parent_supporter"])
    check(abs(fte - float(r["fte"])) < 0.002, f"{r['bvc']}: FTE per profession do not add up")
elig = sum(float(r["eligible_families"]) for r in plan)
with open(Path(__file__).resolve().parent.parent / "data/demo/births.csv", newline="", encoding="utf-8") as fh:
    births = list(csv.DictReader(fh))
want = sum(int(b["first_births"]) + int(b["first_in_sweden"]) for b in births)
check(all(r["eligibility"] == "births" for r in plan), "a demo catchment's eligible families are not from births.csv")
check(abs(elig - want) < 0.1, f"eligible families {elig} != first births + first in Sweden {want}")
with open(out / "plan_municipalities.csv", newline="", encoding="utf-8") as fh:
    munis = list(csv.DictReader(fh))
check(len(munis) == 10, f"plan_municipalities.csv has {len(munis)} rows")
check(sum(int(m["catchments"]) for m in munis) == 25, "municipalities do not hold the 25 catchments")
cfeat = {f["properties"]["bvc"]: f["properties"] for f in catch["features"]}
for r in plan:
    p = cfeat.get(r["bvc"], {})
    check(p.get("plan_rank") == int(r["rank"]) and p.get("selected") == (r["selected"] == "true"),
          f"{r['bvc']}: catchments.geojson disagrees with plan.csv")

report = json.loads((out / "run_report.json").read_text(encoding="utf-8"))
check(report["areas_in_table"] == 172 and report["matched"] == 172, "run_report.json counts")

if fail:
    print("demo output check FAILED:")
    for m in fail:
        print(" -", m)
    sys.exit(1)
print(f"demo outputs ok: {len(feats)} areas, CNI {cnis[-1]:.3f}..{cnis[0]:.3f}, {len(vti)} centres, "
      f"plan: {len(sel)} of {len(plan)} catchments selected at {sel_fte:.3f} FTE")
