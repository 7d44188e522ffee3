//! The classifier tools' file work, off the UI thread: listing, reading a
//! classifier (definition, labels, labelling order, applied labels, eval
//! history), writing a new definition and storing one label. Writes take
//! the project's lock, as the `classify` commands do.

use std::collections::HashMap;
use std::path::Path;

use super::{AppliedView, ClassifierData, ClassifyJob, ClassifyReply, Created, Purpose};
use crate::classify::access;
use crate::classify::corpus::Corpus;
use crate::classify::create::{NewClassifier, create_from_clusters};
use crate::classify::evaluation;
use crate::classify::labelled;
use crate::classify::ops;
use crate::classify::{ClassifierFiles, Definition};
use crate::config::ProcessEnv;
use crate::error::{Error, Result};
use crate::project::{Layout, Project, ProjectLock};
use crate::tui::msg::Msg;

/// Carries out `job`, sending its reply.
pub fn run(job: ClassifyJob, send: &dyn Fn(Msg)) {
    let reply = match job {
        ClassifyJob::List { root, purpose } => ClassifyReply::Listed {
            purpose,
            result: access::list(&root).map_err(|e| e.to_string()),
        },
        ClassifyJob::Load {
            root,
            name,
            purpose,
        } => ClassifyReply::Loaded {
            purpose,
            result: load(&root, &name, purpose)
                .map(Box::new)
                .map_err(|e| e.to_string()),
        },
        ClassifyJob::Create {
            root,
            name,
            clusters,
        } => ClassifyReply::Created(create(&root, &name, clusters).map_err(|e| e.to_string())),
        ClassifyJob::SetLabel {
            root,
            name,
            id,
            labels,
        } => ClassifyReply::LabelSaved(
            locked(&root, || {
                let files = ClassifierFiles::new(&root, &name)?;
                access::set_label(&files, &id, labels).map(|_| ())
            })
            .map_err(|e| e.to_string()),
        ),
    };
    send(Msg::Classify(reply));
}

/// Runs `f` holding the project's lock; a lock this process already holds
/// (the explorer opened after `run`) counts as held.
fn locked<T>(root: &Path, f: impl FnOnce() -> Result<T>) -> Result<T> {
    let layout = Layout::new(root);
    let _guard = match ProjectLock::acquire(&layout.lock(), root) {
        Ok(g) => Some(g),
        Err(Error::Locked { holder, .. }) if holder == format!("pid {}", std::process::id()) => {
            None
        }
        Err(e) => return Err(e),
    };
    f()
}

fn create(root: &Path, name: &str, clusters: Vec<String>) -> Result<Created> {
    locked(root, || {
        let project = Project::open(root, &ProcessEnv)?;
        let (files, def) = create_from_clusters(&project, &NewClassifier::new(name, clusters))?;
        Ok(Created {
            path: files.definition(),
            categories: def.categories.len(),
            other: def.class_names().len() > def.categories.len(),
        })
    })
}

/// Reads what `purpose` needs of classifier `name`.
pub fn load(root: &Path, name: &str, purpose: Purpose) -> Result<ClassifierData> {
    let files = ClassifierFiles::new(root, name)?;
    files.require()?;
    let def = Definition::load(&files.definition())?;
    let stored = labelled::load(&files.labels(), &def)?;
    let classes = def.class_names();
    let mut data = ClassifierData {
        name: name.to_string(),
        version: files.version()?,
        mode: def.mode,
        has_other: classes.len() > def.categories.len(),
        classes,
        labels: stored
            .iter()
            .filter_map(|l| l.id.clone().map(|id| (id, l.labels.clone())))
            .collect(),
        queue: Vec::new(),
        applied: None,
        history: Vec::new(),
    };
    match purpose {
        Purpose::Label => {
            let project = Project::open(root, &ProcessEnv)?;
            let analysis = ops::clusters_of(&project)?;
            let corpus = Corpus::load(&project, def.text)?;
            data.queue = access::labelling_queue(&def, &analysis.hierarchy, &corpus, &stored)
                .into_iter()
                .map(|p| (p as u32, corpus.ids[p].clone()))
                .collect();
        }
        Purpose::Colour => {
            let Some((header, rows)) = access::read_applied(&files)? else {
                return Err(Error::Other(format!(
                    "classifier `{name}` has no applied labels yet; run `kura-tui classify apply PATH {name}`"
                )));
            };
            let project = Project::open(root, &ProcessEnv)?;
            let ids = project.store()?.id_index()?;
            data.applied = Some(applied_view(
                &data.classes,
                &ids,
                &rows,
                header.version,
                header.at,
            ));
        }
        Purpose::History => data.history = evaluation::history(&files.evals())?,
    }
    Ok(data)
}

/// The applied labels by store position; labels the definition no longer
/// has are kept as extra classes.
pub fn applied_view(
    classes: &[String],
    ids: &HashMap<String, usize>,
    rows: &[ops::AppliedLabel],
    version: String,
    at: String,
) -> AppliedView {
    let mut classes = classes.to_vec();
    let mut by_position = vec![Vec::new(); ids.len()];
    for row in rows {
        let Some(&p) = row.id.as_ref().and_then(|id| ids.get(id)) else {
            continue;
        };
        let mut mine = Vec::new();
        for l in &row.labels {
            let c = match classes.iter().position(|c| c.eq_ignore_ascii_case(l)) {
                Some(c) => c,
                None => {
                    classes.push(l.clone());
                    classes.len() - 1
                }
            };
            mine.push(c as u32);
        }
        if let Some(slot) = by_position.get_mut(p) {
            *slot = mine;
        }
    }
    AppliedView {
        version,
        at,
        classes,
        by_position,
    }
}
