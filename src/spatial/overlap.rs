//! The area of the intersection of two polygons without building it.
//!
//! By Green's theorem the area of `S ∩ T` is the sum, over the boundary of
//! `S ∩ T`, of `(x₁y₂ − x₂y₁)/2`; that boundary is made of the pieces of `∂S`
//! inside `T` and the pieces of `∂T` inside `S` (rings oriented with the interior
//! on the left). So each edge of one polygon is split where it crosses the other's
//! edges, each piece is kept when its midpoint lies inside the other polygon,
//! and the kept pieces are summed. This is exact up to rounding for valid
//! polygons in general position. Where the two boundaries touch or overlap (a
//! vertex of one on an edge of the other, collinear edges, shared vertices; the
//! robust orientation predicate decides exactly), [`intersection_area`] returns
//! `None` and the caller falls back to [`geo::BooleanOps`].

use geo::kernels::{Kernel, Orientation, RobustKernel};
use geo::{Coord, MultiPolygon};

/// Edges per band, on average.
const EDGES_PER_BAND: usize = 4;

/// A multipolygon's edges, oriented (exteriors counter-clockwise, holes
/// clockwise), with horizontal bands for point tests.
#[derive(Debug, Clone)]
pub(crate) struct Prepared {
    edges: Vec<(Coord<f64>, Coord<f64>)>,
    min: Coord<f64>,
    max: Coord<f64>,
    inv: f64,
    bands: usize,
    starts: Vec<u32>,
    list: Vec<u32>,
}

fn signed_area(ring: &[Coord<f64>]) -> f64 {
    ring.windows(2)
        .map(|w| w[0].x * w[1].y - w[1].x * w[0].y)
        .sum::<f64>()
        / 2.0
}

impl Prepared {
    pub(crate) fn new(mp: &MultiPolygon<f64>) -> Prepared {
        let mut edges = Vec::new();
        let mut min = Coord {
            x: f64::INFINITY,
            y: f64::INFINITY,
        };
        let mut max = Coord {
            x: f64::NEG_INFINITY,
            y: f64::NEG_INFINITY,
        };
        for polygon in &mp.0 {
            let rings = std::iter::once((polygon.exterior(), true))
                .chain(polygon.interiors().iter().map(|r| (r, false)));
            for (ring, exterior) in rings {
                let c = &ring.0;
                let forward = (signed_area(c) >= 0.0) == exterior;
                for w in c.windows(2) {
                    edges.push(if forward { (w[0], w[1]) } else { (w[1], w[0]) });
                }
                for p in c {
                    min.x = min.x.min(p.x);
                    min.y = min.y.min(p.y);
                    max.x = max.x.max(p.x);
                    max.y = max.y.max(p.y);
                }
            }
        }
        let bands = (edges.len() / EDGES_PER_BAND).max(1);
        let h = max.y - min.y;
        let inv = if h > 0.0 && h.is_finite() {
            bands as f64 / h
        } else {
            0.0
        };
        let mut p = Prepared {
            edges,
            min,
            max,
            inv,
            bands,
            starts: Vec::new(),
            list: Vec::new(),
        };
        let mut lists = vec![Vec::new(); bands];
        for (i, (a, b)) in p.edges.iter().enumerate() {
            for l in &mut lists[p.band(a.y.min(b.y))..=p.band(a.y.max(b.y))] {
                l.push(i as u32);
            }
        }
        for l in lists {
            p.starts.push(p.list.len() as u32);
            p.list.extend(l);
        }
        p.starts.push(p.list.len() as u32);
        p
    }

    fn band(&self, y: f64) -> usize {
        (((y - self.min.y) * self.inv) as usize).min(self.bands - 1)
    }

    fn band_edges(&self, b: usize) -> &[u32] {
        &self.list[self.starts[b] as usize..self.starts[b + 1] as usize]
    }

