//! The synthetic demo county: a deterministic generator of boundaries, area
//! tables, child health centres (BVC) and geocoded children.
//!
//! [`generate`] turns a [`SynthConfig`] into a [`SynthRegion`] held in memory;
//! [`SynthRegion::write`] writes it as the CSV and GeoJSON files careneed reads.
//! [`SynthConfig::gavleborg`] is the bundled demo, a county modelled on Region
//! Gävleborg: its ten real municipalities with their real codes, seats,
//! populations and DeSO counts (172 areas, ≈ 286 000 residents), but
//! **synthetic** boundaries, people and children. The same configuration
//! always gives byte-identical files: all randomness comes from the small
//! documented generator in [`rng`] (SplitMix64 and hashed value noise, with
//! `exp`, `ln`, `sin`/`cos` computed there from plain IEEE arithmetic), nothing
//! depends on hash-map order, time or threads.
//!
//! # Geometry
//! The county outline (a hand-made ring of longitude/latitude vertices,
//! projected to SWEREF99 TM) is densified and bent by fractal *domain warping*
//! (every point displaced by smooth multi-octave noise) into a ragged coast, then
//! rasterised on a square grid (100 m cells for the demo). Municipalities grow
//! from fixed skeletons (disks around their towns and meandering roads from the
//! seat to the other localities, so the seats and localities lie in their own
//! municipality at their real coordinates and every municipality is connected)
//! by multi-source Dijkstra over a noisy cost surface, with per-municipality
//! head starts tuned iteratively until the land shares match the real ones; a
//! fine warp then makes their borders wiggle. Inside each municipality the
//! towns take the cells nearest their centre (again warped) up to a target
//! area per urban area (≈ 1.2 km² in main towns, 1.8 km² in other localities);
//! towns are cut into areas around Lloyd-relaxed seeds, and the remaining
//! countryside into rural areas the same way with a coarser warp. The steps and
//! parameters are listed in the `geometry` submodule's source.
//!
//! The raster is then cleaned ([`raster::clean`]) so that every municipality and
//! area is one 4-connected piece with no diagonal-only contacts, moving cells
//! only between areas of the same municipality. [`trace::tile`] traces the
//! region boundaries into arcs shared by the two neighbours, smooths and
//! simplifies each arc once (a moving average, Chaikin corner cutting, whole
//! metres, Douglas–Peucker), checks every segment against every other with exact
//! integer arithmetic (falling back to gentler shaping where an arc would break
//! validity) and assembles each area's and each municipality's rings from the
//! same arcs. Areas therefore tile their municipality and the municipalities the
//! county exactly, with no gaps or overlaps, and every polygon is OGC-valid.
//! The tiler is generic and reusable for other grids and hierarchies: fill a
//! [`raster::LabelGrid`] (e.g. with [`raster::grow`]), run [`raster::clean`] on
//! the parent labels and then, with `parent[label]`, on the child labels, and
//! call [`trace::tile`]`(&grid, &[parent], &options)` to get every child's and
//! every parent's polygon from the same shared arcs (tracing and checking take
//! about 40 ms for the demo's 4 million cells).
//!
//! # People
//! Each area draws a latent deprivation score (a handful of clearly deprived
//! estates in the larger towns, placed away from the town centre) and an age
//! score; rates of children, foreign-born, elderly living alone, single parents,
//! movers, unemployed and low education follow from them and from the area's
//! kind (rural areas are older and less educated), within realistic bounds, and
//! are turned into whole counts with the denominators' constraints kept.
//! Municipality populations are split over their areas (720–2 680 each).
//!
//! Child health centres sit in their town at an area's deepest point (named
//! deprived estates at a deprived area). Children 0–5 (≈ 1.2 per child under
//! five) live around the area's centre in towns, around a few villages in the
//! countryside, always strictly inside their area's polygon; 85 % are listed at
//! the nearest centre, the rest at the second nearest. Newborns (age 0) carry
//! first-born, first-born-in-Sweden, BCG-indication and maternal-smoking flags
//! whose rates rise with the area's foreign-born share or deprivation (plus a
//! small per-centre habit), assigned by systematic sampling along the newborns
//! ordered by centre so that every centre's counts are within about one of their
//! expectation; the VTI table counts them per centre, the births table per area.
//!
//! # Feature
//! This module is built only with the cargo feature `synth`, which the `cli`
//! feature turns on (`careneed synth` regenerates `data/demo`); the library's
//! pipeline does not use it, and a build without default features leaves it out.

pub mod raster;
pub mod rng;
pub mod trace;

mod county;
mod geometry;
mod people;
mod write;

#[cfg(test)]
mod tests;

use crate::error::Error;
use geo::Polygon;
use rng::SplitMix64;
use trace::{TileOptions, TileStats};

/// A locality other than the municipality's main town (its areas get code
/// letter B).
#[derive(Debug, Clone, PartialEq)]
pub struct LocalitySpec {
    /// Name, e.g. `Valbo`.
    pub name: String,
    /// Latitude of its centre, WGS84 degrees.
    pub lat: f64,
    /// Longitude of its centre, WGS84 degrees.
    pub lon: f64,
    /// Number of areas (DeSO) in the locality.
    pub areas: usize,
}

