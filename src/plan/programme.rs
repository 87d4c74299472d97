//! The programme: who is eligible, how many visits a family gets, and the staff
//! that takes, each figure with its source ([`Programme::basis`]).
//!
//! **Presets** follow their sources (see [`Programme::preset`]): Rinkeby
//! (FoHM/Socialstyrelsen 2022, p. 13), Göteborg (Delrapport 4, 2022), Växa
//! tryggt (p. 15), Örebro (p. 12) and Torvalla (p. 14). What a source does not
//! give (Örebro's "majority" of visits with a family supporter, every
//! acceptance but Göteborg's and Örebro's, minutes per visit, salaries) is an
//! assumption and labelled so.
//!
//! **Eligible families per area per year** follow the programme's rule
//! ([`Eligible`]). From a births table (`code, births, first_births,
//! first_in_sweden`):
//!
//! ```text
//! first-time parents + first child in Sweden   eligible = first_births + first_in_sweden   (Rinkeby, Göteborg)
//! first-time mothers                           eligible = first_births                     (Växa tryggt)
//! all families / all newborns at the BVC       eligible = births                           (Örebro, Torvalla)
//! ```
//!
//! where `first_in_sweden` counts births that are *not* a first child but the
//! family's first child born in Sweden. Without a births table, or for an area
//! missing from it, births are estimated as one yearly cohort of the
//! under-fives, and for the first-child rules a first-born share is applied
//! (`under5 / 5 × 0.42`), an assumption every output states.
//!
//! **Visits and staff.** A share `acceptance` of eligible families accept.
//! Accepting families do not all complete: the [`Completion`] profile
//! (Göteborg: 2 227 visits made in 564 families of a 6-visit programme, 180 of
//! them completed all six) gives the share of planned visits made,
//! `2227 / (564 × 6) = 0.658`; that every programme's families make that share
//! is an assumption. The basic child health programme already includes home
//! visits by the BVC nurse (Region Gävleborg: at the newborn stage and at 8
//! months), so the nurse's visits are counted beyond those
//! ([`Programme::basic_home_visits`]). In steady state (one yearly cohort in,
//! one out) per year:
//!
//! ```text
//! accepting    = eligible × acceptance
//! visits       = accepting × visits × visit_share                       (gross)
//! extra_visits = accepting × (visits − basic_home_visits) × visit_share
//! hours_p      = accepting × extra_attends_p × visit_share × (minutes_per_visit + travel_minutes) / 60
//!                extra_attends_p = attends_p − basic_home_visits for the nurse, attends_p for the others
//! fte_p        = hours_p / hours_per_fte                                (1 600 h a year)
//! cost         = Σ_p fte_p × salary_p,  split by employer (region | municipality)
//! ```
//!
//! ```
//! use careneed::plan::programme::{Employer, Programme};
//! let p = Programme::preset("rinkeby").unwrap();
//! // 100 eligible families: 83 accept, each receives 6 × 2227/3384 visits.
//! let r = p.resources(100.0);
//! assert!((r.visits - 327.732).abs() < 0.001);
//! // The nurse makes 4 of the 6 beyond the basic programme's 2; the parent
//! // supporter all 6; 90 + 30 minutes each, 1 600 h a year.
//! assert!((r.fte["nurse"] - 0.27311).abs() < 1e-5);
//! assert!((r.fte_total - 0.68278).abs() < 1e-5);
//! assert!((r.by_employer[&Employer::Municipality].fte - r.fte["parent_supporter"]).abs() < 1e-12);
//! ```

use crate::sources::{Basis, Parameter};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// The preset names, in the order the docs list them.
pub const PRESETS: [&str; 5] = ["rinkeby", "goteborg", "vaxa-tryggt", "orebro", "torvalla"];

/// Default acceptance (Göteborg 2019–21), used by every preset whose source
/// gives none.
pub const DEFAULT_ACCEPTANCE: f64 = 0.83;
/// The range of acceptance Göteborg reports across its areas.
pub const GOTEBORG_ACCEPTANCE_RANGE: (f64, f64) = (0.65, 0.98);

/// Home visits of the basic child health programme, made whatever the extended
/// programme: the newborn visit and the visit at 8 months in Region Gävleborg.
pub const DEFAULT_BASIC_HOME_VISITS: f64 = 2.0;

/// Default salaries, SEK per FTE-year with overheads, of every profession a
/// preset uses (and a librarian, whom Torvalla planned). **Illustrative, an
/// assumption: no source gives them.** A scenario's `[plan.salaries]` replaces
/// any of them; every plan that uses one says so among its assumptions
/// ([`salary_assumption`]).
pub const ILLUSTRATIVE_SALARIES: [(&str, f64); 5] = [
    ("nurse", 720_000.0),
    ("parent_supporter", 560_000.0),
    ("midwife", 760_000.0),
    ("dental_nurse", 520_000.0),
    ("librarian", 500_000.0),
];

/// The assumption line naming the illustrative default salaries still in use
/// (those of `staff` not in `given`), `None` when every salary was given.
pub fn salary_assumption<'a>(
    staff: impl IntoIterator<Item = &'a String>,
    given: &BTreeMap<String, f64>,
) -> Option<String> {
    let defaults: Vec<String> = staff
        .into_iter()
        .filter(|p| !given.contains_key(*p))
        .filter_map(|p| {
            ILLUSTRATIVE_SALARIES
                .iter()
                .find(|(name, _)| name == p)
                .map(|(name, sek)| format!("{name} {sek:.0}"))
        })
        .collect();
    (!defaults.is_empty()).then(|| {
        format!(
            "{SALARY_ASSUMPTION}: {} SEK per FTE-year with overheads (no source; set [plan.salaries])",
            defaults.join(", ")
        )
    })
}

