//! The low-dimensional similarity curve `1 / (1 + a·x^(2b))`, fitted to
//! UMAP's target (1 below `min_dist`, then `exp(−(x − min_dist)/spread)`)
//! by least squares over 300 points on `[0, 3·spread]`, as the reference
//! implementation does with `scipy.optimize.curve_fit`. We solve it with
//! Levenberg–Marquardt in f64 from `a = b = 1`.

const POINTS: usize = 300;
const MAX_STEPS: usize = 500;

/// `(a, b)` for the given `spread` and `min_dist` (`0 <= min_dist <=
/// spread`, `spread > 0`, checked by the caller).
pub(super) fn fit_ab(spread: f32, min_dist: f32) -> (f32, f32) {
    let spread = f64::from(spread);
    let min_dist = f64::from(min_dist);
    let xs: Vec<f64> = (0..POINTS)
        .map(|i| 3.0 * spread * i as f64 / (POINTS - 1) as f64)
        .collect();
    let ys: Vec<f64> = xs
        .iter()
        .map(|&x| {
            if x < min_dist {
                1.0
            } else {
                (-(x - min_dist) / spread).exp()
            }
        })
        .collect();
    let mut a = 1.0f64;
    let mut b = 1.0f64;
    let mut lambda = 1e-3;
    let mut cost = sse(&xs, &ys, a, b);
    for _ in 0..MAX_STEPS {
        // Normal equations J^T J δ = −J^T r for the two parameters.
        let (mut jaa, mut jab, mut jbb, mut ga, mut gb) = (0.0, 0.0, 0.0, 0.0, 0.0);
        for (&x, &y) in xs.iter().zip(&ys) {
            if x <= 0.0 {
                // f(0) = 1 whatever a and b are: no gradient.
                continue;
            }
            let p = x.powf(2.0 * b);
            let den = 1.0 + a * p;
            let r = 1.0 / den - y;
            let da = -p / (den * den);
            let db = -a * p * 2.0 * x.ln() / (den * den);
            jaa += da * da;
            jab += da * db;
            jbb += db * db;
            ga += da * r;
            gb += db * r;
        }
        let mut improved = false;
        while lambda < 1e12 {
            let (m11, m22) = (jaa * (1.0 + lambda), jbb * (1.0 + lambda));
            let det = m11 * m22 - jab * jab;
            if det.abs() < 1e-300 {
                lambda *= 10.0;
                continue;
            }
            let step_a = (-ga * m22 + gb * jab) / det;
            let step_b = (-gb * m11 + ga * jab) / det;
            let (na, nb) = (a + step_a, b + step_b);
            if na > 0.0 && nb > 0.0 {
                let new_cost = sse(&xs, &ys, na, nb);
                if new_cost < cost {
                    let done = (cost - new_cost) <= 1e-15 * cost.max(1e-300);
                    a = na;
                    b = nb;
                    cost = new_cost;
                    lambda = (lambda * 0.1).max(1e-12);
                    improved = !done;
                    break;
                }
            }
            lambda *= 10.0;
        }
        if !improved {
            break;
        }
    }
    (a as f32, b as f32)
}

fn sse(xs: &[f64], ys: &[f64], a: f64, b: f64) -> f64 {
    xs.iter()
        .zip(ys)
        .map(|(&x, &y)| {
            let f = 1.0 / (1.0 + a * x.powf(2.0 * b));
            (f - y) * (f - y)
        })
        .sum()
}

#[cfg(test)]
mod tests {
    use super::fit_ab;

    #[test]
    fn matches_reference_umap_values() {
        // umap-learn: find_ab_params(1.0, 0.1) = (1.576943, 0.895061).
        let (a, b) = fit_ab(1.0, 0.1);
        assert!(
            (a - 1.5769).abs() < 2e-3 && (b - 0.8951).abs() < 2e-3,
            "{a} {b}"
        );
    }

    #[test]
    fn fit_is_a_local_least_squares_minimum() {
        for (spread, min_dist) in [(1.0f32, 0.0f32), (1.0, 0.5), (2.0, 0.3)] {
            let (a, b) = fit_ab(spread, min_dist);
            let xs: Vec<f64> = (0..300)
                .map(|i| 3.0 * f64::from(spread) * i as f64 / 299.0)
                .collect();
            let ys: Vec<f64> = xs
                .iter()
                .map(|&x| {
                    if x < f64::from(min_dist) {
                        1.0
                    } else {
                        (-(x - f64::from(min_dist)) / f64::from(spread)).exp()
                    }
                })
                .collect();
            let best = super::sse(&xs, &ys, f64::from(a), f64::from(b));
            for (da, db) in [(0.02, 0.0), (-0.02, 0.0), (0.0, 0.02), (0.0, -0.02)] {
                let other = super::sse(&xs, &ys, f64::from(a) + da, f64::from(b) + db);
                assert!(
                    best <= other,
                    "spread {spread} min_dist {min_dist}: {best} > {other}"
                );
            }
        }
    }
}
