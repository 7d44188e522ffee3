//! Eigendecomposition of a small dense symmetric matrix: Householder
//! reduction to tridiagonal form, then the implicit QL algorithm with
//! Wilkinson-style shifts. O(n³), meant for the r × r Gram matrices of the
//! randomized SVD and the discriminant projection (r of a few hundred).

use ndarray::Array2;

/// Eigenvalues in descending order, and the matching unit eigenvectors as
/// the columns of the second matrix.
pub fn symmetric_eigen(a: &Array2<f64>) -> (Vec<f64>, Array2<f64>) {
    let n = a.nrows().min(a.ncols());
    if n == 0 {
        return (Vec::new(), Array2::zeros((0, 0)));
    }
    let mut v: Vec<Vec<f64>> = (0..n)
        .map(|i| (0..n).map(|j| 0.5 * (a[[i, j]] + a[[j, i]])).collect())
        .collect();
    let mut d = vec![0f64; n];
    let mut e = vec![0f64; n];
    tridiagonalise(&mut v, &mut d, &mut e);
    diagonalise(&mut v, &mut d, &mut e);

    let mut order: Vec<usize> = (0..n).collect();
    order.sort_by(|&x, &y| d[y].total_cmp(&d[x]).then(x.cmp(&y)));
    let values = order.iter().map(|&i| d[i]).collect();
    let mut vectors = Array2::zeros((n, n));
    for (col, &src) in order.iter().enumerate() {
        for row in 0..n {
            vectors[[row, col]] = v[row][src];
        }
    }
    (values, vectors)
}

/// Householder reduction of the symmetric matrix in `v` to tridiagonal form
/// (diagonal `d`, sub-diagonal `e[1..]`), leaving the orthogonal transform
/// accumulated in `v`.
fn tridiagonalise(v: &mut [Vec<f64>], d: &mut [f64], e: &mut [f64]) {
    let n = d.len();
    d.copy_from_slice(&v[n - 1]);
    for i in (1..n).rev() {
        let scale: f64 = d[..i].iter().map(|x| x.abs()).sum();
        let mut h = 0.0;
        if scale == 0.0 {
            e[i] = d[i - 1];
            for j in 0..i {
                d[j] = v[i - 1][j];
                v[i][j] = 0.0;
                v[j][i] = 0.0;
            }
        } else {
            for dk in &mut d[..i] {
                *dk /= scale;
                h += *dk * *dk;
            }
            let f = d[i - 1];
            let g = if f > 0.0 { -h.sqrt() } else { h.sqrt() };
            e[i] = scale * g;
            h -= f * g;
            d[i - 1] = f - g;
            e[..i].fill(0.0);
            for j in 0..i {
                let f = d[j];
                v[j][i] = f;
                let mut g = e[j] + v[j][j] * f;
                for k in j + 1..i {
                    g += v[k][j] * d[k];
                    e[k] += v[k][j] * f;
                }
                e[j] = g;
            }
            let mut f = 0.0;
            for j in 0..i {
                e[j] /= h;
                f += e[j] * d[j];
            }
            let hh = f / (h + h);
            for j in 0..i {
                e[j] -= hh * d[j];
            }
            for j in 0..i {
                let (f, g) = (d[j], e[j]);
                for k in j..i {
                    v[k][j] -= f * e[k] + g * d[k];
                }
                d[j] = v[i - 1][j];
                v[i][j] = 0.0;
            }
        }
        d[i] = h;
    }
    // Accumulate the transformations.
    for i in 0..n - 1 {
        v[n - 1][i] = v[i][i];
        v[i][i] = 1.0;
        let h = d[i + 1];
        if h != 0.0 {
            for k in 0..=i {
                d[k] = v[k][i + 1] / h;
            }
            for j in 0..=i {
                let g: f64 = (0..=i).map(|k| v[k][i + 1] * v[k][j]).sum();
                for k in 0..=i {
                    v[k][j] -= g * d[k];
                }
            }
        }
        for row in v.iter_mut().take(i + 1) {
            row[i + 1] = 0.0;
        }
    }
    for j in 0..n {
        d[j] = v[n - 1][j];
        v[n - 1][j] = 0.0;
    }
    v[n - 1][n - 1] = 1.0;
    e[0] = 0.0;
}

