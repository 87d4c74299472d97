//! Downloading the mapped tables from a PxWeb API v2 (`careneed import --fetch`),
//! as JSON-stat 2.0, into the input folder; the import then reads them unchanged.
//!
//! The HTTP client (`UreqTransport`, crate `ureq` with rustls) is behind the cargo
//! feature `fetch`. Everything else here (the requests, the rate limiter, the
//! splitting and the merging) is plain code behind the [`Transport`] and [`Clock`]
//! traits, so it is tested without a network.
//!
//! # What is called
//! Per table key of the mapping that a variable uses, with the table's `id`:
//! 1. `GET {api}/tables/{id}/metadata?lang=sv&outputFormat=json-stat2`: the
//!    table's dimensions and every code (JSON-stat 2.0 with an empty `value`).
//! 2. `POST {api}/tables/{id}/data?lang=sv&outputFormat=json-stat2` with the body
//!    `{"selection": [{"variableCode": "Region", "valueCodes": ["…", …]}, …]}`,
//!    one selection per dimension: the region dimension's codes that are areas of
//!    the mapping's level (DeSO or RegSO; kommun, län and riket are left out), the
//!    mapping's year of the time dimension, the categories the variables sum
//!    (named by code or label in the mapping, sent as codes), and every code of any
//!    other dimension (the import then requires it to have one).
//!
//! The POST form is used rather than `GET …/data?valueCodes[Region]=…` because a
//! selection of every DeSO code (about 6 000) does not fit in a URL.
//!
//! Sources for the API: the PxWebApi 2 user guide (PxTools, "PxWebApi 2 User
//! Guide", <https://github.com/PxTools/pxtools.github.io>, file
//! `docs/PxWebApi/documentation/user-guide.md`): the endpoints `tables/{id}/metadata`
//! and `tables/{id}/data`, the parameters `lang`, `outputFormat` (`json-stat2` the
//! default), `valueCodes[variable-id]=code1,code2`, and the POST body with
//! `selection` of `variableCode` and `valueCodes`; the metadata answer as
//! JSON-stat 2 with `"value": []`. SCB's base URL
//! `https://statistikdatabasen.scb.se/api/v2/` is as the issue gives it.
//! **Not confirmed**: that the metadata endpoint takes `outputFormat=json-stat2`
//! (its answer is JSON-stat 2 either way in the guide's example), and anything
//! about SCB's live service: this code was tested only against a local server
//! serving hand-written fixtures.
//!
//! # SCB's limits
//! SCB, "Så fungerar SCB:s API" (<https://www.scb.se/vara-tjanster/oppna-data/>):
//! "Du kan göra maximalt tio anrop per tio sekunder från en ip-adress … Du kan som
//! mest hämta 100 000 värden per tabell. Felmeddelandet "HTTP 403 Forbidden"
//! markerar att maxvärdet är överskridet." Hence:
//! * every call (metadata, data, retries) first passes a sliding-window
//!   [`RateLimiter`]: at most [`FetchOptions::max_calls`] (10) calls in any
//!   [`FetchOptions::window`] (10 s);
//! * a selection of more cells than [`FetchOptions::cell_limit`] (100 000) is split
//!   ([`split`]): the dimension with the most codes (the region dimension on a
//!   tie) is cut into chunks small enough, recursively; the answers are merged
//!   ([`merge`]) into one dataset, checked to cover every cell exactly once;
//! * an answer `403` or `429` (PxWeb API v2's "too many requests") is waited out
//!   (the `Retry-After` header's seconds, else one window) and retried up to
//!   [`FetchOptions::retries`] times, then an error that cites the limits.
//!
//! # Files
//! The table is written as `<key>.json` in the folder (or the mapping's `file`
//! when it ends in `.json`), replacing any earlier download: an answer in one
//! call is written as received, a split one as the merged dataset
//! ([`jsonstat::to_jsonstat`]).
//!
//! # Errors
//! No answer (refused, timed out), an HTTP error, or an answer that is not JSON-stat
//! is an [`Error::Fetch`] naming the table key, its id and the URL. A table without
//! `id`, a dimension, year or category the metadata lacks is an input error naming
//! the mapping and key, listing what the table has.

use super::jsonstat::{self, Metadata};
use super::mapping::Mapping;
use super::{Category, Cube, Dimension, area_code, cell_count, for_each_index};
use crate::error::{Error, Location, Problem, excerpt};
use std::collections::{BTreeMap, HashMap, VecDeque};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

