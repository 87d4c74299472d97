"""tobler peer: area_interpolate of extensive columns, areas -> catchments.

Whole process: reads both GeoJSON files with pyogrio and the table with pandas,
then tobler.area_weighted.area_interpolate (n_jobs=-1: all cores).
usage: tobler_interpolate.py AREAS.geojson AREAS.csv CATCHMENTS.geojson OUT.csv
"""
import sys

import geopandas as gpd
import pandas as pd
from tobler.area_weighted import area_interpolate

areas_path, table_path, targets_path, out_path = sys.argv[1:5]
areas = gpd.read_file(areas_path, engine="pyogrio")
table = pd.read_csv(table_path, dtype={"code": str})
areas = areas.merge(table, on="code")
targets = gpd.read_file(targets_path, engine="pyogrio")
out = area_interpolate(
    source_df=areas,
    target_df=targets,
    extensive_variables=["population", "under5"],
    n_jobs=-1,
)
out["code"] = targets["code"].values
out[["code", "population", "under5"]].to_csv(out_path, index=False)
print(f"tobler: {len(areas)} areas -> {len(targets)} zones; population {out['population'].sum():.3f}")
