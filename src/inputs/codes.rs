//! Area codes: DeSO and RegSO, their two versions, and the keys between them.
//!
//! SCB's small-area codes (DeSO, *demografiska statistikområden*) are nine
//! characters: the four-digit municipality code, a letter (`A` rural, `B` other
//! locality, `C` main town) and four digits, e.g. `2180C1010`. RegSO
//! (*regionala statistikområden*) codes are the municipality code, `R` and three
//! digits, e.g. `2180R001`. Each DeSO lies in one RegSO.
//!
//! # Versions
//! DeSO was revised in 2025: 149 of the 5 984 DeSO 2018 codes are retired and
//! 325 codes are new (6 160 DeSO 2025). Most changes split an area and keep its
//! first eight characters: in Gävleborg, `2180C1430` became `2180C1431` and
//! `2180C1432`. 140 of the 149 retired codes were split that way; the other nine
//! (in 0586 Mjölby, 2523 Gällivare and 2584 Kiruna) were redrawn without such a
//! key. SCB's change log also notes boundaries that moved under an unchanged code.
//! [`versions`] tells which version a set of codes is in, and [`mismatch`] turns
//! a table in one version and boundaries in the other into a message naming both
//! versions and the fix.
//!
//! # Keys, shipped as data
//! [`Key::deso2018`] (DeSO 2018 → RegSO 2020) and [`Key::deso2025`] (DeSO 2025 →
//! RegSO 2025) are SCB's key files, shipped in `data/keys/` with RegSO names, and
//! [`kommun_name`] the municipality names from the same files. SCB publishes its
//! open data, geodata included, under CC0 (scb.se, "Öppna data": "Vi använder
//! licensen CC0 för dessa data"), so the keys may be redistributed. They were
//! regenerated from `shared/data/real` (see `data/keys/README.md`) by
//! `scripts/keys.py`; a test checks them against those files when present.
//!
//! # Translations
//! * [`to_regso`] sums a DeSO table's counts to RegSO: exact, since every DeSO lies
//!   in one RegSO.
//! * [`spread_to_deso`] spreads a RegSO table's counts to its DeSO by population:
//!   each DeSO gets the RegSO's count × its share of the RegSO's population, so
//!   every DeSO inherits the RegSO's rates. Without DeSO populations the shares are
//!   equal, an **assumption** (DeSO were drawn to hold 700–2 700 inhabitants,
//!   SCB), stated in a notice.
//!
//! ```
//! use careneed::inputs::codes::{self, DesoVersion, Key, Level};
//! assert_eq!(codes::level("2180C1010"), Level::Deso);
//! assert_eq!(codes::level("2180R001"), Level::Regso);
//! assert_eq!(Key::deso2018().regso_of("2180C1430"), Some("2180R014"));
//! assert_eq!(Key::deso2025().regso_of("2180C1430"), None);
//! assert_eq!(codes::kommun_name("2180"), Some("Gävle"));
//! let table = codes::versions(["2180C1431", "2180C1432", "2180C1010"]);
//! assert_eq!(table.version(), Some(DesoVersion::V2025));
//! let boundaries = codes::versions(["2180C1430", "2180C1010"]);
//! let message = codes::mismatch("areas.csv", &table, "deso.gpkg", &boundaries).unwrap();
//! assert!(message.contains("areas.csv has DeSO 2025 codes"));
//! assert!(message.contains("deso.gpkg has DeSO 2018 codes"));
//! ```

use crate::error::{Error, Problem, Result};
use crate::inputs::table::{Row, Table};
use crate::report::Report;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, HashMap};
use std::fmt;
use std::sync::OnceLock;

/// The two DeSO versions SCB has published.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum DesoVersion {
    /// DeSO 2018 (5 984 areas), keyed to RegSO 2020.
    #[serde(rename = "2018")]
    V2018,
    /// DeSO 2025 (6 160 areas), keyed to RegSO 2025.
    #[serde(rename = "2025")]
    V2025,
}

