"""Runs careneed and its peers on the data of examples/compare_data.rs, checks the
results and prints times, peak memory and ratios. Called by run.sh.

Every run is one whole process (reading the inputs, computing, writing the
output), timed with GNU time: wall-clock seconds, CPU seconds (user + system)
and peak resident memory (the largest process, for tobler's worker processes
too). Each tool runs --repeat times; the table shows the median wall time, and
the largest peak memory.

Checks (exit status 1 when one fails):
* careneed's counts equal GeoPandas' (sjoin "within") plus the points on a
  boundary, which GeoPandas' "within" leaves out and careneed gives to the area
  with the smallest code (interior first). Boundary points are found
  independently with shapely: the points equal to a vertex of an area or on the
  outer rim, tested against every area with "intersects" and "within";
* DuckDB's counts (ST_Within) equal GeoPandas';
* totals: careneed's assigned + outside = the points read;
* interpolation: careneed's and tobler's values per catchment agree to 1e-6
  (relative) and both keep the totals.
"""
import argparse
import csv
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import datetime, timezone

HERE = os.path.dirname(os.path.abspath(__file__))


def run(cmd, stdout_path):
    """One whole process under GNU time: (wall s, cpu s, peak MB)."""
    with tempfile.NamedTemporaryFile("r", suffix=".time") as t, open(stdout_path, "w") as out:
        full = ["/usr/bin/time", "-f", "%e %U %S %M", "-o", t.name] + cmd
        p = subprocess.run(full, stdout=out, stderr=subprocess.PIPE, text=True)
        if p.returncode != 0:
            sys.stderr.write(p.stderr)
            raise SystemExit(f"failed: {' '.join(cmd)}")
        e, u, s, m = t.read().split()[-4:]
        return float(e), float(u) + float(s), int(m) / 1024


def read_counts(path):
    with open(path, newline="") as f:
        return {r["code"]: int(float(r["count"])) for r in csv.DictReader(f)}


def read_values(path):
    with open(path, newline="") as f:
        return {r["code"]: (float(r["population"]), float(r["under5"])) for r in csv.DictReader(f)}


