//! The classifier workflow on a project: define from clusters, import
//! labels, evaluate, apply. The CLI is a thin layer over these.

use std::path::Path;

use serde::{Deserialize, Serialize};

use super::corpus::{Corpus, cap};
use super::definition::{Category, Definition, EngineKind, Example, LabelMode};
use super::engine::{self, Item, Trained};
use super::evaluation::{self, EvalRecord};
use super::files::ClassifierFiles;
use super::labelled::{self, LabelledItem};
use super::metrics::{multi_label_report, report};
use super::split::Split;
use crate::analysis::Analysis;
use crate::error::{Error, Result};
use crate::model::Hierarchy;
use crate::project::{Project, atomic};

/// Longest few-shot example text written into a definition.
const EXAMPLE_CHARS: usize = 300;

/// Builds a definition from clusters (ids or slugs): one category per
/// cluster, with its name and description and its `examples` most central
/// conversations (closest to the mean embedding; the first members when the
/// project has no current embeddings).
pub fn define_from_clusters(
    hierarchy: &Hierarchy,
    corpus: &Corpus,
    clusters: &[String],
    examples: usize,
    mode: LabelMode,
) -> Result<Definition> {
    let mut categories: Vec<Category> = Vec::new();
    for wanted in clusters {
        let Some(c) = hierarchy.find(wanted) else {
            return Err(Error::param(
                "--from-cluster",
                format!(
                    "no cluster `{wanted}` (give an id such as L0-3 or a slug; see `kura-tui tree PATH`)"
                ),
            ));
        };
        let mut name = c.name.trim().replace([';', '\n'], ",");
        if name.is_empty() {
            name = c.id.clone();
        }
        if categories
            .iter()
            .any(|k| k.name.get_ref().eq_ignore_ascii_case(&name))
        {
            name = format!("{name} ({})", c.id);
        }
        let members: Vec<usize> = hierarchy
            .members(&c.id)
            .into_iter()
            .filter_map(|id| corpus.position(id))
            .collect();
        let picked = central(corpus, &members, examples);
        categories.push(Category {
            name: toml::Spanned::new(0..0, name),
            description: c.description.clone(),
            from_cluster: Some(c.id.clone()),
            examples: picked
                .into_iter()
                .map(|p| Example {
                    id: Some(corpus.ids[p].clone()),
                    text: cap(corpus.texts[p].trim(), EXAMPLE_CHARS),
                })
                .filter(|e| !e.text.trim().is_empty())
                .collect(),
        });
    }
    if categories.is_empty() {
        return Err(Error::param("--from-cluster", "give at least one cluster"));
    }
    Ok(Definition {
        description: String::new(),
        mode,
        engine: EngineKind::Local,
        prompt: "classify.md".into(),
        other: true,
        text: Default::default(),
        embeddings: true,
        split: Default::default(),
        categories,
        local: Default::default(),
    })
}

/// Up to `n` of `members` closest to their mean embedding (ties and the
/// no-embedding case keep store order).
pub(crate) fn central(corpus: &Corpus, members: &[usize], n: usize) -> Vec<usize> {
    let Some(e) = corpus.embeddings.as_ref() else {
        return members.iter().copied().take(n).collect();
    };
    let dim = e.ncols();
    let norm = |p: usize| -> Vec<f32> {
        let row = e.row(p);
        let len = row.iter().map(|v| v * v).sum::<f32>().sqrt().max(1e-12);
        row.iter().map(|v| v / len).collect()
    };
    let mut mean = vec![0f32; dim];
    for &p in members {
        for (m, v) in mean.iter_mut().zip(norm(p)) {
            *m += v;
        }
    }
    let mut scored: Vec<(f32, usize)> = members
        .iter()
        .map(|&p| (norm(p).iter().zip(&mean).map(|(a, b)| a * b).sum(), p))
        .collect();
    scored.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
    scored.into_iter().take(n).map(|(_, p)| p).collect()
}

/// Writes a new definition atomically (refusing to replace one unless
/// `force`).
pub fn write_definition(files: &ClassifierFiles, def: &Definition, force: bool) -> Result<()> {
    let path = files.definition();
    if path.exists() && !force {
        return Err(Error::Other(format!(
            "{} already exists; edit it, or pass --force to replace it",
            path.display()
        )));
    }
    let header = "# Classifier definition (see README, \"Classifiers\"). Edit categories,\n# descriptions and examples freely; `kura-tui classify eval` shows the effect.\n\n";
    let text = format!("{header}{}", def.to_toml()?);
    // What is written must load back.
    Definition::parse(&text, &path)?;
    atomic::write_bytes(&path, text.as_bytes())
}