impl DesoVersion {
    /// The other version.
    pub fn other(self) -> Self {
        match self {
            DesoVersion::V2018 => DesoVersion::V2025,
            DesoVersion::V2025 => DesoVersion::V2018,
        }
    }
    /// The year of the version, `2018` or `2025`.
    pub fn year(self) -> u16 {
        match self {
            DesoVersion::V2018 => 2018,
            DesoVersion::V2025 => 2025,
        }
    }
    /// The version of a year, `2018` or `2025`; `None` for any other.
    pub fn from_year(year: &str) -> Option<Self> {
        match year.trim() {
            "2018" => Some(DesoVersion::V2018),
            "2025" => Some(DesoVersion::V2025),
            _ => None,
        }
    }
    /// The year of the RegSO version SCB keys this DeSO version to.
    pub fn regso_year(self) -> u16 {
        match self {
            DesoVersion::V2018 => 2020,
            DesoVersion::V2025 => 2025,
        }
    }
}

impl fmt::Display for DesoVersion {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            DesoVersion::V2018 => f.write_str("DeSO 2018"),
            DesoVersion::V2025 => f.write_str("DeSO 2025"),
        }
    }
}

/// What kind of area a code names, from its form alone.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Level {
    /// `KKKK[ABC]NNNN`.
    Deso,
    /// `KKKKRNNN`.
    Regso,
    /// Four digits.
    Kommun,
    /// Anything else (a BVC id, a code Excel stripped of its leading zero, …).
    Other,
}

/// The level a code has by its form (see the module docs).
pub fn level(code: &str) -> Level {
    let b = code.as_bytes();
    let digits = |s: &[u8]| s.iter().all(u8::is_ascii_digit);
    match b.len() {
        9 if digits(&b[..4]) && matches!(b[4], b'A' | b'B' | b'C') && digits(&b[5..]) => {
            Level::Deso
        }
        8 if digits(&b[..4]) && b[4] == b'R' && digits(&b[5..]) => Level::Regso,
        4 if digits(b) => Level::Kommun,
        _ => Level::Other,
    }
}

/// One of SCB's DeSO → RegSO keys.
#[derive(Debug)]
pub struct Key {
    version: DesoVersion,
    /// DeSO code → index into `regsos`.
    deso: HashMap<String, usize>,
    /// (RegSO code, RegSO name, its DeSO codes in code order), in code order.
    regsos: Vec<(String, String, Vec<String>)>,
    regso_index: HashMap<String, usize>,
}

static KEY_2018: OnceLock<Key> = OnceLock::new();
static KEY_2025: OnceLock<Key> = OnceLock::new();
static KOMMUNER: OnceLock<HashMap<String, String>> = OnceLock::new();

impl Key {
    /// DeSO 2018 → RegSO 2020 (SCB, "Koppling DeSO 2018 – RegSO 2020"; 5 984 DeSO, 3 363 RegSO).
    pub fn deso2018() -> &'static Key {
        KEY_2018.get_or_init(|| {
            Key::parse(
                DesoVersion::V2018,
                include_str!("../../data/keys/deso2018_regso2020.csv"),
            )
        })
    }
    /// DeSO 2025 → RegSO 2025 (SCB's key for the 2025 revision; 6 160 DeSO, 3 363 RegSO).
    pub fn deso2025() -> &'static Key {
        KEY_2025.get_or_init(|| {
            Key::parse(
                DesoVersion::V2025,
                include_str!("../../data/keys/deso2025_regso2025.csv"),
            )
        })
    }
    /// The key of a version.
    pub fn of(version: DesoVersion) -> &'static Key {
        match version {
            DesoVersion::V2018 => Key::deso2018(),
            DesoVersion::V2025 => Key::deso2025(),
        }
    }

    // The shipped files are written by scripts/keys.py and checked by a test:
    // `deso,regso,regso_name` with a header, UTF-8, no quoting needed.
    fn parse(version: DesoVersion, text: &str) -> Key {
        let mut key = Key {
            version,
            deso: HashMap::new(),
            regsos: Vec::new(),
            regso_index: HashMap::new(),
        };
        let mut by_regso: BTreeMap<&str, (&str, Vec<String>)> = BTreeMap::new();
        for line in text.lines().skip(1) {
            let mut fields = line.splitn(3, ',');
            let (Some(deso), Some(regso)) = (fields.next(), fields.next()) else {
                continue;
            };
            let name = fields.next().unwrap_or("").trim_matches('"');
            by_regso
                .entry(regso)
                .or_insert((name, Vec::new()))
                .1
                .push(deso.to_string());
        }
        for (i, (regso, (name, desos))) in by_regso.into_iter().enumerate() {
            for d in &desos {
                key.deso.insert(d.clone(), i);
            }
            key.regso_index.insert(regso.to_string(), i);
            key.regsos
                .push((regso.to_string(), name.to_string(), desos));
        }
        key
    }

    /// The DeSO version this key starts from.
    pub fn version(&self) -> DesoVersion {
        self.version
    }
    /// Whether a DeSO code is in this version.
    pub fn contains(&self, deso: &str) -> bool {
        self.deso.contains_key(deso)
    }
    /// The RegSO a DeSO lies in.
    pub fn regso_of(&self, deso: &str) -> Option<&str> {
        self.deso.get(deso).map(|&i| self.regsos[i].0.as_str())
    }
    /// A RegSO's name, e.g. `Bollstanäs`.
    pub fn regso_name(&self, regso: &str) -> Option<&str> {
        self.regso_index
            .get(regso)
            .map(|&i| self.regsos[i].1.as_str())
    }
    /// The DeSO of a RegSO, in code order.
    pub fn desos_of(&self, regso: &str) -> Option<&[String]> {
        self.regso_index
            .get(regso)
            .map(|&i| self.regsos[i].2.as_slice())
    }
    /// The number of DeSO in this version.
    pub fn len(&self) -> usize {
        self.deso.len()
    }
    /// Whether the key is empty (never, for the shipped keys).
    pub fn is_empty(&self) -> bool {
        self.deso.is_empty()
    }
    /// The number of RegSO.
    pub fn regso_count(&self) -> usize {
        self.regsos.len()
    }
}

