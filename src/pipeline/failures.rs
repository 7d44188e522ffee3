//! Failed work items counted by short reason ([`Error::reason`]), for
//! summaries such as `connection refused 20` or `timeout 12, HTTP 500 5`.

use std::collections::BTreeMap;

use crate::error::Error;

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Failures {
    by_reason: BTreeMap<String, usize>,
    total: usize,
}

impl Failures {
    pub fn add(&mut self, error: &Error) {
        *self.by_reason.entry(error.reason()).or_default() += 1;
        self.total += 1;
    }

    pub fn total(&self) -> usize {
        self.total
    }

    pub fn is_empty(&self) -> bool {
        self.total == 0
    }

    /// Counts per reason, most frequent first: `timeout 12, HTTP 500 5`.
    pub fn summary(&self) -> String {
        let mut counts: Vec<(&String, &usize)> = self.by_reason.iter().collect();
        counts.sort_by(|a, b| b.1.cmp(a.1).then_with(|| a.0.cmp(b.0)));
        counts
            .iter()
            .map(|(r, n)| format!("{r} {n}"))
            .collect::<Vec<_>>()
            .join(", ")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_by_reason_most_frequent_first() {
        let mut f = Failures::default();
        for m in ["HTTP 500: x", "timeout", "no answer (timeout)", "bad JSON"] {
            f.add(&Error::Llm(m.into()));
        }
        assert_eq!(f.total(), 4);
        assert_eq!(f.summary(), "timeout 2, HTTP 500 1, invalid JSON 1");
    }
}