def loadavg():
    try:
        return os.getloadavg()[0]
    except OSError:
        return float("nan")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--data", required=True)
    ap.add_argument("--careneed", required=True)
    ap.add_argument("--python", default=sys.executable)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--check-only", action="store_true", help="check the outputs of an earlier run")
    a = ap.parse_args()
    d = a.data
    areas, points = f"{d}/areas.geojson", f"{d}/points.csv"
    table, targets = f"{d}/areas.csv", f"{d}/catchments.geojson"
    out = f"{d}/out"
    os.makedirs(out, exist_ok=True)
    py = a.python
    tools = {
        "careneed assign": [a.careneed, "assign", "--areas", areas, "--points", points, "--out", f"{out}/careneed_counts.csv"],
        "GeoPandas sjoin": [py, f"{HERE}/geopandas_sjoin.py", areas, points, f"{out}/geopandas_counts.csv"],
        "DuckDB spatial": [py, f"{HERE}/duckdb_join.py", areas, points, f"{out}/duckdb_counts.csv"],
        "careneed interpolate": [a.careneed, "interpolate", "--from", areas, "--table", table, "--to", targets,
                                 "--extensive", "population,under5", "--out", f"{out}/careneed_zones.csv"],
        "tobler area_interpolate": [py, f"{HERE}/tobler_interpolate.py", areas, table, targets, f"{out}/tobler_zones.csv"],
    }
    results = {name: [] for name in tools}
    loads = []
    for i in range(0 if a.check_only else a.repeat):
        for name, cmd in tools.items():
            loads.append(loadavg())
            r = run(cmd, f"{out}/{name.replace(' ', '_')}.stdout")
            results[name].append(r)
            print(f"  run {i + 1}/{a.repeat} {name}: {r[0]:.2f} s wall, {r[1]:.2f} s CPU, {r[2]:.0f} MB", flush=True)

    if not a.check_only:
        import json
        with open(f"{out}/times.json", "w") as f:
            json.dump({"loads": loads, "runs": results}, f, indent=1)

    failures = []

    # Point counts.
    import numpy as np
    import pandas as pd
    import shapely
    import geopandas as gpd

    cn = read_counts(f"{out}/careneed_counts.csv")
    gp = read_counts(f"{out}/geopandas_counts.csv")
    dk = read_counts(f"{out}/duckdb_counts.csv")
    if dk != gp:
        bad = [c for c in gp if gp[c] != dk.get(c)]
        failures.append(f"DuckDB and GeoPandas differ in {len(bad)} areas, e.g. {bad[:5]}")
    area_df = gpd.read_file(areas, engine="pyogrio")
    codes = list(area_df["code"])
    geoms = area_df.geometry.values
    pts = pd.read_csv(points, usecols=["x", "y"])
    n_points = len(pts)
    xs, ys = pts["x"].to_numpy(), pts["y"].to_numpy()
    # Candidates for the boundary: points equal to a vertex, or on the rim.
    verts = shapely.get_coordinates(shapely.get_exterior_ring(geoms))
    vset = set(map(tuple, verts))
    xmin, ymin, xmax, ymax = shapely.total_bounds(geoms)
    on_rim = ((xs == xmin) | (xs == xmax)) & (ys >= ymin) & (ys <= ymax) | ((ys == ymin) | (ys == ymax)) & (xs >= xmin) & (xs <= xmax)
    cand = np.flatnonzero(on_rim | np.fromiter(((x, y) in vset for x, y in zip(xs, ys)), bool, n_points))
    cpts = shapely.points(xs[cand], ys[cand])
    tree = shapely.STRtree(geoms)
    inter = tree.query(cpts, predicate="intersects")
    within = tree.query(cpts, predicate="within")
    within_pts = set(within[0])
    boundary_extra = {}
    n_boundary = 0
    for k in range(len(cand)):
        if k in within_pts:
            continue  # in an interior: GeoPandas counts it already
        hits = inter[1][inter[0] == k]
        if len(hits) == 0:
            continue
        n_boundary += 1
        code = min((codes[h] for h in hits), key=lambda c: c.encode())
        boundary_extra[code] = boundary_extra.get(code, 0) + 1
    expected = {c: gp.get(c, 0) + boundary_extra.get(c, 0) for c in codes}
    bad = [c for c in codes if cn.get(c) != expected[c]]
    if bad:
        failures.append(
            f"careneed differs from GeoPandas + boundary points in {len(bad)} areas, e.g. "
            + ", ".join(f"{c}: {cn.get(c)} vs {gp.get(c)}+{boundary_extra.get(c, 0)}" for c in bad[:5])
        )
    summary = open(f"{out}/careneed_assign.stdout").read().splitlines()[-2]
    # "N points read, R rejected, A assigned to K areas, O outside every area"
    words = summary.replace(",", "").split()
    read_n, assigned_n, outside_n = int(words[0]), int(words[5]), int(words[10])
    if read_n != n_points or assigned_n + outside_n != read_n or assigned_n != sum(cn.values()):
        failures.append(f"careneed's totals do not add up: {summary}")
    if sum(expected.values()) != sum(cn.values()):
        failures.append("careneed's total differs from GeoPandas' total plus boundary points")

    # Interpolation.
    cz = read_values(f"{out}/careneed_zones.csv")
    tz = read_values(f"{out}/tobler_zones.csv")
    worst = 0.0
    for c, v in cz.items():
        t = tz.get(c)
        if t is None:
            failures.append(f"zone {c} missing in tobler's output")
            break
        for a_, b_ in zip(v, t):
            worst = max(worst, abs(a_ - b_) / max(1.0, abs(b_)))
    if worst > 1e-6:
        failures.append(f"careneed and tobler differ by up to {worst:.2e} (relative)")
    tab = pd.read_csv(table)
    for k, col in enumerate(["population", "under5"]):
        total = tab[col].sum()
        for name, z in (("careneed", cz), ("tobler", tz)):
            s = sum(v[k] for v in z.values())
            if abs(s - total) > 1e-6 * total:
                failures.append(f"{name} {col}: total {s} != {total}")

    # The table.
    def med(name):
        return statistics.median(r[0] for r in results[name])

    def cpu(name):
        return statistics.median(r[1] for r in results[name])

    def mem(name):
        return max(r[2] for r in results[name])

    def best(name):
        return min(r[0] for r in results[name])

    if a.check_only:
        results = {name: [(float("nan"),) * 3] for name in tools}
        loads = [float("nan")]
    print()
    print(f"date: {datetime.now(timezone.utc):%Y-%m-%d %H:%M} UTC; machine: {platform.machine()}, "
          f"{os.cpu_count()} cores, {platform.platform()}; load average during the runs: "
          f"{min(loads):.1f}-{max(loads):.1f}")
    print(f"data: {len(codes)} areas ({len(verts) - len(codes)} vertices), {n_points} points, "
          f"{len(tz)} catchments; {n_boundary} points on a boundary; repeats: {a.repeat}")
    print()
    print("| task | tool | wall, median | wall, best | CPU (user+sys), median | peak memory | careneed faster by (median; best) |")
    print("|---|---|---|---|---|---|---|")
    for task, base, peers in (
        ("points → areas, count", "careneed assign", ["GeoPandas sjoin", "DuckDB spatial"]),
        ("area-weighted interpolation", "careneed interpolate", ["tobler area_interpolate"]),
    ):
        b = med(base)
        print(f"| {task} | {base} | {b:.2f} s | {best(base):.2f} s | {cpu(base):.2f} s | {mem(base):.0f} MB | |")
        for p in peers:
            print(f"| {task} | {p} | {med(p):.2f} s | {best(p):.2f} s | {cpu(p):.2f} s | {mem(p):.0f} MB "
                  f"| {med(p) / b:.1f}×; {best(p) / best(base):.1f}× |")
    print()
    print(f"checks: careneed = GeoPandas + {n_boundary} boundary points in every area: "
          f"{'ok' if not any('careneed differs' in f for f in failures) else 'FAILED'}; "
          f"DuckDB = GeoPandas: {'ok' if dk == gp else 'FAILED'}; "
          f"interpolation, largest relative difference careneed vs tobler: {worst:.1e}")
    if failures:
        for f in failures:
            print("FAILED:", f)
        sys.exit(1)
    print("all checks passed")


if __name__ == "__main__":
    main()
