//! Scenario files: one TOML file says which inputs to read, how their columns are
//! named, and which method and weights to use. Paths are relative to the scenario
//! file. Every key is checked: a misspelt or unknown key is an error naming it.
//!
//! ```toml
//! name = "Demo county"
//!
//! [inputs]
//! areas = "areas.csv"              # area table (required)
//! boundaries = "deso.geojson"      # polygons, GeoJSON or GeoPackage .gpkg (optional)
//! code_field = "code"              # boundary property holding the area code
//! layer = "deso"                   # GeoPackage layer (only when the file has several)
//! crs = "EPSG:3006"                # optional; detected from the file otherwise
//! bvc_table = "bvc_vti.csv"        # per-BVC VTI table (optional)
//! municipalities = "municipalities.csv"  # code,name of municipalities (optional)
//! bvc_points = "bvc.geojson"       # BVC points: catchments by nearest BVC (optional)
//! children = "children.csv"        # geocoded children x,y,…,bvc (optional)
//!
//! [columns]                        # canonical name = header in your file
//! population = "Folkmängd"
//!
//! [cni]
//! method = "scb"                   # "scb" or "research"
//! reference = 2.47615              # R; omit to compute it from the input areas
//! transform = "arcsine"            # research variant: "arcsine" or "log"
//!
//! [cni.weights]                    # override SCB's weights; 0 drops a variable
//! movers = 4.19
//!
//! [[cni.extra]]                    # a custom variable
//! name = "social_assistance"
//! column = "ekonomiskt_bistand"
//! weight = 3.0
//! denominator = "population"
//!
//! [vti]
//! newborns_per_fte = 60
//! hours_per_fte = 40
//! min_newborns_per_nurse = 25
//! ```
//!
//! ```
//! let s = careneed::scenario::Scenario::parse("s.toml", "[inputs]\nareas = \"a.csv\"\n[cni]\nreference = 2.5\n").unwrap();
//! assert_eq!(s.cni_spec().unwrap().reference, careneed::scores::cni::Reference::Given(2.5));
//! let err = careneed::scenario::Scenario::parse("s.toml", "[cni]\nrefrence = 2.5\n").unwrap_err();
//! assert!(err.to_string().contains("refrence"));
//! ```

use crate::error::{Error, Location, Result};
use crate::inputs::crs::Crs;
use crate::scores::cni::{self, CniSpec, Method, Reference, Transform, Variable};
use crate::scores::vti::VtiSpec;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// A parsed scenario. Paths are resolved against the scenario file's folder.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Scenario {
    /// A title for outputs.
    #[serde(default)]
    pub name: Option<String>,
    /// Input files.
    #[serde(default)]
    pub inputs: Inputs,
    /// Column mapping: canonical name → header in the user's area table.
    #[serde(default)]
    pub columns: BTreeMap<String, String>,
    /// CNI settings.
    #[serde(default)]
    pub cni: CniSettings,
    /// VTI settings.
    #[serde(default)]
    pub vti: VtiSettings,
    /// The file this scenario was read from (not a TOML key).
    #[serde(skip)]
    pub source: String,
    /// The folder relative paths are resolved against (not a TOML key).
    #[serde(skip)]
    pub base: PathBuf,
}

/// `[inputs]`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Inputs {
    /// Area table (CSV).
    pub areas: Option<PathBuf>,
    /// Boundaries (GeoJSON, or GeoPackage when the name ends in `.gpkg`).
    pub boundaries: Option<PathBuf>,
    /// Property holding the area code in the boundaries (default `code`).
    pub code_field: Option<String>,
    /// The GeoPackage layer of the boundaries (needed when the file has several).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub layer: Option<String>,
    /// CRS of the boundaries, overriding the file (e.g. `EPSG:3006`; any EPSG code
    /// with the `proj` feature).
    pub crs: Option<String>,
    /// Per-BVC VTI table (CSV).
    pub bvc_table: Option<PathBuf>,
    /// Municipality names: CSV with `code,name`.
    pub municipalities: Option<PathBuf>,
    /// BVC points (GeoJSON, property `bvc`): catchments by nearest BVC.
    pub bvc_points: Option<PathBuf>,
    /// Geocoded children (CSV `x,y,…,bvc`, in the boundaries' CRS): counts per area
    /// and population-weighted centroids for the catchments.
    pub children: Option<PathBuf>,
}

