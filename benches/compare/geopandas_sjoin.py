"""GeoPandas peer: points (CSV x,y) -> areas, sjoin(predicate="within") + count per area.

Whole process: reads the GeoJSON with pyogrio and the CSV with pandas (pyarrow engine
when installed), builds points with points_from_xy, joins with the default STRtree.
usage: geopandas_sjoin.py AREAS.geojson POINTS.csv OUT.csv
"""
import sys

import geopandas as gpd
import pandas as pd

areas_path, points_path, out_path = sys.argv[1:4]
areas = gpd.read_file(areas_path, engine="pyogrio")[["code", "geometry"]]
try:
    import pyarrow  # noqa: F401

    engine = "pyarrow"
except ImportError:
    engine = "c"
df = pd.read_csv(points_path, usecols=["x", "y"], engine=engine)
points = gpd.GeoDataFrame(geometry=gpd.points_from_xy(df["x"], df["y"]), crs=areas.crs)
del df
joined = gpd.sjoin(points, areas, predicate="within", how="inner")
counts = joined.groupby("code").size().reindex(areas["code"], fill_value=0)
counts.rename("count").to_csv(out_path, index_label="code")
print(f"geopandas: {len(points)} points, {int(counts.sum())} within an area (engine {engine})")