/// SCB's PxWeb API v2.
pub const SCB_API: &str = "https://statistikdatabasen.scb.se/api/v2/";

/// Where SCB publishes its API's limits.
pub const SCB_LIMITS_SOURCE: &str =
    "SCB, \"Så fungerar SCB:s API\", https://www.scb.se/vara-tjanster/oppna-data/";

/// How to call the API.
#[derive(Debug, Clone, PartialEq)]
pub struct FetchOptions {
    /// The API's base URL, up to and including `v2` (a trailing `/` is optional).
    pub api: String,
    /// The language of labels (`sv`, `en`).
    pub lang: String,
    /// The most cells one call may ask for; a larger selection is split.
    pub cell_limit: usize,
    /// The most calls in any window.
    pub max_calls: usize,
    /// The window of [`FetchOptions::max_calls`].
    pub window: Duration,
    /// How often a call answered 403 or 429 is retried.
    pub retries: usize,
}

impl Default for FetchOptions {
    /// SCB's API and published limits: 10 calls per 10 s, 100 000 values per call.
    fn default() -> Self {
        FetchOptions {
            api: SCB_API.to_string(),
            lang: "sv".to_string(),
            cell_limit: 100_000,
            max_calls: 10,
            window: Duration::from_secs(10),
            retries: 2,
        }
    }
}

/// Time as the fetcher sees it: injectable, so that tests check the schedule
/// without sleeping.
pub trait Clock {
    /// The time since some fixed start.
    fn now(&self) -> Duration;
    /// Waits `d`.
    fn sleep(&mut self, d: Duration);
}

/// The real clock: [`Instant`] and [`std::thread::sleep`].
#[derive(Debug, Clone, Copy)]
pub struct SystemClock {
    start: Instant,
}

impl SystemClock {
    /// A clock starting now.
    pub fn new() -> Self {
        SystemClock {
            start: Instant::now(),
        }
    }
}

impl Default for SystemClock {
    fn default() -> Self {
        SystemClock::new()
    }
}

impl Clock for SystemClock {
    fn now(&self) -> Duration {
        self.start.elapsed()
    }
    fn sleep(&mut self, d: Duration) {
        std::thread::sleep(d);
    }
}

/// A sliding-window rate limiter: at most `max_calls` calls in any `window`.
///
/// ```
/// use careneed::inputs::statdb::fetch::{Clock, RateLimiter};
/// use std::time::Duration;
/// struct Fake(Duration);
/// impl Clock for Fake {
///     fn now(&self) -> Duration { self.0 }
///     fn sleep(&mut self, d: Duration) { self.0 += d }
/// }
/// let mut clock = Fake(Duration::ZERO);
/// let mut limiter = RateLimiter::new(10, Duration::from_secs(10));
/// let starts: Vec<u64> = (0..25).map(|_| {
///     limiter.acquire(&mut clock);
///     clock.now().as_secs()
/// }).collect();
/// assert_eq!(starts, [[0; 10], [10; 10]].concat().into_iter().chain([20; 5]).collect::<Vec<_>>());
/// ```
#[derive(Debug, Clone)]
pub struct RateLimiter {
    max_calls: usize,
    window: Duration,
    calls: VecDeque<Duration>,
}

impl RateLimiter {
    /// At most `max_calls` (at least 1) calls in any `window`.
    pub fn new(max_calls: usize, window: Duration) -> Self {
        RateLimiter {
            max_calls: max_calls.max(1),
            window,
            calls: VecDeque::new(),
        }
    }

    /// Waits (on `clock`) until a call keeps the limit, and records the call at
    /// that time. Returns how long it waited.
    pub fn acquire(&mut self, clock: &mut dyn Clock) -> Duration {
        let mut waited = Duration::ZERO;
        loop {
            let now = clock.now();
            while self.calls.front().is_some_and(|&t| t + self.window <= now) {
                self.calls.pop_front();
            }
            if self.calls.len() < self.max_calls {
                self.calls.push_back(now);
                return waited;
            }
            let wait = self.calls[0] + self.window - now;
            clock.sleep(wait);
            waited += wait;
        }
    }
}

/// An HTTP answer.
#[derive(Debug, Clone, PartialEq)]
pub struct HttpResponse {
    /// The status code.
    pub status: u16,
    /// The `Retry-After` header, when it gives seconds.
    pub retry_after: Option<Duration>,
    /// The body.
    pub body: Vec<u8>,
}