    /// Even-odd: whether `c` is inside (not meant for points on the boundary).
    fn contains(&self, c: Coord<f64>) -> bool {
        if !(self.min.x <= c.x && c.x <= self.max.x && self.min.y <= c.y && c.y <= self.max.y) {
            return false;
        }
        let mut inside = false;
        for &e in self.band_edges(self.band(c.y)) {
            let (a, b) = self.edges[e as usize];
            if (a.y > c.y) != (b.y > c.y) {
                let x = a.x + (c.y - a.y) * (b.x - a.x) / (b.y - a.y);
                if c.x < x {
                    inside = !inside;
                }
            }
        }
        inside
    }

    fn overlaps(&self, a: Coord<f64>, b: Coord<f64>) -> bool {
        a.x.max(b.x) >= self.min.x
            && a.x.min(b.x) <= self.max.x
            && a.y.max(b.y) >= self.min.y
            && a.y.min(b.y) <= self.max.y
    }
}

fn in_box(p: Coord<f64>, a: Coord<f64>, b: Coord<f64>) -> bool {
    a.x.min(b.x) <= p.x && p.x <= a.x.max(b.x) && a.y.min(b.y) <= p.y && p.y <= a.y.max(b.y)
}

/// `|S ∩ T|`, or `None` when the boundaries touch or overlap (see the module docs).
pub(crate) fn intersection_area(s: &Prepared, t: &Prepared) -> Option<f64> {
    // The boxes overlap, or the area is 0.
    if s.max.x < t.min.x || t.max.x < s.min.x || s.max.y < t.min.y || t.max.y < s.min.y {
        return Some(0.0);
    }
    let origin = Coord {
        x: (s.min.x.max(t.min.x) + s.max.x.min(t.max.x)) / 2.0,
        y: (s.min.y.max(t.min.y) + s.max.y.min(t.max.y)) / 2.0,
    };
    // Crossings: (s edge, u along it), (t edge, v along it).
    let mut s_cuts: Vec<(u32, f64)> = Vec::new();
    let mut t_cuts: Vec<(u32, f64)> = Vec::new();
    for (i, &(p, p2)) in s.edges.iter().enumerate() {
        if !t.overlaps(p, p2) {
            continue;
        }
        let (lo, hi) = (t.band(p.y.min(p2.y)), t.band(p.y.max(p2.y)));
        for b in lo..=hi {
            for &j in t.band_edges(b) {
                let (q, q2) = t.edges[j as usize];
                // Each pair once: in the first band both share.
                if b != lo.max(t.band(q.y.min(q2.y))) {
                    continue;
                }
                if p.x.max(p2.x) < q.x.min(q2.x)
                    || q.x.max(q2.x) < p.x.min(p2.x)
                    || p.y.max(p2.y) < q.y.min(q2.y)
                    || q.y.max(q2.y) < p.y.min(p2.y)
                {
                    continue;
                }
                let o1 = RobustKernel::orient2d(q, q2, p);
                let o2 = RobustKernel::orient2d(q, q2, p2);
                let o3 = RobustKernel::orient2d(p, p2, q);
                let o4 = RobustKernel::orient2d(p, p2, q2);
                let c = Orientation::Collinear;
                if (o1 == c && in_box(p, q, q2))
                    || (o2 == c && in_box(p2, q, q2))
                    || (o3 == c && in_box(q, p, p2))
                    || (o4 == c && in_box(q2, p, p2))
                {
                    return None;
                }
                if o1 != o2 && o3 != o4 {
                    let r = p2 - p;
                    let w = q2 - q;
                    let d = r.x * w.y - r.y * w.x;
                    let qp = q - p;
                    let u = ((qp.x * w.y - qp.y * w.x) / d).clamp(0.0, 1.0);
                    let v = ((qp.x * r.y - qp.y * r.x) / d).clamp(0.0, 1.0);
                    s_cuts.push((i as u32, u));
                    t_cuts.push((j, v));
                }
            }
        }
    }
    let mut twice = pieces_inside(s, &mut s_cuts, t, origin);
    twice += pieces_inside(t, &mut t_cuts, s, origin);
    Some((twice / 2.0).max(0.0))
}