/// A municipality's name from its four-digit code (or the first four characters
/// of a DeSO or RegSO code), from SCB's key files.
pub fn kommun_name(code: &str) -> Option<&'static str> {
    let kommuner = KOMMUNER.get_or_init(|| {
        include_str!("../../data/keys/kommuner.csv")
            .lines()
            .skip(1)
            .filter_map(|l| l.split_once(','))
            .map(|(k, n)| (k.to_string(), n.to_string()))
            .collect()
    });
    kommuner.get(code.get(..4)?).map(String::as_str)
}

/// Which DeSO version a set of codes belongs to, with the evidence.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Versions {
    /// Codes in both versions.
    pub in_both: usize,
    /// Codes only in DeSO 2018 (retired in 2025), in input order.
    pub only_2018: Vec<String>,
    /// Codes only in DeSO 2025 (new in 2025), in input order.
    pub only_2025: Vec<String>,
    /// DeSO-shaped codes in neither version, in input order.
    pub unknown: Vec<String>,
    /// Codes that are not DeSO codes at all.
    pub not_deso: usize,
}

impl Versions {
    /// The version the codes show: `Some` when some code is in one version only
    /// and none only in the other; `None` when every code is in both (either
    /// version fits), when both kinds occur, or when there are no DeSO codes.
    pub fn version(&self) -> Option<DesoVersion> {
        match (self.only_2018.is_empty(), self.only_2025.is_empty()) {
            (false, true) => Some(DesoVersion::V2018),
            (true, false) => Some(DesoVersion::V2025),
            _ => None,
        }
    }
    /// Whether codes of both versions occur (e.g. a table pieced together from two
    /// years' files).
    pub fn is_mixed(&self) -> bool {
        !self.only_2018.is_empty() && !self.only_2025.is_empty()
    }
    /// A short description: `DeSO 2025 codes (2180C1431, 2180C1432 are new in 2025)`.
    pub fn describe(&self) -> String {
        let examples = |codes: &[String]| {
            let shown: Vec<&str> = codes.iter().take(3).map(String::as_str).collect();
            let more = codes.len().saturating_sub(3);
            let mut s = shown.join(", ");
            if more > 0 {
                s.push_str(&format!(" and {more} more"));
            }
            s
        };
        match self.version() {
            Some(DesoVersion::V2018) => format!(
                "DeSO 2018 codes ({} retired in 2025)",
                examples(&self.only_2018)
            ),
            Some(DesoVersion::V2025) => format!(
                "DeSO 2025 codes ({} new in 2025)",
                examples(&self.only_2025)
            ),
            None if self.is_mixed() => format!(
                "codes of both DeSO versions ({} only in 2018; {} only in 2025)",
                examples(&self.only_2018),
                examples(&self.only_2025)
            ),
            None => "codes found in both DeSO versions".to_string(),
        }
    }
}

