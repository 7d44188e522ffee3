//! The metadata of a synthetic conversation: plan, country, platform, app
//! version, satisfaction, and deterministic RFC 3339 timestamps.

use rand::Rng;

use super::catalogue::Lang;

/// Conversations start on 2025-03-03T00:00:00Z ...
pub(crate) const START_UNIX: i64 = 1_740_960_000;
/// ... and spread over four weeks.
pub(crate) const SPAN_DAYS: i64 = 28;

const PLANS: [&str; 4] = ["free", "pro", "team", "enterprise"];

/// App releases as (first day available, version), oldest first.
const RELEASES: [(i64, &str); 5] = [
    (0, "2.3.0"),
    (6, "2.3.1"),
    (11, "2.4.0"),
    (19, "2.4.1"),
    (25, "2.5.0"),
];

/// Relative activity per UTC hour: quiet at night, busy in the afternoon.
const HOURLY: [u32; 24] = [
    3, 2, 2, 2, 2, 3, 4, 6, 8, 9, 10, 10, 10, 11, 11, 11, 10, 9, 8, 8, 7, 6, 5, 4,
];

/// Picks an index with probability proportional to its weight.
pub(crate) fn weighted<R: Rng + ?Sized>(rng: &mut R, weights: &[u32]) -> usize {
    let total: u32 = weights.iter().sum();
    if total == 0 {
        return 0;
    }
    let mut roll = rng.random_range(0..total);
    for (i, &w) in weights.iter().enumerate() {
        if roll < w {
            return i;
        }
        roll -= w;
    }
    weights.len().saturating_sub(1)
}

/// Picks a value from `(value, weight)` pairs; `None` if all weights are 0.
pub(crate) fn pick_weighted<R: Rng + ?Sized, T: Copy>(
    rng: &mut R,
    table: &[(T, u32)],
) -> Option<T> {
    let total: u32 = table.iter().map(|&(_, w)| w).sum();
    if total == 0 {
        return None;
    }
    let mut roll = rng.random_range(0..total);
    for &(value, w) in table {
        if roll < w {
            return Some(value);
        }
        roll -= w;
    }
    None
}

/// A plan drawn from the topic's plan weights.
pub(crate) fn plan<R: Rng + ?Sized>(rng: &mut R, weights: &[u32; 4]) -> &'static str {
    PLANS.get(weighted(rng, weights)).copied().unwrap_or("free")
}

/// A country (ISO 3166-1 alpha-2) plausible for a writer of `lang`.
pub(crate) fn country<R: Rng + ?Sized>(rng: &mut R, lang: Lang) -> &'static str {
    let table: &[(&str, u32)] = match lang {
        Lang::En => &[
            ("US", 45),
            ("GB", 15),
            ("IN", 12),
            ("CA", 8),
            ("AU", 6),
            ("NG", 4),
            ("PH", 4),
            ("IE", 3),
            ("SG", 3),
        ],
        Lang::Es => &[("ES", 35), ("MX", 30), ("AR", 15), ("CO", 12), ("CL", 8)],
        Lang::Fr => &[("FR", 65), ("CA", 12), ("BE", 12), ("CH", 6), ("SN", 5)],
        Lang::De => &[("DE", 75), ("AT", 15), ("CH", 10)],
        Lang::Pt => &[("BR", 80), ("PT", 20)],
        Lang::Ja => &[("JP", 1)],
    };
    pick_weighted(rng, table).unwrap_or("US")
}

/// The client the conversation came from.
pub(crate) fn platform<R: Rng + ?Sized>(rng: &mut R) -> &'static str {
    const PLATFORMS: [(&str, u32); 4] =
        [("web", 55), ("ios", 20), ("android", 15), ("desktop", 10)];
    pick_weighted(rng, &PLATFORMS).unwrap_or("web")
}

/// The app version in use on `day`: usually the newest release, sometimes an
/// older one that was never updated.
pub(crate) fn app_version<R: Rng + ?Sized>(rng: &mut R, day: i64) -> &'static str {
    let newest = RELEASES
        .iter()
        .rposition(|&(from, _)| from <= day)
        .unwrap_or(0);
    let lag = weighted(rng, &[70, 20, 10]);
    RELEASES
        .get(newest.saturating_sub(lag))
        .map_or("2.3.0", |&(_, v)| v)
}

