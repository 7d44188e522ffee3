//! The starting layout: principal components of the data, found with a
//! seeded randomised range finder (Halko, Martinsson & Tropp 2011: eight
//! extra directions, four power iterations), then each output dimension
//! min-max scaled to `[0, 10]` as the reference UMAP scales its start. A
//! dimension without variance (tiny or degenerate data) gets seeded uniform
//! values on `[0, 10]` instead.

use ndarray::{Array2, ArrayView2, Axis};
use rand::Rng;
use rand_chacha::ChaCha8Rng;

const OVERSAMPLE: usize = 8;
const POWER_ITERATIONS: usize = 4;
const SCALE: f32 = 10.0;

/// `n × c` starting coordinates for the rows of `data`.
pub(super) fn pca_layout(data: ArrayView2<f32>, c: usize, rng: &mut ChaCha8Rng) -> Array2<f32> {
    let (n, d) = data.dim();
    let mut coords = Array2::<f32>::zeros((n, c));
    let l = (c + OVERSAMPLE).min(n).min(d);
    if l > 0 {
        let mean = data.mapv(f64::from).mean_axis(Axis(0));
        let mut xc = data.to_owned();
        if let Some(mean) = mean {
            for mut row in xc.rows_mut() {
                for (v, m) in row.iter_mut().zip(mean.iter()) {
                    *v = (f64::from(*v) - m) as f32;
                }
            }
        }
        let omega = Array2::from_shape_fn((d, l), |_| rng.random_range(-1.0f32..1.0));
        let mut y = xc.dot(&omega);
        orthonormalize(&mut y);
        for _ in 0..POWER_ITERATIONS {
            let mut z = xc.t().dot(&y);
            orthonormalize(&mut z);
            y = xc.dot(&z);
            orthonormalize(&mut y);
        }
        let b = y.t().dot(&xc).mapv(f64::from);
        let (values, vectors) = jacobi_eigen(b.dot(&b.t()));
        for (out_col, &(value, idx)) in values.iter().take(c).enumerate() {
            let sigma = value.max(0.0).sqrt();
            for (i, yrow) in y.rows().into_iter().enumerate() {
                let s: f64 = yrow
                    .iter()
                    .zip(vectors.column(idx))
                    .map(|(&a, &b)| f64::from(a) * b)
                    .sum();
                coords[(i, out_col)] = (s * sigma) as f32;
            }
        }
    }
    for mut col in coords.columns_mut() {
        let (lo, hi) = col
            .iter()
            .fold((f32::INFINITY, f32::NEG_INFINITY), |(lo, hi), &v| {
                (lo.min(v), hi.max(v))
            });
        let range = hi - lo;
        if range.is_finite() && range > 1e-6 * hi.abs().max(lo.abs()).max(1e-30) {
            col.mapv_inplace(|v| SCALE * (v - lo) / range);
        } else {
            col.mapv_inplace(|_| rng.random_range(0.0..SCALE));
        }
    }
    coords
}

/// Modified Gram–Schmidt on the columns, twice for stability. Columns that
/// vanish (rank deficiency) are set to zero.
fn orthonormalize(m: &mut Array2<f32>) {
    let cols = m.ncols();
    for _ in 0..2 {
        for j in 0..cols {
            for i in 0..j {
                let dot: f64 = m
                    .column(i)
                    .iter()
                    .zip(m.column(j))
                    .map(|(&a, &b)| f64::from(a) * f64::from(b))
                    .sum();
                let qi = m.column(i).to_owned();
                m.column_mut(j).zip_mut_with(&qi, |v, &q| {
                    *v = (f64::from(*v) - dot * f64::from(q)) as f32
                });
            }
            let norm: f64 = m
                .column(j)
                .iter()
                .map(|&v| f64::from(v).powi(2))
                .sum::<f64>()
                .sqrt();
            if norm > 1e-20 {
                m.column_mut(j)
                    .mapv_inplace(|v| (f64::from(v) / norm) as f32);
            } else {
                m.column_mut(j).fill(0.0);
            }
        }
    }
}

