//! Checks shared by every numeric entry point: finite data, sane shapes.

use ndarray::ArrayView2;

use crate::error::{Error, Result};

/// Fails on the first row holding a NaN or an infinity, naming the row.
pub(crate) fn check_finite(data: ArrayView2<f32>, what: &str) -> Result<()> {
    for (i, row) in data.rows().into_iter().enumerate() {
        if let Some(col) = row.iter().position(|v| !v.is_finite()) {
            return Err(Error::param(
                what,
                format!("row {i}, column {col} is not a finite number"),
            ));
        }
    }
    Ok(())
}

/// A parameter check in one line: `ensure(cond, name, message)`.
pub(crate) fn ensure(cond: bool, name: &str, message: impl FnOnce() -> String) -> Result<()> {
    if cond {
        Ok(())
    } else {
        Err(Error::param(name, message()))
    }
}

/// `true` when `x` is a finite number inside `[lo, hi]`.
pub(crate) fn in_range(x: f64, lo: f64, hi: f64) -> bool {
    x.is_finite() && x >= lo && x <= hi
}