/// The start of the salary assumption line (see [`salary_assumption`]).
pub const SALARY_ASSUMPTION: &str = "illustrative default salaries";
/// Default share of births that are a first child (used only without a births table).
pub const DEFAULT_FIRST_BORN_SHARE: f64 = 0.42;

/// Who a programme is offered to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Eligible {
    /// First-time parents, plus parents having their first child in Sweden
    /// after earlier children abroad (Rinkeby, Göteborg):
    /// `first_births + first_in_sweden`.
    FirstTimeOrFirstInSweden,
    /// First-time mothers (förstföderskor; Växa tryggt): `first_births`.
    FirstTimeMothers,
    /// Every family at the BVC with a newborn (Örebro): `births`.
    AllFamilies,
    /// Every newborn registered at the BVC (Torvalla): `births`.
    AllNewborns,
}

impl Eligible {
    /// The rule in words.
    pub fn describe(self) -> &'static str {
        match self {
            Eligible::FirstTimeOrFirstInSweden => {
                "first-time parents, plus parents having their first child in Sweden (first_births + first_in_sweden)"
            }
            Eligible::FirstTimeMothers => "first-time mothers (first_births)",
            Eligible::AllFamilies => "all families with a newborn at the BVC (births)",
            Eligible::AllNewborns => "all newborns registered at the BVC (births)",
        }
    }

    /// Whether only first children count (the first-born share applies when births are estimated).
    pub fn first_only(self) -> bool {
        matches!(
            self,
            Eligible::FirstTimeOrFirstInSweden | Eligible::FirstTimeMothers
        )
    }
}

/// Who employs (and pays) a profession.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Employer {
    /// The region: child and maternal health care, public dental care.
    Region,
    /// The municipality: social services, libraries.
    Municipality,
}

impl Employer {
    /// `region` or `municipality`.
    pub fn as_str(self) -> &'static str {
        match self {
            Employer::Region => "region",
            Employer::Municipality => "municipality",
        }
    }
}

/// The default employer of a known profession, with its basis; `None` for a
/// profession careneed does not know (the scenario must then say, in
/// `[plan.employers]`).
pub fn default_employer(profession: &str) -> Option<(Employer, Basis)> {
    let pilot = || {
        Basis::cite(
            "gavleborg-interpellation",
            "answer, paragraph 3",
            "BVC-sköterska och familjebehandlare från socialtjänsten samverkar och gör gemensamma hembesök",
        )
    };
    Some(match profession {
        "nurse" => (Employer::Region, pilot()),
        "parent_supporter" | "family_worker" => (Employer::Municipality, pilot()),
        "midwife" => (
            Employer::Region,
            Basis::assume(
                "the midwife comes from maternal health care (mödrahälsovården), which the region runs",
            ),
        ),
        "dental_nurse" => (
            Employer::Region,
            Basis::assume(
                "dental staff come from the region's public dental care (Folktandvården)",
            ),
        ),
        "librarian" => (
            Employer::Municipality,
            Basis::assume("the librarian comes from the municipal public library"),
        ),
        _ => return None,
    })
}

/// One visit of a programme's schedule, as its source describes it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Visit {
    /// The child's age in the source's words (`1–2 weeks`, `4 months`).
    pub age: String,
    /// The same in months.
    pub month: f64,
    /// The professions present.
    pub staff: Vec<String>,
}

/// How completely accepting families receive the programme.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Completion {
    /// Visits made in the observed programme.
    pub visits: f64,
    /// Families that accepted.
    pub families: f64,
    /// Families that received every planned visit.
    pub completed_all: f64,
    /// Planned visits of the observed programme.
    pub programme_visits: f64,
}

impl Completion {
    /// Göteborg 2019–21: 2 227 visits in 564 families of a 6-visit programme,
    /// 180 completed all six.
    pub fn goteborg() -> Self {
        Completion {
            visits: 2227.0,
            families: 564.0,
            completed_all: 180.0,
            programme_visits: 6.0,
        }
    }

    /// The share of planned visits made: `visits / (families × programme_visits)`.
    pub fn visit_share(&self) -> f64 {
        self.visits / (self.families * self.programme_visits)
    }

    /// The share of families that completed every visit.
    pub fn completed_share(&self) -> f64 {
        self.completed_all / self.families
    }
}

/// A home-visiting programme and the figures that turn families into staff.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Programme {
    /// The preset it started from (or `custom`).
    pub preset: String,
    /// Who it is offered to.
    pub eligible: Eligible,
    /// Planned visits per family.
    pub visits: f64,
    /// Child's age in months at each visit, when the source gives them.
    pub months: Vec<f64>,
    /// The visits as the source describes them (empty when it gives no schedule).
    pub schedule: Vec<Visit>,
    /// Per profession, the number of the planned visits it attends.
    pub staff: BTreeMap<String, f64>,
    /// Per profession, who employs it.
    pub employers: BTreeMap<String, Employer>,
    /// Home visits of the basic programme a family gets anyway (by the BVC
    /// nurse); subtracted from the nurse's visits.
    pub basic_home_visits: f64,
    /// Minutes per visit in the home (each profession present).
    pub minutes_per_visit: f64,
    /// Travel minutes per visit (each profession present).
    pub travel_minutes: f64,
    /// Working hours a year of one full-time employee.
    pub hours_per_fte: f64,
    /// Share of eligible families that accept.
    pub acceptance: f64,
    /// The range of acceptance the source reports, when it does.
    pub acceptance_range: Option<(f64, f64)>,
    /// The completion profile.
    pub completion: Completion,
    /// SEK per FTE-year per profession (salary with overheads); empty = no cost.
    pub salaries: BTreeMap<String, f64>,
    /// Where each figure comes from, by parameter name (`eligible`, `visits`,
    /// `months`, `staff.nurse`, `employer.nurse`, `acceptance`, `completion`,
    /// `basic_home_visits`, `minutes_per_visit`, `travel_minutes`,
    /// `hours_per_fte`, `salary.nurse`, …).
    pub basis: BTreeMap<String, Basis>,
}