/// Eigen-decomposition of a small symmetric matrix by cyclic Jacobi
/// rotations. Returns `(eigenvalue, column)` pairs sorted by decreasing
/// eigenvalue and the matrix whose columns are the eigenvectors.
pub(super) fn jacobi_eigen(mut a: Array2<f64>) -> (Vec<(f64, usize)>, Array2<f64>) {
    let n = a.nrows();
    let mut v = Array2::<f64>::eye(n);
    let scale: f64 = a.iter().map(|x| x * x).sum::<f64>().sqrt().max(1e-300);
    for _sweep in 0..64 {
        let off: f64 = (0..n)
            .flat_map(|i| (0..n).filter(move |&j| j != i).map(move |j| (i, j)))
            .map(|(i, j)| a[(i, j)] * a[(i, j)])
            .sum::<f64>()
            .sqrt();
        if off <= 1e-13 * scale {
            break;
        }
        for p in 0..n {
            for q in p + 1..n {
                let apq = a[(p, q)];
                if apq.abs() <= 1e-300 {
                    continue;
                }
                let theta = (a[(q, q)] - a[(p, p)]) / (2.0 * apq);
                let t = theta.signum() / (theta.abs() + (theta * theta + 1.0).sqrt());
                let t = if theta == 0.0 { 1.0 } else { t };
                let cos = 1.0 / (t * t + 1.0).sqrt();
                let sin = t * cos;
                for k in 0..n {
                    let akp = a[(k, p)];
                    let akq = a[(k, q)];
                    a[(k, p)] = cos * akp - sin * akq;
                    a[(k, q)] = sin * akp + cos * akq;
                }
                for k in 0..n {
                    let apk = a[(p, k)];
                    let aqk = a[(q, k)];
                    a[(p, k)] = cos * apk - sin * aqk;
                    a[(q, k)] = sin * apk + cos * aqk;
                }
                for k in 0..n {
                    let vkp = v[(k, p)];
                    let vkq = v[(k, q)];
                    v[(k, p)] = cos * vkp - sin * vkq;
                    v[(k, q)] = sin * vkp + cos * vkq;
                }
            }
        }
    }
    let mut values: Vec<(f64, usize)> = (0..n).map(|i| (a[(i, i)], i)).collect();
    values.sort_by(|x, y| y.0.total_cmp(&x.0).then(x.1.cmp(&y.1)));
    (values, v)
}

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::array;
    use rand::SeedableRng;

    #[test]
    fn jacobi_finds_known_eigenpairs() {
        let m = array![[2.0, 1.0, 0.0], [1.0, 2.0, 0.0], [0.0, 0.0, 5.0]];
        let (values, vectors) = jacobi_eigen(m.clone());
        let got: Vec<f64> = values.iter().map(|v| v.0).collect();
        for (g, w) in got.iter().zip([5.0, 3.0, 1.0]) {
            assert!((g - w).abs() < 1e-9, "{got:?}");
        }
        for &(value, idx) in &values {
            let v = vectors.column(idx).to_owned();
            let mv = m.dot(&v);
            for (a, b) in mv.iter().zip(v.iter()) {
                assert!((a - value * b).abs() < 1e-9);
            }
        }
    }

    #[test]
    fn first_component_follows_the_long_axis() {
        // Points along the line y = 2x with a little noise in z.
        let data = Array2::from_shape_fn((50, 3), |(i, j)| {
            let t = i as f32 - 25.0;
            match j {
                0 => t,
                1 => 2.0 * t,
                _ => ((i * 7) % 5) as f32 * 0.01,
            }
        });
        let mut rng = ChaCha8Rng::seed_from_u64(1);
        let coords = pca_layout(data.view(), 2, &mut rng);
        // The first coordinate is monotone in t (up to sign) and spans [0, 10].
        let first: Vec<f32> = coords.column(0).to_vec();
        let increasing = first.windows(2).all(|w| w[0] <= w[1]);
        let decreasing = first.windows(2).all(|w| w[0] >= w[1]);
        assert!(increasing || decreasing);
        let lo = first.iter().copied().fold(f32::INFINITY, f32::min);
        let hi = first.iter().copied().fold(f32::NEG_INFINITY, f32::max);
        assert!(lo.abs() < 1e-4 && (hi - 10.0).abs() < 1e-4);
    }
}
