//! What the explorer marks: conversations added since the clusters were
//! computed, how many each cluster gained (at every level), the unassigned
//! bucket, and each cluster's volume over time.

use std::collections::{HashMap, HashSet};
use std::path::Path;

use chrono::NaiveDate;

use super::record::AddLog;
use super::timeline::Timeline;
use crate::error::Result;
use crate::model::Hierarchy;

/// The explorer's view of added conversations and dates.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Marks {
    /// Conversations added with `kura-tui add`.
    pub new_ids: HashSet<String>,
    /// New conversations under each cluster id, any level.
    pub grew: HashMap<String, usize>,
    /// The unassigned bucket's cluster id.
    pub unassigned: Option<String>,
    /// Volume per day or week, when conversations carry dates.
    pub timeline: Option<Timeline>,
}

impl Marks {
    /// Marks from `added.json` (when it describes the hierarchy whose
    /// checkpoint digest is `hierarchy_digest`) and conversation dates.
    pub fn build(
        log: Option<&AddLog>,
        hierarchy_digest: Option<&str>,
        hierarchy: &Hierarchy,
        dates: &HashMap<String, NaiveDate>,
    ) -> Marks {
        let mut marks = Marks {
            timeline: Timeline::build(hierarchy, dates),
            ..Marks::default()
        };
        let Some(log) = log.filter(|l| l.describes(hierarchy_digest)) else {
            return marks;
        };
        marks.new_ids = log.new_ids().into_iter().map(str::to_string).collect();
        marks.unassigned = log.unassigned_cluster.clone();
        for c in hierarchy.clusters() {
            let n = hierarchy
                .members(&c.id)
                .iter()
                .filter(|m| marks.new_ids.contains(**m))
                .count();
            if n > 0 {
                marks.grew.insert(c.id.clone(), n);
            }
        }
        marks
    }

    /// Loads the marks of a project (its `added.json` and store dates).
    pub fn load(
        root: &Path,
        store: &crate::project::store::Store,
        hierarchy_digest: Option<&str>,
        hierarchy: &Hierarchy,
    ) -> Result<Marks> {
        let layout = crate::project::Layout::new(root);
        let log = AddLog::load(&super::record::path(&layout))?;
        let dates = super::timeline::dates(store)?;
        Ok(Marks::build(
            log.as_ref(),
            hierarchy_digest,
            hierarchy,
            &dates,
        ))
    }

    pub fn is_new(&self, conversation_id: &str) -> bool {
        self.new_ids.contains(conversation_id)
    }

    /// New conversations under a cluster.
    pub fn new_in(&self, cluster_id: &str) -> usize {
        self.grew.get(cluster_id).copied().unwrap_or(0)
    }

    /// The cluster's name with a `+N new` badge when it grew.
    pub fn decorate(&self, cluster_id: &str, name: &str) -> String {
        match self.new_in(cluster_id) {
            0 => name.to_string(),
            n => format!("{name} +{n} new"),
        }
    }
}