/// `[cni]`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CniSettings {
    /// `scb` (default) or `research`.
    pub method: Option<Method>,
    /// The reference ratio R; computed from the input areas when absent.
    pub reference: Option<f64>,
    /// `arcsine` (default) or `log`.
    pub transform: Option<Transform>,
    /// Weight overrides by variable name; 0 drops the variable.
    #[serde(default)]
    pub weights: BTreeMap<String, f64>,
    /// Custom variables.
    #[serde(default)]
    pub extra: Vec<ExtraVariable>,
}

/// `[[cni.extra]]`: a custom variable.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ExtraVariable {
    /// Its name in outputs.
    pub name: String,
    /// The header in the area table (defaults to `name`).
    pub column: Option<String>,
    /// Weight.
    pub weight: f64,
    /// Denominator column for the research variant (default `population`).
    pub denominator: Option<String>,
}

/// `[vti]`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct VtiSettings {
    /// Care-weighted newborns per full-time nurse (60).
    pub newborns_per_fte: Option<f64>,
    /// Hours a week of a full-time nurse (40).
    pub hours_per_fte: Option<f64>,
    /// Flag centres with fewer newborns than this (25).
    pub min_newborns_per_nurse: Option<f64>,
}

fn line_of(text: &str, offset: usize) -> u64 {
    text.as_bytes()[..offset.min(text.len())]
        .iter()
        .filter(|&&b| b == b'\n')
        .count() as u64
        + 1
}

impl Scenario {
    /// Reads and validates a scenario file.
    pub fn read(path: &Path) -> Result<Scenario> {
        let text = std::fs::read_to_string(path).map_err(|e| Error::io(path, e))?;
        let mut s = Scenario::parse(&path.display().to_string(), &text)?;
        s.base = path.parent().map(Path::to_path_buf).unwrap_or_default();
        Ok(s)
    }

    /// Parses scenario text; `source` names it in errors. Relative paths resolve
    /// against the current directory until [`Scenario::read`] sets the base.
    pub fn parse(source: &str, text: &str) -> Result<Scenario> {
        let mut s: Scenario = toml::from_str(text).map_err(|e| {
            let mut location = Location::file(source);
            if let Some(span) = e.span() {
                location = location.at_line(line_of(text, span.start));
            }
            Error::Scenario {
                location,
                message: e.message().to_string(),
            }
        })?;
        s.source = source.to_string();
        s.validate()?;
        Ok(s)
    }

    fn err(&self, key: &str, message: impl Into<String>) -> Error {
        Error::Scenario {
            location: Location::file(self.source.clone()).with_field(key),
            message: message.into(),
        }
    }