/// Outcome of a label import.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ImportSummary {
    pub imported: usize,
    pub replaced: usize,
    pub total: usize,
    pub train: usize,
    pub validation: usize,
    pub test: usize,
}

/// Imports labels from `input` into the classifier's label file. Every
/// row is checked first; nothing is written on an error.
pub fn import_labels(
    project: &Project,
    files: &ClassifierFiles,
    input: &Path,
) -> Result<ImportSummary> {
    files.require()?;
    let def = Definition::load(&files.definition())?;
    let store = project.store()?;
    let ids = store.id_index()?;
    let new = labelled::import(input, &def, &|id| ids.contains_key(id))?;
    let imported = new.len();
    let old = labelled::load(&files.labels(), &def)?;
    let (all, replaced) = labelled::merge(old, new);
    let splits = labelled::splits(&all, &def)?;
    labelled::save(&files.labels(), &all)?;
    let count = |s: Split| splits.iter().filter(|&&x| x == s).count();
    Ok(ImportSummary {
        imported,
        replaced,
        total: all.len(),
        train: count(Split::Train),
        validation: count(Split::Validation),
        test: count(Split::Test),
    })
}

/// Everything a classifier run needs.
pub struct Loaded {
    pub def: Definition,
    pub labels: Vec<LabelledItem>,
    pub corpus: Corpus,
    pub version: String,
}

/// Loads the definition, labels and the project's texts.
pub fn load(project: &Project, files: &ClassifierFiles) -> Result<Loaded> {
    files.require()?;
    let def = Definition::load(&files.definition())?;
    let labels = labelled::load(&files.labels(), &def)?;
    let corpus = Corpus::load(project, def.text)?;
    let version = files.version()?;
    Ok(Loaded {
        def,
        labels,
        corpus,
        version,
    })
}

/// Asked before paid calls above `llm.max_cost_usd`; `Ok(false)` stops.
pub type ConfirmCost = Box<dyn Fn(&crate::llm::Estimate, f64) -> Result<bool>>;

/// The LLM judge's chat model, filled-in system prompt and cost question.
pub struct LlmJudge {
    pub chat: std::sync::Arc<dyn crate::llm::ChatModel>,
    pub system: String,
    pub config: crate::config::Config,
    /// `None`: never ask (`--yes`).
    pub confirm: Option<ConfirmCost>,
}

impl LlmJudge {
    /// The judge of a definition, with the project's chat client.
    pub fn for_project(
        project: &Project,
        def: &Definition,
        confirm: Option<ConfirmCost>,
    ) -> Result<LlmJudge> {
        let chat = crate::llm::chat_from_config(
            &project.config,
            &project.layout.cache(),
            &crate::llm::ClientHooks::default(),
        )?;
        let template = super::judge::template(&project.layout, def)?;
        Ok(LlmJudge {
            chat,
            system: super::judge::system_prompt(&template, def),
            config: project.config.clone(),
            confirm,
        })
    }

    /// The calls labelling `texts` may make (an upper bound: cached ones
    /// are free).
    pub fn estimate(&self, texts: &[String]) -> crate::llm::Estimate {
        let calls: Vec<crate::llm::EstimatedCall> = texts
            .iter()
            .map(|t| crate::llm::EstimatedCall {
                tag: "classify".into(),
                input_chars: self.system.len() + t.len().min(super::judge::MAX_CHARS * 4),
                expected_output_tokens: 20,
            })
            .collect();
        crate::llm::estimate(&calls, &self.config.chat_model(), &self.config)
    }

    fn label(
        &self,
        def: &Definition,
        corpus: &Corpus,
        items: &[Item],
    ) -> Result<Vec<engine::Labelled>> {
        let texts: Vec<String> = items.iter().map(|i| i.text(corpus).to_string()).collect();
        if let Some(confirm) = &self.confirm {
            let est = self.estimate(&texts);
            let max = self.config.llm.max_cost_usd;
            if crate::llm::needs_confirmation(&est, max) && !confirm(&est, max)? {
                return Err(Error::Cancelled);
            }
        }
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .map_err(|e| Error::Other(format!("starting the async runtime: {e}")))?;
        runtime.block_on(super::judge::judge(
            self.chat.clone(),
            def,
            &self.system,
            &texts,
        ))
    }
}

