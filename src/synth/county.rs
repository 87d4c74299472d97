//! The bundled demo: a synthetic county modelled on Region Gävleborg.
//!
//! Municipality codes, names, seats, populations (≈ 2023), DeSO counts and land
//! areas follow the real municipalities; locality coordinates are approximate;
//! the county outline is hand-made (a plausible shape, not the real border).
//! Everything generated from it (boundaries, people, children) is synthetic.

use super::{BvcSpec, LocalitySpec, MunicipalitySpec, SynthConfig};
use crate::synth::trace::TileOptions;

fn loc(name: &str, lat: f64, lon: f64, areas: usize) -> LocalitySpec {
    LocalitySpec {
        name: name.into(),
        lat,
        lon,
        areas,
    }
}

#[allow(clippy::too_many_arguments)]
fn muni(
    code: &str,
    name: &str,
    seat: &str,
    lat: f64,
    lon: f64,
    population: u32,
    land_km2: f64,
    town_areas: usize,
    deprived_areas: usize,
    localities: Vec<LocalitySpec>,
    rural_areas: usize,
) -> MunicipalitySpec {
    MunicipalitySpec {
        code: code.into(),
        name: name.into(),
        seat: seat.into(),
        lat,
        lon,
        population,
        land_km2,
        town_areas,
        deprived_areas,
        localities,
        rural_areas,
    }
}

fn bvc(name: &str, municipality: &str, locality: &str, deprived: bool) -> BvcSpec {
    BvcSpec {
        name: name.into(),
        municipality: municipality.into(),
        locality: locality.into(),
        deprived,
    }
}

