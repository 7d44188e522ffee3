//! `kura-tui eval`: how well the base clusters, and each level of the
//! hierarchy, agree with ground-truth labels taken from conversation
//! metadata. HDBSCAN noise counts as one cluster.

use std::collections::{BTreeMap, HashMap};

use serde::Serialize;

use crate::analysis::Analysis;
use crate::config::{EmbedderKind, ProcessEnv};
use crate::error::{Error, Result};
use crate::eval;
use crate::eval::names::{NameLevel, identifiability};
use crate::model::Summary;
use crate::pipeline::Stage;
use crate::pipeline::models::resolve_embedder;
use crate::project::Project;
use crate::project::checkpoint;
use crate::project::store::Store;

/// Scores of one level against one label.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LevelScore {
    pub level: u32,
    pub n_clusters: usize,
    pub nmi: f64,
    pub ari: f64,
    pub v_measure: f64,
    pub purity: f64,
    /// Only for the level whose cluster count is nearest the label count.
    pub hungarian_acc: Option<f64>,
}

/// What `eval --json` prints.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct EvalReport {
    pub n: usize,
    pub labels: BTreeMap<String, Vec<LevelScore>>,
    /// How identifiable the names are among their siblings, per level.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub names: Option<NameQuality>,
}

/// Name identifiability: each name embedded with the run's embedder, and
/// whether its nearest sibling centroid is its own cluster's.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct NameQuality {
    pub embedder: String,
    pub levels: Vec<NameLevel>,
}

