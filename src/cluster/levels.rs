//! How many clusters each level of the hierarchy should have.

/// Preferred shrink factor between two levels (about six children per
/// parent).
const PREFERRED_RATIO: f64 = 6.0;
/// Parent levels above the base, at most.
const MAX_PARENT_LEVELS: usize = 3;

/// Cluster counts per level, from the base level down to the top: a
/// geometric sequence starting at `n_base` and ending at `max_top` (or
/// below).
///
/// * The first entry is `n_base`; the last is `<= max_top`; the sequence
///   is strictly decreasing.
/// * The number of parent levels is `ceil(ln(n_base / max_top) / ln 6)`,
///   between 1 and 3, so there are at most four levels in all and each
///   level shrinks by the same ratio `(n_base / max_top)^(1 / levels)`.
/// * `n_base <= max_top` gives just `[n_base]` (no parents needed);
///   `n_base == 0` gives `[]`; `max_top == 0` is treated as 1.
///
/// Example: `level_targets(500, 10) == [500, 136, 37, 10]`.
pub fn level_targets(n_base: usize, max_top: usize) -> Vec<usize> {
    if n_base == 0 {
        return Vec::new();
    }
    let max_top = max_top.max(1);
    if n_base <= max_top {
        return vec![n_base];
    }
    let total = n_base as f64 / max_top as f64;
    let levels = ((total.ln() / PREFERRED_RATIO.ln()).ceil() as usize).clamp(1, MAX_PARENT_LEVELS);
    let ratio = total.powf(1.0 / levels as f64);
    let mut out = vec![n_base];
    let mut prev = n_base;
    for level in 1..=levels {
        let ideal = if level == levels {
            max_top
        } else {
            (n_base as f64 / ratio.powi(level as i32)).round() as usize
        };
        // prev >= 2 here: it is above max_top >= 1.
        let next = ideal.clamp(1, prev - 1);
        out.push(next);
        if next <= max_top {
            break;
        }
        prev = next;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::level_targets;

    #[test]
    fn documented_example() {
        assert_eq!(level_targets(500, 10), vec![500, 136, 37, 10]);
    }
}
