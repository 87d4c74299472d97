//! JSON-stat 2.0 datasets, as specified at <https://json-stat.org/format/>
//! (what SCB's PxWeb API v2 returns with `outputFormat=json-stat2`).
//!
//! # Rules
//! * The file holds a dataset (`"class": "dataset"`) with `id` (the dimensions, in
//!   the values' order), `size` (their sizes) and `dimension`; or a JSON-stat 1.x
//!   bundle holding one dataset (`{"dataset": {…}}`, with `dimension.id` and
//!   `dimension.size`). A collection, or a bundle of several datasets, is refused.
//! * Each dimension's `category.index` is an array of codes or an object
//!   `{code: position}`; without `index`, `category.label` must hold the one
//!   category. Labels default to codes. The number of categories must equal the
//!   dimension's `size`.
//! * `value` is an array (row-major, the last dimension fastest) whose length must be
//!   the product of the sizes, or an object `{"index": value}` (sparse; absent cells
//!   are missing). A count that does not match is an error naming the file, the
//!   field `value` and the sizes: never a silently short table.
//! * `null` and any cell whose `status` is `..` (or another run of dots, or `-`) are
//!   missing (`None`).
//!
//! ```
//! use careneed::inputs::statdb::jsonstat::parse_jsonstat;
//! let bad = br#"{"version":"2.0","class":"dataset","id":["Region","Alder"],"size":[2,2],
//!   "dimension":{"Region":{"category":{"index":["2180C1010","2180C1020"]}},
//!                "Alder":{"category":{"index":{"-4":0,"5-9":1}}}},
//!   "value":[1,2,3]}"#;
//! let err = parse_jsonstat("pop.json", bad).unwrap_err().to_string();
//! assert!(err.contains("pop.json") && err.contains("2 × 2 = 4"), "{err}");
//! ```

use super::{Category, Cube, Dimension, Format, check_shape, is_missing_marker};
use crate::error::{Error, Location, Problem, excerpt};
use serde_json::{Map, Value};

fn invalid(source: &str, field: &str, message: impl Into<String>) -> Error {
    Error::input(
        Location::file(source).with_field(field),
        Problem::Invalid(message.into()),
    )
}

/// JSON text (a UTF-8 byte-order mark is skipped), or an error at its line.
fn parse_json(source: &str, bytes: &[u8]) -> crate::Result<Value> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    serde_json::from_slice(bytes).map_err(|e| {
        Error::input(
            Location::file(source).at_line(e.line() as u64),
            Problem::Invalid(format!("not valid JSON: {e}")),
        )
    })
}

/// Parses a JSON-stat 2.0 dataset (see the module docs). `source` names the file in errors.
pub fn parse_jsonstat(source: &str, bytes: &[u8]) -> crate::Result<Cube> {
    let root = parse_json(source, bytes)?;
    let Some(obj) = root.as_object() else {
        return Err(invalid(
            source,
            "class",
            "not a JSON-stat dataset (not a JSON object)",
        ));
    };
    match obj.get("class").and_then(Value::as_str) {
        Some("dataset") => dataset(source, obj, false),
        Some(other) => Err(invalid(
            source,
            "class",
            format!("JSON-stat class {other:?}; careneed reads one dataset (class \"dataset\")"),
        )),
        None => {
            // JSON-stat 1.x: a bundle of named datasets.
            let datasets: Vec<&Map<String, Value>> =
                obj.values().filter_map(Value::as_object).collect();
            match datasets.as_slice() {
                [one] if one.contains_key("dimension") && one.contains_key("value") => {
                    dataset(source, one, true)
                }
                _ => Err(invalid(
                    source,
                    "class",
                    "not a JSON-stat dataset: no \"class\": \"dataset\" (save the table as \"JSON-stat 2\" in Statistikdatabasen)",
                )),
            }
        }
    }
}

/// The dimensions of a dataset and their sizes (the `size` field).
fn read_dimensions(
    source: &str,
    obj: &Map<String, Value>,
    v1: bool,
) -> crate::Result<(Vec<Dimension>, Vec<usize>)> {
    let dims = obj
        .get("dimension")
        .and_then(Value::as_object)
        .ok_or_else(|| {
            invalid(
                source,
                "dimension",
                "the dataset has no \"dimension\" object",
            )
        })?;
    let (ids, sizes) = if v1 {
        (dims.get("id"), dims.get("size"))
    } else {
        (obj.get("id"), obj.get("size"))
    };
    let ids: Vec<String> = ids
        .and_then(Value::as_array)
        .and_then(|a| a.iter().map(|v| v.as_str().map(str::to_string)).collect())
        .ok_or_else(|| invalid(source, "id", "\"id\" must be an array of dimension names"))?;
    let sizes: Vec<usize> = sizes
        .and_then(Value::as_array)
        .and_then(|a| {
            a.iter()
                .map(|v| v.as_u64().and_then(|n| usize::try_from(n).ok()))
                .collect()
        })
        .ok_or_else(|| invalid(source, "size", "\"size\" must be an array of whole numbers"))?;
    if ids.len() != sizes.len() {
        return Err(invalid(
            source,
            "size",
            format!(
                "\"id\" names {} dimensions but \"size\" has {} sizes",
                ids.len(),
                sizes.len()
            ),
        ));
    }
    let mut dimensions = Vec::with_capacity(ids.len());
    for (id, &size) in ids.iter().zip(&sizes) {
        let field = format!("dimension.{id}");
        let d = dims.get(id).and_then(Value::as_object).ok_or_else(|| {
            invalid(
                source,
                &field,
                format!("dimension {id:?} is listed in \"id\" but not described"),
            )
        })?;
        let dimension = read_dimension(source, &field, id, d)?;
        if dimension.categories.len() != size {
            return Err(invalid(
                source,
                &field,
                format!(
                    "dimension {id:?} has {} categories but \"size\" says {size}",
                    dimension.categories.len()
                ),
            ));
        }
        dimensions.push(dimension);
    }
    Ok((dimensions, sizes))
}