fn label_text(v: &serde_json::Value) -> String {
    match v {
        serde_json::Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

/// Evaluates every level against each metadata key in `keys` (dotted paths).
pub fn evaluate(analysis: &Analysis, store: &Store, keys: &[String]) -> Result<EvalReport> {
    let h = &analysis.hierarchy;
    if h.is_empty() {
        return Err(Error::NotRun { what: "clusters" });
    }
    let base_of = h.base_of();
    let max_level = h.clusters().iter().map(|c| c.level).max().unwrap_or(0);
    // Conversation → its cluster at each level (the highest ancestor at or
    // below that level).
    let mut rows: Vec<(Vec<String>, Vec<Option<String>>)> = Vec::new();
    for conv in store.iter()? {
        let conv = conv?;
        let Some(base) = base_of.get(conv.id.as_str()) else {
            continue;
        };
        let path = h.path(base);
        let per_level: Vec<String> = (0..=max_level)
            .map(|l| {
                path.iter()
                    .find(|c| c.level <= l)
                    .map(|c| c.id.clone())
                    .unwrap_or_default()
            })
            .collect();
        let truth = keys
            .iter()
            .map(|k| conv.metadata_path(k).map(label_text))
            .collect();
        rows.push((per_level, truth));
    }
    let mut labels = BTreeMap::new();
    for (ki, key) in keys.iter().enumerate() {
        let kept: Vec<&(Vec<String>, Vec<Option<String>>)> =
            rows.iter().filter(|r| r.1[ki].is_some()).collect();
        if kept.is_empty() {
            return Err(Error::param(
                "--label",
                format!("no clustered conversation has metadata `{key}`"),
            ));
        }
        let truth: Vec<&str> = kept.iter().filter_map(|r| r.1[ki].as_deref()).collect();
        let truth = eval::encode(&truth);
        let n_labels = truth.iter().max().map_or(0, |m| m + 1);
        let preds: Vec<Vec<usize>> = (0..=max_level as usize)
            .map(|l| {
                let ids: Vec<&str> = kept.iter().map(|r| r.0[l].as_str()).collect();
                eval::encode(&ids)
            })
            .collect();
        let counts: Vec<usize> = preds
            .iter()
            .map(|p| p.iter().max().map_or(0, |m| m + 1))
            .collect();
        let nearest = counts
            .iter()
            .enumerate()
            .min_by_key(|(_, c)| c.abs_diff(n_labels))
            .map(|(i, _)| i);
        let mut scores = Vec::new();
        for (l, pred) in preds.iter().enumerate() {
            let s = eval::scores(&truth, pred, Some(l) == nearest)?;
            scores.push(LevelScore {
                level: l as u32,
                n_clusters: counts[l],
                nmi: s.nmi,
                ari: s.ari,
                v_measure: s.v_measure,
                purity: s.purity,
                hungarian_acc: s.hungarian_accuracy,
            });
        }
        labels.insert(key.clone(), scores);
    }
    Ok(EvalReport {
        n: rows.len(),
        labels,
        names: None,
    })
}

/// Name identifiability with the embedder of `kind` (the project's own when
/// `None`). `None` when the run used an API embedder (embedding names
/// would cost requests) or has no named clusters. The lexical embedder is
/// fitted on its corpus, so names are embedded together with the
/// summaries; other embedders reuse the stored embeddings when they fit.
pub fn name_quality(
    project: &Project,
    analysis: &Analysis,
    kind: Option<EmbedderKind>,
) -> Result<Option<NameQuality>> {
    let config = &project.config;
    let kind = kind.unwrap_or_else(|| resolve_embedder(config, config.is_offline()));
    if kind == EmbedderKind::Api {
        return Ok(None);
    }
    let (embedder, _) = crate::embed::local_embedder(kind, config, &ProcessEnv)?;
    let h = &analysis.hierarchy;
    let named: Vec<(&str, &str)> = h
        .clusters()
        .iter()
        .filter(|c| !c.noise)
        .map(|c| (c.id.as_str(), c.name.as_str()))
        .collect();
    if named.is_empty() || analysis.summaries.is_empty() {
        return Ok(None);
    }
    let texts: Vec<String> = analysis
        .summaries
        .iter()
        .map(Summary::embedding_text)
        .collect();
    let name_texts: Vec<String> = named.iter().map(|(_, n)| n.to_string()).collect();
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| Error::task("starting a runtime", e))?;
    let embed = |t: &[String]| runtime.block_on(embedder.embed(t, &|_| {}));
    let (conversations, name_vecs) = if embedder.identity().starts_with("lexical") {
        let mut all = texts.clone();
        all.extend(name_texts);
        let m = embed(&all)?;
        let n = texts.len();
        (
            m.slice(ndarray::s![..n, ..]).to_owned(),
            m.slice(ndarray::s![n.., ..]).to_owned(),
        )
    } else {
        let names = embed(&name_texts)?;
        let stored = stored_embeddings(project)?
            .filter(|m| m.nrows() == texts.len() && m.ncols() == names.ncols());
        let conversations = match stored {
            Some(m) => m,
            None => embed(&texts)?,
        };
        (conversations, names)
    };
    let vectors: HashMap<String, ndarray::ArrayView1<f32>> = named
        .iter()
        .zip(name_vecs.rows())
        .map(|((id, _), v)| (id.to_string(), v))
        .collect();
    let position = |id: &str| analysis.position(id);
    Ok(Some(NameQuality {
        embedder: embedder.identity(),
        levels: identifiability(h, conversations.view(), &position, &vectors),
    }))
}

fn stored_embeddings(project: &Project) -> Result<Option<ndarray::Array2<f32>>> {
    let cps = project.checkpoints();
    Ok(checkpoint::read_matrix(&cps, Stage::Embeddings.name())?
        .ok()
        .map(|(_, m)| m))
}

impl EvalReport {
    pub fn render(&self) -> String {
        let mut out = format!("{} clustered conversations\n", self.n);
        for (key, levels) in &self.labels {
            out.push_str(&format!(
                "\nlabel `{key}`\n  level  clusters    NMI     ARI  V-meas  purity  hungarian\n"
            ));
            for s in levels {
                out.push_str(&format!(
                    "  {:>5}  {:>8}  {:.3}  {:.3}  {:.3}   {:.3}  {}\n",
                    s.level,
                    s.n_clusters,
                    s.nmi,
                    s.ari,
                    s.v_measure,
                    s.purity,
                    s.hungarian_acc
                        .map_or("-".to_string(), |h| format!("{h:.3}"))
                ));
            }
        }
        if let Some(names) = &self.names {
            out.push_str(&format!(
                "\nname identifiability (the name's nearest sibling centroid is its own; embedded with {})\n  level  clusters  top-1\n",
                names.embedder
            ));
            for l in &names.levels {
                out.push_str(&format!(
                    "  {:>5}  {:>8}  {:.3}\n",
                    l.level, l.clusters, l.top1
                ));
            }
        }
        out
    }
}
