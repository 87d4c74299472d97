"""DuckDB spatial peer: points (CSV x,y) -> areas, spatial join + count per area.

Whole process: loads the spatial extension from the duckdb-extension-spatial
package's .duckdb_extension file, reads the GeoJSON with ST_Read and the CSV with
read_csv, joins on ST_Within (DuckDB's spatial join), all threads.
usage: duckdb_join.py AREAS.geojson POINTS.csv OUT.csv
"""
import glob
import os
import sys

import duckdb
import duckdb_extension_spatial

areas_path, points_path, out_path = sys.argv[1:4]
ext_dir = os.path.dirname(duckdb_extension_spatial.__file__)
(extension,) = glob.glob(os.path.join(ext_dir, "extensions", f"v{duckdb.__version__}", "spatial.duckdb_extension"))
con = duckdb.connect(config={"allow_unsigned_extensions": "true"})
con.execute(f"LOAD '{extension}'")
con.execute(f"SET threads = {os.cpu_count()}")
con.execute(f"CREATE TABLE areas AS SELECT code, geom FROM ST_Read('{areas_path}')")
con.execute(
    f"CREATE TABLE points AS SELECT x, y FROM read_csv('{points_path}', columns = {{'id': 'BIGINT', 'x': 'DOUBLE', 'y': 'DOUBLE'}}, header = true)"
)
con.execute(
    """
    CREATE TABLE counts AS
    SELECT a.code, count(*) AS count
    FROM points p JOIN areas a ON ST_Within(ST_Point(p.x, p.y), a.geom)
    GROUP BY a.code
    """
)
con.execute(
    f"""
    COPY (SELECT a.code, coalesce(c.count, 0) AS count FROM areas a LEFT JOIN counts c USING (code) ORDER BY a.code)
    TO '{out_path}' (HEADER, DELIMITER ',')
    """
)
n, inside = con.execute("SELECT (SELECT count(*) FROM points), (SELECT sum(count) FROM counts)").fetchone()
print(f"duckdb: {n} points, {inside} within an area")