/// The HTTP calls the fetcher makes. `Err` is a call without an answer
/// (connection refused, timeout), as a message.
pub trait Transport {
    /// `GET url`.
    fn get(&mut self, url: &str) -> Result<HttpResponse, String>;
    /// `POST url` with a JSON body.
    fn post_json(&mut self, url: &str, body: &str) -> Result<HttpResponse, String>;
}

/// What one table's download did.
#[derive(Debug, Clone, PartialEq)]
pub struct FetchedTable {
    /// The mapping's table key.
    pub key: String,
    /// The PxWeb table id.
    pub id: String,
    /// The file written.
    pub file: PathBuf,
    /// The cells selected.
    pub cells: usize,
    /// The data calls (more than one when the selection was split).
    pub data_calls: usize,
}

/// What a download did: per table, and the calls and waiting in all.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct FetchReport {
    /// The tables, by key order.
    pub tables: Vec<FetchedTable>,
    /// Every HTTP call made, retries included.
    pub calls: usize,
    /// The time spent waiting for the rate limit and for retries.
    pub waited: Duration,
}

impl FetchReport {
    /// The file of each table key, as [`super::mapping::import_files`] takes them.
    pub fn files(&self) -> BTreeMap<String, PathBuf> {
        self.tables
            .iter()
            .map(|t| (t.key.clone(), t.file.clone()))
            .collect()
    }
}

/// One selection: per dimension (in the table's order), its code and the codes
/// asked for.
pub type Selection = Vec<(String, Vec<String>)>;

fn cells_of(selection: &Selection) -> usize {
    cell_count(selection.iter().map(|(_, c)| c.len())).unwrap_or(usize::MAX)
}

/// Splits a selection so that no part asks for more than `limit` cells (at least
/// 1): the dimension with the most codes (`prefer`, usually the region dimension,
/// on a tie) is cut into chunks, and the parts split again while still too large.
/// The parts cover the selection exactly once, in its order.
///
/// ```
/// use careneed::inputs::statdb::fetch::split;
/// let sel = vec![
///     ("Region".to_string(), (0..7).map(|i| format!("r{i}")).collect::<Vec<_>>()),
///     ("Kon".to_string(), vec!["1".to_string(), "2".to_string()]),
/// ];
/// let parts = split(&sel, 4, Some(0));
/// let sizes: Vec<usize> = parts.iter().map(|p| p[0].1.len()).collect();
/// assert_eq!(sizes, [2, 2, 2, 1]);
/// ```
pub fn split(selection: &Selection, limit: usize, prefer: Option<usize>) -> Vec<Selection> {
    let limit = limit.max(1);
    let cells = cells_of(selection);
    if cells <= limit || selection.is_empty() {
        return vec![selection.clone()];
    }
    let longest = selection.iter().map(|(_, c)| c.len()).max().unwrap_or(0);
    let d = prefer
        .filter(|&p| selection.get(p).is_some_and(|(_, c)| c.len() == longest))
        .unwrap_or_else(|| {
            selection
                .iter()
                .position(|(_, c)| c.len() == longest)
                .unwrap_or(0)
        });
    if longest <= 1 {
        return vec![selection.clone()];
    }
    let rest = cells / longest;
    let chunk = (limit / rest.max(1)).max(1);
    let mut parts = Vec::new();
    for codes in selection[d].1.chunks(chunk) {
        let mut part = selection.clone();
        part[d].1 = codes.to_vec();
        parts.extend(split(&part, limit, prefer));
    }
    parts
}

