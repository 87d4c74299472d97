//! What a run read, decided and left out, so that every number is traceable.
//!
//! The library never prints. Instead each stage appends [`Notice`]s to a
//! [`Report`]: an encoding that was guessed, a reference ratio that was
//! computed, an area present in the table but missing from the boundaries.
//! The CLI prints the notices and writes the report next to its outputs.

use crate::error::Location;
use serde::{Deserialize, Serialize};
use std::fmt;

/// How much a notice matters.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Level {
    /// A decision taken on the user's behalf (an encoding, a delimiter, a reference ratio).
    Info,
    /// Something was left out or could not be computed; the output is still complete
    /// for everything else.
    Warning,
}

/// One thing a run wants its user to know.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Notice {
    /// Info or warning.
    pub level: Level,
    /// A short stable key, e.g. `encoding`, `table_only`, `no_population`.
    pub kind: String,
    /// Where it applies.
    pub location: Location,
    /// One sentence.
    pub message: String,
}

impl fmt::Display for Notice {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let level = match self.level {
            Level::Info => "note",
            Level::Warning => "warning",
        };
        write!(f, "{level}: {}: {}", self.location, self.message)
    }
}

/// The notices of one run, in the order they were raised.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Report {
    /// All notices.
    pub notices: Vec<Notice>,
}

impl Report {
    /// Records an informational decision.
    pub fn info(&mut self, kind: &str, location: Location, message: impl Into<String>) {
        self.push(Level::Info, kind, location, message);
    }
    /// Records something left out or not computable.
    pub fn warn(&mut self, kind: &str, location: Location, message: impl Into<String>) {
        self.push(Level::Warning, kind, location, message);
    }
    fn push(&mut self, level: Level, kind: &str, location: Location, message: impl Into<String>) {
        self.notices.push(Notice {
            level,
            kind: kind.to_string(),
            location,
            message: message.into(),
        });
    }
    /// Appends another report's notices.
    pub fn extend(&mut self, other: Report) {
        self.notices.extend(other.notices);
    }
    /// The notices of one kind.
    pub fn of_kind<'a>(&'a self, kind: &'a str) -> impl Iterator<Item = &'a Notice> + 'a {
        self.notices.iter().filter(move |n| n.kind == kind)
    }
    /// The number of warnings.
    pub fn warnings(&self) -> usize {
        self.notices
            .iter()
            .filter(|n| n.level == Level::Warning)
            .count()
    }
}