/// Sorts codes by the DeSO versions they appear in (see [`Versions`]).
pub fn versions<'a>(codes: impl IntoIterator<Item = &'a str>) -> Versions {
    let (k18, k25) = (Key::deso2018(), Key::deso2025());
    let mut v = Versions::default();
    for code in codes {
        if level(code) != Level::Deso {
            v.not_deso += 1;
            continue;
        }
        match (k18.contains(code), k25.contains(code)) {
            (true, true) => v.in_both += 1,
            (true, false) => v.only_2018.push(code.to_string()),
            (false, true) => v.only_2025.push(code.to_string()),
            (false, false) => v.unknown.push(code.to_string()),
        }
    }
    v
}

/// The message for a table and boundaries in different DeSO versions, or for a
/// side that mixes both; `None` when the versions agree (or cannot disagree).
/// The message names each side's version, the codes that show it, and the fix.
pub fn mismatch(
    table_file: &str,
    table: &Versions,
    boundary_file: &str,
    boundaries: &Versions,
) -> Option<String> {
    for (file, side) in [(table_file, table), (boundary_file, boundaries)] {
        if side.is_mixed() {
            return Some(format!(
                "{file} has {}: a file holds one DeSO version; take all of it from the same year's release",
                side.describe()
            ));
        }
    }
    let (t, b) = (table.version()?, boundaries.version()?);
    (t != b).then(|| {
        format!(
            "{table_file} has {}, but {boundary_file} has {}; their codes cannot all match. \
             Fix: use boundaries in {t} (SCB's DeSO_{}.gpkg), or a table in {b}; \
             or compare at RegSO level, summing each side with its own key (careneed translate --to regso)",
            table.describe(),
            boundaries.describe(),
            t.year()
        )
    })
}