/// One employer's share of a programme's staff.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct EmployerShare {
    /// Staff hours a year.
    pub hours: f64,
    /// Full-time equivalents.
    pub fte: f64,
    /// SEK a year, when every profession of the employer has a salary.
    pub cost_sek: Option<f64>,
}

/// Visits, hours, FTE and cost for a number of eligible families.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Resources {
    /// Eligible families a year.
    pub eligible_families: f64,
    /// `eligible × acceptance`.
    pub accepting_families: f64,
    /// Visits a year, the basic programme's included (gross).
    pub visits: f64,
    /// Visits a year beyond the basic programme's home visits (extra).
    pub extra_visits: f64,
    /// Extra staff hours a year per profession.
    pub hours: BTreeMap<String, f64>,
    /// Extra FTE per profession.
    pub fte: BTreeMap<String, f64>,
    /// Σ extra FTE.
    pub fte_total: f64,
    /// Extra hours, FTE and SEK per employer.
    pub by_employer: BTreeMap<Employer, EmployerShare>,
    /// SEK a year, when every profession has a salary.
    pub cost_sek: Option<f64>,
}

fn staff(pairs: &[(&str, f64)]) -> BTreeMap<String, f64> {
    pairs.iter().map(|&(k, v)| (k.to_string(), v)).collect()
}

fn visit(age: &str, month: f64, staff: &[&str]) -> Visit {
    Visit {
        age: age.into(),
        month,
        staff: staff.iter().map(|s| s.to_string()).collect(),
    }
}

/// The learning examples' page of each programme (table of contents).
fn fohm(page: &str, quote: &str) -> Basis {
    Basis::cite("fohm-2022", page, quote)
}