/// Merges the answers to the parts of a split selection into one cube: the
/// dimensions of the first answer, each with its categories in order of first
/// appearance. Every answer must have the same dimensions, and the answers must
/// cover every cell of the merged cube exactly once; otherwise an error naming
/// `source`.
pub fn merge(source: &str, parts: &[Cube]) -> crate::Result<Cube> {
    let bad = |message: String| {
        Error::input(
            Location::file(source),
            Problem::Invalid(format!("cannot merge the split answers: {message}")),
        )
    };
    let first = parts.first().ok_or_else(|| bad("no answers".into()))?;
    let codes: Vec<&str> = first.dimensions.iter().map(|d| d.code.as_str()).collect();
    let mut dimensions: Vec<Dimension> = first
        .dimensions
        .iter()
        .map(|d| Dimension {
            code: d.code.clone(),
            label: d.label.clone(),
            categories: Vec::new(),
        })
        .collect();
    let mut positions: Vec<HashMap<String, usize>> = vec![HashMap::new(); codes.len()];
    for (n, part) in parts.iter().enumerate() {
        let these: Vec<&str> = part.dimensions.iter().map(|d| d.code.as_str()).collect();
        if these != codes {
            return Err(bad(format!(
                "answer {} has the dimensions {these:?}, the first {codes:?}",
                n + 1
            )));
        }
        for (d, dim) in part.dimensions.iter().enumerate() {
            for c in &dim.categories {
                if !positions[d].contains_key(&c.code) {
                    positions[d].insert(c.code.clone(), dimensions[d].categories.len());
                    dimensions[d].categories.push(Category {
                        code: c.code.clone(),
                        label: c.label.clone(),
                    });
                }
            }
        }
    }
    let sizes: Vec<usize> = dimensions.iter().map(|d| d.categories.len()).collect();
    let total = cell_count(sizes.iter().copied())
        .ok_or_else(|| bad(format!("the sizes {} overflow", super::sizes_text(&sizes))))?;
    let mut values = vec![None; total];
    let mut covered = vec![false; total];
    for (n, part) in parts.iter().enumerate() {
        let map: Vec<Vec<usize>> = part
            .dimensions
            .iter()
            .enumerate()
            .map(|(d, dim)| {
                dim.categories
                    .iter()
                    .map(|c| positions[d][&c.code])
                    .collect()
            })
            .collect();
        let part_sizes: Vec<usize> = part.dimensions.iter().map(|d| d.categories.len()).collect();
        let mut flat_part = 0usize;
        let mut twice = None;
        for_each_index(&part_sizes, |at| {
            let mut flat = 0usize;
            for (d, &i) in at.iter().enumerate() {
                flat = flat * sizes[d] + map[d][i];
            }
            if covered[flat] && twice.is_none() {
                twice = Some(flat);
            }
            covered[flat] = true;
            values[flat] = part.values.get(flat_part).copied().flatten();
            flat_part += 1;
        });
        if let Some(flat) = twice {
            return Err(bad(format!(
                "answer {} repeats cell {flat} of an earlier answer",
                n + 1
            )));
        }
    }
    if let Some(hole) = covered.iter().position(|c| !c) {
        return Err(bad(format!(
            "no answer covers cell {hole} of the merged {} cells",
            super::sizes_text(&sizes)
        )));
    }
    Ok(Cube {
        source: source.to_string(),
        format: first.format,
        table_id: first.table_id.clone(),
        title: first.title.clone(),
        dimensions,
        values,
    })
}

fn mapping_error(mapping: &Mapping, field: &str, message: String) -> Error {
    Error::input(
        Location::file(&mapping.source).with_field(field),
        Problem::Invalid(message),
    )
}

fn dims_list(meta: &Metadata) -> String {
    meta.dimensions
        .iter()
        .map(|d| format!("{:?} ({})", d.code, d.label))
        .collect::<Vec<_>>()
        .join(", ")
}