/// Satisfaction 1–5, drawn so that it falls as frustration (1–5) rises.
pub(crate) fn satisfaction<R: Rng + ?Sized>(rng: &mut R, frustration: u8) -> u8 {
    let weights: [u32; 5] = match frustration {
        0 | 1 => [0, 0, 5, 35, 60],
        2 => [0, 5, 35, 45, 15],
        3 => [5, 25, 45, 20, 5],
        4 => [30, 45, 20, 5, 0],
        _ => [75, 20, 5, 0, 0],
    };
    weighted(rng, &weights) as u8 + 1
}

/// A conversation start (unix seconds) and its day within the span.
pub(crate) fn start_time<R: Rng + ?Sized>(rng: &mut R) -> (i64, i64) {
    let day = rng.random_range(0..SPAN_DAYS);
    let hour = weighted(rng, &HOURLY) as i64;
    let second = rng.random_range(0..3600);
    (START_UNIX + day * 86_400 + hour * 3600 + second, day)
}

/// Formats unix seconds as RFC 3339 UTC, e.g. `2025-03-03T09:15:00Z`.
/// (Written by hand: `format!` with padding dominated generation time.)
pub(crate) fn rfc3339(unix: i64) -> String {
    let days = unix.div_euclid(86_400);
    let secs = unix.rem_euclid(86_400);
    let (y, m, d) = civil_from_days(days);
    let mut out = String::with_capacity(20);
    push_padded(&mut out, y, 4);
    out.push('-');
    push_padded(&mut out, m, 2);
    out.push('-');
    push_padded(&mut out, d, 2);
    out.push('T');
    push_padded(&mut out, secs / 3600, 2);
    out.push(':');
    push_padded(&mut out, secs % 3600 / 60, 2);
    out.push(':');
    push_padded(&mut out, secs % 60, 2);
    out.push('Z');
    out
}

/// Appends `value` as exactly `width` decimal digits (clamped to fit).
fn push_padded(out: &mut String, value: i64, width: u32) {
    let value = value.clamp(0, 10_i64.pow(width) - 1);
    for place in (0..width).rev() {
        let digit = (value / 10_i64.pow(place)) % 10;
        out.push(char::from(b'0' + digit as u8));
    }
}

/// Days since 1970-01-01 to a proleptic Gregorian (year, month, day).
fn civil_from_days(days: i64) -> (i64, i64, i64) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    (y, m, d)
}

#[cfg(test)]
mod tests {
    use rand::SeedableRng;
    use rand_chacha::ChaCha8Rng;

    use super::*;

    #[test]
    fn rfc3339_matches_chrono() {
        for unix in [
            0,
            START_UNIX,
            START_UNIX + 86_399,
            951_782_400,
            4_107_542_399,
            1_709_164_800,
        ] {
            let ours = rfc3339(unix);
            let theirs = chrono::DateTime::from_timestamp(unix, 0)
                .unwrap()
                .to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
            assert_eq!(ours, theirs);
        }
    }

    #[test]
    fn versions_follow_the_release_timeline() {
        let mut rng = ChaCha8Rng::seed_from_u64(5);
        for _ in 0..100 {
            assert_eq!(app_version(&mut rng, 0), "2.3.0");
            assert_ne!(app_version(&mut rng, 8), "2.4.0");
        }
        let late: Vec<_> = (0..100).map(|_| app_version(&mut rng, 27)).collect();
        assert!(late.iter().filter(|v| **v == "2.5.0").count() > 50);
    }

    #[test]
    fn satisfaction_falls_with_frustration() {
        let mut rng = ChaCha8Rng::seed_from_u64(6);
        let mean = |f: u8, rng: &mut ChaCha8Rng| {
            (0..500)
                .map(|_| f64::from(satisfaction(rng, f)))
                .sum::<f64>()
                / 500.0
        };
        let means: Vec<f64> = (1..=5).map(|f| mean(f, &mut rng)).collect();
        assert!(means.windows(2).all(|w| w[0] > w[1]), "{means:?}");
    }
}
