//! Scenario files: one TOML file says which inputs to read, how their columns are
//! named, and which method and weights to use. Paths are relative to the scenario
//! file. Every key is checked: a misspelt or unknown key is an error naming it.
//!
//! ```toml
//! name = "Demo county"
//!
//! [inputs]
//! areas = "areas.csv"              # area table (required); CSV, or a workbook sheet: "areas.xlsx#DeSO"
//! boundaries = "deso.geojson"      # polygons, GeoJSON or GeoPackage .gpkg (optional)
//! code_field = "code"              # boundary property holding the area code
//! layer = "deso"                   # GeoPackage layer (only when the file has several)
//! crs = "EPSG:3006"                # optional; detected from the file otherwise
//! repair = false                   # repair invalid polygons (reported) instead of refusing them
//! bvc_table = "bvc_vti.csv"        # per-BVC VTI table (optional)
//! municipalities = "municipalities.csv"  # code,name of municipalities (optional)
//! bvc_points = "bvc.geojson"       # BVC points: catchments by nearest BVC (optional)
//! # catchment_polygons = "bvc_areas.geojson"  # or: catchment polygons, property `bvc`
//! # listings = "listed.csv"        # or: children listed at BVCs, x,y,…,bvc
//! bvc_field = "bvc"                # the BVC id in the points, polygons or listings
//! children = "children.csv"        # geocoded children x,y,…,bvc (optional)
//! births = "births.csv"            # code,births,first_births,first_in_sweden (optional; the plan)
//! # unit_cni = "unit_cni.csv"      # bvc,cni[,population]: a CNI delivered per care unit feeds the catchments
//!
//! [columns]                        # canonical name = header in your file
//! population = "Folkmängd"
//!
//! [cni]
//! method = "scb"                   # "scb" or "research"
//! reference = 2.47615              # R; omit to compute it from the input areas
//! transform = "arcsine"            # research variant: "arcsine" or "log"
//!
//! [cni.weights]                    # override SCB's weights; 0 drops a variable (its column is then optional)
//! movers = 4.19
//!
//! [[cni.extra]]                    # a custom variable
//! name = "social_assistance"
//! column = "ekonomiskt_bistand"
//! weight = 3.0
//! denominator = "population"
//!
//! [vti]                            # the staffing norm (Norrbotten BHV 2012, slide 2)
//! norm = "relative"                # "relative": newborns × relative_vti / 60 (default);
//!                                  # "care_weighted": weighted_newborns / 60
//! newborns_per_fte = 60            # newborns of a normal area per full-time nurse
//! hours_per_fte = 40               # hours a week of a full-time nurse
//! min_newborns_per_nurse = 25      # fewer newborns flags a centre few_newborns
//! min_fte_share = 0.5              # a norm below this share of one nurse flags below_half_time
//!
//! [plan]                           # the rollout plan; see the README's [plan] schema
//! preset = "rinkeby"
//! budget_fte = 3.0
//! # units = "areas"                # catchments (default) | areas: a catchment's areas nearest its BVC first
//!
//! [map]                            # map classes and colours (GeoJSON, SVG, PNG, HTML)
//! variable = "cni"                 # catchments by cni | need | relative_vti | vti
//! scheme = "fisher_jenks"          # fisher_jenks | quantiles | equal_interval | user
//! classes = 5                      # 3–9
//! palette = "YlOrRd"               # a sequential ColorBrewer palette
//! # breaks = [0.8, 1.0, 1.2, 1.5, 3.0]   # with scheme = "user": upper bounds
//!
//! [privacy]
//! min_count = 5                    # counts 1–4 are withheld in every output (0 is shown)
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
use crate::outputs::classify::Scheme;
use crate::outputs::map::{MapSpec, MapVariable};
use crate::plan::programme::{PRESETS, Programme};
use crate::plan::rank::{NeedWeight, RankBy};
use crate::plan::robust::{MAX_DRAWS, RobustSpec};
use crate::plan::{BudgetUnit, PlanSpec};
use crate::release::privacy::Privacy;
use crate::scores::cni::{self, CniSpec, Method, Reference, Transform, Variable};
use crate::scores::vti::{Norm, VtiSpec};
use crate::sources::Basis;
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
    /// The rollout plan (`[plan]`); no plan when absent.
    #[serde(default)]
    pub plan: Option<PlanSettings>,
    /// Map classes and colours (`[map]`); defaults when absent.
    #[serde(default, skip_serializing_if = "is_default")]
    pub map: MapSettings,
    /// Small-count suppression (`[privacy]`); defaults when absent.
    #[serde(default, skip_serializing_if = "is_default")]
    pub privacy: PrivacySettings,
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
    /// Area table: CSV, or a sheet of an `.xlsx`, `.xls` or `.ods` workbook
    /// (`areas.xlsx#DeSO` names the sheet; without `#`, its only sheet).
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
    /// Repair invalid polygons (each repair reported) instead of refusing them.
    #[serde(default)]
    pub repair: bool,
    /// Per-BVC VTI table (CSV or a workbook sheet, as `areas`).
    pub bvc_table: Option<PathBuf>,
    /// Municipality names: CSV with `code,name`.
    pub municipalities: Option<PathBuf>,
    /// BVC points (GeoJSON, property `bvc`): catchments by nearest BVC.
    pub bvc_points: Option<PathBuf>,
    /// Catchment polygons (GeoJSON or GeoPackage, property `bvc` holds the BVC
    /// id): catchments as the areas' shares in them.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub catchment_polygons: Option<PathBuf>,
    /// Children listed at BVCs (CSV `x,y,…,bvc`, in the boundaries' CRS):
    /// catchments as the BVCs' shares of each area's listed children.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub listings: Option<PathBuf>,
    /// The property or column holding the BVC id in the BVC points, catchment
    /// polygons and listings (default `bvc`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bvc_field: Option<String>,
    /// Geocoded children (CSV `x,y,…,bvc`, in the boundaries' CRS): counts per area
    /// and population-weighted centroids for the catchments.
    pub children: Option<PathBuf>,
    /// Births per area (`code,births,first_births[,first_in_sweden]`; CSV or a
    /// workbook sheet, as `areas`): eligible families for the plan.
    pub births: Option<PathBuf>,
    /// A CNI delivered per care unit (CSV `bvc,cni[,population,name]`, the id as in
    /// the catchments): each catchment takes its unit's CNI as given.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub unit_cni: Option<PathBuf>,
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