/// One municipality of the synthetic county.
#[derive(Debug, Clone, PartialEq)]
pub struct MunicipalitySpec {
    /// Four-digit municipality code, e.g. `2180`.
    pub code: String,
    /// Name, e.g. `Gävle`.
    pub name: String,
    /// The seat (main town), e.g. `Gävle`.
    pub seat: String,
    /// Latitude of the seat, WGS84 degrees.
    pub lat: f64,
    /// Longitude of the seat, WGS84 degrees.
    pub lon: f64,
    /// Residents; the municipality's areas add up to exactly this.
    pub population: u32,
    /// Land area in km²; municipalities get shares of the county in proportion.
    pub land_km2: f64,
    /// Areas in the main town (code letter C).
    pub town_areas: usize,
    /// How many of the main town's areas are clearly deprived.
    pub deprived_areas: usize,
    /// Other localities (code letter B).
    pub localities: Vec<LocalitySpec>,
    /// Rural areas (code letter A).
    pub rural_areas: usize,
}

/// A child health centre to place.
#[derive(Debug, Clone, PartialEq)]
pub struct BvcSpec {
    /// Name, e.g. `BVC Andersberg`.
    pub name: String,
    /// Municipality code.
    pub municipality: String,
    /// The seat's or a locality's name: the centre is placed in that town.
    pub locality: String,
    /// Place it at one of the town's deprived areas (if it has any left).
    pub deprived: bool,
}

/// Parameters; [`SynthConfig::gavleborg`] is the bundled demo (seed fixed).
#[derive(Debug, Clone, PartialEq)]
pub struct SynthConfig {
    /// Seed of every random draw.
    pub seed: u64,
    /// A name for the county (not written to the files).
    pub county: String,
    /// County outline, `(lon, lat)` WGS84 degrees, counter-clockwise, not closed.
    pub outline: Vec<(f64, f64)>,
    /// The municipalities.
    pub municipalities: Vec<MunicipalitySpec>,
    /// The child health centres, in the order their ids are numbered
    /// (`<municipality>-1`, `-2`, … within each municipality).
    pub bvcs: Vec<BvcSpec>,
    /// Raster cell side in metres (100 for the demo).
    pub cell_size: i64,
    /// How boundaries are smoothed and simplified.
    pub tile: TileOptions,
    /// Land per area in main towns, km².
    pub town_area_km2: f64,
    /// Land per area in other localities, km².
    pub locality_area_km2: f64,
    /// Children 0–5 per child under five (`under5`), ≈ 6/5.
    pub children_per_under5: f64,
    /// Share of children listed at their nearest centre (the rest: second nearest).
    pub nearest_bvc_share: f64,
}

impl SynthConfig {
    /// The bundled demo: a synthetic county modelled on Region Gävleborg
    /// (10 municipalities, 172 areas, 25 child health centres).
    pub fn gavleborg() -> Self {
        county::gavleborg()
    }
}

/// What kind of area: the DeSO code letter.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum AreaKind {
    /// `A`: mostly rural.
    Rural,
    /// `B`: a locality other than the main town.
    Locality,
    /// `C`: the municipality's main town.
    MainTown,
}

/// A municipality as generated.
#[derive(Debug, Clone, PartialEq)]
pub struct SynthMunicipality {
    /// Four-digit code.
    pub code: String,
    /// Name.
    pub name: String,
    /// Seat (main town).
    pub seat: String,
    /// Seat latitude, WGS84.
    pub lat: f64,
    /// Seat longitude, WGS84.
    pub lon: f64,
    /// Seat easting, SWEREF99 TM metres.
    pub seat_x: f64,
    /// Seat northing, SWEREF99 TM metres.
    pub seat_y: f64,
    /// Residents: the sum over its areas.
    pub population: u32,
    /// Boundary, SWEREF99 TM; exactly the union of its areas.
    pub polygon: Polygon<f64>,
}

/// An area (DeSO-like) as generated. Counts are residents.
#[derive(Debug, Clone, PartialEq)]
pub struct SynthArea {
    /// DeSO-style code, e.g. `2180C1010`.
    pub code: String,
    /// Readable name, e.g. `Gävle centralort 12`.
    pub name: String,
    /// Municipality code.
    pub kommunkod: String,
    /// Municipality name.
    pub kommunnamn: String,
    /// Rural, other locality or main town.
    pub kind: AreaKind,
    /// The latent deprivation score (about −1.4…2.8; > 2 for deprived estates).
    pub deprivation: f64,
    /// Residents.
    pub population: u32,
    /// Children 0–4.
    pub under5: u32,
    /// Born in Eastern Europe, Asia, Africa or South America.
    pub foreign_born: u32,
    /// Over 65 and living alone.
    pub elderly_alone: u32,
    /// Single parents.
    pub single_parents: u32,
    /// Moved into the area in the last year.
    pub movers: u32,
    /// Unemployed, 16–64.
    pub unemployed: u32,
    /// 25–64 with at most compulsory school.
    pub low_education: u32,
    /// Residents 65 and over.
    pub pop_65plus: u32,
    /// Residents 16–64.
    pub pop_16_64: u32,
    /// Residents 25–64.
    pub pop_25_64: u32,
    /// Births last year (= the area's children aged 0).
    pub births: u32,
    /// Of which the mother's first child.
    pub first_births: u32,
    /// Of which not the first child but the family's first born in Sweden.
    pub first_in_sweden: u32,
    /// Boundary, SWEREF99 TM.
    pub polygon: Polygon<f64>,
}