impl Programme {
    /// A preset by name ([`PRESETS`]); `None` for an unknown name. Each figure
    /// comes from the programme's source, quoted in [`Programme::basis`]; what
    /// the source does not give is an assumption, labelled there.
    ///
    /// | preset | source | eligible | visits (age) | staff | acceptance |
    /// |---|---|---|---|---|---|
    /// | `rinkeby` | FoHM/Socialstyrelsen 2022, p. 13 (Region Stockholm) | first-time parents + first child in Sweden | 6 in the first 15 months | nurse + parent supporter (social services) at every visit | assumed, taken from Göteborg |
    /// | `goteborg` | Göteborg Delrapport 4 (2022); Göteborg article | first-time parents + first child in Sweden | 6, 0–15 months | nurse + parent supporter (social services) | 0.83 (0.65–0.98) |
    /// | `vaxa-tryggt` | FoHM/Socialstyrelsen 2022, p. 15 (Region Skåne) | first-time mothers | 1–2 w, 3 w, 4, 8, 10, 15 months | nurse at all; midwife at 1–2 w; parent supporter at 3 w, 4, 10, 15 m; dental nurse at 8 m | assumed, taken from Göteborg |
    /// | `orebro` | FoHM/Socialstyrelsen 2022, p. 12 (Region Örebro) | all families at the BVC | 5 in the first 15 months | nurse at all; family supporter at "the majority" (assumed 3 of 5) | 1.0: none has declined |
    /// | `torvalla` | FoHM/Socialstyrelsen 2022, p. 14 (Region Jämtland Härjedalen) | all newborns at the BVC | ~2 w, 2, 8, 15 months | nurse at all; midwife at the first; no social services | assumed, taken from Göteborg |
    ///
    /// Common to all: the basic programme's 2 home visits (newborn, 8 months;
    /// Region Gävleborg) are subtracted from the nurse's; the Göteborg
    /// completion profile; and, as assumptions, 90 minutes a visit, 30 travel
    /// minutes, 1 600 working hours per FTE-year and illustrative salaries.
    pub fn preset(name: &str) -> Option<Programme> {
        let both = |v: f64| staff(&[("nurse", v), ("parent_supporter", v)]);
        let goteborg_acceptance = || {
            Basis::assume(format!(
                "acceptance taken from Göteborg ({DEFAULT_ACCEPTANCE}, range {}–{}; goteborg-2022): the programme's source reports none",
                GOTEBORG_ACCEPTANCE_RANGE.0, GOTEBORG_ACCEPTANCE_RANGE.1
            ))
        };
        let mut basis: BTreeMap<String, Basis> = BTreeMap::new();
        let mut put = |k: &str, b: Basis| {
            basis.insert(k.to_string(), b);
        };
        let (eligible, visits, schedule, staff, acceptance, range) = match name {
            "rinkeby" => {
                let p =
                    "p. 13, “Utökat hembesöksprogram enligt Rinkebymodellen” (Region Stockholm)";
                put(
                    "eligible",
                    fohm(
                        p,
                        "förstagångsföräldrar och deras barn, och till familjer där mamman tidigare fött barn utomlands, men som nu för första gången föder ett barn i Sverige",
                    ),
                );
                put(
                    "visits",
                    fohm(
                        p,
                        "gör tillsammans sex hembesök, under barnets första 15 månader",
                    ),
                );
                put(
                    "staff",
                    fohm(
                        p,
                        "En BHV-sjuksköterska och en föräldrarådgivare eller föräldraskapsstödjare vid socialtjänstens förebyggande föräldraskapsstöd gör tillsammans sex hembesök",
                    ),
                );
                put("acceptance", goteborg_acceptance());
                (
                    Eligible::FirstTimeOrFirstInSweden,
                    6.0,
                    vec![],
                    both(6.0),
                    DEFAULT_ACCEPTANCE,
                    Some(GOTEBORG_ACCEPTANCE_RANGE),
                )
            }
            "goteborg" => {
                let p = "slide “Det här är utökade hembesök Göteborg”";
                put(
                    "eligible",
                    Basis::cite(
                        "goteborg-2022",
                        p,
                        "ALLA föräldrar som får sitt första barn eller första barn i Sverige",
                    ),
                );
                put(
                    "visits",
                    Basis::cite("goteborg-2022", p, "6 besök till barn 0–15 mån"),
                );
                put(
                    "staff",
                    Basis::cite(
                        "goteborg-article",
                        "paragraph 2",
                        "Familjerna får besök av både en sköterska från BVC och en föräldrarstödjare från socialtjänsten",
                    ),
                );
                put(
                    "acceptance",
                    Basis::cite(
                        "goteborg-2022",
                        "slide “I vilken utsträckning vi når målgruppen”",
                        "83 % tackar ja till hembesök (65–98 %)",
                    ),
                );
                (
                    Eligible::FirstTimeOrFirstInSweden,
                    6.0,
                    vec![],
                    both(6.0),
                    DEFAULT_ACCEPTANCE,
                    Some(GOTEBORG_ACCEPTANCE_RANGE),
                )
            }
            "vaxa-tryggt" => {
                let p = "p. 15, “Växa tryggt” (Region Skåne)";
                put("eligible", fohm(p, "Insatsen riktas till förstföderskor"));
                put(
                    "visits",
                    fohm(
                        p,
                        "ett förstärkt och tidigt stöd till barn och föräldrar genom sex hembesök",
                    ),
                );
                put(
                    "months",
                    fohm(
                        p,
                        "när barnet är 1–2 veckor gammalt … när barnet är 3 veckor, 4 månader, 10 månader och 15 månader … när barnet är 8 månader",
                    ),
                );
                put(
                    "staff",
                    fohm(
                        p,
                        "BHV-sjuksköterskan deltar vid varje hembesök. Vid det första hembesöket … deltar även barnmorskan … En föräldrastödjare från socialtjänsten deltar vid besöken när barnet är 3 veckor, 4 månader, 10 månader och 15 månader. Tandsköterska eller tandhygienist från tandvården deltar vid besöket när barnet är 8 månader",
                    ),
                );
                put("acceptance", goteborg_acceptance());
                (
                    Eligible::FirstTimeMothers,
                    6.0,
                    vec![
                        visit("1–2 weeks", 0.35, &["nurse", "midwife"]),
                        visit("3 weeks", 0.7, &["nurse", "parent_supporter"]),
                        visit("4 months", 4.0, &["nurse", "parent_supporter"]),
                        visit("8 months", 8.0, &["nurse", "dental_nurse"]),
                        visit("10 months", 10.0, &["nurse", "parent_supporter"]),
                        visit("15 months", 15.0, &["nurse", "parent_supporter"]),
                    ],
                    BTreeMap::new(),
                    DEFAULT_ACCEPTANCE,
                    Some(GOTEBORG_ACCEPTANCE_RANGE),
                )
            }
            "orebro" => {
                let p = "p. 12, “Utökat hembesöksprogram i samverkan med socialtjänsten och tandvården” (Region Örebro)";
                put(
                    "eligible",
                    fohm(
                        p,
                        "erbjuds alla familjer vid BVC-mottagningar ett utökat hembesöksprogram",
                    ),
                );
                put(
                    "visits",
                    fohm(
                        p,
                        "Under barnets första 15 månader erbjuds familjen fem hembesök",
                    ),
                );
                put(
                    "staff.nurse",
                    fohm(p, "En BHV-sjuksköterska deltar vid alla besök"),
                );
                put(
                    "staff.parent_supporter",
                    Basis::assume(
                        "Örebro: a family supporter from social services (or a family-centre counsellor) at 3 of the 5 visits, the smallest majority of “vid majoriteten deltar även en familjestödjare från socialtjänsten eller en kurator från familjecentralen” (fohm-2022, p. 12); dental care, present at one visit in one of the four areas, is left out",
                    ),
                );
                put(
                    "acceptance",
                    fohm(
                        p,
                        "inga familjer har hittills tackat nej till att få fler hembesök än vad som ingår i basprogrammet",
                    ),
                );
                (
                    Eligible::AllFamilies,
                    5.0,
                    vec![],
                    staff(&[("nurse", 5.0), ("parent_supporter", 3.0)]),
                    1.0,
                    None,
                )
            }
            "torvalla" => {
                let p = "p. 14, “Utökat hembesöksprogram i samverkan med mödrahälsovården, tandvården och biblioteket” (Region Jämtland Härjedalen)";
                put(
                    "eligible",
                    fohm(
                        p,
                        "Insatsen riktar sig till alla nyfödda barn som är inskrivna på BVC",
                    ),
                );
                put(
                    "visits",
                    fohm(
                        p,
                        "fyra hembesök under barnets första 15 månader, ett när barnet är nyfött (cirka 2 veckor) och sedan vid 2, 8 och 15 månaders ålder",
                    ),
                );
                put(
                    "months",
                    fohm(
                        p,
                        "nyfött (cirka 2 veckor) och sedan vid 2, 8 och 15 månaders ålder",
                    ),
                );
                put(
                    "staff",
                    fohm(
                        p,
                        "Det första hembesöket gör en BHV-sjuksköterska tillsammans med en barnmorska från mödrahälsovården … Enligt den ursprungliga planen skulle bibliotekarien medverka vid dessa hembesök, men … har det hittills inte genomförts",
                    ),
                );
                put("acceptance", goteborg_acceptance());
                (
                    Eligible::AllNewborns,
                    4.0,
                    vec![
                        visit("about 2 weeks", 0.5, &["nurse", "midwife"]),
                        visit("2 months", 2.0, &["nurse"]),
                        visit("8 months", 8.0, &["nurse"]),
                        visit("15 months", 15.0, &["nurse"]),
                    ],
                    BTreeMap::new(),
                    DEFAULT_ACCEPTANCE,
                    Some(GOTEBORG_ACCEPTANCE_RANGE),
                )
            }
            _ => return None,
        };
        // Staff from the schedule when the source gives one.
        let staff = if schedule.is_empty() {
            staff
        } else {
            let mut s: BTreeMap<String, f64> = BTreeMap::new();
            for v in &schedule {
                for p in &v.staff {
                    *s.entry(p.clone()).or_default() += 1.0;
                }
            }
            s
        };
        put(
            "completion",
            Basis::cite(
                "goteborg-2022",
                "slide “I vilken utsträckning vi når målgruppen”",
                "2227 hembesök i 564 familjer … 180 familjer slutfört alla 6 hembesök",
            ),
        );
        put(
            "completion.rule",
            Basis::assume(
                "every programme's families make the share of planned visits Göteborg's did: 2 227 / (564 × 6) = 0.658",
            ),
        );
        put(
            "basic_home_visits",
            Basis::cite(
                "gavleborg-interpellation",
                "answer, paragraph 1",
                "I barnavårdscentralens uppdrag ingår hembesök till nyfödda barn samt till barn vid 8 månaders ålder",
            ),
        );
        put(
            "basic_home_visits.rule",
            Basis::assume(
                "the basic programme's home visits are the BVC nurse's, so they are subtracted from the nurse's visits only, at the same completion share",
            ),
        );
        put(
            "minutes_per_visit",
            Basis::assume(
                "90 minutes per visit in the home (set plan.programme.minutes_per_visit)",
            ),
        );
        put(
            "travel_minutes",
            Basis::assume("30 travel minutes per visit (set plan.programme.travel_minutes)"),
        );
        put(
            "hours_per_fte",
            Basis::assume("1 600 working hours per FTE-year (set plan.programme.hours_per_fte)"),
        );
        let mut employers = BTreeMap::new();
        for p in staff.keys() {
            if let Some((e, b)) = default_employer(p) {
                employers.insert(p.clone(), e);
                put(&format!("employer.{p}"), b);
            }
        }
        let salaries: BTreeMap<String, f64> = staff
            .keys()
            .filter_map(|p| {
                ILLUSTRATIVE_SALARIES
                    .iter()
                    .find(|(name, _)| name == p)
                    .map(|&(name, sek)| (name.to_string(), sek))
            })
            .collect();
        if let Some(a) = salary_assumption(staff.keys(), &BTreeMap::new()) {
            put("salaries", Basis::assume(a));
        }
        Some(Programme {
            preset: name.to_string(),
            eligible,
            visits,
            months: schedule.iter().map(|v| v.month).collect(),
            schedule,
            staff,
            employers,
            basic_home_visits: DEFAULT_BASIC_HOME_VISITS,
            minutes_per_visit: 90.0,
            travel_minutes: 30.0,
            hours_per_fte: 1600.0,
            acceptance,
            acceptance_range: range,
            completion: Completion::goteborg(),
            salaries,
            basis,
        })
    }