/// `[vti]`: the staffing norm (see [`crate::scores::vti`]).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct VtiSettings {
    /// How newborns count towards the norm: `relative` (default; newborns ×
    /// relative VTI) or `care_weighted` (weighted newborns).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub norm: Option<Norm>,
    /// Newborns per full-time nurse, counted as `norm` says (60).
    pub newborns_per_fte: Option<f64>,
    /// Hours a week of a full-time nurse (40).
    pub hours_per_fte: Option<f64>,
    /// Flag centres with fewer newborns than this (25).
    pub min_newborns_per_nurse: Option<f64>,
    /// Flag centres whose norm is below this share of one full-time nurse (0.5).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub min_fte_share: Option<f64>,
}

/// `[plan]`: the rollout plan (see the README's "Plan" section for every key).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PlanSettings {
    /// `rinkeby` (default), `goteborg`, `vaxa-tryggt`, `orebro` or `torvalla`.
    pub preset: Option<String>,
    /// `need_reached` (default), `cni` or `vti`.
    pub rank_by: Option<RankBy>,
    /// `cni` (default), `relative_vti` or `none`.
    pub need_weight: Option<NeedWeight>,
    /// Who is eligible (the preset's by default): `first_time_or_first_in_sweden`,
    /// `first_time_mothers`, `all_families` or `all_newborns`.
    pub eligible: Option<crate::plan::programme::Eligible>,
    /// Share of eligible families accepting, 0–1 (the preset's).
    pub acceptance: Option<f64>,
    /// Home visits of the basic programme, subtracted from the nurse's (2: Region Gävleborg).
    pub basic_home_visits: Option<f64>,
    /// Only catchments in these municipalities (codes) take part; all when absent.
    pub municipalities: Option<Vec<String>>,
    /// Municipalities (codes) that do not take part.
    #[serde(default)]
    pub municipalities_out: Vec<String>,
    /// First-born share for areas without births data (0.42).
    pub first_born_share: Option<f64>,
    /// `catchments` (default) or `areas`: a catchment may be covered in part,
    /// by its areas nearest the BVC (needs `inputs.bvc_points`).
    pub units: Option<crate::plan::Units>,
    /// One-wave budget in FTE.
    pub budget_fte: Option<f64>,
    /// One-wave budget in SEK a year.
    pub budget_sek: Option<f64>,
    /// Only catchments with CNI strictly above this may be chosen.
    pub min_cni: Option<f64>,
    /// Only catchments whose BVC has a relative VTI strictly above this may be chosen.
    pub min_relative_vti: Option<f64>,
    /// BVC ids already running the programme.
    #[serde(default)]
    pub lock_in: Vec<String>,
    /// BVC ids never to choose.
    #[serde(default)]
    pub lock_out: Vec<String>,
    /// CNI thresholds of the municipality summary ([1.0], the reference average).
    pub thresholds: Option<Vec<f64>>,
    /// `[plan.programme]`: overrides of the preset.
    #[serde(default)]
    pub programme: ProgrammeSettings,
    /// `[plan.completion]`: the completion profile (Göteborg's by default).
    #[serde(default)]
    pub completion: CompletionSettings,
    /// `[plan.salaries]`: SEK per FTE-year per profession.
    #[serde(default)]
    pub salaries: BTreeMap<String, f64>,
    /// `[plan.employers]`: `region` or `municipality` per profession (replaces the defaults).
    #[serde(default)]
    pub employers: BTreeMap<String, crate::plan::programme::Employer>,
    /// `[[plan.phases]]`: rollout waves, each with its own budget.
    #[serde(default)]
    pub phases: Vec<PhaseSettings>,
    /// `[plan.robustness]`: the Monte Carlo; absent = not run.
    pub robustness: Option<RobustSettings>,
    /// `[plan.barnsakert]`: BarnSäkert as a competing demand; absent = left out.
    pub barnsakert: Option<BarnSakertSettings>,
}