/// The selection for one table of the mapping, from its metadata (see the module
/// docs), and the index of its region dimension.
pub fn plan(mapping: &Mapping, key: &str, meta: &Metadata) -> crate::Result<(Selection, usize)> {
    let table = mapping.tables.get(key).ok_or_else(|| {
        mapping_error(
            mapping,
            &format!("tables.{key}"),
            format!("no table {key:?} in the mapping"),
        )
    })?;
    let id = table.id.as_deref().unwrap_or("?");
    let find = |name: &str| meta.dimensions.iter().position(|d| d.is_named(name));
    let region = find(&table.region).ok_or_else(|| {
        mapping_error(
            mapping,
            &format!("tables.{key}.region"),
            format!(
                "table {key:?} ({id}) has no dimension {:?} in its metadata; its dimensions: {}",
                table.region,
                dims_list(meta)
            ),
        )
    })?;
    let time = find(&table.time);
    let mut chosen: Vec<Option<Vec<usize>>> = vec![None; meta.dimensions.len()];
    let rd = &meta.dimensions[region];
    let areas: Vec<usize> = (0..rd.categories.len())
        .filter(|&i| area_code(&rd.categories[i], mapping.level).is_some())
        .collect();
    if areas.is_empty() {
        return Err(mapping_error(
            mapping,
            &format!("tables.{key}.region"),
            format!(
                "table {key:?} ({id}): no code of dimension {:?} is a {} area; it has: {}",
                rd.code,
                mapping.level,
                rd.codes_for_message()
            ),
        ));
    }
    chosen[region] = Some(areas);
    if let Some(t) = time {
        let d = &meta.dimensions[t];
        let i = d.category(&table.year).ok_or_else(|| {
            mapping_error(
                mapping,
                &format!("tables.{key}.year"),
                format!(
                    "year {:?} is not in table {key:?} ({id}), dimension {:?}; it has: {}",
                    table.year,
                    d.code,
                    d.codes_for_message()
                ),
            )
        })?;
        chosen[t] = Some(vec![i]);
    }
    for (var, v) in &mapping.variables {
        if v.table.as_deref() != Some(key) {
            continue;
        }
        for (dim, wanted) in &v.sum {
            let field = format!("variables.{var}.sum.{dim}");
            let d = find(dim).ok_or_else(|| {
                mapping_error(
                    mapping,
                    &field,
                    format!(
                        "unknown dimension {dim:?} in table {key:?} ({id}); its dimensions: {}",
                        dims_list(meta)
                    ),
                )
            })?;
            if d == region || Some(d) == time {
                return Err(mapping_error(
                    mapping,
                    &field,
                    format!("{dim:?} is the table's region or time dimension; it cannot be summed"),
                ));
            }
            let dimension = &meta.dimensions[d];
            let set = chosen[d].get_or_insert_with(Vec::new);
            for w in wanted {
                let i = dimension.category(w).ok_or_else(|| {
                    mapping_error(
                        mapping,
                        &field,
                        format!(
                            "category {w:?} is not in dimension {:?} of table {key:?} ({id}); it has: {}",
                            dimension.code,
                            dimension.codes_for_message()
                        ),
                    )
                })?;
                if !set.contains(&i) {
                    set.push(i);
                }
            }
        }
    }
    let selection = meta
        .dimensions
        .iter()
        .zip(chosen)
        .map(|(d, c)| {
            let mut picked = c.unwrap_or_else(|| (0..d.categories.len()).collect());
            picked.sort_unstable();
            (
                d.code.clone(),
                picked
                    .into_iter()
                    .map(|i| d.categories[i].code.clone())
                    .collect(),
            )
        })
        .collect();
    Ok((selection, region))
}

/// Percent-encodes a URL path segment or query value (RFC 3986 unreserved kept).
fn encode(text: &str) -> String {
    let mut out = String::new();
    for b in text.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~') {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// The POST body of a data call.
pub fn selection_body(selection: &Selection) -> String {
    let items: Vec<serde_json::Value> = selection
        .iter()
        .map(|(code, values)| serde_json::json!({ "variableCode": code, "valueCodes": values }))
        .collect();
    serde_json::json!({ "selection": items }).to_string()
}

/// Downloads the tables of the mapping into `dir` (see the module docs), calling
/// through `transport`, waiting on `clock`, and telling `progress` one line per
/// step (the library never prints). Returns what was written.
pub fn fetch_tables(
    mapping: &Mapping,
    dir: &Path,
    options: &FetchOptions,
    transport: &mut dyn Transport,
    clock: &mut dyn Clock,
    progress: &mut dyn FnMut(&str),
) -> crate::Result<FetchReport> {
    let mut fetcher = Fetcher {
        options,
        transport,
        clock,
        limiter: RateLimiter::new(options.max_calls, options.window),
        report: FetchReport::default(),
    };
    // Every table needs its id: checked before the first call.
    if let Some(key) = mapping
        .used_tables()
        .into_iter()
        .find(|k| mapping.tables[*k].id.is_none())
    {
        return Err(no_id(mapping, key));
    }
    std::fs::create_dir_all(dir).map_err(|e| Error::io(dir, e))?;
    for key in mapping.used_tables() {
        fetcher.table(mapping, key, dir, progress)?;
    }
    Ok(fetcher.report)
}

fn no_id(mapping: &Mapping, key: &str) -> Error {
    mapping_error(
        mapping,
        &format!("tables.{key}.id"),
        format!(
            "table {key:?} has no id: --fetch needs its PxWeb API v2 table id (e.g. id = \"TAB6574\")"
        ),
    )
}

struct Fetcher<'a> {
    options: &'a FetchOptions,
    transport: &'a mut dyn Transport,
    clock: &'a mut dyn Clock,
    limiter: RateLimiter,
    report: FetchReport,
}

enum Call<'b> {
    Get,
    Post(&'b str),
}