/// Twice the Green's sum of the pieces of `a`'s edges (cut at `cuts`) inside `b`.
fn pieces_inside(a: &Prepared, cuts: &mut [(u32, f64)], b: &Prepared, o: Coord<f64>) -> f64 {
    cuts.sort_unstable_by(|x, y| x.0.cmp(&y.0).then(x.1.total_cmp(&y.1)));
    let mut sum = 0.0;
    let mut k = 0;
    let term = |p: Coord<f64>, q: Coord<f64>| (p.x - o.x) * (q.y - o.y) - (q.x - o.x) * (p.y - o.y);
    for (i, &(p, p2)) in a.edges.iter().enumerate() {
        if !b.overlaps(p, p2) {
            continue;
        }
        let mut from = p;
        while k < cuts.len() && (cuts[k].0 as usize) < i {
            k += 1;
        }
        while k < cuts.len() && cuts[k].0 as usize == i {
            let to = p + (p2 - p) * cuts[k].1;
            if b.contains((from + to) * 0.5) {
                sum += term(from, to);
            }
            from = to;
            k += 1;
        }
        if b.contains((from + p2) * 0.5) {
            sum += term(from, p2);
        }
    }
    sum
}

#[cfg(test)]
mod tests {
    use super::*;
    use geo::{Area, BooleanOps, LineString, Polygon};
    use proptest::prelude::*;

    fn star(cx: f64, cy: f64, radii: &[f64], phase: f64) -> LineString<f64> {
        let n = radii.len();
        let mut ring: Vec<(f64, f64)> = radii
            .iter()
            .enumerate()
            .map(|(i, r)| {
                let t = std::f64::consts::TAU * (i as f64 + phase) / n as f64;
                (cx + r * t.cos(), cy + r * t.sin())
            })
            .collect();
        ring.push(ring[0]);
        LineString::from(ring)
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(200))]
        #[test]
        fn agrees_with_boolean_ops(
            a in (0.0f64..20.0, 0.0f64..20.0, proptest::collection::vec(4.0f64..12.0, 3..50), 0.0f64..1.0, any::<bool>()),
            b in (0.0f64..20.0, 0.0f64..20.0, proptest::collection::vec(4.0f64..12.0, 3..50), 0.0f64..1.0, any::<bool>()),
        ) {
            let make = |(cx, cy, radii, phase, hole): &(f64, f64, Vec<f64>, f64, bool)| {
                let holes = if *hole {
                    vec![star(*cx, *cy, &[1.0, 1.5, 1.2, 1.1], *phase)]
                } else {
                    vec![]
                };
                // Clockwise exteriors too: orientation must not matter.
                let mut outer = star(*cx, *cy, radii, *phase);
                if *hole {
                    outer.0.reverse();
                }
                MultiPolygon(vec![Polygon::new(outer, holes)])
            };
            let (s, t) = (make(&a), make(&b));
            let expected = s.intersection(&t).unsigned_area();
            if let Some(got) = intersection_area(&Prepared::new(&s), &Prepared::new(&t)) {
                // i_overlay snaps to a fixed-point grid: agreement to about 1e-7.
            prop_assert!((got - expected).abs() <= 1e-6 * s.unsigned_area().max(1.0),
                    "got {} expected {}", got, expected);
            }
        }
    }

    #[test]
    fn touching_boundaries_fall_back() {
        let sq = |x0: f64| {
            MultiPolygon(vec![Polygon::new(
                LineString::from(vec![
                    (x0, 0.0),
                    (x0 + 1.0, 0.0),
                    (x0 + 1.0, 1.0),
                    (x0, 1.0),
                    (x0, 0.0),
                ]),
                vec![],
            )])
        };
        let (a, b) = (Prepared::new(&sq(0.0)), Prepared::new(&sq(1.0)));
        assert_eq!(intersection_area(&a, &b), None);
        let far = Prepared::new(&sq(5.0));
        assert_eq!(intersection_area(&a, &far), Some(0.0));
        let half = MultiPolygon(vec![Polygon::new(
            LineString::from(vec![
                (0.5, -1.0),
                (2.0, -1.0),
                (2.0, 2.0),
                (0.5, 2.0),
                (0.5, -1.0),
            ]),
            vec![],
        )]);
        let got = intersection_area(&a, &Prepared::new(&half)).unwrap();
        assert!((got - 0.5).abs() < 1e-12, "{got}");
    }
}