/// `[plan.barnsakert]`: every figure optional (defaults, assumptions, in
/// [`crate::plan::barnsakert::BarnSakert::default`]).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BarnSakertSettings {
    /// Share of screened families given home visits, 0–1 (0.1).
    pub positive_share: Option<f64>,
    /// Home visits per such family (2).
    pub visits_per_family: Option<f64>,
    /// Share of the visits with social services, 0–1 (0.5).
    pub social_services_share: Option<f64>,
    /// Minutes per visit (the programme's).
    pub minutes_per_visit: Option<f64>,
    /// Travel minutes per visit (the programme's).
    pub travel_minutes: Option<f64>,
    /// Take BarnSäkert's FTE from the first wave's budget (false).
    pub in_budget: Option<bool>,
}

/// `[plan.programme]`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ProgrammeSettings {
    /// Planned visits per family.
    pub visits: Option<f64>,
    /// Child's age in months at each visit.
    pub months: Option<Vec<f64>>,
    /// Visits each profession attends (replaces the preset's staff).
    pub staff: Option<BTreeMap<String, f64>>,
    /// Minutes per visit (90).
    pub minutes_per_visit: Option<f64>,
    /// Travel minutes per visit (30).
    pub travel_minutes: Option<f64>,
    /// Working hours per FTE-year (1 600).
    pub hours_per_fte: Option<f64>,
}

/// `[plan.completion]`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CompletionSettings {
    /// Visits made (2 227).
    pub visits: Option<f64>,
    /// Accepting families (564).
    pub families: Option<f64>,
    /// Families completing every visit (180).
    pub completed_all: Option<f64>,
    /// Planned visits of the observed programme (6).
    pub programme_visits: Option<f64>,
}

/// `[[plan.phases]]`: one wave; give exactly one budget.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PhaseSettings {
    /// Budget in FTE.
    pub budget_fte: Option<f64>,
    /// Budget in SEK a year.
    pub budget_sek: Option<f64>,
}

/// `[plan.robustness]`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RobustSettings {
    /// Draws, 1 to [`MAX_DRAWS`] (1000).
    pub draws: Option<usize>,
    /// Seed (2024).
    pub seed: Option<u64>,
    /// Relative weight spread, 0 ≤ s < 1 (0.2).
    pub weight_spread: Option<f64>,
    /// Poisson noise on counts (true).
    pub count_noise: Option<bool>,
}