    fn validate(&self) -> Result<()> {
        if let Some(r) = self.cni.reference
            && !(r.is_finite() && r > 0.0)
        {
            return Err(self.err(
                "cni.reference",
                format!("must be a positive number, got {r}"),
            ));
        }
        let known: Vec<String> = cni::default_variables()
            .into_iter()
            .map(|v| v.name)
            .collect();
        for (name, w) in &self.cni.weights {
            if !known.contains(name) {
                return Err(self.err(
                    &format!("cni.weights.{name}"),
                    format!(
                        "unknown variable; the weighted variables are {}",
                        known.join(", ")
                    ),
                ));
            }
            if !(w.is_finite() && *w >= 0.0) {
                return Err(self.err(
                    &format!("cni.weights.{name}"),
                    format!("a weight must be a non-negative number, got {w}"),
                ));
            }
        }
        for (i, x) in self.cni.extra.iter().enumerate() {
            if x.name.trim().is_empty() || known.contains(&x.name) {
                return Err(self.err(
                    &format!("cni.extra[{i}].name"),
                    format!("{:?} must be a new, non-empty variable name", x.name),
                ));
            }
            if !(x.weight.is_finite() && x.weight >= 0.0) {
                return Err(self.err(
                    &format!("cni.extra[{i}].weight"),
                    format!("a weight must be a non-negative number, got {}", x.weight),
                ));
            }
        }
        if let Some(c) = &self.inputs.crs
            && Crs::parse(c).is_none()
            && !Crs::epsg_code(c).is_some_and(proj_knows)
        {
            let any = if cfg!(feature = "proj") {
                " or any other EPSG code as EPSG:NNNN"
            } else {
                "; build careneed with --features proj to read any EPSG code"
            };
            return Err(self.err(
                "inputs.crs",
                format!("unsupported CRS {c:?}; use EPSG:3006 (SWEREF99 TM), EPSG:4326 (WGS84), EPSG:3021 (RT90 2.5 gon V) or EPSG:3007–3018 (SWEREF99 local zones){any}"),
            ));
        }
        for (key, v) in [
            ("vti.newborns_per_fte", self.vti.newborns_per_fte),
            ("vti.hours_per_fte", self.vti.hours_per_fte),
            (
                "vti.min_newborns_per_nurse",
                self.vti.min_newborns_per_nurse,
            ),
        ] {
            if let Some(v) = v
                && !(v.is_finite() && v > 0.0)
            {
                return Err(self.err(key, format!("must be a positive number, got {v}")));
            }
        }
        Ok(())
    }

    /// A path from the scenario, resolved against its folder.
    pub fn resolve(&self, path: &Path) -> PathBuf {
        if path.is_absolute() {
            path.to_path_buf()
        } else {
            self.base.join(path)
        }
    }

    /// The CNI specification: SCB's variables with the scenario's weights and extras.
    pub fn cni_spec(&self) -> Result<CniSpec> {
        let mut variables: Vec<Variable> = cni::default_variables()
            .into_iter()
            .filter_map(|mut v| {
                if let Some(&w) = self.cni.weights.get(&v.name) {
                    v.weight = w;
                }
                (v.weight != 0.0).then_some(v)
            })
            .collect();
        for x in &self.cni.extra {
            if x.weight != 0.0 {
                variables.push(Variable::new(
                    &x.name,
                    x.weight,
                    x.denominator.as_deref().unwrap_or("population"),
                ));
            }
        }
        if variables.is_empty() {
            return Err(self.err("cni.weights", "every variable has weight 0"));
        }
        Ok(CniSpec {
            variables,
            reference: self
                .cni
                .reference
                .map_or(Reference::FromInput, Reference::Given),
            method: self.cni.method.unwrap_or_default(),
            transform: self.cni.transform.unwrap_or_default(),
        })
    }

    /// The VTI norms, defaults filled in.
    pub fn vti_spec(&self) -> VtiSpec {
        let d = VtiSpec::default();
        VtiSpec {
            newborns_per_fte: self.vti.newborns_per_fte.unwrap_or(d.newborns_per_fte),
            hours_per_fte: self.vti.hours_per_fte.unwrap_or(d.hours_per_fte),
            min_newborns_per_nurse: self
                .vti
                .min_newborns_per_nurse
                .unwrap_or(d.min_newborns_per_nurse),
        }
    }

    /// The boundaries' CRS override, if any and careneed knows it natively.
    pub fn crs(&self) -> Option<Crs> {
        self.inputs.crs.as_deref().and_then(Crs::parse)
    }

    /// The boundaries' CRS override as an EPSG code careneed does not know natively
    /// (read through PROJ with the `proj` feature), if that is what it is.
    pub fn crs_epsg(&self) -> Option<u32> {
        match self.inputs.crs.as_deref() {
            Some(c) if Crs::parse(c).is_none() => Crs::epsg_code(c),
            _ => None,
        }
    }
}

/// Whether PROJ knows this EPSG code (feature `proj`; without it, no code beyond the
/// built-in ones is read).
#[cfg(feature = "proj")]
fn proj_knows(code: u32) -> bool {
    crate::inputs::reproject::EpsgTransform::to_crs(code, Crs::Sweref99Tm).is_ok()
}

#[cfg(not(feature = "proj"))]
fn proj_knows(_code: u32) -> bool {
    false
}