/// Notes which DeSO version a table's codes are in (`Info`, kind `deso_version`),
/// and the DeSO-shaped codes in neither version (`Info`, kind `unknown_deso`: a
/// synthetic or mistyped code; it can still match boundaries that carry it).
/// Nothing is noted for a table without DeSO codes.
pub fn note_versions(table: &Table, report: &mut Report) {
    let v = versions(table.rows.iter().map(|r| r.key.as_str()));
    if v.in_both + v.only_2018.len() + v.only_2025.len() == 0 {
        return;
    }
    report.info(
        "deso_version",
        table.location(),
        format!("{} has {}", table.source, v.describe()),
    );
    if !v.unknown.is_empty() {
        report.info(
            "unknown_deso",
            table.location(),
            format!(
                "{} code(s) shaped like DeSO codes are in neither DeSO 2018 nor DeSO 2025, e.g. {}",
                v.unknown.len(),
                v.unknown
                    .iter()
                    .take(3)
                    .map(|c| crate::error::excerpt(c))
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        );
    }
}

/// The DeSO version of a table's codes, or of boundaries': the one the codes show,
/// else 2025 when every code is in both (the current version).
pub fn version_of(v: &Versions) -> DesoVersion {
    v.version().unwrap_or(DesoVersion::V2025)
}

/// A DeSO table summed to RegSO with the key of `version`: one row per RegSO in
/// code order, named by the RegSO, every count the sum over its DeSO; the line is
/// the first DeSO row's. A code not in the key is an error naming the file, line and
/// code. A `cni` column (a delivered index, not a count) cannot be summed and is an
/// error.
pub fn to_regso(table: &Table, version: DesoVersion) -> Result<Table> {
    let key = Key::of(version);
    if table.column("cni").is_some() {
        return Err(Error::input(
            table.location().with_field("cni"),
            Problem::Invalid(
                "a delivered CNI is an index, not a count, and cannot be summed to RegSO; \
                 give the CNI variables instead"
                    .into(),
            ),
        ));
    }
    let mut sums: BTreeMap<&str, Row> = BTreeMap::new();
    for row in &table.rows {
        let regso = key.regso_of(&row.key).ok_or_else(|| {
            key_error(
                table,
                row,
                format!(
                    "{} is not a {version} code, so it has no RegSO; {}",
                    crate::error::excerpt(&row.key),
                    versions([row.key.as_str()]).describe()
                ),
            )
        })?;
        let sum = sums.entry(regso).or_insert_with(|| Row {
            line: row.line,
            key: regso.to_string(),
            labels: vec![None; table.labels.len()],
            values: vec![0.0; table.columns.len()],
        });
        for (s, v) in sum.values.iter_mut().zip(&row.values) {
            *s += v;
        }
    }
    let name = table.labels.iter().position(|l| l == "name");
    let rows = sums
        .into_values()
        .map(|mut row| {
            if let Some(n) = name {
                row.labels[n] = key.regso_name(&row.key).map(str::to_string);
            }
            row
        })
        .collect();
    Ok(Table {
        rows,
        ..table.clone()
    })
}

/// A row whose code is not in a key: an error at its file, line, code and key column.
fn key_error(table: &Table, row: &Row, message: String) -> Error {
    Error::input(
        table
            .row_location(row)
            .with_code(&row.key)
            .with_field(&table.key),
        Problem::Invalid(message),
    )
}

/// Each row's `population` by code (e.g. DeSO populations to spread by), or the
/// table's missing-column error.
pub fn populations(table: &Table) -> Result<HashMap<String, f64>> {
    let i = table.require("population")?;
    Ok(table
        .rows
        .iter()
        .map(|r| (r.key.clone(), r.values[i]))
        .collect())
}

/// A RegSO table spread to DeSO with the key of `version` (see the module docs).
/// `population` gives each DeSO's population (e.g. from an earlier year's table);
/// without it, or when a RegSO's DeSO populations sum to 0, the DeSO of a RegSO
/// get equal shares and an `Info` notice (kind `spread_equal`) says so per RegSO.
/// A RegSO code not in the key is an error naming the file, line and code. A `cni`
/// column is carried as the RegSO's value (an index is the same for every share).
pub fn spread_to_deso(
    table: &Table,
    version: DesoVersion,
    population: Option<&HashMap<String, f64>>,
) -> Result<(Table, Report)> {
    let key = Key::of(version);
    let mut report = Report::default();
    let cni = table.column("cni");
    let mut rows = Vec::new();
    let mut equal = Vec::new();
    for row in &table.rows {
        let desos = key.desos_of(&row.key).ok_or_else(|| {
            key_error(
                table,
                row,
                format!(
                    "{} is not a RegSO {} code (the key of {version})",
                    crate::error::excerpt(&row.key),
                    version.regso_year()
                ),
            )
        })?;
        let weights: Vec<f64> = desos
            .iter()
            .map(|d| population.and_then(|p| p.get(d)).copied().unwrap_or(0.0))
            .collect();
        let total: f64 = weights.iter().sum();
        let shares: Vec<f64> = if total > 0.0 && total.is_finite() {
            weights.iter().map(|w| w / total).collect()
        } else {
            equal.push(row.key.clone());
            vec![1.0 / desos.len() as f64; desos.len()]
        };
        for (deso, share) in desos.iter().zip(shares) {
            let values = row
                .values
                .iter()
                .enumerate()
                .map(|(i, v)| if Some(i) == cni { *v } else { v * share })
                .collect();
            rows.push(Row {
                line: row.line,
                key: deso.clone(),
                labels: row.labels.clone(),
                values,
            });
        }
    }
    if !equal.is_empty() {
        report.info(
            "spread_equal",
            table.location(),
            format!(
                "{} RegSO spread to their DeSO in equal shares, without DeSO populations \
                 (an assumption: DeSO hold 700–2 700 inhabitants each), e.g. {}",
                equal.len(),
                equal.iter().take(3).cloned().collect::<Vec<_>>().join(", ")
            ),
        );
    }
    Ok((
        Table {
            rows,
            ..table.clone()
        },
        report,
    ))
}

/// The level [`translate`] brings a table to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Target {
    /// Sum DeSO to RegSO ([`to_regso`]).
    Regso,
    /// Spread RegSO to DeSO ([`spread_to_deso`]).
    Deso,
}