fn dataset(source: &str, obj: &Map<String, Value>, v1: bool) -> crate::Result<Cube> {
    let (dimensions, sizes) = read_dimensions(source, obj, v1)?;
    let value = obj
        .get("value")
        .ok_or_else(|| invalid(source, "value", "the dataset has no \"value\""))?;
    let total = super::cell_count(sizes.iter().copied());
    let mut values = match value {
        Value::Array(a) => {
            check_shape(
                Location::file(source).with_field("value"),
                "values",
                &sizes,
                a.len(),
            )?;
            a.iter()
                .enumerate()
                .map(|(i, v)| number(source, i, v))
                .collect::<crate::Result<Vec<_>>>()?
        }
        Value::Object(map) => {
            let total = total.ok_or_else(|| {
                invalid(
                    source,
                    "size",
                    format!("the sizes {} overflow", super::sizes_text(&sizes)),
                )
            })?;
            let mut values = vec![None; total];
            for (key, v) in map {
                let i = key
                    .parse::<usize>()
                    .ok()
                    .filter(|&i| i < total)
                    .ok_or_else(|| {
                        invalid(
                            source,
                            "value",
                            format!(
                                "value index {:?} is not a cell of the dimensions' sizes {}",
                                excerpt(key),
                                super::sizes_text(&sizes)
                            ),
                        )
                    })?;
                values[i] = number(source, i, v)?;
            }
            values
        }
        _ => {
            return Err(invalid(
                source,
                "value",
                "\"value\" must be an array or an object",
            ));
        }
    };

    // Status: a string for every cell, an array, or an object {index: status}.
    let mut suppress = |i: usize, status: &Value| {
        if status.as_str().is_some_and(is_missing_marker)
            && let Some(v) = values.get_mut(i)
        {
            *v = None;
        }
    };
    match obj.get("status") {
        Some(s @ Value::String(_)) => {
            for i in 0..total.unwrap_or(0) {
                suppress(i, s);
            }
        }
        Some(Value::Array(a)) => a.iter().enumerate().for_each(|(i, s)| suppress(i, s)),
        Some(Value::Object(m)) => {
            for (k, s) in m {
                if let Ok(i) = k.parse::<usize>() {
                    suppress(i, s);
                }
            }
        }
        _ => {}
    }

    Ok(Cube {
        source: source.to_string(),
        format: Format::JsonStat,
        table_id: table_id(obj),
        title: obj.get("label").and_then(Value::as_str).map(str::to_string),
        dimensions,
        values: std::mem::take(&mut values),
    })
}

fn table_id(obj: &Map<String, Value>) -> Option<String> {
    obj.get("extension")
        .and_then(|e| e.pointer("/px/tableid"))
        .and_then(Value::as_str)
        .map(str::to_string)
}

/// A table's metadata: its dimensions with every category, without values.
#[derive(Debug, Clone, PartialEq)]
pub struct Metadata {
    /// The dimensions, in the table's order.
    pub dimensions: Vec<Dimension>,
    /// `extension.px.tableid`, when stated.
    pub table_id: Option<String>,
    /// The table's `label`.
    pub title: Option<String>,
}

/// Parses the JSON-stat 2.0 metadata of a table, as the PxWeb API v2 endpoint
/// `tables/{id}/metadata` returns it: a dataset whose `value` is empty or absent.
/// The dimensions are read by the rules of [`parse_jsonstat`]; `source` names the
/// answer in errors.
///
/// ```
/// use careneed::inputs::statdb::jsonstat::parse_metadata;
/// let json = br#"{"version":"2.0","class":"dataset","id":["Region","Tid"],"size":[2,3],
///   "dimension":{"Region":{"category":{"index":{"2180C1010":0,"2180C1020":1}},
///                          "extension":{"elimination":false}},
///                "Tid":{"category":{"index":["2021","2022","2023"]}}},
///   "value":[]}"#;
/// let meta = parse_metadata("TAB1/metadata", json).unwrap();
/// assert_eq!(meta.dimensions[1].categories.len(), 3);
/// ```
pub fn parse_metadata(source: &str, bytes: &[u8]) -> crate::Result<Metadata> {
    let root = parse_json(source, bytes)?;
    let obj = root
        .as_object()
        .filter(|o| o.get("class").and_then(Value::as_str) == Some("dataset"))
        .ok_or_else(|| {
            invalid(
                source,
                "class",
                "not JSON-stat 2.0 table metadata (no \"class\": \"dataset\")",
            )
        })?;
    let (dimensions, _) = read_dimensions(source, obj, false)?;
    Ok(Metadata {
        dimensions,
        table_id: table_id(obj),
        title: obj.get("label").and_then(Value::as_str).map(str::to_string),
    })
}