impl Fetcher<'_> {
    /// One call, rate-limited, with retries on 403/429; the body of a 2xx answer.
    fn call(
        &mut self,
        what: &str,
        url: &str,
        call: Call<'_>,
        progress: &mut dyn FnMut(&str),
    ) -> crate::Result<Vec<u8>> {
        let fail = |message: String| Error::Fetch {
            table: what.to_string(),
            url: url.to_string(),
            message,
        };
        let mut attempt = 0;
        loop {
            let waited = self.limiter.acquire(self.clock);
            self.report.waited += waited;
            self.report.calls += 1;
            let answer = match call {
                Call::Get => self.transport.get(url),
                Call::Post(body) => self.transport.post_json(url, body),
            }
            .map_err(|e| fail(format!("no answer: {e}")))?;
            match answer.status {
                200..=299 => return Ok(answer.body),
                403 | 429 if attempt < self.options.retries => {
                    attempt += 1;
                    let wait = answer.retry_after.unwrap_or(self.options.window);
                    progress(&format!(
                        "  HTTP {} (limit exceeded?) for {what}; waiting {} s, then retry {attempt} of {}",
                        answer.status,
                        wait.as_secs_f64(),
                        self.options.retries
                    ));
                    self.clock.sleep(wait);
                    self.report.waited += wait;
                }
                403 | 429 => {
                    return Err(fail(format!(
                        "HTTP {} after {} attempts: the API's limit is exceeded (SCB allows at most \
                         10 calls per 10 seconds and 100 000 values per call: {SCB_LIMITS_SOURCE}); \
                         try again later or lower --cell-limit. The answer: {}",
                        answer.status,
                        attempt + 1,
                        excerpt(&String::from_utf8_lossy(&answer.body))
                    )));
                }
                status => {
                    return Err(fail(format!(
                        "HTTP {status}: {}",
                        excerpt(&String::from_utf8_lossy(&answer.body))
                    )));
                }
            }
        }
    }

    fn table(
        &mut self,
        mapping: &Mapping,
        key: &str,
        dir: &Path,
        progress: &mut dyn FnMut(&str),
    ) -> crate::Result<()> {
        let table = &mapping.tables[key];
        let id = table.id.clone().ok_or_else(|| no_id(mapping, key))?;
        let what = format!("{key} ({id})");
        let base = self.options.api.trim_end_matches('/');
        let query = format!(
            "lang={}&outputFormat=json-stat2",
            encode(&self.options.lang)
        );
        let meta_url = format!("{base}/tables/{}/metadata?{query}", encode(&id));
        progress(&format!("{what}: metadata {meta_url}"));
        let bytes = self.call(&what, &meta_url, Call::Get, progress)?;
        let meta = jsonstat::parse_metadata(&meta_url, &bytes).map_err(|e| Error::Fetch {
            table: what.clone(),
            url: meta_url.clone(),
            message: format!("the answer is not JSON-stat 2.0 metadata: {e}"),
        })?;
        let (selection, region) = plan(mapping, key, &meta)?;
        let cells = cells_of(&selection);
        let parts = split(&selection, self.options.cell_limit, Some(region));
        let data_url = format!("{base}/tables/{}/data?{query}", encode(&id));
        progress(&format!(
            "{what}: {cells} cells in {} call{} (at most {} cells each) to {data_url}",
            parts.len(),
            if parts.len() == 1 { "" } else { "s" },
            self.options.cell_limit
        ));
        let mut cubes = Vec::with_capacity(parts.len());
        let mut raw = None;
        for (n, part) in parts.iter().enumerate() {
            if parts.len() > 1 {
                progress(&format!(
                    "  part {} of {}: {} cells",
                    n + 1,
                    parts.len(),
                    cells_of(part)
                ));
            }
            let body = selection_body(part);
            let bytes = self.call(&what, &data_url, Call::Post(&body), progress)?;
            let cube = jsonstat::parse_jsonstat(&data_url, &bytes).map_err(|e| Error::Fetch {
                table: what.clone(),
                url: data_url.clone(),
                message: format!("the answer is not a JSON-stat 2.0 dataset: {e}"),
            })?;
            if cube.cells() != Some(cells_of(part)) {
                return Err(Error::Fetch {
                    table: what.clone(),
                    url: data_url.clone(),
                    message: format!(
                        "asked for {} cells, the answer has {}",
                        cells_of(part),
                        cube.cells()
                            .map_or_else(|| "more".into(), |n| n.to_string())
                    ),
                });
            }
            cubes.push(cube);
            if parts.len() == 1 {
                raw = Some(bytes);
            }
        }
        let name = match &table.file {
            Some(f) if f.to_ascii_lowercase().ends_with(".json") => f.clone(),
            _ => format!("{key}.json"),
        };
        let file = dir.join(name);
        let bytes = match raw {
            Some(bytes) => bytes,
            None => {
                let merged = merge(&data_url, &cubes)?;
                let mut text = serde_json::to_string_pretty(&jsonstat::to_jsonstat(&merged))
                    .map_err(|e| Error::Compute(e.to_string()))?;
                text.push('\n');
                text.into_bytes()
            }
        };
        std::fs::write(&file, bytes).map_err(|e| Error::io(&file, e))?;
        progress(&format!("{what}: wrote {}", file.display()));
        self.report.tables.push(FetchedTable {
            key: key.to_string(),
            id,
            file,
            cells,
            data_calls: parts.len(),
        });
        Ok(())
    }
}

