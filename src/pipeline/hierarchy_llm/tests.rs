//! One level planned against a scripted model: the independent calls of
//! each step are in flight together, and the plan does not depend on the
//! order the answers arrive in.

use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use tokio::sync::watch;

use super::*;
use crate::pipeline::{Cancel, events};
use crate::project::checkpoint::MemoryCheckpoints;

/// Holds the first calls of a kind until `need` of them are in flight at
/// once; after that every call of the kind goes straight through. Answers
/// then come back after a number of scheduler yields that depends on the
/// call and on `salt`, so two salts finish the calls in different orders.
struct Gate {
    now: AtomicUsize,
    most: AtomicUsize,
    need: usize,
    open: watch::Sender<bool>,
}

impl Gate {
    fn new(need: usize) -> Self {
        Gate {
            now: AtomicUsize::new(0),
            most: AtomicUsize::new(0),
            need,
            open: watch::channel(false).0,
        }
    }

    async fn pass(&self, salt: u64, key: &str) {
        let n = self.now.fetch_add(1, Ordering::SeqCst) + 1;
        self.most.fetch_max(n, Ordering::SeqCst);
        if n >= self.need {
            self.open.send_replace(true);
        }
        let mut rx = self.open.subscribe();
        let _ = rx.wait_for(|open| *open).await;
        let h = key
            .bytes()
            .fold(salt, |a, b| a.wrapping_mul(0x0100_0000_01b3) ^ u64::from(b));
        for _ in 0..h % 11 {
            tokio::task::yield_now().await;
        }
        self.now.fetch_sub(1, Ordering::SeqCst);
    }
}

struct Scripted {
    salt: u64,
    propose: Gate,
    assign: Gate,
    rename: Gate,
    calls: Mutex<Vec<&'static str>>,
}

impl HierarchyLlm for Scripted {
    fn identity(&self) -> String {
        "scripted".into()
    }

    fn propose<'a>(
        &'a self,
        clusters: Vec<String>,
        _nearby: Vec<String>,
        _target: usize,
        _max: usize,
    ) -> BoxFuture<'a, Result<Vec<String>>> {
        Box::pin(async move {
            self.calls.lock().unwrap().push("propose");
            self.propose.pass(self.salt, &clusters[0]).await;
            // One parent per theme the neighbourhood holds.
            let mut names: Vec<String> = clusters
                .iter()
                .map(|c| format!("Theme {}", &c[..1]))
                .collect();
            names.dedup();
            Ok(names)
        })
    }

    fn dedupe<'a>(
        &'a self,
        names: Vec<String>,
        _target: usize,
        _max: usize,
    ) -> BoxFuture<'a, Result<Vec<String>>> {
        Box::pin(async move { Ok(names) })
    }

    fn assign<'a>(
        &'a self,
        cluster: String,
        parents: Vec<String>,
    ) -> BoxFuture<'a, Result<String>> {
        Box::pin(async move {
            self.calls.lock().unwrap().push("assign");
            self.assign.pass(self.salt, &cluster).await;
            let want = format!("Theme {}", &cluster[..1]);
            Ok(parents.into_iter().find(|p| *p == want).unwrap_or(want))
        })
    }

    fn rename<'a>(&'a self, children: Vec<String>) -> BoxFuture<'a, Result<GeneratedName>> {
        Box::pin(async move {
            self.calls.lock().unwrap().push("rename");
            self.rename.pass(self.salt, &children[0]).await;
            Ok(GeneratedName {
                name: format!("Group of {}", children.join(" + ")),
                description: "Scripted.".into(),
                slug: "group".into(),
            })
        })
    }
}

/// Twelve clusters: themes A, B and C, four each, in tight groups; listed
/// interleaved so no step can rely on input order.
fn level_input() -> (Vec<Cluster>, Array2<f32>) {
    let mut clusters = Vec::new();
    let mut centroids = Array2::<f32>::zeros((12, 3));
    for i in 0..12 {
        let theme = i % 3;
        let letter = ["A", "B", "C"][theme];
        clusters.push(Cluster {
            id: Cluster::cluster_id(0, i),
            name: format!("{letter}{i}"),
            original_name: None,
            description: String::new(),
            slug: format!("c{i}"),
            level: 0,
            parent: None,
            children: Vec::new(),
            members: Vec::new(),
            count: 1 + i,
            noise: false,
        });
        centroids[[i, theme]] = 1.0;
        centroids[[i, (theme + 1) % 3]] = 0.01 * i as f32;
    }
    (clusters, centroids)
}

async fn plan_with(salt: u64) -> (LevelPlan, Vec<&'static str>, [usize; 3]) {
    let (current, centroids) = level_input();
    let llm = Arc::new(Scripted {
        salt,
        // Three neighbourhoods, twelve children, three parents.
        propose: Gate::new(3),
        assign: Gate::new(12),
        rename: Gate::new(3),
        calls: Mutex::new(Vec::new()),
    });
    let dyn_llm: Arc<dyn HierarchyLlm> = llm.clone();
    let ctx = StageCtx {
        cps: Arc::new(MemoryCheckpoints::default()),
        events: events::channel().0,
        cancel: Cancel::new(),
        concurrency: 16,
        knn: crate::cluster::KnnMemo::new(),
    };
    let config = HierarchyConfig {
        neighbourhood_size: 4,
        ..HierarchyConfig::default()
    };
    let job = Level {
        llm: &dyn_llm,
        ctx: &ctx,
        current: &current,
        centroids: &centroids,
        target: 3,
        config: &config,
        seed: 11,
        level: 1,
    };
    let mut gaps = Gaps::default();
    // A serialised step never opens its gate; the timeout turns that hang
    // into a failure instead of waiting for anything.
    let plan = tokio::time::timeout(Duration::from_secs(60), plan_llm(&job, &mut gaps))
        .await
        .expect("every step's calls were in flight together")
        .unwrap()
        .expect("a plan");
    assert!(gaps.items().is_empty(), "{:?}", gaps.items());
    let most = [
        llm.propose.most.load(Ordering::SeqCst),
        llm.assign.most.load(Ordering::SeqCst),
        llm.rename.most.load(Ordering::SeqCst),
    ];
    let calls = llm.calls.lock().unwrap().clone();
    (plan, calls, most)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn each_step_runs_its_calls_together_and_the_plan_ignores_answer_order() {
    let (plan, calls, most) = plan_with(1).await;
    assert_eq!(most, [3, 12, 3], "calls in flight at once per step");
    let count = |k| calls.iter().filter(|c| **c == k).count();
    assert_eq!(
        (count("propose"), count("assign"), count("rename")),
        (3, 12, 3)
    );
    // Every theme under one parent of its own.
    assert_eq!(plan.names.len(), 3);
    for i in 0..12 {
        assert_eq!(plan.groups[i], plan.groups[i % 3], "{:?}", plan.groups);
    }
    // Same plan whatever order the answers came back in.
    for salt in [2, 3, 5] {
        let (other, _, _) = plan_with(salt).await;
        assert_eq!(other.groups, plan.groups, "salt {salt}");
        assert_eq!(other.names, plan.names, "salt {salt}");
    }
}
