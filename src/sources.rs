//! Where every method and parameter comes from: the published [`SOURCES`], and
//! the assumptions where they are silent.
//!
//! Each figure careneed uses carries a [`Basis`]: a source with the place in it
//! and a few words quoted, an assumption (a sentence saying what was assumed),
//! or the scenario key that set it. `run_report.json` and `report.html` list the
//! sources and assumptions a run used ([`Basis::source_ids`]), and every
//! parameter points to one of them ([`Parameter`]).
//!
//! The documents under `shared/sources/` are named by file; published articles
//! and guidance by their citation.
//!
//! ```
//! use careneed::sources::{Basis, source};
//! let b = Basis::cite("goteborg-2022", "“Det här är utökade hembesök Göteborg”", "83 % tackar ja till hembesök (65–98 %)");
//! assert_eq!(b.source_ids(), vec!["goteborg-2022"]);
//! assert!(source("goteborg-2022").unwrap().title.contains("Delrapport 4"));
//! assert!(Basis::assume("90 minutes per visit").is_assumption());
//! ```

use serde::{Deserialize, Serialize};

/// A document a method or parameter comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Source {
    /// Short id, used by every [`Basis::Source`].
    pub id: &'static str,
    /// Author or publisher, title and year.
    pub title: &'static str,
    /// Where to find it: a file in `shared/sources/`, a DOI or a URL.
    pub at: &'static str,
}

/// Every source careneed cites.
pub const SOURCES: &[Source] = &[
    Source {
        id: "fohm-2022",
        title: "Folkhälsomyndigheten and Socialstyrelsen: Lärande exempel från barnhälsovården 2018–2020 (24 learning examples)",
        at: "shared/sources/fohm-socialstyrelsen-learning-examples-child-health-2018-2020.txt",
    },
    Source {
        id: "goteborg-2022",
        title: "Göteborgs Stad and Västra Götalandsregionen: Utökade hembesök Göteborg, Delrapport 4: resultat, implementering och rekommendationer (May 2022)",
        at: "shared/sources/goteborg-extended-home-visits-interim-report-4-2022.txt",
    },
    Source {
        id: "goteborg-article",
        title: "Göteborgs Stad: news article at the start of extended home visits (“Prövas i prioriterade områden”)",
        at: "shared/sources/goteborg-article-extended-home-visits.txt",
    },
    Source {
        id: "gavleborg-interpellation",
        title: "Region Gävleborg: Svar på interpellation – Föräldraskapsstöd i samverkan genom ett utökat hembesöksprogram (Jennie Forsblom, chair of the health and medical care committee)",
        at: "shared/sources/gavleborg-interpellation-answer-extended-home-visits.txt",
    },
    Source {
        id: "gavleborg-motion-2023",
        title: "Region Gävleborg: jämlikhetsmotion 9 (2023) on an extended home-visiting programme",
        at: "shared/sources/gavleborg-motion-2023-extended-home-visits.txt",
    },
    Source {
        id: "scb-cni",
        title: "SCB: Care Need Index (CNI) – beskrivning (the weights and the reference ratio R)",
        at: "www.scb.se (SCB's commissioned CNI delivery; the published example is golden-tested in tests/golden.rs)",
    },
    Source {
        id: "sundquist-2003",
        title: "Sundquist K, Malmström M, Johansson S-E, Sundquist J: Care Need Index, a useful tool for the distribution of primary health care resources. J Epidemiol Community Health 2003;57(5):347–352",
        at: "doi:10.1136/jech.57.5.347 (PMID 12700218)",
    },
    Source {
        id: "jarman-avon",
        title: "Avon public health network (NHS, phnet): Jarman 8 Score, method of calculation (1991 Census variables; ln(V+1) of each percentage, standardised, weighted sum)",
        at: "www.avon.nhs.uk/phnet/Methods/jarman.htm",
    },
    Source {
        id: "norrbotten-bhv-2012",
        title: "Nilsson B, Länsenheten MHV/BHV Kompetenscentrum, Norrbotten: Barnhälsovårdens statistik för Norrbottens län rapporterad jan 2012 (May 2012), slide 2 “Veckoarbetstid för sjuksköterskor och läkare inom BHV i Norrbotten 2011”",
        at: "www.slideserve.com/caroun/barnh-lsov-rdens-statistik-f-r-norrbottens-l-n-rapporterad-jan-2012-powerpoint-ppt-presentation",
    },
    Source {
        id: "scenario",
        title: "The scenario file of the run (a value the user set)",
        at: "the scenario file named in run_report.json",
    },
];