    /// The basis of parameter `key`, falling back to its group (`staff.nurse` →
    /// `staff`).
    pub fn basis_of(&self, key: &str) -> Option<&Basis> {
        self.basis.get(key).or_else(|| {
            key.split_once('.')
                .and_then(|(group, _)| self.basis.get(group))
        })
    }

    /// Every figure of the programme with its basis, named as in the scenario
    /// (`plan.programme.…`), for `run_report.json` and the report.
    pub fn parameters(&self) -> Vec<Parameter> {
        let b = |k: &str| {
            self.basis_of(k)
                .cloned()
                .unwrap_or_else(|| Basis::assume(format!("{k}: no source (custom programme)")))
        };
        let mut v = vec![
            Parameter::new("plan.programme.preset", &self.preset, b("visits")),
            Parameter::new(
                "plan.programme.eligible",
                self.eligible.describe(),
                b("eligible"),
            ),
            Parameter::new("plan.programme.visits", self.visits, b("visits")),
        ];
        if !self.schedule.is_empty() {
            let ages: Vec<String> = self
                .schedule
                .iter()
                .map(|v| format!("{}: {}", v.age, v.staff.join(" + ")))
                .collect();
            v.push(Parameter::new(
                "plan.programme.schedule",
                ages.join("; "),
                b("months"),
            ));
        } else if !self.months.is_empty() {
            v.push(Parameter::new(
                "plan.programme.months",
                format!("{:?}", self.months),
                b("months"),
            ));
        }
        for (p, n) in &self.staff {
            v.push(Parameter::new(
                format!("plan.programme.staff.{p}"),
                n,
                b(&format!("staff.{p}")),
            ));
        }
        for (p, e) in &self.employers {
            v.push(Parameter::new(
                format!("plan.employers.{p}"),
                e.as_str(),
                b(&format!("employer.{p}")),
            ));
        }
        let range = self
            .acceptance_range
            .map(|(lo, hi)| format!(" (range {lo}–{hi})"))
            .unwrap_or_default();
        v.extend([
            Parameter::new(
                "plan.acceptance",
                format!("{}{range}", self.acceptance),
                b("acceptance"),
            ),
            Parameter::new(
                "plan.completion",
                format!(
                    "{} visits in {} families of a {}-visit programme, {} completed all",
                    self.completion.visits,
                    self.completion.families,
                    self.completion.programme_visits,
                    self.completion.completed_all
                ),
                b("completion"),
            ),
            Parameter::new(
                "plan.completion.visit_share",
                format!("{:.4}", self.completion.visit_share()),
                b("completion.rule"),
            ),
            Parameter::new(
                "plan.basic_home_visits",
                self.basic_home_visits,
                b("basic_home_visits"),
            ),
            Parameter::new(
                "plan.basic_home_visits.rule",
                "subtracted from the nurse's visits",
                b("basic_home_visits.rule"),
            ),
            Parameter::new(
                "plan.programme.minutes_per_visit",
                self.minutes_per_visit,
                b("minutes_per_visit"),
            ),
            Parameter::new(
                "plan.programme.travel_minutes",
                self.travel_minutes,
                b("travel_minutes"),
            ),
            Parameter::new(
                "plan.programme.hours_per_fte",
                self.hours_per_fte,
                b("hours_per_fte"),
            ),
        ]);
        for (p, s) in &self.salaries {
            v.push(Parameter::new(
                format!("plan.salaries.{p}"),
                s,
                self.basis
                    .get(&format!("salary.{p}"))
                    .or_else(|| self.basis.get("salaries"))
                    .cloned()
                    .unwrap_or_else(|| Basis::Scenario(format!("plan.salaries.{p}"))),
            ));
        }
        v
    }