/// Implicit QL iterations on the tridiagonal matrix (`d`, `e`), rotating the
/// columns of `v` along.
fn diagonalise(v: &mut [Vec<f64>], d: &mut [f64], e: &mut [f64]) {
    let n = d.len();
    for i in 1..n {
        e[i - 1] = e[i];
    }
    e[n - 1] = 0.0;
    let eps = f64::EPSILON;
    let mut f = 0.0;
    let mut tst1: f64 = 0.0;
    for l in 0..n {
        tst1 = tst1.max(d[l].abs() + e[l].abs());
        let mut m = l;
        while m < n - 1 && e[m].abs() > eps * tst1 {
            m += 1;
        }
        if m > l {
            for _ in 0..64 {
                let g = d[l];
                let mut p = (d[l + 1] - g) / (2.0 * e[l]);
                let mut r = p.hypot(1.0);
                if p < 0.0 {
                    r = -r;
                }
                d[l] = e[l] / (p + r);
                d[l + 1] = e[l] * (p + r);
                let dl1 = d[l + 1];
                let h = g - d[l];
                for di in &mut d[l + 2..] {
                    *di -= h;
                }
                f += h;

                p = d[m];
                let (mut c, mut c2, mut c3) = (1.0, 1.0, 1.0);
                let el1 = e[l + 1];
                let (mut s, mut s2) = (0.0, 0.0);
                for i in (l..m).rev() {
                    c3 = c2;
                    c2 = c;
                    s2 = s;
                    let g = c * e[i];
                    let h = c * p;
                    r = p.hypot(e[i]);
                    e[i + 1] = s * r;
                    s = e[i] / r;
                    c = p / r;
                    p = c * d[i] - s * g;
                    d[i + 1] = h + s * (c * g + s * d[i]);
                    for row in v.iter_mut() {
                        let h = row[i + 1];
                        row[i + 1] = s * row[i] + c * h;
                        row[i] = c * row[i] - s * h;
                    }
                }
                p = -s * s2 * c3 * el1 * e[l] / dl1;
                e[l] = s * p;
                d[l] = c * p;
                if e[l].abs() <= eps * tst1 || e[l].is_nan() {
                    break;
                }
            }
        }
        d[l] += f;
        e[l] = 0.0;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::{Rng, SeedableRng};
    use rand_chacha::ChaCha8Rng;

    fn check(a: &Array2<f64>) {
        let n = a.nrows();
        let (values, vectors) = symmetric_eigen(a);
        for w in values.windows(2) {
            assert!(w[0] >= w[1], "not descending: {values:?}");
        }
        let av = a.dot(&vectors);
        for j in 0..n {
            for i in 0..n {
                let want = values[j] * vectors[[i, j]];
                assert!((av[[i, j]] - want).abs() < 1e-8, "A v != λ v at {i},{j}");
            }
        }
        let vtv = vectors.t().dot(&vectors);
        for i in 0..n {
            for j in 0..n {
                let want = if i == j { 1.0 } else { 0.0 };
                assert!((vtv[[i, j]] - want).abs() < 1e-9);
            }
        }
    }

    #[test]
    fn random_symmetric_matrices() {
        let mut rng = ChaCha8Rng::seed_from_u64(3);
        for n in [1, 2, 3, 7, 40] {
            let b = Array2::from_shape_fn((n, n), |_| rng.random_range(-1.0..1.0));
            let a = &b + &b.t();
            check(&a);
        }
    }

    #[test]
    fn rank_deficient_and_zero() {
        check(&Array2::zeros((4, 4)));
        let x = ndarray::array![[1.0, 2.0, 3.0]];
        check(&x.t().dot(&x));
    }

    #[test]
    fn known_values() {
        let a = ndarray::array![[2.0, 1.0], [1.0, 2.0]];
        let (values, _) = symmetric_eigen(&a);
        assert!((values[0] - 3.0).abs() < 1e-12 && (values[1] - 1.0).abs() < 1e-12);
    }
}