/// Labels `items` with the definition's engine: the local model trained on
/// `train`, or the LLM judge. Returns the labels, the number of training
/// (or few-shot) examples and whether embeddings were used.
fn label_with(
    loaded: &Loaded,
    judge: Option<&LlmJudge>,
    train: &[LabelledItem],
    items: &[Item],
) -> Result<(Vec<engine::Labelled>, Vec<String>, usize, bool)> {
    let (def, corpus) = (&loaded.def, &loaded.corpus);
    match def.engine {
        EngineKind::Local => {
            if train.is_empty() {
                return Err(Error::Other(
                    "the classifier has no labelled examples to train on; import some with `kura-tui classify label`".into(),
                ));
            }
            let train_items: Vec<Item> = train
                .iter()
                .map(|r| Item::of(r, corpus))
                .collect::<Result<_>>()?;
            let all: Vec<&Item> = train_items.iter().chain(items).collect();
            let use_emb = engine::can_embed(def, corpus, &all);
            let trained: Trained = engine::train(def, corpus, train, use_emb)?;
            let pred = trained.predict(corpus, items)?;
            Ok((pred, trained.classes, trained.n_train, use_emb))
        }
        EngineKind::Llm => {
            let judge = judge.ok_or_else(|| {
                Error::Other(
                    "engine = \"llm\" needs a configured LLM (see `[llm]` in kura.toml)".into(),
                )
            })?;
            let examples = def.categories.iter().map(|c| c.examples.len()).sum();
            let pred = judge.label(def, corpus, items)?;
            Ok((pred, def.class_names(), examples, false))
        }
    }
}

/// Trains on the train split (plus the definition's examples) and
/// evaluates on `split`; the record is stored in the eval history.
pub fn evaluate(
    files: &ClassifierFiles,
    loaded: &Loaded,
    split: Split,
    judge: Option<&LlmJudge>,
) -> Result<EvalRecord> {
    let Loaded {
        def,
        labels,
        corpus,
        version,
    } = loaded;
    let splits = labelled::splits(labels, def)?;
    let pick = |s: Split| -> Vec<LabelledItem> {
        labels
            .iter()
            .zip(&splits)
            .filter(|(_, x)| **x == s)
            .map(|(l, _)| l.clone())
            .collect()
    };
    let held = pick(split);
    if held.is_empty() {
        return Err(Error::Other(format!(
            "no labelled examples fall in the {} split ({} labelled in all); import more with `kura-tui classify label`",
            split_name(split),
            labels.len()
        )));
    }
    let mut train = pick(Split::Train);
    train.extend(engine::example_items(def, labels));
    let held_items: Vec<Item> = held
        .iter()
        .map(|r| Item::of(r, corpus))
        .collect::<Result<_>>()?;
    let (pred, classes, n_train, use_emb) = label_with(loaded, judge, &train, &held_items)?;
    let k = classes.len();
    let truth: Vec<Vec<usize>> = held
        .iter()
        .map(|r| r.labels.iter().filter_map(|l| def.class_of(l)).collect())
        .collect();
    let mut rec = EvalRecord {
        classifier: files.name.clone(),
        version: version.clone(),
        at: chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
        split: split_name(split).into(),
        engine: def.engine,
        mode: def.mode,
        embeddings: use_emb,
        n_train,
        n: held.len(),
        classes,
        accuracy: 0.0,
        macro_f1: 0.0,
        single: None,
        multi: None,
    };
    let err = |e: super::ClassifyError| Error::Other(format!("evaluation: {e}"));
    match def.mode {
        LabelMode::Single => {
            let fallback = def.class_of(super::definition::OTHER).unwrap_or(0);
            let t: Vec<usize> = truth
                .iter()
                .map(|s| s.first().copied().unwrap_or(fallback))
                .collect();
            let p: Vec<usize> = pred
                .iter()
                .map(|l| l.classes.first().copied().unwrap_or(fallback))
                .collect();
            let r = report(&t, &p, k).map_err(err)?;
            rec.accuracy = r.accuracy;
            rec.macro_f1 = r.macro_f1;
            rec.single = Some(r);
        }
        LabelMode::Multi => {
            let p: Vec<Vec<usize>> = pred.into_iter().map(|l| l.classes).collect();
            let r = multi_label_report(&truth, &p, k).map_err(err)?;
            rec.accuracy = r.exact_match;
            rec.macro_f1 = r.macro_f1;
            rec.multi = Some(r);
        }
    }
    evaluation::record(&files.evals(), &rec)?;
    Ok(rec)
}