    /// The assumptions among the programme's figures, each once.
    pub fn assumptions(&self) -> Vec<String> {
        crate::sources::used(&self.parameters()).1
    }

    /// Visits an accepting family receives on average: `visits × visit_share`.
    pub fn visits_per_accepting_family(&self) -> f64 {
        self.visits * self.completion.visit_share()
    }

    /// The visits a profession attends beyond the basic programme: the nurse's
    /// minus [`Programme::basic_home_visits`] (never below 0), every other
    /// profession's in full.
    pub fn extra_attends(&self, profession: &str) -> f64 {
        let attends = self.staff.get(profession).copied().unwrap_or(0.0);
        if profession == "nurse" {
            (attends - self.basic_home_visits).max(0.0)
        } else {
            attends
        }
    }

    /// FTE per eligible family (linear: every figure scales with families).
    pub fn fte_per_family(&self) -> f64 {
        self.resources(1.0).fte_total
    }

    /// Visits, hours, FTE and cost for `eligible` families a year (see the module docs).
    pub fn resources(&self, eligible: f64) -> Resources {
        let accepting = eligible * self.acceptance;
        let share = self.completion.visit_share();
        let visits = accepting * self.visits * share;
        let extra_visits = accepting * (self.visits - self.basic_home_visits).max(0.0) * share;
        let minutes = self.minutes_per_visit + self.travel_minutes;
        let mut hours = BTreeMap::new();
        let mut fte = BTreeMap::new();
        let mut by_employer: BTreeMap<Employer, EmployerShare> = BTreeMap::new();
        let mut priced: BTreeMap<Employer, bool> = BTreeMap::new();
        for p in self.staff.keys() {
            let h = accepting * self.extra_attends(p) * share * minutes / 60.0;
            let f = h / self.hours_per_fte;
            hours.insert(p.clone(), h);
            fte.insert(p.clone(), f);
            let employer = self.employers.get(p).copied().unwrap_or(Employer::Region);
            let e = by_employer.entry(employer).or_default();
            e.hours += h;
            e.fte += f;
            let salary = self.salaries.get(p);
            *priced.entry(employer).or_insert(true) &= salary.is_some();
            e.cost_sek = Some(e.cost_sek.unwrap_or(0.0) + f * salary.copied().unwrap_or(0.0));
        }
        for (employer, ok) in priced {
            if !ok && let Some(e) = by_employer.get_mut(&employer) {
                e.cost_sek = None;
            }
        }
        let fte_total = fte.values().sum();
        let cost_sek = (!self.salaries.is_empty())
            .then(|| {
                fte.iter()
                    .map(|(p, f)| self.salaries.get(p).map(|s| f * s))
                    .sum::<Option<f64>>()
            })
            .flatten();
        Resources {
            eligible_families: eligible,
            accepting_families: accepting,
            visits,
            extra_visits,
            hours,
            fte,
            fte_total,
            by_employer,
            cost_sek,
        }
    }
}

