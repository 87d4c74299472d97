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

MARKER = ".."  # a count below the privacy threshold (5), or a figure derived from one
THRESHOLD = 5
COUNTS = ("population", "children", "newborns", "eligible_families", "accepting_families", "births")

def num(v):
    """A CSV cell as a number; None when withheld."""
    return None if v == MARKER else float(v)

def signed_area(ring):
    return sum(a[0] * b[1] - b[0] * a[1] for a, b in zip(ring, ring[1:]))

def check_styled(name, fc):
    """RFC 7946 details and the map classes of a FeatureCollection."""
    check("crs" not in fc, f"{name} carries a crs member")
    c = fc.get("classification", {})
    breaks, colours = c.get("breaks", []), c.get("colours", [])
    check(3 <= len(breaks) <= 9 and len(colours) == len(breaks), f"{name}: classification {c}")
    check(all(a < b for a, b in zip(breaks, breaks[1:])), f"{name}: breaks not increasing")
    for i, f in enumerate(fc["features"]):
        p = f["properties"]
        check(f.get("id") == i + 1, f"{name}: feature {i} id {f.get('id')}")
        k = p.get("class")
        check(k is None or (1 <= k <= len(colours) and p.get("fill") == colours[k - 1]), f"{name}: feature {i} class {k} fill {p.get('fill')}")
        check(all(key in p for key in ("fill", "fill-opacity", "stroke", "class_label")), f"{name}: feature {i} lacks simplestyle")
        for key in COUNTS:
            v = p.get(key)
            check(v is None or not (0 < v < THRESHOLD), f"{name}: feature {i} {key} = {v} below the privacy threshold")
        g = f["geometry"]
        polys = [g["coordinates"]] if g["type"] == "Polygon" else g["coordinates"]
        for poly in polys:
            for r, ring in enumerate(poly):
                a = signed_area(ring)
                check(a > 0 if r == 0 else a < 0, f"{name}: feature {i} ring {r} winds the wrong way")
    text = (out / name).read_text(encoding="utf-8").split('"features":[', 1)[1]
    import re
    check(re.search(r"\[-?\d+\.\d{7,},", text) is None, f"{name}: a coordinate with more than 6 decimals")

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
check_styled("areas.geojson", areas)

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
shown = [r for r in vti if r["p_smoke"] != ".."]
# Shares with a small count behind them are withheld together (the VTI stays).
check(0 < len(shown) < 25, f"{len(shown)} of 25 centres show their shares")
for r in vti:
    check(r["vti"] not in ("..", ""), f"{r['bvc']}: VTI withheld or missing")
    if r["p_smoke"] == "..":
        check(r["p_first"] == ".." and r["p_bcg"] == "..", f"{r['bvc']}: shares withheld alone")
        continue
    v = float(r["p_first"]) / 3 + float(r["p_bcg"]) + float(r["p_smoke"])
    check(abs(v - float(r["vti"])) < 2e-4, f"{r['bvc']}: vti {r['vti']} != {v}")

catch = json.loads((out / "catchments.geojson").read_text(encoding="utf-8"))
check(len(catch["features"]) == 25, f"catchments.geojson has {len(catch['features'])} features")
check_styled("catchments.geojson", catch)
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
ranked = [r for r in plan if r["rank"] != ""]
check([int(r["rank"]) for r in ranked] == list(range(1, len(ranked) + 1)), "plan.csv ranks are not 1..k in order")
check(all(r["rank"] == "" and r["measure"] == MARKER for r in plan[len(ranked):]), "a withheld row between ranked ones, or an unranked row with a measure")
check({r["bvc"] for r in plan} == {r["bvc"] for r in crow}, "plan.csv and catchments.csv name different BVCs")
sel = [r for r in plan if r["selected"] == "true"]
budget = sum(budgets)
# The running pilot (Bollnäs, locked in) is wave 0, already staffed, outside the budgets.
running = [r for r in sel if r["phase"] == "0"]
check([r["bvc"] for r in running] == ["2183-1"] and all(r["locked_in"] == "true" for r in running),
      f"the running pilot should be Bollnäs (2183-1) in wave 0, got {[r['bvc'] for r in running]}")
sel_fte = sum(num(r["fte"]) or 0 for r in sel if r["phase"] != "0")
check(0 < sel_fte <= budget + 0.01, f"selected catchments need {sel_fte} FTE, budget {budget}")
wave1 = sum(num(r["fte"]) or 0 for r in sel if r["phase"] == "1")
check(wave1 <= budgets[0] + 0.01, f"wave 1 needs {wave1} FTE")
check(all(r["phase"] in ("0", "1", "2") for r in sel), "a selected catchment without a wave 0, 1 or 2")
check(all(r["reason"] for r in plan), "a plan.csv row without a reason")
check(all(r["reason"] == ("running (locked in): wave 0" if r["phase"] == "0" else f"chosen: wave {r['phase']}")
          for r in sel), "a selected row whose reason is not its wave")
# Staff is the extra over the basic programme: the nurse makes 4 of 6 visits beyond the basic 2.
for r in plan:
    if r["fte"] != MARKER:
        check(abs(float(r["fte_nurse"]) / float(r["fte_parent_supporter"]) - 4 / 6) < 0.01,
              f"{r['bvc']}: nurse FTE is not 4/6 of the parent supporter's")
        check(abs(float(r["fte_region"]) - float(r["fte_nurse"])) < 0.002 and
              abs(float(r["fte_municipality"]) - float(r["fte_parent_supporter"])) < 0.002,
              f"{r['bvc']}: employer split differs from the professions")
