//! The small-count threshold: which counts of people are withheld.
//!
//! A **count** (residents, children 0–5, newborns, first-born children, eligible
//! or accepting families, counts of a CNI variable) is *small* when
//! `0 < count < min_count` (default 5, set with `[privacy] min_count` in the
//! scenario; `0` turns suppression off). Counts may be fractional (families
//! estimated from shares): 4.2 is small too. **Zero is shown**: an empty area or
//! centre discloses nothing about a person, and SCB's and Socialstyrelsen's
//! tables likewise suppress small non-zero counts, not zeros.
//!
//! What follows from a small count (which other values are withheld with it) is
//! the release's rule: see [`crate::release`].
//!
//! ```
//! use careneed::release::privacy::Privacy;
//! let p = Privacy::default();
//! assert!(p.hides(Some(4.0)) && p.hides(Some(0.5)));
//! assert!(!p.hides(Some(0.0)) && !p.hides(Some(5.0)) && !p.hides(None));
//! ```

use serde::{Deserialize, Serialize};

/// The suppression threshold.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Privacy {
    /// Counts `c` with `0 < c < min_count` are withheld (5 by default).
    pub min_count: f64,
}

impl Default for Privacy {
    fn default() -> Self {
        Privacy { min_count: 5.0 }
    }
}

impl Privacy {
    /// Whether a count is withheld: `0 < count < min_count`. `None` (no count) is
    /// not withheld; it has nothing to hide.
    pub fn hides(&self, count: Option<f64>) -> bool {
        count.is_some_and(|c| c > 0.0 && c < self.min_count)
    }

    /// Whether any of `counts` is withheld.
    pub fn hides_any(&self, counts: &[Option<f64>]) -> bool {
        counts.iter().any(|&c| self.hides(c))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn threshold_is_exclusive_and_zero_is_shown() {
        let p = Privacy { min_count: 3.0 };
        assert!(p.hides(Some(2.99)));
        assert!(!p.hides(Some(3.0)));
        assert!(!p.hides(Some(0.0)));
        assert!(!p.hides(None));
        let off = Privacy { min_count: 0.0 };
        assert!(!off.hides(Some(1.0)));
    }
}