/// Writes a cube as a JSON-stat 2.0 dataset that [`parse_jsonstat`] reads back to
/// the same dimensions, categories (codes and labels) and values; a missing value
/// is `null`. The title becomes `label`, the table id `extension.px.tableid`.
pub fn to_jsonstat(cube: &Cube) -> Value {
    let mut dimension = Map::new();
    for d in &cube.dimensions {
        let index: Vec<Value> = d
            .categories
            .iter()
            .map(|c| Value::String(c.code.clone()))
            .collect();
        let labels: Map<String, Value> = d
            .categories
            .iter()
            .map(|c| (c.code.clone(), Value::String(c.label.clone())))
            .collect();
        dimension.insert(
            d.code.clone(),
            serde_json::json!({
                "label": d.label,
                "category": { "index": index, "label": labels },
            }),
        );
    }
    let values: Vec<Value> = cube
        .values
        .iter()
        .map(|v| {
            v.and_then(serde_json::Number::from_f64)
                .map_or(Value::Null, Value::Number)
        })
        .collect();
    let mut out = serde_json::json!({
        "version": "2.0",
        "class": "dataset",
        "id": cube.dimensions.iter().map(|d| d.code.clone()).collect::<Vec<_>>(),
        "size": cube.dimensions.iter().map(|d| d.categories.len()).collect::<Vec<_>>(),
        "dimension": dimension,
        "value": values,
    });
    if let Some(title) = &cube.title {
        out["label"] = Value::String(title.clone());
    }
    if let Some(id) = &cube.table_id {
        out["extension"] = serde_json::json!({ "px": { "tableid": id } });
    }
    out
}

fn number(source: &str, i: usize, v: &Value) -> crate::Result<Option<f64>> {
    match v {
        Value::Null => Ok(None),
        Value::Number(n) => Ok(n.as_f64().filter(|x| x.is_finite())),
        Value::String(s) if is_missing_marker(s) => Ok(None),
        Value::String(s) => super::parse_number(s, false).map(Some).ok_or_else(|| {
            invalid(
                source,
                "value",
                format!("value {i}, {:?}, is not a number", excerpt(s)),
            )
        }),
        other => Err(invalid(
            source,
            "value",
            format!(
                "value {i}, {}, is not a number",
                excerpt(&other.to_string())
            ),
        )),
    }
}

fn read_dimension(
    source: &str,
    field: &str,
    id: &str,
    d: &Map<String, Value>,
) -> crate::Result<Dimension> {
    let label = d
        .get("label")
        .and_then(Value::as_str)
        .unwrap_or(id)
        .to_string();
    let category = d
        .get("category")
        .and_then(Value::as_object)
        .ok_or_else(|| {
            invalid(
                source,
                field,
                format!("dimension {id:?} has no \"category\""),
            )
        })?;
    let labels = category.get("label").and_then(Value::as_object);
    let codes: Vec<String> = match category.get("index") {
        Some(Value::Array(a)) => a
            .iter()
            .map(|v| v.as_str().map(str::to_string))
            .collect::<Option<Vec<_>>>()
            .ok_or_else(|| invalid(source, field, "category.index must hold strings"))?,
        Some(Value::Object(m)) => {
            let mut codes = vec![None; m.len()];
            for (code, pos) in m {
                let p = pos
                    .as_u64()
                    .and_then(|p| usize::try_from(p).ok())
                    .filter(|&p| p < m.len())
                    .ok_or_else(|| {
                        invalid(
                            source,
                            field,
                            format!(
                                "category {code:?} has position {pos}, outside 0..{}",
                                m.len()
                            ),
                        )
                    })?;
                if codes[p].replace(code.clone()).is_some() {
                    return Err(invalid(
                        source,
                        field,
                        format!("two categories share position {pos}"),
                    ));
                }
            }
            codes.into_iter().flatten().collect()
        }
        None => match labels {
            Some(l) if l.len() == 1 => l.keys().cloned().collect(),
            _ => {
                return Err(invalid(
                    source,
                    field,
                    "category.index is required unless category.label holds exactly one category",
                ));
            }
        },
        Some(_) => {
            return Err(invalid(
                source,
                field,
                "category.index must be an array or an object",
            ));
        }
    };
    let categories = codes
        .into_iter()
        .map(|code| Category {
            label: labels
                .and_then(|l| l.get(&code))
                .and_then(Value::as_str)
                .unwrap_or(&code)
                .to_string(),
            code,
        })
        .collect();
    Ok(Dimension {
        code: id.to_string(),
        label,
        categories,
    })
}
