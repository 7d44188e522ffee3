//! Centring each language on the corpus mean before clustering.
//!
//! Offline summaries stay in each conversation's language, and every
//! embedder puts a language's texts a little apart from the rest: the
//! lexical one because they share words, sentence models because a
//! language moves all its vectors the same way (the offset that
//! "language-neutral" representations remove by centring each language,
//! Libovický et al., 2020). k-means then groups by language before topic.
//! Here each language holding enough of the corpus has its mean moved onto
//! the corpus mean, and the rows are normalised again; topics within and
//! across languages keep their distances. Only the clustering sees these
//! rows: centroids, names, the hierarchy and the map use the embeddings.
//!
//! Measured on the demo (800 conversations, 21% in five other languages;
//! `benches/RESULTS.md`): the top level's NMI against the true topics rose
//! with every embedder, the base clusters became purer by topic and less
//! by language. A corpus of one language is left exactly as it was.

use ndarray::{Array1, Array2, ArrayView2, Axis};

use crate::error::Result;

/// Fewest conversations a language needs to be centred.
pub const MIN_ROWS: usize = 10;
/// Smallest share of the corpus a language needs to be centred (a few
/// short texts misread as another language are not a language group).
pub const MIN_SHARE: f64 = 0.02;

/// The languages centred, with their sizes, largest first.
pub type Centred = Vec<(String, usize)>;

/// Per-language shifts: each language's mean minus the mean of all rows.
#[derive(Debug, Clone, PartialEq)]
pub struct LanguageShift {
    shifts: Vec<(String, Array1<f32>)>,
    sizes: Vec<usize>,
}

impl LanguageShift {
    /// Fits the shifts of `rows` (`languages[i]` is row `i`'s language, if
    /// known): for every language of at least [`MIN_ROWS`] rows and
    /// [`MIN_SHARE`] of them, or for exactly the languages in `only` when
    /// given (as recorded by an earlier fit). `None` when fewer than two
    /// languages qualify: there is nothing to centre.
    pub fn fit(
        rows: ArrayView2<f32>,
        languages: &[Option<&str>],
        only: Option<&[String]>,
    ) -> Result<Option<LanguageShift>> {
        let n = rows.nrows();
        crate::cluster::input::ensure(languages.len() == n, "languages", || {
            format!("has {} entries for {n} rows", languages.len())
        })?;
        let mut groups: Vec<(&str, Vec<usize>)> = Vec::new();
        for (i, lang) in languages.iter().enumerate() {
            let Some(lang) = lang else { continue };
            match groups.iter_mut().find(|(l, _)| l == lang) {
                Some((_, members)) => members.push(i),
                None => groups.push((lang, vec![i])),
            }
        }
        let least = MIN_ROWS.max((MIN_SHARE * n as f64).ceil() as usize);
        match only {
            Some(list) => groups.retain(|(l, _)| list.iter().any(|o| o == l)),
            None => groups.retain(|(_, members)| members.len() >= least),
        }
        if groups.len() < 2 {
            return Ok(None);
        }
        groups.sort_by(|a, b| b.1.len().cmp(&a.1.len()).then(a.0.cmp(b.0)));
        let global = rows
            .mean_axis(Axis(0))
            .unwrap_or_else(|| Array1::zeros(rows.ncols()));
        let mut shifts = Vec::with_capacity(groups.len());
        let mut sizes = Vec::with_capacity(groups.len());
        for (lang, members) in groups {
            let mut mean = Array1::<f32>::zeros(rows.ncols());
            for &r in &members {
                mean += &rows.row(r);
            }
            mean /= members.len() as f32;
            shifts.push((lang.to_string(), mean - &global));
            sizes.push(members.len());
        }
        Ok(Some(LanguageShift { shifts, sizes }))
    }

    /// The languages shifted and how many rows each had when fitted.
    pub fn centred(&self) -> Centred {
        self.shifts
            .iter()
            .zip(&self.sizes)
            .map(|((l, _), &n)| (l.clone(), n))
            .collect()
    }