/// Where eligible families came from.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Eligibility {
    /// Who is eligible.
    pub rule: Eligible,
    /// Eligible families a year per area, parallel to the area table's rows.
    pub per_row: Vec<f64>,
    /// The rule used, in one sentence (printed with the outputs).
    pub source: String,
    /// Births per row (births table), or estimated births (under-fives / 5).
    pub births: Vec<f64>,
    /// First births per row (births table; the estimated births for estimated rows).
    pub first_births: Vec<f64>,
    /// First-in-Sweden births per row (0 when unknown).
    pub first_in_sweden: Vec<f64>,
    /// `true` for rows estimated from under-fives.
    pub estimated: Vec<bool>,
    /// The first-born share applied to estimated rows (first-child rules only).
    pub first_born_share: f64,
}

impl Eligibility {
    /// Estimated for every row under the Rinkeby rule: `under5 / 5 × share`.
    pub fn estimated(under5: &[f64], share: f64) -> Self {
        Self::estimated_for(Eligible::FirstTimeOrFirstInSweden, under5, share)
    }

    /// Estimated for every row: one yearly cohort `under5 / 5`, times the
    /// first-born `share` when only first children count.
    pub fn estimated_for(rule: Eligible, under5: &[f64], share: f64) -> Self {
        let births: Vec<f64> = under5.iter().map(|u| u / 5.0).collect();
        let factor = if rule.first_only() { share } else { 1.0 };
        Eligibility {
            rule,
            per_row: births.iter().map(|b| b * factor).collect(),
            source: if rule.first_only() {
                format!(
                    "estimated: no births table, so eligible families = under-fives / 5 (one yearly cohort) × a first-born share of {share} (assumption)"
                )
            } else {
                "estimated: no births table, so eligible families = under-fives / 5 (one yearly cohort; assumption)".to_string()
            },
            first_births: births.clone(),
            first_in_sweden: vec![0.0; under5.len()],
            estimated: vec![true; under5.len()],
            births,
            first_born_share: share,
        }
    }