pub fn split_name(split: Split) -> &'static str {
    match split {
        Split::Train => "train",
        Split::Validation => "validation",
        Split::Test => "test",
    }
}

/// One applied label, as stored.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AppliedLabel {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub text: Option<String>,
    pub labels: Vec<String>,
    pub confidence: Vec<f32>,
}

/// The first line of an applied-labels file.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AppliedHeader {
    pub classifier: String,
    pub version: String,
    pub at: String,
    pub engine: EngineKind,
    pub mode: LabelMode,
    pub embeddings: bool,
    pub n_train: usize,
    pub count: usize,
}

/// Outcome of `apply`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ApplySummary {
    pub header: AppliedHeader,
    pub path: std::path::PathBuf,
    /// Conversations per category, in class order.
    pub counts: Vec<(String, usize)>,
}

/// Trains on every label (and example), labels every project conversation
/// (or the rows of `input`: `id` or `text` per line, CSV or JSONL) and
/// writes the labels with the version, atomically.
pub fn apply(
    files: &ClassifierFiles,
    loaded: &Loaded,
    input: Option<&Path>,
    judge: Option<&LlmJudge>,
) -> Result<ApplySummary> {
    let Loaded {
        def,
        labels,
        corpus,
        version,
    } = loaded;
    let mut train = labels.clone();
    train.extend(engine::example_items(def, labels));
    let (targets, items) = match input {
        Some(path) => {
            let rows = labelled::read_unlabelled(path, &|id| corpus.position(id).is_some())?;
            let items = rows
                .iter()
                .map(|r| Item::of(r, corpus))
                .collect::<Result<Vec<_>>>()?;
            (rows, items)
        }
        None => (
            corpus
                .ids
                .iter()
                .map(|id| LabelledItem {
                    id: Some(id.clone()),
                    text: None,
                    labels: Vec::new(),
                })
                .collect(),
            (0..corpus.len()).map(Item::Conversation).collect(),
        ),
    };
    let (pred, classes, n_train, use_emb) = label_with(loaded, judge, &train, &items)?;
    let mut counts = vec![0usize; classes.len()];
    let rows: Vec<AppliedLabel> = targets
        .into_iter()
        .zip(pred)
        .map(|(t, p)| {
            for &c in &p.classes {
                counts[c] += 1;
            }
            AppliedLabel {
                id: t.id,
                text: t.text,
                labels: p.classes.iter().map(|&c| classes[c].clone()).collect(),
                confidence: p
                    .confidence
                    .iter()
                    .map(|c| (c * 1000.0).round() / 1000.0)
                    .collect(),
            }
        })
        .collect();
    let header = AppliedHeader {
        classifier: files.name.clone(),
        version: version.clone(),
        at: chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
        engine: def.engine,
        mode: def.mode,
        embeddings: use_emb,
        n_train,
        count: rows.len(),
    };
    let path = match input {
        Some(p) => files.applied_to(p),
        None => files.applied(),
    };
    atomic::write_with(&path, |w| {
        serde_json::to_writer(&mut *w, &header).map_err(std::io::Error::other)?;
        w.write_all(b"\n")?;
        for r in &rows {
            serde_json::to_writer(&mut *w, r).map_err(std::io::Error::other)?;
            w.write_all(b"\n")?;
        }
        Ok(())
    })?;
    Ok(ApplySummary {
        header,
        path,
        counts: classes.iter().cloned().zip(counts).collect(),
    })
}

/// The analysis of a project, failing clearly when it has no clusters.
pub fn clusters_of(project: &Project) -> Result<Analysis> {
    let analysis = Analysis::load(project)?;
    if analysis.hierarchy.is_empty() {
        return Err(Error::Other(Analysis::no_clusters_message(&project.layout)));
    }
    Ok(analysis)
}