    /// `rows` with each row of a fitted language moved by its language's
    /// shift and normalised again; other rows are copied as they are.
    pub fn apply(&self, rows: ArrayView2<f32>, languages: &[Option<&str>]) -> Array2<f32> {
        let mut out = rows.to_owned();
        for (mut row, lang) in out.rows_mut().into_iter().zip(languages) {
            let Some((_, shift)) = lang.and_then(|l| self.shifts.iter().find(|(s, _)| s == l))
            else {
                continue;
            };
            row -= shift;
            let norm = row.dot(&row).sqrt();
            if norm > 0.0 {
                row /= norm;
            }
        }
        out
    }
}

/// `rows` with each large enough language's mean moved onto the mean of
/// all rows, renormalised, and the languages centred; `None` (nothing to
/// do) unless at least two languages qualify.
pub fn centre_languages(
    rows: ArrayView2<f32>,
    languages: &[Option<&str>],
) -> Result<Option<(Array2<f32>, Centred)>> {
    Ok(LanguageShift::fit(rows, languages, None)?
        .map(|shift| (shift.apply(rows, languages), shift.centred())))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn unit(v: [f32; 3]) -> [f32; 3] {
        let n = v.iter().map(|x| x * x).sum::<f32>().sqrt();
        v.map(|x| x / n)
    }

    /// Two topics (mostly axis 0 or axis 1) in two languages; the second
    /// language adds a large offset along axis 2.
    fn rows() -> (Array2<f32>, Vec<Option<&'static str>>) {
        let mut m = Array2::zeros((40, 3));
        let mut langs = Vec::new();
        for i in 0..40 {
            let topic = i % 2;
            let german = i >= 20;
            // The two topics are close (cosine about 0.9), as topics of
            // one product are.
            let mut v = [0.0f32; 3];
            v[topic] = 1.0;
            v[1 - topic] = 0.6 + 0.01 * (i % 5) as f32;
            if german {
                v[2] = 1.5;
            }
            m.row_mut(i).assign(&Array1::from(unit(v).to_vec()));
            langs.push(Some(if german { "german" } else { "english" }));
        }
        (m, langs)
    }

    #[test]
    fn a_topic_is_nearer_itself_across_languages_once_centred() {
        let (m, langs) = rows();
        // Before: an English text of topic 0 is nearer an English text of
        // topic 1 than a German text of topic 0.
        let before = |a: usize, b: usize| m.row(a).dot(&m.row(b));
        assert!(before(0, 1) > before(0, 20));
        let (c, centred) = centre_languages(m.view(), &langs).unwrap().unwrap();
        assert_eq!(centred, vec![("english".into(), 20), ("german".into(), 20)]);
        let after = |a: usize, b: usize| c.row(a).dot(&c.row(b));
        assert!(
            after(0, 20) > after(0, 1),
            "{} {}",
            after(0, 20),
            after(0, 1)
        );
        for r in c.rows() {
            assert!((r.dot(&r) - 1.0).abs() < 1e-5);
        }
    }

    #[test]
    fn one_language_or_small_groups_change_nothing() {
        let (m, mut langs) = rows();
        for l in langs.iter_mut().skip(20) {
            *l = Some("english");
        }
        assert!(centre_languages(m.view(), &langs).unwrap().is_none());
        // Nine German rows are under MIN_ROWS; unknown languages stay put.
        for (i, l) in langs.iter_mut().enumerate() {
            *l = match i {
                0..9 => Some("german"),
                9..12 => None,
                _ => Some("english"),
            };
        }
        assert!(centre_languages(m.view(), &langs).unwrap().is_none());
        assert!(centre_languages(m.view(), &langs[..3]).is_err());
    }

    #[test]
    fn a_recorded_fit_shifts_new_rows_the_same_way() {
        let (m, langs) = rows();
        let (centred, list) = centre_languages(m.view(), &langs).unwrap().unwrap();
        let names: Vec<String> = list.into_iter().map(|(l, _)| l).collect();
        let shift = LanguageShift::fit(m.view(), &langs, Some(&names))
            .unwrap()
            .unwrap();
        // Rows placed later, one per language and one of unknown language.
        let new = m.select(Axis(0), &[3, 23, 5]);
        let out = shift.apply(new.view(), &[Some("english"), Some("german"), None]);
        for (a, b) in out.row(0).iter().zip(centred.row(3)) {
            assert!((a - b).abs() < 1e-6);
        }
        for (a, b) in out.row(1).iter().zip(centred.row(23)) {
            assert!((a - b).abs() < 1e-6);
        }
        assert_eq!(out.row(2), m.row(5));
    }
}