    /// Eligible families for one row from (possibly perturbed) components.
    pub fn value(&self, row: usize, births: f64, first_births: f64, first_in_sweden: f64) -> f64 {
        if self.estimated.get(row).copied().unwrap_or(false) {
            return if self.rule.first_only() {
                births * self.first_born_share
            } else {
                births
            };
        }
        match self.rule {
            Eligible::FirstTimeOrFirstInSweden => first_births + first_in_sweden,
            Eligible::FirstTimeMothers => first_births,
            Eligible::AllFamilies | Eligible::AllNewborns => births,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn quote(p: &Programme, key: &str) -> String {
        match p.basis_of(key) {
            Some(Basis::Source { quote, .. }) => quote.clone(),
            other => panic!("{}: {key} has no source: {other:?}", p.preset),
        }
    }

    /// The figures every preset takes from its source, with the words they come from.
    #[test]
    fn presets_follow_their_sources() {
        let rinkeby = Programme::preset("rinkeby").unwrap();
        assert_eq!(rinkeby.eligible, Eligible::FirstTimeOrFirstInSweden);
        assert_eq!(rinkeby.visits, 6.0);
        assert_eq!(
            rinkeby.staff,
            staff(&[("nurse", 6.0), ("parent_supporter", 6.0)])
        );
        assert!(quote(&rinkeby, "visits").contains("sex hembesök"));
        assert!(rinkeby.basis_of("acceptance").unwrap().is_assumption());

        let gbg = Programme::preset("goteborg").unwrap();
        assert_eq!(gbg.eligible, Eligible::FirstTimeOrFirstInSweden);
        assert!(
            gbg.months.is_empty(),
            "no source gives Göteborg's visit months"
        );
        assert_eq!(
            (gbg.acceptance, gbg.acceptance_range),
            (0.83, Some((0.65, 0.98)))
        );
        assert!(quote(&gbg, "acceptance").contains("83 %"));
        assert!(quote(&gbg, "staff").contains("socialtjänsten"));

        let skane = Programme::preset("vaxa-tryggt").unwrap();
        assert_eq!(skane.eligible, Eligible::FirstTimeMothers);
        assert!(quote(&skane, "eligible").contains("förstföderskor"));
        assert_eq!(
            skane.staff,
            staff(&[
                ("nurse", 6.0),
                ("parent_supporter", 4.0),
                ("midwife", 1.0),
                ("dental_nurse", 1.0)
            ])
        );
        assert_eq!(skane.months, [0.35, 0.7, 4.0, 8.0, 10.0, 15.0]);
        assert_eq!(skane.schedule[3].staff, ["nurse", "dental_nurse"]);

        let orebro = Programme::preset("orebro").unwrap();
        assert_eq!(orebro.eligible, Eligible::AllFamilies);
        assert_eq!((orebro.visits, orebro.acceptance), (5.0, 1.0));
        assert!(quote(&orebro, "acceptance").contains("inga familjer har hittills tackat nej"));
        assert!(
            orebro
                .basis_of("staff.parent_supporter")
                .unwrap()
                .is_assumption()
        );
        assert!(quote(&orebro, "staff.nurse").contains("alla besök"));

        let torvalla = Programme::preset("torvalla").unwrap();
        assert_eq!(torvalla.eligible, Eligible::AllNewborns);
        assert_eq!(torvalla.months, [0.5, 2.0, 8.0, 15.0]);
        assert_eq!(torvalla.staff, staff(&[("midwife", 1.0), ("nurse", 4.0)]));
        assert!(
            !torvalla.staff.contains_key("parent_supporter"),
            "no social services"
        );

        for p in PRESETS {
            let programme = Programme::preset(p).unwrap();
            assert!(programme.staff.values().all(|&v| v <= programme.visits));
            assert_eq!(programme.basic_home_visits, 2.0);
            assert!(quote(&programme, "basic_home_visits").contains("8 månaders ålder"));
            // Every profession has an employer and a salary, and every
            // parameter a basis.
            for k in programme.staff.keys() {
                assert!(programme.employers.contains_key(k) && programme.salaries.contains_key(k));
            }
            for param in programme.parameters() {
                if let Basis::Source { source, .. } = &param.basis {
                    assert!(crate::sources::source(source).is_some(), "{source}");
                }
            }
        }
        assert!(Programme::preset("stockholm").is_none());
        let c = Completion::goteborg();
        assert!((c.visit_share() - 2227.0 / 3384.0).abs() < 1e-12);
        assert!((c.completed_share() - 180.0 / 564.0).abs() < 1e-12);
    }

    #[test]
    fn basic_visits_are_subtracted_from_the_nurse_only() {
        let p = Programme::preset("rinkeby").unwrap();
        let r = p.resources(100.0);
        let share = 2227.0 / 3384.0;
        // 83 accepting; gross 83 × 6 × share, extra 83 × 4 × share.
        assert!((r.visits - 83.0 * 6.0 * share).abs() < 1e-9);
        assert!((r.extra_visits - 83.0 * 4.0 * share).abs() < 1e-9);
        // The nurse makes 4 extra visits, the parent supporter all 6; 2 h each.
        assert!((r.hours["nurse"] - 83.0 * 4.0 * share * 2.0).abs() < 1e-9);
        assert!((r.hours["parent_supporter"] - 83.0 * 6.0 * share * 2.0).abs() < 1e-9);
        // Region: the nurse; municipality: the parent supporter.
        let region = &r.by_employer[&Employer::Region];
        let muni = &r.by_employer[&Employer::Municipality];
        assert!((region.fte - r.fte["nurse"]).abs() < 1e-12);
        assert!((muni.fte - r.fte["parent_supporter"]).abs() < 1e-12);
        assert!((region.cost_sek.unwrap() - r.fte["nurse"] * 720_000.0).abs() < 1e-6);
        assert!((region.fte + muni.fte - r.fte_total).abs() < 1e-12);
        // Without basic visits, the nurse's hours are the gross ones.
        let mut gross = p.clone();
        gross.basic_home_visits = 0.0;
        assert!((gross.resources(100.0).hours["nurse"] - r.hours["parent_supporter"]).abs() < 1e-9);
    }

    #[test]
    fn vaxa_tryggt_staff_hours_by_hand() {
        let p = Programme::preset("vaxa-tryggt").unwrap();
        let r = p.resources(10.0);
        // 8.3 accepting × 6 × 0.65809 = 32.773 visits; midwife at 1 of 6.
        let per_visit = 10.0 * 0.83 * 2227.0 / 3384.0;
        assert!((r.visits - per_visit * 6.0).abs() < 1e-9);
        assert!((r.hours["midwife"] - per_visit * 2.0).abs() < 1e-9);
        assert!((r.hours["parent_supporter"] - per_visit * 4.0 * 2.0).abs() < 1e-9);
        assert!((r.hours["nurse"] - per_visit * 4.0 * 2.0).abs() < 1e-9);
        // Every profession has an illustrative default salary, labelled.
        let want: f64 = r.fte.iter().map(|(name, f)| f * p.salaries[name]).sum();
        assert!((r.cost_sek.unwrap() - want).abs() < 1e-6);
        assert!(
            p.assumptions()
                .iter()
                .any(|a| a.starts_with(SALARY_ASSUMPTION) && a.contains("dental_nurse 520000"))
        );
    }

    #[test]
    fn cost_needs_every_salary() {
        let mut p = Programme::preset("rinkeby").unwrap();
        p.salaries.clear();
        p.salaries.insert("nurse".into(), 800_000.0);
        let r = p.resources(10.0);
        assert_eq!(r.cost_sek, None);
        assert_eq!(r.by_employer[&Employer::Municipality].cost_sek, None);
        assert!(r.by_employer[&Employer::Region].cost_sek.is_some());
        p.salaries.insert("parent_supporter".into(), 600_000.0);
        let r = p.resources(10.0);
        let want = r.fte["nurse"] * 800_000.0 + r.fte["parent_supporter"] * 600_000.0;
        assert!((r.cost_sek.unwrap() - want).abs() < 1e-6);
    }

    #[test]
    fn eligibility_rules() {
        let e = Eligibility::estimated_for(Eligible::AllNewborns, &[50.0], 0.4);
        assert_eq!(e.per_row, [10.0]);
        let e = Eligibility::estimated_for(Eligible::FirstTimeMothers, &[50.0], 0.4);
        assert_eq!(e.per_row, [4.0]);
        let mut e = Eligibility::estimated(&[50.0], 0.4);
        e.estimated[0] = false;
        assert_eq!(e.value(0, 12.0, 5.0, 1.0), 6.0);
        e.rule = Eligible::FirstTimeMothers;
        assert_eq!(e.value(0, 12.0, 5.0, 1.0), 5.0);
        e.rule = Eligible::AllFamilies;
        assert_eq!(e.value(0, 12.0, 5.0, 1.0), 12.0);
    }
}
