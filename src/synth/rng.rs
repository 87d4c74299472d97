//! A small, fully specified pseudo-random number generator and value noise.
//!
//! The synthetic county must come out byte for byte the same on every run and
//! with every version of every dependency, so the generator is written out here
//! instead of taken from a crate:
//!
//! * [`SplitMix64`] (Steele, Lea & Flood 2014, the seeding generator of
//!   xoshiro): a 64-bit state advanced by the golden-ratio increment
//!   `0x9E37_79B9_7F4A_7C15` and finalised with the two multiply–xorshift
//!   rounds of MurmurHash3's mixer (constants `0xBF58_476D_1CE4_E5B9`,
//!   `0x94D0_49BB_1331_11EB`).
//! * [`mix`]: the same finaliser as a stateless hash, used to derive
//!   independent sub-streams ([`SplitMix64::fork`]) and lattice values for the
//!   noise.
//! * [`NoiseField`]: fractal *value noise*: pseudo-random values in −1…1 at the
//!   corners of square lattices of halving wavelength, blended with the quintic
//!   fade `6t⁵ − 15t⁴ + 10t³`, summed with a per-octave gain.
//!
//! Floating-point draws use the top 53 bits (`u / 2⁵³`), so `f64()` is in
//! `[0, 1)`. [`exp`], [`ln`] and [`sin_cos`] are computed here with plain IEEE
//! arithmetic (range reduction and series) rather than by the platform's maths
//! library, whose last bits may differ between systems.

// Portable elementary functions: plain IEEE arithmetic only (range reduction
// and series), so results never depend on the platform's maths library.

// fdlibm's split constants, as exact bit patterns.
const LN2_HI: f64 = f64::from_bits(0x3FE6_2E42_FEE0_0000);
const LN2_LO: f64 = f64::from_bits(0x3DEA_39EF_3579_3C76);
// π/2 in three pieces of 33, 33 and 53 bits: k·PIO2_1 and k·PIO2_2 are exact
// for |k| < 2²⁰.
const PIO2_1: f64 = f64::from_bits(0x3FF9_21FB_5440_0000);
const PIO2_2: f64 = f64::from_bits(0x3DD0_B461_1A60_0000);
const PIO2_2T: f64 = f64::from_bits(0x3BA3_198A_2E03_7073);

/// `eˣ` (|x| ≤ 700), portable.
pub fn exp(x: f64) -> f64 {
    let x = x.clamp(-700.0, 700.0);
    let k = (x / std::f64::consts::LN_2).round();
    let r = (x - k * LN2_HI) - k * LN2_LO;
    // Taylor series, |r| ≤ 0.35: 16 terms are well below one ulp.
    let mut term = 1.0;
    let mut sum = 1.0;
    for n in 1..=16 {
        term = term * r / f64::from(n);
        sum += term;
    }
    sum * f64::from_bits(((k as i64 + 1023) as u64) << 52)
}

/// Natural logarithm (x > 0, normal numbers), portable.
pub fn ln(x: f64) -> f64 {
    if x <= 0.0 || !x.is_finite() {
        return f64::NAN;
    }
    let bits = x.to_bits();
    let mut e = ((bits >> 52) & 0x7FF) as i64 - 1023;
    let mut m = f64::from_bits((bits & 0x000F_FFFF_FFFF_FFFF) | 0x3FF0_0000_0000_0000);
    if m > std::f64::consts::SQRT_2 {
        m /= 2.0;
        e += 1;
    }
    // ln m = 2·atanh(s), s = (m − 1)/(m + 1), |s| ≤ 0.172.
    let s = (m - 1.0) / (m + 1.0);
    let s2 = s * s;
    let mut term = s;
    let mut sum = 0.0;
    for n in 0..14 {
        sum += term / f64::from(2 * n + 1);
        term *= s2;
    }
    let e = e as f64;
    e * LN2_HI + (e * LN2_LO + 2.0 * sum)
}

