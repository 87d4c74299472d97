//! # careneed
//!
//! Where should Swedish child health care put its extra effort? careneed reads
//! demographic tables and boundary polygons, computes the **Care Need Index**
//! (CNI, SCB's method and a research variant) per small area and the
//! **Vårdtyngdsindex** (VTI) per child health centre (BVC), and writes maps and
//! tables a regional planner can act on.
//!
//! The modules follow the pipeline:
//!
//! | stage | module | what |
//! |---|---|---|
//! | inputs | [`inputs`] | area tables (CSV, any Swedish encoding), boundaries (GeoJSON, GeoPackage; CRS detection, any EPSG code with feature `proj`), the join by code |
//! | scores | [`scores`] | CNI per area, VTI per BVC |
//! | spatial | [`spatial`] | points → areas, areal interpolation, BVC catchments |
//! | plan | [`plan`] | ranking, eligible families, staff, budgeted selection, robustness |
//! | release | [`release`] | one view of every value: shown, withheld (small counts) or missing; ranks |
//! | outputs | [`outputs`] | GeoJSON and CSV writers, map classes, SVG maps, PNG (feature `png`), all rendered from the release |
//! | run | [`pipeline`] | one complete run from a [`scenario`] |
//! | sources | [`sources`] | the documents behind every method and parameter, and the assumptions where they are silent |
//!
//! Every stage records what it decided and what it left out in a
//! [`report::Report`]; the library never prints and never panics on bad input:
//! errors are [`Error`] values naming the file, line or feature, and field.
//!
//! With the cargo feature `synth` (turned on by `cli`, so on by default),
//! `careneed::synth` generates the synthetic demo county bundled in `data/demo`;
//! a library build without default features leaves it out.
#![deny(missing_docs, unsafe_code)]
// The library never panics on input and never prints (the CLI prints). Denied
// outside tests (clippy.toml allows unwrap, expect, panic! and printing in tests):
// unwrap/expect, panic!/todo!/unimplemented!/unreachable!, print!/println!/
// eprint!/eprintln!, dbg!, process::exit. Indexing and slicing stay allowed
// (bounds hold by construction in about 600 places); the fuzz targets and the
// hostile corpus (tests/hostile.rs) exercise them on arbitrary input.
#![deny(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::todo,
    clippy::unimplemented,
    clippy::unreachable,
    clippy::print_stdout,
    clippy::print_stderr,
    clippy::dbg_macro,
    clippy::exit
)]

pub mod error;
pub mod inputs;
pub mod outputs;
pub mod pipeline;
pub mod plan;
pub mod release;
pub mod report;
pub mod scenario;
pub mod scores;
pub mod sources;
pub mod spatial;
#[cfg(feature = "synth")]
pub mod synth;

pub use error::{Error, Location, Problem, Result};
pub use report::{Notice, Report};

/// The README's examples, compiled and run as doctests.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
pub struct ReadmeDoctests;