check(all(r["phase"] == "" for r in plan if r["selected"] == "false"), "an unselected catchment with a wave")
check(all(r["locked_in"] == "false" or r["selected"] == "true" for r in plan), "a locked-in catchment is not selected")
check(all(r["allowed"] == "true" or r["locked_in"] == "true" or r["selected"] == "false" for r in plan), "a catchment below the minimum CNI was selected")
for r in plan:
    p = float(r["p_selected"])
    check(0 <= p <= 1, f"{r['bvc']}: P(selected) {p}")
    if r["rank"] == "":
        check(r["rank_low"] == r["rank_high"] == "", f"{r['bvc']}: a rank interval without a rank")
    else:
        lo, hi = int(r["rank_low"]), int(r["rank_high"])
        check(1 <= lo <= hi <= len(plan), f"{r['bvc']}: rank interval {lo}..{hi}")
    if r["fte"] == MARKER:
        check(r["eligible_families"] == MARKER and r["fte_nurse"] == MARKER, f"{r['bvc']}: FTE withheld but not the families")
        continue
    fte = float(r["fte_nurse"]) + float(r["fte_parent_supporter"])
    check(abs(fte - float(r["fte"])) < 0.002, f"{r['bvc']}: FTE per profession do not add up")
hidden = [r for r in plan if r["eligible_families"] == MARKER]
elig = sum(float(r["eligible_families"]) for r in plan if r not in hidden)
with open(Path(__file__).resolve().parent.parent / "data/demo/births.csv", newline="", encoding="utf-8") as fh:
    births = list(csv.DictReader(fh))
want = sum(int(b["first_births"]) + int(b["first_in_sweden"]) for b in births)
check(all(r["eligibility"] == "births" for r in plan), "a demo catchment's eligible families are not from births.csv")
# Withheld catchments have fewer than 5 eligible families (or accepting ones: 5 / 0.83).
check(0 <= want - elig < len(hidden) * THRESHOLD / 0.83 + 0.1 and (elig == want) == (not hidden),
      f"eligible families {elig} (+ {len(hidden)} withheld) vs first births + first in Sweden {want}")
with open(out / "plan_municipalities.csv", newline="", encoding="utf-8") as fh:
    munis = list(csv.DictReader(fh))
check(len(munis) == 10, f"plan_municipalities.csv has {len(munis)} rows")
check(sum(int(m["catchments"]) for m in munis) == 25, "municipalities do not hold the 25 catchments")
cfeat = {f["properties"]["bvc"]: f["properties"] for f in catch["features"]}
for r in plan:
    p = cfeat.get(r["bvc"], {})
    check(p.get("plan_rank") == (int(r["rank"]) if r["rank"] else None) and p.get("selected") == (r["selected"] == "true"),
          f"{r['bvc']}: catchments.geojson disagrees with plan.csv")

report = json.loads((out / "run_report.json").read_text(encoding="utf-8"))
check(report["areas_in_table"] == 172 and report["matched"] == 172, "run_report.json counts")
check(report["map"]["catchments"]["breaks"] == catch["classification"]["breaks"], "run_report.json and catchments.geojson breaks differ")

# Privacy: no count below the threshold in any CSV; withheld cells are the marker.
withheld = 0
for path in sorted(out.glob("*.csv")):
    with open(path, newline="", encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            for key, v in row.items():
                withheld += v == MARKER
                if key in COUNTS and v not in ("", MARKER):
                    check(not (0 < float(v) < THRESHOLD), f"{path.name}: {key} = {v} below the privacy threshold")
suppressed = {s["output"]: s["rows"] for s in report["privacy"]["suppressed"]}
check(suppressed.get("plan_areas.csv") == 61 and withheld > 0, f"privacy summary {suppressed}, {withheld} cells withheld")

# The maps and the report.
import xml.etree.ElementTree as ET
svg = ET.parse(out / "map.svg").getroot()
ns = "{http://www.w3.org/2000/svg}"
groups = {g.get("id"): g for g in svg.iter(ns + "g")}
check(len(groups["catchments"].findall(ns + "path")) == 25, "map.svg: not one shape per catchment")
check(len(groups["municipalities"].findall(ns + "path")) == 10, "map.svg: not 10 municipality borders")
check(len(groups["selected"].findall(ns + "path")) == len(sel), "map.svg: selected outlines differ from plan.csv")
check((out / "map.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n", "map.png is not a PNG")
html = (out / "report.html").read_text(encoding="utf-8")
check("http" not in html and "src=" not in html, "report.html refers to something outside itself")
check(html.count('class="catchment class-') == 25, "report.html: not one map shape per catchment")

if fail:
    print("demo output check FAILED:")
    for m in fail:
        print(" -", m)
    sys.exit(1)
print(f"demo outputs ok: {len(feats)} areas, CNI {cnis[-1]:.3f}..{cnis[0]:.3f}, {len(vti)} centres, "
      f"plan: {len(sel)} of {len(plan)} catchments selected at {sel_fte:.3f} FTE; "
      f"{withheld} CSV cells withheld (counts below {THRESHOLD}); map.svg, map.png, report.html")