fn sin_cos_reduced(r: f64) -> (f64, f64) {
    // |r| ≤ π/4: Taylor series to r¹⁹ / r¹⁸.
    let r2 = r * r;
    let (mut s, mut c) = (0.0, 0.0);
    let (mut ts, mut tc) = (r, 1.0);
    for n in 0..10 {
        s += ts;
        c += tc;
        let k = f64::from(2 * n + 2);
        ts = -ts * r2 / (k * (k + 1.0));
        tc = -tc * r2 / ((k - 1.0) * k);
    }
    (s, c)
}

/// `(sin x, cos x)` for moderate |x| (≲ 10⁶), portable.
pub fn sin_cos(x: f64) -> (f64, f64) {
    let k = (x / std::f64::consts::FRAC_PI_2).round();
    let r = ((x - k * PIO2_1) - k * PIO2_2) - k * PIO2_2T;
    let (s, c) = sin_cos_reduced(r);
    match (k as i64).rem_euclid(4) {
        0 => (s, c),
        1 => (c, -s),
        2 => (-s, -c),
        _ => (-c, s),
    }
}

/// MurmurHash3's 64-bit finaliser: a bijective mix of all input bits.
pub fn mix(mut z: u64) -> u64 {
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// Hashes a seed and two lattice coordinates to 64 bits.
pub fn hash2(seed: u64, ix: i64, iy: i64) -> u64 {
    let a = (ix as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15);
    let b = (iy as u64).wrapping_mul(0xC2B2_AE3D_27D4_EB4F);
    mix(seed ^ mix(a ^ b.rotate_left(31)))
}

/// SplitMix64: a 64-bit state, period 2⁶⁴, passes BigCrush.
#[derive(Debug, Clone)]
pub struct SplitMix64 {
    state: u64,
}

impl SplitMix64 {
    /// A generator started at `seed`.
    pub fn new(seed: u64) -> Self {
        SplitMix64 { state: seed }
    }

    /// An independent generator for a named purpose: the same parent seed and
    /// `stream` always give the same child, and drawing from the child never
    /// changes the parent.
    pub fn fork(&self, stream: u64) -> SplitMix64 {
        SplitMix64::new(mix(
            self.state ^ mix(stream.wrapping_add(0x632B_E59B_D9B4_E019))
        ))
    }

    /// The next 64 random bits.
    pub fn next_u64(&mut self) -> u64 {
        self.state = self.state.wrapping_add(0x9E37_79B9_7F4A_7C15);
        mix(self.state)
    }

    /// Uniform in `[0, 1)`.
    pub fn f64(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 * (1.0 / (1u64 << 53) as f64)
    }

    /// Uniform in `[lo, hi)`.
    pub fn range(&mut self, lo: f64, hi: f64) -> f64 {
        lo + (hi - lo) * self.f64()
    }

    /// Uniform integer in `0..n` (`n > 0`; returns 0 for `n == 0`).
    pub fn below(&mut self, n: usize) -> usize {
        if n == 0 {
            return 0;
        }
        // Lemire's multiply-shift; the tiny bias is irrelevant here.
        ((u128::from(self.next_u64()) * n as u128) >> 64) as usize
    }

    /// `true` with probability `p`.
    pub fn chance(&mut self, p: f64) -> bool {
        self.f64() < p
    }

    /// Standard normal (Box–Muller, one of the pair).
    pub fn normal(&mut self) -> f64 {
        let u1 = 1.0 - self.f64(); // (0, 1]
        let u2 = self.f64();
        (-2.0 * ln(u1)).sqrt() * sin_cos(std::f64::consts::TAU * u2).1
    }

    /// Rounds `x ≥ 0` up or down at random so that the expectation is `x`.
    pub fn round_stochastic(&mut self, x: f64) -> u32 {
        let x = x.max(0.0);
        let f = x.floor();
        let up = self.f64() < x - f;
        f as u32 + u32::from(up)
    }

    /// Shuffles a slice in place (Fisher–Yates).
    pub fn shuffle<T>(&mut self, items: &mut [T]) {
        for i in (1..items.len()).rev() {
            let j = self.below(i + 1);
            items.swap(i, j);
        }
    }
}

fn fade(t: f64) -> f64 {
    t * t * t * (t * (t * 6.0 - 15.0) + 10.0)
}

/// One octave's lattice values, precomputed over a rectangle so that
/// evaluation is four array reads; outside the rectangle values are hashed.
#[derive(Debug, Clone)]
struct Octave {
    seed: u64,
    wavelength: f64,
    amplitude: f64,
    ix0: i64,
    iy0: i64,
    w: usize,
    h: usize,
    table: Vec<f64>,
}

impl Octave {
    fn lattice(&self, ix: i64, iy: i64) -> f64 {
        let (dx, dy) = (ix - self.ix0, iy - self.iy0);
        if dx >= 0 && dy >= 0 && (dx as usize) < self.w && (dy as usize) < self.h {
            self.table[dy as usize * self.w + dx as usize]
        } else {
            lattice_value(self.seed, ix, iy)
        }
    }

    fn eval(&self, x: f64, y: f64) -> f64 {
        let (u, v) = (x / self.wavelength, y / self.wavelength);
        let (fx, fy) = (u.floor(), v.floor());
        let (ix, iy) = (fx as i64, fy as i64);
        let (tx, ty) = (fade(u - fx), fade(v - fy));
        let a = self.lattice(ix, iy);
        let b = self.lattice(ix + 1, iy);
        let c = self.lattice(ix, iy + 1);
        let d = self.lattice(ix + 1, iy + 1);
        let ab = a + (b - a) * tx;
        let cd = c + (d - c) * tx;
        ab + (cd - ab) * ty
    }
}

fn lattice_value(seed: u64, ix: i64, iy: i64) -> f64 {
    (hash2(seed, ix, iy) >> 11) as f64 * (2.0 / (1u64 << 53) as f64) - 1.0
}

/// Fractal value noise in metres-space: `Σ aₖ·valueₖ(x/Lₖ, y/Lₖ)` with
/// `Lₖ = L₀/2ᵏ` and `aₖ = gainᵏ / Σ gainʲ`, so the result is within −1…1.
#[derive(Debug, Clone)]
pub struct NoiseField {
    octaves: Vec<Octave>,
}

impl NoiseField {
    /// A field with `octaves` octaves starting at wavelength `wavelength`
    /// (metres), each next octave at half the wavelength and `gain` times the
    /// amplitude. Lattice values are tabulated over `bbox` =
    /// `(xmin, ymin, xmax, ymax)` for speed (values are identical either way).
    pub fn new(
        seed: u64,
        wavelength: f64,
        octaves: usize,
        gain: f64,
        bbox: (f64, f64, f64, f64),
    ) -> Self {
        let mut total = 0.0;
        let mut a = 1.0;
        for _ in 0..octaves {
            total += a;
            a *= gain;
        }
        let mut out = Vec::with_capacity(octaves);
        let mut a = 1.0;
        let mut l = wavelength;
        for k in 0..octaves {
            let oseed = mix(seed ^ mix(k as u64 + 1));
            let ix0 = (bbox.0 / l).floor() as i64 - 1;
            let iy0 = (bbox.1 / l).floor() as i64 - 1;
            let ix1 = (bbox.2 / l).floor() as i64 + 2;
            let iy1 = (bbox.3 / l).floor() as i64 + 2;
            let w = (ix1 - ix0 + 1).max(0) as usize;
            let h = (iy1 - iy0 + 1).max(0) as usize;
            // Cap the table (≈ 32 MB); beyond it values are hashed on the fly.
            let (w, h) = if w.saturating_mul(h) > 4_000_000 {
                (0, 0)
            } else {
                (w, h)
            };
            let mut table = Vec::with_capacity(w * h);
            for j in 0..h {
                for i in 0..w {
                    table.push(lattice_value(oseed, ix0 + i as i64, iy0 + j as i64));
                }
            }
            out.push(Octave {
                seed: oseed,
                wavelength: l,
                amplitude: if total > 0.0 { a / total } else { 0.0 },
                ix0,
                iy0,
                w,
                h,
                table,
            });
            a *= gain;
            l /= 2.0;
        }
        NoiseField { octaves: out }
    }

    /// The noise at `(x, y)`, within −1…1.
    pub fn eval(&self, x: f64, y: f64) -> f64 {
        self.octaves
            .iter()
            .map(|o| o.amplitude * o.eval(x, y))
            .sum()
    }
}

/// A domain warp: `p ↦ p + amplitude·(nx(p), ny(p))` with two independent
/// noise fields. Used to bend straight (or circular) region boundaries into
/// natural-looking wiggly ones.
#[derive(Debug, Clone)]
pub struct Warp {
    nx: NoiseField,
    ny: NoiseField,
    amplitude: f64,
}

impl Warp {
    /// A warp of the given amplitude (metres) from two fields seeded from `seed`.
    pub fn new(
        seed: u64,
        amplitude: f64,
        wavelength: f64,
        octaves: usize,
        gain: f64,
        bbox: (f64, f64, f64, f64),
    ) -> Self {
        Warp {
            nx: NoiseField::new(
                mix(seed ^ 0x5851_F42D_4C95_7F2D),
                wavelength,
                octaves,
                gain,
                bbox,
            ),
            ny: NoiseField::new(
                mix(seed ^ 0x1405_7B7E_F767_814F),
                wavelength,
                octaves,
                gain,
                bbox,
            ),
            amplitude,
        }
    }

    /// The warped position of `(x, y)`.
    pub fn apply(&self, x: f64, y: f64) -> (f64, f64) {
        (
            x + self.amplitude * self.nx.eval(x, y),
            y + self.amplitude * self.ny.eval(x, y),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splitmix_reference_values() {
        // First outputs of SplitMix64 seeded with 0 (reference implementation).
        let mut r = SplitMix64::new(0);
        assert_eq!(r.next_u64(), 0xE220_A839_7B1D_CDAF);
        assert_eq!(r.next_u64(), 0x6E78_9E6A_A1B9_65F4);
        let mut r = SplitMix64::new(42);
        for _ in 0..1000 {
            let x = r.f64();
            assert!((0.0..1.0).contains(&x));
            assert!(r.below(7) < 7);
        }
    }

    #[test]
    fn portable_functions_match_std() {
        for k in -200..=200 {
            let x = f64::from(k) * 0.0731;
            assert!(
                (exp(x) - x.exp()).abs() <= 4.0 * f64::EPSILON * x.exp(),
                "exp {x}"
            );
            let (s, c) = sin_cos(x * 7.0);
            assert!(
                (s - (x * 7.0).sin()).abs() < 2e-15 && (c - (x * 7.0).cos()).abs() < 2e-15,
                "sin/cos {x}"
            );
            let y = exp(x);
            assert!(
                (ln(y) - y.ln()).abs() < 1e-15 * (1.0 + y.ln().abs()),
                "ln {y}"
            );
        }
        assert_eq!(exp(0.0), 1.0);
        assert_eq!(ln(1.0), 0.0);
    }

    #[test]
    fn noise_is_bounded_and_table_independent() {
        let a = NoiseField::new(7, 10_000.0, 5, 0.6, (0.0, 0.0, 50_000.0, 50_000.0));
        let b = NoiseField::new(7, 10_000.0, 5, 0.6, (0.0, 0.0, 0.0, 0.0));
        for k in 0..500 {
            let (x, y) = (k as f64 * 97.3, k as f64 * 61.1);
            let v = a.eval(x, y);
            assert!((-1.0..=1.0).contains(&v));
            assert_eq!(v.to_bits(), b.eval(x, y).to_bits());
        }
    }
}