/// A child health centre as generated, with its VTI counts.
#[derive(Debug, Clone, PartialEq)]
pub struct SynthBvc {
    /// Id, `<municipality code>-<n>`, e.g. `2180-1`.
    pub id: String,
    /// Name.
    pub name: String,
    /// Municipality code.
    pub kommunkod: String,
    /// Easting, SWEREF99 TM, whole metres.
    pub x: f64,
    /// Northing, SWEREF99 TM, whole metres.
    pub y: f64,
    /// The area it stands in.
    pub area: String,
    /// Listed children aged 0.
    pub newborns: u32,
    /// Of which first-born.
    pub first_born: u32,
    /// Of which with a BCG vaccination indication.
    pub bcg_indicated: u32,
    /// Of which with a smoking mother.
    pub mother_smoking: u32,
}

/// A child 0–5 as generated.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SynthChild {
    /// Id, `c000001`, …
    pub id: String,
    /// Home easting, SWEREF99 TM, whole metres.
    pub x: i64,
    /// Home northing, SWEREF99 TM, whole metres.
    pub y: i64,
    /// Age in whole years, 0–5.
    pub age: u8,
    /// Id of the centre the child is listed at.
    pub bvc: String,
    /// Code of the home area.
    pub area: String,
}

/// The generated region, all in memory. Every list is sorted by its key.
#[derive(Debug, Clone)]
pub struct SynthRegion {
    /// Municipalities by code.
    pub municipalities: Vec<SynthMunicipality>,
    /// Areas by code.
    pub areas: Vec<SynthArea>,
    /// Child health centres by id.
    pub bvcs: Vec<SynthBvc>,
    /// Children by id.
    pub children: Vec<SynthChild>,
    /// The county outline (SWEREF99 TM): exactly the union of the municipalities.
    pub county: Polygon<f64>,
    /// How the boundaries were traced.
    pub tile_stats: TileStats,
}

/// Generates the region. Deterministic: the same config gives the same region
/// (and [`SynthRegion::write`] the same bytes) on every run.
///
/// # Errors
/// [`Error::Compute`] if the configuration cannot be realised (for example a
/// municipality too small for its areas, or a population outside 720–2 680 per
/// area on average).
pub fn generate(config: &SynthConfig) -> Result<SynthRegion, Error> {
    let root = SplitMix64::new(config.seed);
    let layout = geometry::build(config, &root)?;
    let mut areas = people::areas(config, &layout, &root)?;
    let mut bvcs = people::bvcs(config, &layout)?;
    let children = people::children(config, &layout, &mut areas, &mut bvcs, &root)?;
    let mut municipalities: Vec<SynthMunicipality> = config
        .municipalities
        .iter()
        .enumerate()
        .map(|(m, spec)| SynthMunicipality {
            code: spec.code.clone(),
            name: spec.name.clone(),
            seat: spec.seat.clone(),
            lat: spec.lat,
            lon: spec.lon,
            seat_x: layout.seats[m].0,
            seat_y: layout.seats[m].1,
            population: areas
                .iter()
                .filter(|a| a.kommunkod == spec.code)
                .map(|a| a.population)
                .sum(),
            polygon: layout.muni_polys[m].clone(),
        })
        .collect();
    municipalities.sort_by(|a, b| a.code.cmp(&b.code));
    Ok(SynthRegion {
        municipalities,
        areas,
        bvcs,
        children,
        county: layout.county_poly,
        tile_stats: layout.stats,
    })
}

impl SynthRegion {
    /// Writes the files listed below into `dir` (creating it), returns the paths
    /// written: `municipalities.csv`, `areas.csv`, `deso.geojson`,
    /// `municipalities.geojson`, `bvc.geojson`, `bvc_vti.csv`, `children.csv`,
    /// `births.csv` (UTF-8, `\n` line ends; coordinates SWEREF99 TM metres).
    ///
    /// # Errors
    /// [`Error::Io`] if the folder cannot be created or a file written.
    pub fn write(&self, dir: &std::path::Path) -> Result<Vec<std::path::PathBuf>, Error> {
        write::write_all(self, dir)
    }

    /// The files [`SynthRegion::write`] writes, as `(file name, bytes)`.
    ///
    /// # Errors
    /// [`Error::Compute`] if a name cannot be encoded as JSON (does not happen).
    pub fn files(&self) -> Result<Vec<(&'static str, Vec<u8>)>, Error> {
        write::files(self)
    }
}