/// The HTTP client of the feature `fetch`: a `ureq` agent (rustls TLS) with a
/// timeout per call, which hands every status back to the fetcher.
#[cfg(feature = "fetch")]
pub struct UreqTransport {
    agent: ureq::Agent,
}

#[cfg(feature = "fetch")]
impl UreqTransport {
    /// The largest answer read (bytes): 100 000 cells with ~6 000 region labels
    /// fit in a few megabytes.
    pub const MAX_BODY: u64 = 256 * 1024 * 1024;

    /// A client whose every call ends within `timeout`.
    pub fn new(timeout: Duration) -> Self {
        let agent = ureq::Agent::config_builder()
            .timeout_global(Some(timeout))
            .http_status_as_error(false)
            .user_agent(concat!("careneed/", env!("CARGO_PKG_VERSION")))
            .build()
            .into();
        UreqTransport { agent }
    }

    fn answer(response: ureq::http::Response<ureq::Body>) -> Result<HttpResponse, String> {
        let status = response.status().as_u16();
        let retry_after = response
            .headers()
            .get("retry-after")
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.trim().parse::<u64>().ok())
            .map(Duration::from_secs);
        let body = response
            .into_body()
            .with_config()
            .limit(Self::MAX_BODY)
            .read_to_vec()
            .map_err(|e| format!("reading the answer: {e}"))?;
        Ok(HttpResponse {
            status,
            retry_after,
            body,
        })
    }
}