/// A table translated between DeSO and RegSO (see the module docs), with the DeSO
/// version used and notices. To RegSO, the version is the one the table's codes
/// show unless given (when every code is in both versions, the keys agree on
/// them, so 2025's is used). To DeSO, the version must be given: RegSO codes do
/// not tell it, and a silent default would spread to the wrong areas.
pub fn translate(
    table: &Table,
    to: Target,
    version: Option<DesoVersion>,
    population: Option<&HashMap<String, f64>>,
) -> Result<(Table, DesoVersion, Report)> {
    let mut report = Report::default();
    match to {
        Target::Regso => {
            let found = versions(table.rows.iter().map(|r| r.key.as_str()));
            if found.is_mixed() {
                return Err(Error::input(
                    table.location().with_field(&table.key),
                    Problem::Invalid(format!("the table has {}", found.describe())),
                ));
            }
            let version = version.unwrap_or_else(|| version_of(&found));
            report.info(
                "translate",
                table.location(),
                format!(
                    "{} DeSO rows summed to RegSO {} with SCB's {version} key",
                    table.rows.len(),
                    version.regso_year()
                ),
            );
            Ok((to_regso(table, version)?, version, report))
        }
        Target::Deso => {
            let version = version.ok_or_else(|| {
                Error::input(
                    table.location().with_field(&table.key),
                    Problem::Invalid(
                        "spreading RegSO to DeSO needs the DeSO version (--version 2018 or \
                         2025): RegSO codes do not tell it"
                            .into(),
                    ),
                )
            })?;
            let (t, r) = spread_to_deso(table, version, population)?;
            report.info(
                "translate",
                table.location(),
                format!(
                    "{} RegSO rows spread to {} {version} areas by population share",
                    table.rows.len(),
                    t.rows.len()
                ),
            );
            report.extend(r);
            Ok((t, version, report))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_shipped_keys_have_scb_counts() {
        assert_eq!(Key::deso2018().len(), 5984);
        assert_eq!(Key::deso2025().len(), 6160);
        assert_eq!(Key::deso2018().regso_count(), 3363);
        assert_eq!(Key::deso2025().regso_count(), 3363);
        let v = versions(Key::deso2018().deso.keys().map(String::as_str));
        assert_eq!(
            (v.in_both, v.only_2018.len(), v.only_2025.len()),
            (5835, 149, 0)
        );
        // Gävleborg: 172 DeSO 2018, 173 DeSO 2025.
        let in_21 = |k: &Key| k.deso.keys().filter(|c| c.starts_with("21")).count();
        assert_eq!(in_21(Key::deso2018()), 172);
        assert_eq!(in_21(Key::deso2025()), 173);
    }

    #[test]
    fn gavleborg_municipalities_have_their_published_deso_counts() {
        let counts = [
            ("2180", "Gävle", 54),
            ("2181", "Sandviken", 25),
            ("2184", "Hudiksvall", 24),
            ("2183", "Bollnäs", 17),
            ("2182", "Söderhamn", 16),
            ("2161", "Ljusdal", 13),
            ("2132", "Nordanstig", 7),
            ("2121", "Ovanåker", 7),
            ("2104", "Hofors", 5),
            ("2101", "Ockelbo", 4),
        ];
        for (code, name, n) in counts {
            assert_eq!(kommun_name(code), Some(name));
            let found = Key::deso2018()
                .deso
                .keys()
                .filter(|c| c.starts_with(code))
                .count();
            assert_eq!(found, n, "{name}");
        }
    }

    #[test]
    fn the_gavle_split_is_seen_from_either_side() {
        let t = versions(["2180C1431", "2180C1432"]);
        assert_eq!(t.version(), Some(DesoVersion::V2025));
        let b = versions(["2180C1430"]);
        assert_eq!(b.version(), Some(DesoVersion::V2018));
        let m = mismatch("t.csv", &t, "b.geojson", &b).unwrap();
        assert!(m.contains("t.csv has DeSO 2025 codes (2180C1431, 2180C1432 new in 2025)"));
        assert!(m.contains("b.geojson has DeSO 2018 codes (2180C1430 retired in 2025)"));
        assert!(m.contains("Fix: use boundaries in DeSO 2025"));
        assert_eq!(mismatch("t.csv", &t, "b.csv", &t), None);
        let mixed = versions(["2180C1430", "2180C1431"]);
        assert!(mixed.is_mixed());
        assert!(
            mismatch("t.csv", &mixed, "b", &b)
                .unwrap()
                .contains("both DeSO versions")
        );
    }

    #[test]
    fn levels_by_form() {
        assert_eq!(level("0114A0010"), Level::Deso);
        assert_eq!(level("114A0010"), Level::Other);
        assert_eq!(level("2180D1010"), Level::Other);
        assert_eq!(level("0114R010"), Level::Regso);
        assert_eq!(level("0114"), Level::Kommun);
        assert_eq!(level("ÅÅÅÅC1010"), Level::Other);
    }
}