/// The source with id `id`.
pub fn source(id: &str) -> Option<&'static Source> {
    SOURCES.iter().find(|s| s.id == id)
}

/// Where one figure or method comes from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Basis {
    /// A published source: its id in [`SOURCES`], the page or section, and a
    /// few words of it.
    Source {
        /// [`Source::id`].
        source: String,
        /// Page, section or slide.
        at: String,
        /// A few words quoted.
        quote: String,
    },
    /// No source gives it: what was assumed, in one sentence.
    Assumption(String),
    /// Set in the scenario, under this key.
    Scenario(String),
}

impl Basis {
    /// A citation.
    pub fn cite(source: &str, at: &str, quote: &str) -> Self {
        Basis::Source {
            source: source.into(),
            at: at.into(),
            quote: quote.into(),
        }
    }

    /// An assumption.
    pub fn assume(text: impl Into<String>) -> Self {
        Basis::Assumption(text.into())
    }

    /// Whether it is an assumption.
    pub fn is_assumption(&self) -> bool {
        matches!(self, Basis::Assumption(_))
    }

    /// The ids of the sources it points to (the scenario counts as one).
    pub fn source_ids(&self) -> Vec<&str> {
        match self {
            Basis::Source { source, .. } => vec![source.as_str()],
            Basis::Scenario(_) => vec!["scenario"],
            Basis::Assumption(_) => vec![],
        }
    }

    /// One line: `source, at: “quote”`, `assumption: …` or `scenario: key`.
    pub fn describe(&self) -> String {
        match self {
            Basis::Source { source, at, quote } => format!("{source}, {at}: “{quote}”"),
            Basis::Assumption(t) => format!("assumption: {t}"),
            Basis::Scenario(k) => format!("set in the scenario ({k})"),
        }
    }
}

/// A named figure or method of a run, its value in words, and its basis.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Parameter {
    /// Dotted name, e.g. `plan.programme.acceptance`.
    pub name: String,
    /// The value as shown (numbers, lists or a rule in words).
    pub value: String,
    /// Where it comes from.
    pub basis: Basis,
}

impl Parameter {
    /// A parameter.
    pub fn new(name: impl Into<String>, value: impl ToString, basis: Basis) -> Self {
        Parameter {
            name: name.into(),
            value: value.to_string(),
            basis,
        }
    }
}

/// The sources and the assumptions `parameters` point to, each once, in first-use
/// order: what `run_report.json` and `report.html` list.
pub fn used(parameters: &[Parameter]) -> (Vec<&'static Source>, Vec<String>) {
    let mut sources: Vec<&'static Source> = Vec::new();
    let mut assumptions: Vec<String> = Vec::new();
    for p in parameters {
        for id in p.basis.source_ids() {
            if let Some(s) = source(id)
                && !sources.iter().any(|x| x.id == s.id)
            {
                sources.push(s);
            }
        }
        if let Basis::Assumption(t) = &p.basis
            && !assumptions.contains(t)
        {
            assumptions.push(t.clone());
        }
    }
    (sources, assumptions)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_unique_and_shared_files_exist_when_shared_is_there() {
        let mut ids: Vec<&str> = SOURCES.iter().map(|s| s.id).collect();
        ids.sort();
        ids.dedup();
        assert_eq!(ids.len(), SOURCES.len());
        let shared = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared");
        if !shared.is_dir() {
            eprintln!("skipped: ../shared is absent, source files not checked");
            return;
        }
        for s in SOURCES {
            if let Some(rel) = s.at.strip_prefix("shared/") {
                assert!(shared.join(rel).is_file(), "{} is missing", s.at);
            }
        }
    }

    #[test]
    fn used_lists_each_source_and_assumption_once() {
        let ps = vec![
            Parameter::new("a", 1, Basis::cite("fohm-2022", "p. 12", "x")),
            Parameter::new("b", 2, Basis::assume("y")),
            Parameter::new("c", 3, Basis::cite("fohm-2022", "p. 13", "z")),
            Parameter::new("d", 4, Basis::assume("y")),
            Parameter::new("e", 5, Basis::Scenario("plan.acceptance".into())),
        ];
        let (s, a) = used(&ps);
        assert_eq!(
            s.iter().map(|s| s.id).collect::<Vec<_>>(),
            ["fohm-2022", "scenario"]
        );
        assert_eq!(a, ["y"]);
    }
}
