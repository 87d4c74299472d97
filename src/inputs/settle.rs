//! Settling the CRS of freshly read areas (given, declared or detected), the
//! check that every coordinate fits it, the reprojection of a CRS careneed does not
//! know natively (feature `proj`), and the validity checks: the last step of every
//! boundary reader (GeoJSON and GeoPackage).

use crate::error::{Error, Location, Problem};
use crate::inputs::area::{Area, Boundaries, BoundaryOptions, CrsSource, Named};
use crate::inputs::crs::{self, Crs};
use crate::report::Report;
use std::cell::Cell;
#[cfg(feature = "proj")]
use {geo::MapCoords, geo_types::Coord};

fn positions(area: &Area) -> impl Iterator<Item = (f64, f64)> + '_ {
    area.geometry.0.iter().flat_map(|p| {
        std::iter::once(p.exterior())
            .chain(p.interiors())
            .flat_map(|r| r.0.iter().map(|c| (c.x, c.y)))
    })
}

/// Decides the CRS of freshly read areas (given, declared or detected; see the module
/// docs), checks that every coordinate fits it, and reprojects a CRS careneed does not
/// know natively to SWEREF99 TM (feature `proj`). `crs_field` names the file's
/// declaration in errors (`crs`, `srs_id`); `locate` gives an area's location (its
/// index and the area) with the geometry field.
pub(crate) fn settle_crs(
    source: &str,
    crs_field: &str,
    mut areas: Vec<Area>,
    declared: Option<Named>,
    options: &BoundaryOptions,
    report: &mut Report,
    locate: &dyn Fn(usize, &Area) -> Location,
) -> crate::Result<Boundaries> {
    let file = || Location::file(source);
    let area_at = |areas: &[Area], i: usize| locate(i, &areas[i]);
    let given = match (options.crs, options.crs_epsg) {
        (Some(crs), _) => Some(Named::Builtin(crs)),
        (None, Some(code)) => Some(match Crs::from_epsg(code) {
            Some(crs) => Named::Builtin(crs),
            None => Named::Epsg(code, format!("EPSG:{code}")),
        }),
        (None, None) => None,
    };
    if let (Some(given), Some(declared)) = (&given, &declared)
        && given != declared
    {
        report.info(
            "crs",
            file().with_field(crs_field),
            format!(
                "the file declares {}; using {} as set explicitly",
                declared.describe(),
                given.describe()
            ),
        );
    }
    let (named, crs_source) = match (given, declared) {
        (Some(given), _) => (Some(given), CrsSource::Given),
        (None, Some(declared)) => (Some(declared), CrsSource::Declared),
        (None, None) => (None, CrsSource::Detected),
    };
    let where_named = || match crs_source {
        CrsSource::Given => file(),
        _ => file().with_field(crs_field),
    };

    let current = Cell::new(0usize);
    let detected = crs::detect(areas.iter().enumerate().flat_map(|(i, a)| {
        let current = &current;
        positions(a).inspect(move |_| current.set(i))
    }));
    let misfit_area = current.get();
    let describe_detected = |detected: &Result<Crs, (f64, f64)>| match detected {
        Ok(found) => found.to_string(),
        Err((x, y)) => format!("neither WGS84 nor SWEREF99 TM (e.g. ({x}, {y}))"),
    };

    let (crs, declared_text) = match named {
        Some(Named::Builtin(crs)) => (crs, crs.to_string()),
        Some(Named::Epsg(code, name)) => {
            let text = reproject_areas(source, code, &name, &mut areas, report, &where_named)
                .map_err(|(i, problem)| match i {
                    Some(i) => Error::input(area_at(&areas, i), problem),
                    None => Error::input(where_named(), problem),
                })?;
            (Crs::Sweref99Tm, text)
        }
        None => match detected {
            Ok(crs) => {
                report.info(
                    "crs",
                    file(),
                    format!("no CRS declared; the coordinates are {crs}"),
                );
                (crs, crs.to_string())
            }
            Err((x, y)) => {
                return Err(Error::input(
                    area_at(&areas, misfit_area),
                    Problem::UnknownCrs { x, y },
                ));
            }
        },
    };
    if crs_source != CrsSource::Detected {
        let misfit = areas
            .iter()
            .position(|a| positions(a).any(|(x, y)| !crs.fits(x, y)));
        if let Some(i) = misfit {
            return Err(Error::input(
                area_at(&areas, i),
                Problem::CrsMismatch {
                    declared: declared_text,
                    detected: describe_detected(&detected),
                },
            ));
        }
    }
    if crs == Crs::Wgs84 {
        let swapped = areas
            .iter()
            .flat_map(positions)
            .all(|(x, y)| (54.0..=70.0).contains(&x) && (10.0..=25.0).contains(&y));
        if swapped {
            report.warn(
                "axis_order",
                file(),
                "the coordinates look like latitude, longitude for Sweden; GeoJSON wants longitude first",
            );
        }
        let in_sweden =
            |(x, y): (f64, f64)| (10.0..=25.0).contains(&x) && (55.0..=70.0).contains(&y);
        if !swapped && !areas.iter().flat_map(positions).any(in_sweden) {
            report.warn(
                "outside_sweden",
                file(),
                "no coordinate lies in Sweden (longitude 10–25°, latitude 55–70°): is this the right file?",
            );
        }
    }
    crate::inputs::validate::check_areas(&mut areas, options.repair, report, locate)?;
    Ok(Boundaries::new(source.to_string(), crs, crs_source, areas))
}

/// Reprojects every area from `EPSG:code` to SWEREF99 TM through PROJ; returns the
/// text naming the source CRS. An error names the area (by index) when one is at fault.
#[cfg(feature = "proj")]
fn reproject_areas(
    _source: &str,
    code: u32,
    name: &str,
    areas: &mut [Area],
    report: &mut Report,
    where_named: &dyn Fn() -> Location,
) -> Result<String, (Option<usize>, Problem)> {
    let to = crate::inputs::reproject::EpsgTransform::new(code, Crs::Sweref99Tm.epsg())
        .map_err(|_| (None, Problem::UnsupportedCrs(name.to_string())))?;
    for (i, area) in areas.iter_mut().enumerate() {
        area.geometry = area
            .geometry
            .try_map_coords(|c: Coord<f64>| {
                to.apply(c.x, c.y)
                    .map(|(x, y)| Coord { x, y })
                    .map_err(Problem::Invalid)
            })
            .map_err(|p| (Some(i), p))?;
    }
    let text = format!("EPSG:{code} ({})", to.source_name());
    report.info(
        "crs",
        where_named(),
        format!("reprojected from {text} to {} with PROJ", Crs::Sweref99Tm),
    );
    Ok(text)
}

/// Without PROJ a CRS careneed does not know natively is an error.
#[cfg(not(feature = "proj"))]
fn reproject_areas(
    _source: &str,
    _code: u32,
    name: &str,
    _areas: &mut [Area],
    _report: &mut Report,
    _where_named: &dyn Fn() -> Location,
) -> Result<String, (Option<usize>, Problem)> {
    Err((None, Problem::UnsupportedCrs(name.to_string())))
}