#[cfg(feature = "fetch")]
impl Transport for UreqTransport {
    fn get(&mut self, url: &str) -> Result<HttpResponse, String> {
        let response = self
            .agent
            .get(url)
            .header("Accept", "application/json")
            .call()
            .map_err(|e| e.to_string())?;
        Self::answer(response)
    }
    fn post_json(&mut self, url: &str, body: &str) -> Result<HttpResponse, String> {
        let response = self
            .agent
            .post(url)
            .header("Accept", "application/json")
            .header("Content-Type", "application/json")
            .send(body)
            .map_err(|e| e.to_string())?;
        Self::answer(response)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    struct FakeClock {
        now: Duration,
        sleeps: Vec<Duration>,
    }
    impl Clock for FakeClock {
        fn now(&self) -> Duration {
            self.now
        }
        fn sleep(&mut self, d: Duration) {
            self.sleeps.push(d);
            self.now += d;
        }
    }

    #[test]
    fn rate_limiter_keeps_ten_calls_per_ten_seconds() {
        let mut clock = FakeClock {
            now: Duration::ZERO,
            sleeps: Vec::new(),
        };
        let mut limiter = RateLimiter::new(10, Duration::from_secs(10));
        let mut starts = Vec::new();
        for i in 0..25 {
            // Calls come every 0.5 s when not held back.
            if i > 0 {
                clock.now += Duration::from_millis(500);
            }
            limiter.acquire(&mut clock);
            starts.push(clock.now);
        }
        // Every window of 10 s holds at most 10 calls.
        for (i, &t) in starts.iter().enumerate() {
            let inside = starts[i..]
                .iter()
                .filter(|&&u| u < t + Duration::from_secs(10))
                .count();
            assert!(inside <= 10, "{inside} calls from {t:?}: {starts:?}");
        }
        // The first ten at 0, 0.5, …, 4.5 s; the 11th waits for the 1st to leave
        // the window (10 s), then the 12th for the 2nd (10.5 s).
        let ms: Vec<u128> = starts.iter().map(Duration::as_millis).collect();
        assert_eq!(
            &ms[..12],
            [
                0, 500, 1000, 1500, 2000, 2500, 3000, 3500, 4000, 4500, 10000, 10500
            ]
        );
        assert_eq!(ms[20], 20000);
        assert_eq!(clock.sleeps[0], Duration::from_millis(5000));
    }

    #[test]
    fn split_and_merge_give_back_the_cube() {
        let json = r#"{"version":"2.0","class":"dataset","id":["Region","Alder","Kon"],"size":[5,3,2],
          "dimension":{"Region":{"category":{"index":["a","b","c","d","e"]}},
                       "Alder":{"category":{"index":["x","y","z"],"label":{"x":"X år"}}},
                       "Kon":{"category":{"index":["1","2"]}}},
          "value":[1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,null]}"#;
        let cube = jsonstat::parse_jsonstat("t.json", json.as_bytes()).unwrap();
        let selection: Selection = cube
            .dimensions
            .iter()
            .map(|d| {
                (
                    d.code.clone(),
                    d.categories.iter().map(|c| c.code.clone()).collect(),
                )
            })
            .collect();
        for limit in [1, 2, 5, 7, 13, 30, 100] {
            let parts = split(&selection, limit, Some(0));
            assert!(parts.iter().all(|p| cells_of(p) <= limit), "{limit}");
            let answers: Vec<Cube> = parts
                .iter()
                .map(|p| {
                    let pick: Vec<Vec<usize>> = p
                        .iter()
                        .zip(&cube.dimensions)
                        .map(|((_, codes), d)| {
                            codes.iter().map(|c| d.category(c).unwrap()).collect()
                        })
                        .collect();
                    cube.dice(&pick)
                })
                .collect();
            let merged = merge("t.json", &answers).unwrap();
            assert_eq!(merged.dimensions, cube.dimensions, "{limit}");
            assert_eq!(merged.values, cube.values, "{limit}");
            // And through JSON-stat text.
            let text = jsonstat::to_jsonstat(&merged).to_string();
            let back = jsonstat::parse_jsonstat("t.json", text.as_bytes()).unwrap();
            assert_eq!(back.dimensions, cube.dimensions);
            assert_eq!(back.values, cube.values);
        }
        // A part missing or repeated is an error.
        let parts = split(&selection, 6, Some(0));
        let answers: Vec<Cube> = parts
            .iter()
            .map(|p| {
                let pick: Vec<Vec<usize>> = p
                    .iter()
                    .zip(&cube.dimensions)
                    .map(|((_, codes), d)| codes.iter().map(|c| d.category(c).unwrap()).collect())
                    .collect();
                cube.dice(&pick)
            })
            .collect();
        let mut twice = answers.clone();
        twice.push(answers[0].clone());
        assert!(
            merge("t.json", &twice)
                .unwrap_err()
                .to_string()
                .contains("repeats")
        );
    }

    #[test]
    fn metadata_as_pxweb_gives_it() {
        let json = r#"{"version":"2.0","class":"dataset","label":"Folkmängd","source":"SCB",
          "id":["Region","Kon","ContentsCode","Tid"],"size":[2,2,1,2],
          "role":{"time":["Tid"],"metric":["ContentsCode"],"geo":["Region"]},
          "dimension":{
            "Region":{"label":"region","category":{"index":{"00":0,"0114A0010":1},"label":{"00":"Riket","0114A0010":"0114A0010 Upplands Väsby"}},"extension":{"elimination":false}},
            "Kon":{"label":"kön","category":{"index":{"1":0,"2":1},"label":{"1":"män","2":"kvinnor"}},"extension":{"elimination":true}},
            "ContentsCode":{"label":"tabellinnehåll","category":{"index":{"000007Y7":0},"label":{"000007Y7":"Folkmängd"},"unit":{"000007Y7":{"base":"antal","decimals":0}}}},
            "Tid":{"label":"år","category":{"index":{"2022":0,"2023":1}}}},
          "extension":{"px":{"tableid":"TAB6574"}},
          "value":[]}"#;
        let meta = jsonstat::parse_metadata("meta", json.as_bytes()).unwrap();
        assert_eq!(meta.table_id.as_deref(), Some("TAB6574"));
        assert_eq!(meta.dimensions.len(), 4);
        assert_eq!(
            meta.dimensions[0].categories[1].label,
            "0114A0010 Upplands Väsby"
        );
        let not = jsonstat::parse_metadata("meta", b"<html>busy</html>").unwrap_err();
        assert!(not.to_string().contains("not valid JSON"), "{not}");
    }
}