/// The Gävleborg demo configuration (see [`SynthConfig::gavleborg`]).
pub fn gavleborg() -> SynthConfig {
    let municipalities = vec![
        muni(
            "2180",
            "Gävle",
            "Gävle",
            60.675,
            17.141,
            103_000,
            1615.0,
            40,
            5,
            vec![
                loc("Valbo", 60.633, 17.010, 4),
                loc("Forsbacka", 60.613, 16.883, 1),
                loc("Hedesunda", 60.398, 17.005, 1),
                loc("Bergby", 60.935, 17.034, 1),
                loc("Norrsundet", 60.932, 17.140, 1),
            ],
            6,
        ),
        muni(
            "2181",
            "Sandviken",
            "Sandviken",
            60.622,
            16.776,
            39_800,
            1163.0,
            16,
            2,
            vec![
                loc("Storvik", 60.583, 16.530, 2),
                loc("Järbo", 60.712, 16.598, 1),
                loc("Årsunda", 60.526, 16.733, 1),
            ],
            5,
        ),
        muni(
            "2184",
            "Hudiksvall",
            "Hudiksvall",
            61.729,
            17.104,
            37_600,
            2516.0,
            12,
            2,
            vec![
                loc("Iggesund", 61.642, 17.076, 2),
                loc("Delsbo", 61.800, 16.558, 1),
                loc("Näsviken", 61.757, 16.862, 1),
            ],
            8,
        ),
        muni(
            "2183",
            "Bollnäs",
            "Bollnäs",
            61.348,
            16.395,
            26_300,
            1628.0,
            10,
            2,
            vec![
                loc("Arbrå", 61.475, 16.377, 1),
                loc("Kilafors", 61.232, 16.566, 1),
            ],
            5,
        ),
        muni(
            "2182",
            "Söderhamn",
            "Söderhamn",
            61.304,
            17.059,
            25_300,
            664.0,
            9,
            2,
            vec![
                loc("Ljusne", 61.210, 17.131, 1),
                loc("Sandarne", 61.263, 17.165, 1),
            ],
            5,
        ),
        muni(
            "2161",
            "Ljusdal",
            "Ljusdal",
            61.829,
            16.095,
            18_800,
            5226.0,
            5,
            1,
            vec![
                loc("Järvsö", 61.715, 16.170, 1),
                loc("Färila", 61.798, 15.848, 1),
            ],
            6,
        ),
        muni(
            "2121",
            "Ovanåker",
            "Edsbyn",
            61.377,
            15.816,
            11_300,
            1869.0,
            3,
            0,
            vec![loc("Alfta", 61.345, 16.083, 1)],
            3,
        ),
        muni(
            "2132",
            "Nordanstig",
            "Bergsjö",
            61.985,
            17.060,
            9_400,
            1377.0,
            1,
            0,
            vec![
                loc("Harmånger", 61.929, 17.215, 1),
                loc("Gnarp", 62.049, 17.265, 1),
            ],
            4,
        ),
        muni(
            "2104",
            "Hofors",
            "Hofors",
            60.547,
            16.287,
            9_400,
            428.0,
            3,
            1,
            vec![loc("Torsåker", 60.515, 16.470, 1)],
            1,
        ),
        muni(
            "2101",
            "Ockelbo",
            "Ockelbo",
            60.890,
            16.718,
            5_800,
            1076.0,
            2,
            0,
            vec![],
            2,
        ),
    ];
    let bvcs = vec![
        bvc("BVC Andersberg", "2180", "Gävle", true),
        bvc("BVC Sätra", "2180", "Gävle", true),
        bvc("BVC Brynäs", "2180", "Gävle", false),
        bvc("BVC Bomhus", "2180", "Gävle", false),
        bvc("BVC Strömsbro", "2180", "Gävle", false),
        bvc("BVC Norrtull", "2180", "Gävle", false),
        bvc("BVC Sörby", "2180", "Gävle", false),
        bvc("BVC Valbo", "2180", "Valbo", false),
        bvc("BVC Hamrånge", "2180", "Bergby", false),
        bvc("BVC Björksätra", "2181", "Sandviken", true),
        bvc("BVC Sandviken Centrum", "2181", "Sandviken", false),
        bvc("BVC Storvik", "2181", "Storvik", false),
        bvc("BVC Hudiksvall", "2184", "Hudiksvall", false),
        bvc("BVC Iggesund", "2184", "Iggesund", false),
        bvc("BVC Delsbo", "2184", "Delsbo", false),
        bvc("BVC Bollnäs", "2183", "Bollnäs", false),
        bvc("BVC Arbrå", "2183", "Arbrå", false),
        bvc("BVC Söderhamn", "2182", "Söderhamn", false),
        bvc("BVC Ljusne", "2182", "Ljusne", false),
        bvc("BVC Ljusdal", "2161", "Ljusdal", false),
        bvc("BVC Järvsö", "2161", "Järvsö", false),
        bvc("BVC Edsbyn", "2121", "Edsbyn", false),
        bvc("BVC Bergsjö", "2132", "Bergsjö", false),
        bvc("BVC Hofors", "2104", "Hofors", false),
        bvc("BVC Ockelbo", "2101", "Ockelbo", false),
    ];
    // Counter-clockwise, (lon, lat). South border west to east, the Baltic coast
    // south to north, the northern border east to west, the western border north
    // to south.
    let outline = vec![
        (15.62, 61.08),
        (15.88, 60.93),
        (16.10, 60.80),
        (16.06, 60.58),
        (16.22, 60.44),
        (16.48, 60.38),
        (16.72, 60.25),
        (16.95, 60.21),
        (17.10, 60.33),
        (17.24, 60.48),
        (17.36, 60.62),
        (17.27, 60.70),
        (17.31, 60.80),
        (17.24, 60.95),
        (17.19, 61.10),
        (17.23, 61.25),
        (17.28, 61.40),
        (17.22, 61.55),
        (17.27, 61.66),
        (17.42, 61.72),
        (17.45, 61.83),
        (17.39, 61.95),
        (17.48, 62.10),
        (17.42, 62.23),
        (17.18, 62.25),
        (16.85, 62.12),
        (16.50, 62.10),
        (16.05, 62.06),
        (15.60, 62.02),
        (15.15, 61.99),
        (14.75, 61.99),
        (14.45, 61.92),
        (14.48, 61.76),
        (14.85, 61.66),
        (15.25, 61.52),
        (15.52, 61.28),
    ];
    SynthConfig {
        seed: 0x6A76_6C65_626F_7267, // "gavleborg"-ish, fixed forever
        county: "Gävleborg (synthetic)".into(),
        outline,
        municipalities,
        bvcs,
        cell_size: 100,
        tile: TileOptions {
            smoothing: 3,
            tolerance_factor: 0.0003,
            min_tolerance: 0.2,
            max_tolerance: 10.0,
        },
        town_area_km2: 1.2,
        locality_area_km2: 1.8,
        children_per_under5: 1.2,
        nearest_bvc_share: 0.85,
    }
}