fn is_default<T: Default + PartialEq>(x: &T) -> bool {
    *x == T::default()
}

/// `[map]`: how the maps (GeoJSON styles, `map.svg`, `map.png`, `report.html`)
/// are classed and coloured.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MapSettings {
    /// The catchment variable: `cni` (default), `need` (needs `[plan]`),
    /// `relative_vti` or `vti` (need a BVC table). Areas are always classed by CNI.
    pub variable: Option<MapVariable>,
    /// `fisher_jenks` (default), `quantiles`, `equal_interval` or `user`.
    pub scheme: Option<String>,
    /// Number of classes, 3–9 (5; with `breaks`, their number).
    pub classes: Option<usize>,
    /// A sequential ColorBrewer palette (`YlOrRd`).
    pub palette: Option<String>,
    /// Upper bounds of the classes, increasing (scheme `user`).
    pub breaks: Option<Vec<f64>>,
}

/// `[privacy]`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PrivacySettings {
    /// Counts `c` with `0 < c < min_count` are withheld in every output (5; 0
    /// turns suppression off).
    pub min_count: Option<u32>,
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
        if let Some(v) = self.vti.min_fte_share
            && !(v > 0.0 && v <= 1.0)
        {
            return Err(self.err(
                "vti.min_fte_share",
                format!("must be a share above 0 and at most 1, got {v}"),
            ));
        }
        self.plan_spec()?;
        self.map_spec()?;
        Ok(())
    }

    /// The map's classes and colours with every default filled in. Every error
    /// names its key.
    pub fn map_spec(&self) -> Result<MapSpec> {
        let m = &self.map;
        let variable = m.variable.unwrap_or_default();
        if variable == MapVariable::Need && self.plan.is_none() {
            return Err(self.err(
                "map.variable",
                "\"need\" is computed by the plan; add a [plan] section or map cni",
            ));
        }
        if matches!(variable, MapVariable::Vti | MapVariable::RelativeVti)
            && self.inputs.bvc_table.is_none()
        {
            return Err(self.err(
                "map.variable",
                "VTI needs a BVC table (inputs.bvc_table); or map cni",
            ));
        }
        let scheme_name = m.scheme.as_deref().unwrap_or(if m.breaks.is_some() {
            "user"
        } else {
            "fisher_jenks"
        });
        let scheme = match (scheme_name, &m.breaks) {
            ("user", Some(b)) => Scheme::Breaks(b.clone()),
            ("user", None) => {
                return Err(self.err("map.breaks", "scheme \"user\" needs breaks = [..]"));
            }
            (_, Some(_)) => {
                return Err(self.err(
                    "map.breaks",
                    format!("breaks are only used with scheme = \"user\", not {scheme_name:?}"),
                ));
            }
            ("quantiles", None) => Scheme::Quantiles,
            ("fisher_jenks", None) => Scheme::FisherJenks,
            ("equal_interval", None) => Scheme::EqualInterval,
            (other, None) => {
                return Err(self.err(
                    "map.scheme",
                    format!(
                        "unknown scheme {other:?}; use fisher_jenks, quantiles, equal_interval or user"
                    ),
                ));
            }
        };
        let classes = match (&scheme, m.classes) {
            (Scheme::Breaks(b), Some(k)) if k != b.len() => {
                return Err(self.err(
                    "map.classes",
                    format!(
                        "{k} classes but {} breaks; give one upper bound per class",
                        b.len()
                    ),
                ));
            }
            (Scheme::Breaks(b), _) => b.len(),
            (_, k) => k.unwrap_or(5),
        };
        if !(3..=9).contains(&classes) {
            return Err(self.err(
                if matches!(scheme, Scheme::Breaks(_)) {
                    "map.breaks"
                } else {
                    "map.classes"
                },
                format!("ColorBrewer's sequential palettes have 3 to 9 classes, got {classes}"),
            ));
        }
        if let Scheme::Breaks(b) = &scheme
            && (b.iter().any(|x| !x.is_finite()) || b.windows(2).any(|w| w[0] >= w[1]))
        {
            return Err(self.err(
                "map.breaks",
                format!("{b:?} must be finite and strictly increasing"),
            ));
        }
        let palette = m.palette.clone().unwrap_or_else(|| "YlOrRd".into());
        crate::outputs::classify::palette(&palette, classes)
            .map_err(|e| self.err("map.palette", e.to_string()))?;
        Ok(MapSpec {
            variable,
            scheme,
            classes,
            palette,
        })
    }

    /// The suppression threshold (`[privacy] min_count`, 5 by default).
    pub fn privacy(&self) -> Privacy {
        self.privacy
            .min_count
            .map_or_else(Privacy::default, |m| Privacy {
                min_count: f64::from(m),
            })
    }

    /// The plan's specification with every default filled in; `None` without a
    /// `[plan]` section. Every error names its key.
    pub fn plan_spec(&self) -> Result<Option<PlanSpec>> {
        let Some(p) = &self.plan else {
            return Ok(None);
        };
        let preset = p.preset.as_deref().unwrap_or("rinkeby");
        let mut programme = Programme::preset(preset).ok_or_else(|| {
            self.err(
                "plan.preset",
                format!(
                    "unknown preset {preset:?}; the presets are {}",
                    PRESETS.join(", ")
                ),
            )
        })?;
        let positive = |key: &str, v: Option<f64>| -> Result<Option<f64>> {
            match v {
                Some(v) if !(v.is_finite() && v > 0.0) => {
                    Err(self.err(key, format!("must be a positive number, got {v}")))
                }
                _ => Ok(v),
            }
        };
        let non_negative = |key: &str, v: f64| -> Result<f64> {
            if v.is_finite() && v >= 0.0 {
                Ok(v)
            } else {
                Err(self.err(key, format!("must be a non-negative number, got {v}")))
            }
        };
        let share = |key: &str, v: f64| -> Result<f64> {
            if (0.0..=1.0).contains(&v) {
                Ok(v)
            } else {
                Err(self.err(key, format!("must be between 0 and 1, got {v}")))
            }
        };
        let g = &p.programme;
        let set = |programme: &mut Programme, key: &str, scenario_key: &str| {
            programme
                .basis
                .insert(key.to_string(), Basis::Scenario(scenario_key.to_string()));
        };
        if let Some(v) = positive("plan.programme.visits", g.visits)? {
            programme.visits = v;
            set(&mut programme, "visits", "plan.programme.visits");
        }
        if let Some(m) = &g.months {
            for (i, &x) in m.iter().enumerate() {
                non_negative(&format!("plan.programme.months[{i}]"), x)?;
            }
            programme.months = m.clone();
            programme.schedule.clear();
            set(&mut programme, "months", "plan.programme.months");
        }
        if let Some(staff) = &g.staff {
            if staff.is_empty() {
                return Err(self.err("plan.programme.staff", "names no profession"));
            }
            programme.staff = staff.clone();
            programme.schedule.clear();
            programme.basis.retain(|k, _| !k.starts_with("staff"));
            set(&mut programme, "staff", "plan.programme.staff");
        }
        if let Some(e) = p.eligible {
            programme.eligible = e;
            set(&mut programme, "eligible", "plan.eligible");
        }
        if let Some(v) = p.basic_home_visits {
            programme.basic_home_visits = non_negative("plan.basic_home_visits", v)?;
            set(
                &mut programme,
                "basic_home_visits",
                "plan.basic_home_visits",
            );
        }
        for (name, &e) in &p.employers {
            programme.employers.insert(name.clone(), e);
            set(
                &mut programme,
                &format!("employer.{name}"),
                &format!("plan.employers.{name}"),
            );
        }
        programme
            .employers
            .retain(|k, _| programme.staff.contains_key(k));
        for name in programme.staff.keys().cloned().collect::<Vec<_>>() {
            if programme.employers.contains_key(&name) {
                continue;
            }
            match crate::plan::programme::default_employer(&name) {
                Some((e, b)) => {
                    programme.employers.insert(name.clone(), e);
                    programme.basis.insert(format!("employer.{name}"), b);
                }
                None => {
                    return Err(self.err(
                        &format!("plan.employers.{name}"),
                        format!(
                            "who employs {name:?}? Set plan.employers.{name} = \"region\" or \"municipality\""
                        ),
                    ));
                }
            }
        }
        for (name, &attends) in &programme.staff {
            let key = format!("plan.programme.staff.{name}");
            non_negative(&key, attends)?;
            if attends > programme.visits {
                return Err(self.err(
                    &key,
                    format!(
                        "attends {attends} visits but the programme has {}",
                        programme.visits
                    ),
                ));
            }
        }
        if let Some(v) = positive("plan.programme.minutes_per_visit", g.minutes_per_visit)? {
            programme.minutes_per_visit = v;
            set(
                &mut programme,
                "minutes_per_visit",
                "plan.programme.minutes_per_visit",
            );
        }
        if let Some(v) = g.travel_minutes {
            programme.travel_minutes = non_negative("plan.programme.travel_minutes", v)?;
            set(
                &mut programme,
                "travel_minutes",
                "plan.programme.travel_minutes",
            );
        }
        if let Some(v) = positive("plan.programme.hours_per_fte", g.hours_per_fte)? {
            programme.hours_per_fte = v;
            set(
                &mut programme,
                "hours_per_fte",
                "plan.programme.hours_per_fte",
            );
        }
        if let Some(a) = p.acceptance {
            programme.acceptance = share("plan.acceptance", a)?;
            programme.acceptance_range = None;
            set(&mut programme, "acceptance", "plan.acceptance");
        }
        let c = &p.completion;
        if c != &CompletionSettings::default() {
            set(&mut programme, "completion", "plan.completion");
        }
        let done = &mut programme.completion;
        if let Some(v) = positive("plan.completion.families", c.families)? {
            done.families = v;
        }
        if let Some(v) = positive("plan.completion.programme_visits", c.programme_visits)? {
            done.programme_visits = v;
        }
        if let Some(v) = c.visits {
            done.visits = non_negative("plan.completion.visits", v)?;
        }
        if let Some(v) = c.completed_all {
            done.completed_all = non_negative("plan.completion.completed_all", v)?;
        }
        if done.visits > done.families * done.programme_visits {
            return Err(self.err(
                "plan.completion.visits",
                format!(
                    "{} visits cannot have been made in {} families of a {}-visit programme",
                    done.visits, done.families, done.programme_visits
                ),
            ));
        }
        if done.completed_all > done.families
            || done.completed_all * done.programme_visits > done.visits
        {
            return Err(self.err(
                "plan.completion.completed_all",
                format!(
                    "{} families cannot have completed every visit ({} families, {} visits)",
                    done.completed_all, done.families, done.visits
                ),
            ));
        }
        for (name, &salary) in &p.salaries {
            let key = format!("plan.salaries.{name}");
            non_negative(&key, salary)?;
            if !programme.staff.contains_key(name) {
                return Err(self.err(
                    &key,
                    format!(
                        "the programme has no profession {name:?}; its staff are {}",
                        programme
                            .staff
                            .keys()
                            .cloned()
                            .collect::<Vec<_>>()
                            .join(", ")
                    ),
                ));
            }
        }
        // The scenario's salaries replace the preset's illustrative defaults;
        // the assumption line then names only the defaults still in use.
        let defaults: BTreeMap<String, f64> = programme
            .staff
            .keys()
            .filter_map(|k| {
                crate::plan::programme::ILLUSTRATIVE_SALARIES
                    .iter()
                    .find(|(n, _)| n == k)
                    .map(|&(n, v)| (n.to_string(), v))
            })
            .collect();
        programme.salaries = defaults;
        programme.salaries.extend(p.salaries.clone());
        programme.basis.remove("salaries");
        if let Some(a) =
            crate::plan::programme::salary_assumption(programme.staff.keys(), &p.salaries)
        {
            programme.basis.insert("salaries".into(), Basis::assume(a));
        }
        for name in p.salaries.keys() {
            set(
                &mut programme,
                &format!("salary.{name}"),
                &format!("plan.salaries.{name}"),
            );
        }
        if !p.salaries.is_empty() && programme.resources(1.0).cost_sek.is_none() {
            let missing: Vec<&str> = programme
                .staff
                .keys()
                .filter(|k| !programme.salaries.contains_key(*k))
                .map(String::as_str)
                .collect();
            return Err(self.err(
                "plan.salaries",
                format!("no salary for {}", missing.join(", ")),
            ));
        }
        if !p.phases.is_empty() && (p.budget_fte.is_some() || p.budget_sek.is_some()) {
            return Err(self.err(
                "plan.phases",
                "give the budget either once (plan.budget_fte or plan.budget_sek) or per phase, not both",
            ));
        }
        let mut unit = None;
        let mut budgets = Vec::new();
        let one: Vec<(String, Option<f64>, Option<f64>)> = if p.phases.is_empty() {
            vec![("plan".into(), p.budget_fte, p.budget_sek)]
        } else {
            p.phases
                .iter()
                .enumerate()
                .map(|(i, x)| (format!("plan.phases[{i}]"), x.budget_fte, x.budget_sek))
                .collect()
        };
        for (key, fte, sek) in one {
            let (u, b, name) = match (fte, sek) {
                (Some(_), Some(_)) => {
                    return Err(self.err(
                        &format!("{key}.budget_sek"),
                        "give budget_fte or budget_sek, not both",
                    ));
                }
                (Some(b), None) => (BudgetUnit::Fte, b, "budget_fte"),
                (None, Some(b)) => (BudgetUnit::Sek, b, "budget_sek"),
                (None, None) if p.phases.is_empty() => continue,
                (None, None) => {
                    return Err(self.err(&key, "a phase needs budget_fte or budget_sek"));
                }
            };
            let key = format!("{key}.{name}");
            non_negative(&key, b)?;
            if unit.is_some_and(|x| x != u) {
                return Err(self.err(&key, "every phase's budget must be in the same unit"));
            }
            if u == BudgetUnit::Sek && programme.resources(1.0).cost_sek.is_none() {
                return Err(self.err(
                    &key,
                    "a budget in SEK needs plan.salaries for every profession",
                ));
            }
            unit = Some(u);
            budgets.push(b);
        }
        let min_cni = positive("plan.min_cni", p.min_cni)?;
        let min_relative_vti = positive("plan.min_relative_vti", p.min_relative_vti)?;
        for (i, x) in p.lock_in.iter().enumerate() {
            if p.lock_out.contains(x) {
                return Err(self.err(
                    &format!("plan.lock_in[{i}]"),
                    format!("BVC {x:?} is both locked in and locked out"),
                ));
            }
        }
        let first_born_share = match p.first_born_share {
            Some(v) => share("plan.first_born_share", v)?,
            None => crate::plan::programme::DEFAULT_FIRST_BORN_SHARE,
        };
        let thresholds = p.thresholds.clone().unwrap_or_else(|| vec![1.0]);
        for (i, &t) in thresholds.iter().enumerate() {
            positive(&format!("plan.thresholds[{i}]"), Some(t))?;
        }
        let robustness = match &p.robustness {
            None => None,
            Some(r) => {
                let d = RobustSpec::default();
                let draws = r.draws.unwrap_or(d.draws);
                if !(1..=MAX_DRAWS).contains(&draws) {
                    return Err(self.err(
                        "plan.robustness.draws",
                        format!("must be between 1 and {MAX_DRAWS}, got {draws}"),
                    ));
                }
                let spread = r.weight_spread.unwrap_or(d.weight_spread);
                if !(0.0..1.0).contains(&spread) {
                    return Err(self.err(
                        "plan.robustness.weight_spread",
                        format!("must be at least 0 and below 1, got {spread}"),
                    ));
                }
                Some(RobustSpec {
                    draws,
                    seed: r.seed.unwrap_or(d.seed),
                    weight_spread: spread,
                    count_noise: r.count_noise.unwrap_or(d.count_noise),
                })
            }
        };
        let barnsakert = match &p.barnsakert {
            None => None,
            Some(b) => {
                let mut x = crate::plan::barnsakert::BarnSakert {
                    minutes_per_visit: programme.minutes_per_visit,
                    travel_minutes: programme.travel_minutes,
                    hours_per_fte: programme.hours_per_fte,
                    ..Default::default()
                };
                let mut mark = |k: &str| x.set_in_scenario.push(k.to_string());
                if let Some(v) = b.positive_share {
                    share("plan.barnsakert.positive_share", v)?;
                    mark("positive_share");
                }
                if let Some(v) = b.social_services_share {
                    share("plan.barnsakert.social_services_share", v)?;
                    mark("social_services_share");
                }
                if let Some(v) = b.visits_per_family {
                    non_negative("plan.barnsakert.visits_per_family", v)?;
                    mark("visits_per_family");
                }
                if let Some(v) = b.minutes_per_visit {
                    positive("plan.barnsakert.minutes_per_visit", Some(v))?;
                    mark("minutes_per_visit");
                }
                if let Some(v) = b.travel_minutes {
                    non_negative("plan.barnsakert.travel_minutes", v)?;
                    mark("minutes_per_visit");
                }
                if b.in_budget.is_some() {
                    mark("in_budget");
                }
                x.positive_share = b.positive_share.unwrap_or(x.positive_share);
                x.social_services_share =
                    b.social_services_share.unwrap_or(x.social_services_share);
                x.visits_per_family = b.visits_per_family.unwrap_or(x.visits_per_family);
                x.minutes_per_visit = b.minutes_per_visit.unwrap_or(x.minutes_per_visit);
                x.travel_minutes = b.travel_minutes.unwrap_or(x.travel_minutes);
                x.in_budget = b.in_budget.unwrap_or(false);
                Some(x)
            }
        };
        let mut spec = PlanSpec::new(programme);
        spec.barnsakert = barnsakert;
        spec.rank_by = p.rank_by.unwrap_or_default();
        spec.need_weight = p.need_weight.unwrap_or_default();
        spec.budget_unit = unit.unwrap_or_default();
        spec.units = p.units.unwrap_or_default();
        spec.budgets = budgets;
        spec.min_cni = min_cni;
        spec.min_relative_vti = min_relative_vti;
        spec.lock_in = p.lock_in.clone();
        spec.lock_out = p.lock_out.clone();
        spec.municipalities = p.municipalities.clone();
        spec.municipalities_out = p.municipalities_out.clone();
        spec.thresholds = thresholds;
        spec.first_born_share = first_born_share;
        spec.robustness = robustness;
        let mut set = |key: &str, given: bool| {
            if given {
                spec.basis
                    .insert(key.to_string(), Basis::Scenario(format!("plan.{key}")));
            }
        };
        set("rank_by", p.rank_by.is_some());
        set("need_weight", p.need_weight.is_some());
        set("thresholds", p.thresholds.is_some());
        set("first_born_share", p.first_born_share.is_some());
        if let Some(r) = &p.robustness {
            set("robustness.draws", r.draws.is_some());
            set("robustness.seed", r.seed.is_some());
            set("robustness.weight_spread", r.weight_spread.is_some());
            set("robustness.count_noise", r.count_noise.is_some());
        }
        Ok(Some(spec))
    }

    /// A path from the scenario, resolved against its folder.
    pub fn resolve(&self, path: &Path) -> PathBuf {
        // `-` is standard input, wherever the scenario is.
        if path.is_absolute() || path.as_os_str() == crate::inputs::STDIN {
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
            set_in_scenario: self
                .cni
                .transform
                .map(|_| vec!["cni.transform".to_string()])
                .unwrap_or_default(),
        })
    }

    /// The VTI norms, defaults filled in; the spec remembers which keys the
    /// scenario set ([`VtiSpec::set_in_scenario`]).
    pub fn vti_spec(&self) -> VtiSpec {
        let d = VtiSpec::default();
        let v = &self.vti;
        let set_in_scenario = [
            ("vti.norm", v.norm.is_some()),
            ("vti.newborns_per_fte", v.newborns_per_fte.is_some()),
            ("vti.hours_per_fte", v.hours_per_fte.is_some()),
            (
                "vti.min_newborns_per_nurse",
                v.min_newborns_per_nurse.is_some(),
            ),
            ("vti.min_fte_share", v.min_fte_share.is_some()),
        ]
        .into_iter()
        .filter(|(_, set)| *set)
        .map(|(k, _)| k.to_string())
        .collect();
        VtiSpec {
            newborns_per_fte: v.newborns_per_fte.unwrap_or(d.newborns_per_fte),
            hours_per_fte: v.hours_per_fte.unwrap_or(d.hours_per_fte),
            min_newborns_per_nurse: v.min_newborns_per_nurse.unwrap_or(d.min_newborns_per_nurse),
            min_fte_share: v.min_fte_share.unwrap_or(d.min_fte_share),
            norm: v.norm.unwrap_or(d.norm),
            set_in_scenario,
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
