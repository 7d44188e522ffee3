//! One test per defect of issue 9 ("results you can trust"), each written
//! against the behaviour a user sees: the binary's output, `info --json`,
//! the files in the project.
//!
//! 1. outdated results shown as done; a recomputed stage left later stages
//!    "cached";
//! 2. cancel-and-explore during summaries showed nothing;
//! 3. a truncated, missing, swapped or garbled `conversations.idx`;
//! 4. silent corruption inside `embeddings.bin`;
//! 5. a corrupt JSONL checkpoint blocked the project;
//! 6. a hierarchy degraded by LLM failures was saved as done;
//! 7. no run log, and no reasons in failure summaries.

mod support;

use std::collections::{HashMap, HashSet};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use serde_json::Value;
use support::cli::{Cli, body, checkpoint_lines, stderr, stdout};
use support::mock_openai::{MockReply, MockRequest, MockServer};
use support::pipeline::{MockProject, honest};

fn offline_project(n: usize) -> Cli {
    let cli = Cli::new();
    cli.demo(n);
    cli.ok(&["run", "P", "--offline", "--headless"]);
    cli
}

fn status<'a>(info: &'a Value, stage: &str) -> &'a str {
    info["stages"][stage]["status"].as_str().unwrap_or("(none)")
}

/// Members of each cluster id in a checkpoint of clusters.
fn members(path: &std::path::Path) -> HashMap<String, Vec<String>> {
    let (_, lines) = checkpoint_lines(path);
    lines
        .iter()
        .map(|l| {
            let c: Value = serde_json::from_str(l).unwrap();
            let m = c["members"].as_array().unwrap();
            (
                c["id"].as_str().unwrap().to_string(),
                m.iter().map(|v| v.as_str().unwrap().to_string()).collect(),
            )
        })
        .collect()
}

#[test]
fn defect1_an_edited_setting_shows_outdated_and_is_recomputed() {
    let cli = offline_project(120);
    cli.edit_config("max_top_level = 10", "max_top_level = 4");
    let info = cli.info();
    assert_eq!(status(&info, "hierarchy"), "outdated", "{info:#}");
    let why = info["stages"]["hierarchy"]["why"].to_string();
    assert!(why.contains("hierarchy.max_top_level 10 → 4"), "{why}");
    for stage in ["summaries", "embeddings", "clusters", "names", "projection"] {
        assert_eq!(status(&info, stage), "done", "{stage}: {info:#}");
    }
    // The tree does not show the old hierarchy as current.
    let out = cli.run(&["tree", "P", "--json"]);
    assert!(
        stderr(&out).contains("hierarchy is outdated"),
        "{}",
        stderr(&out)
    );
    // `kura-tui PATH` without a terminal reruns the hierarchy, then prints
    // the new tree.
    let out = cli.run(&["P"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let tree: Value = serde_json::from_str(&cli.ok(&["tree", "P", "--json"])).unwrap();
    let roots = tree.as_array().unwrap().len();
    assert!((2..=4).contains(&roots), "{roots} roots");
    assert_eq!(status(&cli.info(), "hierarchy"), "done");
}

#[test]
fn defect1_a_stage_with_new_content_outdates_every_later_stage() {
    let cli = offline_project(120);
    // Clusters recomputed with other content under the same settings (as
    // a non-deterministic clusterer would): move one conversation.
    let path = cli.path("checkpoints/clusters.jsonl");
    let (mut header, lines) = checkpoint_lines(&path);
    let mut clusters: Vec<Value> = lines
        .iter()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let moved = clusters[0]["members"]
        .as_array_mut()
        .unwrap()
        .pop()
        .unwrap();
    clusters[1]["members"].as_array_mut().unwrap().push(moved);
    for c in &mut clusters {
        c["count"] = c["members"].as_array().unwrap().len().into();
    }
    let mut text = String::new();
    for c in &clusters {
        text.push_str(&c.to_string());
        text.push('\n');
    }
    if header.get("digest").is_some() {
        let count = header["count"].as_u64().unwrap() as usize;
        header["digest"] =
            kura_tui::project::checkpoint::content_digest(count, None, text.as_bytes()).into();
    }
    std::fs::write(&path, format!("{header}\n{text}")).unwrap();
    let info = cli.info();
    assert_eq!(status(&info, "clusters"), "done", "{info:#}");
    for stage in ["names", "hierarchy", "projection"] {
        assert_eq!(status(&info, stage), "outdated", "{stage}: {info:#}");
    }
    assert!(
        info["stages"]["names"]["why"]
            .to_string()
            .contains("upstream clusters changed"),
        "{info:#}"
    );
    let out = cli.run(&["run", "P", "--offline", "--headless"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let base = members(&path);
    let names = members(&cli.path("checkpoints/names.jsonl"));
    let hierarchy = members(&cli.path("checkpoints/hierarchy.jsonl"));
    for (id, m) in &base {
        assert_eq!(&names[id], m, "names of {id} agree with the clusters");
        assert_eq!(
            &hierarchy[id], m,
            "hierarchy of {id} agrees with the clusters"
        );
    }
}

/// A third of the summary requests (by prompt length) fail for good.
fn fails(req: &MockRequest) -> bool {
    let text = req.user_text();
    text.contains("<conversation>") && text.len().is_multiple_of(3)
}

fn failing_some(req: &MockRequest) -> MockReply {
    if fails(req) {
        return MockReply::status(400, r#"{"error":{"message":"refused"}}"#);
    }
    honest(req)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn defect2_a_failed_or_cancelled_summary_stage_still_shows_its_summaries() {
    let mock = MockServer::start(failing_some);
    let p = MockProject::new(&mock.base_url(), kura_tui::demo::generate(30, 4));
    let err = p.run().await.unwrap_err().to_string();
    assert!(err.contains("could not be summarised"), "{err}");
    let failed = mock.requests().iter().filter(|r| fails(r)).count();
    assert!(failed > 0 && failed < 30, "{failed} failed");
    let analysis = kura_tui::analysis::Analysis::load(&p.project).unwrap();
    let shown: Vec<&str> = analysis
        .summaries
        .iter()
        .filter(|s| !s.summary.is_empty())
        .map(|s| s.conversation_id.as_str())
        .collect();
    assert_eq!(shown.len(), 30 - failed, "every saved summary is shown");
    // In store order: each summary sits at its conversation's position.
    let store = p.project.store().unwrap();
    for (i, s) in analysis.summaries.iter().enumerate() {
        if !s.summary.is_empty() {
            assert_eq!(s.conversation_id, store.get(i).unwrap().id);
        }
    }
}

#[test]
fn defect3_a_truncated_or_missing_index_is_rebuilt() {
    let cli = offline_project(60);
    let idx = cli.path("conversations.idx");
    let bytes = std::fs::read(&idx).unwrap();
    std::fs::write(&idx, &bytes[..200]).unwrap();
    let out = cli.run(&["run", "P", "--offline", "--headless"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(stderr(&out).contains("rebuilt"), "{}", stderr(&out));
    let info = cli.info();
    assert_eq!(info["conversations"], 60);
    assert_eq!(info["stages"]["summaries"]["done"], 60, "{info:#}");
    assert_eq!(status(&info, "summaries"), "done");
    std::fs::remove_file(&idx).unwrap();
    let out = cli.run(&["info", "P"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(
        stdout(&out).contains("conversations   60"),
        "{}",
        stdout(&out)
    );
    assert!(idx.exists());
}

#[test]
fn defect3_swapped_or_garbled_index_entries_never_give_the_wrong_conversation() {
    use kura_tui::project::store::Store;
    let cli = Cli::new();
    cli.demo(40);
    let data = cli.path("conversations.jsonl");
    let idx = cli.path("conversations.idx");
    let ids: Vec<String> = Store::open(&data, &idx)
        .unwrap()
        .iter()
        .unwrap()
        .map(|c| c.unwrap().id)
        .collect();
    let good = std::fs::read(&idx).unwrap();
    // Entries: 16 bytes after a 96-byte header, or bare 8-byte offsets in
    // the old format.
    let (head, width) = if good.starts_with(b"KURAIDX") {
        (96, 16)
    } else {
        (0, 8)
    };
    let mut swapped = good.clone();
    let (a, b) = (head + 3 * width, head + 4 * width);
    let first = swapped[a..b].to_vec();
    swapped.copy_within(b..b + width, a);
    swapped[b..b + width].copy_from_slice(&first);
    let mut garbled = good.clone();
    for x in &mut garbled[head + 5 * width..head + 7 * width] {
        *x = 0xff;
    }
    for damaged in [swapped, garbled] {
        std::fs::write(&idx, &damaged).unwrap();
        let store = Store::open(&data, &idx).unwrap();
        for i in [3, 4, 5, 6] {
            match store.get(i) {
                Ok(c) => assert_eq!(c.id, ids[i], "conversation {i}"),
                Err(e) => assert!(e.to_string().contains("conversations.idx"), "{e}"),
            }
        }
    }
}

#[test]
fn defect4_overwritten_embeddings_are_detected_and_recomputed() {
    let cli = offline_project(60);
    let rel = "checkpoints/embeddings.bin";
    let good = cli.read(rel);
    let mut bad = good.clone();
    let n = bad.len();
    for x in &mut bad[n - 400..n - 300] {
        *x = 0x3f;
    }
    cli.write(rel, &bad);
    let out = cli.run(&["run", "P", "--offline", "--headless"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let err = stderr(&out);
    assert!(err.contains("embeddings.bin is corrupt"), "{err}");
    assert!(err.contains("recomputing embeddings"), "{err}");
    assert!(!err.contains("embeddings: cached"), "{err}");
    assert_eq!(body(&cli.read(rel)), body(&good), "recomputed as before");
}

#[test]
fn defect5_a_corrupt_jsonl_checkpoint_is_reported_and_recomputed() {
    let cli = offline_project(60);
    let rel = "checkpoints/clusters.jsonl";
    let text = String::from_utf8(cli.read(rel)).unwrap();
    let mut lines: Vec<String> = text.lines().map(str::to_string).collect();
    lines[2] = format!("{{\"id\": oops {}", &lines[2][10..]);
    cli.write(rel, (lines.join("\n") + "\n").as_bytes());

    let info = cli.run(&["info", "P"]);
    assert!(info.status.success(), "{}", stderr(&info));
    let text = stdout(&info);
    assert!(text.contains("corrupt"), "{text}");
    assert!(text.contains("line 3"), "{text}");
    let tree = cli.run(&["tree", "P"]);
    let err = stderr(&tree);
    assert!(err.contains("clusters.jsonl is corrupt (line 3"), "{err}");
    assert!(err.contains("kura-tui run"), "{err}");

    let out = cli.run(&["run", "P", "--offline", "--headless"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let err = stderr(&out);
    let lines: Vec<&str> = err.lines().filter(|l| l.contains("is corrupt")).collect();
    assert_eq!(lines.len(), 1, "one line: {err}");
    assert!(lines[0].contains("recomputing clusters"), "{err}");
    let info = cli.info();
    for stage in ["clusters", "names", "hierarchy", "projection"] {
        assert_eq!(status(&info, stage), "done", "{stage}: {info:#}");
    }
}

fn is_assign(req: &MockRequest) -> bool {
    req.is_chat() && req.user_text().contains("<categories>")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn defect6_llm_failures_leave_the_hierarchy_incomplete_and_a_rerun_heals_it() {
    let failing = Arc::new(AtomicBool::new(true));
    let flag = failing.clone();
    let mock = MockServer::start(move |req: &MockRequest| {
        if flag.load(Ordering::SeqCst) && is_assign(req) {
            return MockReply::server_error();
        }
        honest(req)
    });
    let p = MockProject::new(&mock.base_url(), kura_tui::demo::generate(160, 4));
    p.run().await.unwrap();
    let info = kura_tui::info::gather(&p.project).unwrap();
    let hierarchy = &info.stages["hierarchy"];
    assert_eq!(hierarchy["status"], "incomplete", "{hierarchy:#}");
    assert!(
        hierarchy["items"]
            .to_string()
            .contains("assignments failed"),
        "{hierarchy:#}"
    );
    assert!(
        hierarchy["items"].to_string().contains("HTTP 500"),
        "{hierarchy:#}"
    );
    // The results stay explorable, with a banner saying what is degraded.
    let analysis = kura_tui::analysis::Analysis::load(&p.project).unwrap();
    assert!(!analysis.hierarchy.is_empty());
    let explorer = kura_tui::tui::Explorer::new(analysis, "p");
    let banner = explorer.banner.unwrap_or_default();
    assert!(banner.contains("hierarchy is incomplete"), "{banner}");
    assert!(banner.contains("Run again"), "{banner}");

    failing.store(false, Ordering::SeqCst);
    let (out, events) = p.run_with_events().await;
    out.unwrap();
    let recomputed = events.iter().any(|e| {
        matches!(
            e,
            kura_tui::pipeline::Event::Finished {
                stage: kura_tui::pipeline::Stage::Hierarchy,
                cached: false
            }
        )
    });
    assert!(recomputed, "the incomplete hierarchy is redone");
    let info = kura_tui::info::gather(&p.project).unwrap();
    assert_eq!(info.stages["hierarchy"]["status"], "done");
}

#[test]
fn defect7_every_run_writes_a_log_and_failures_give_reasons() {
    let cli = Cli::new();
    cli.demo(20);
    // A port nobody listens on.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let url = format!("http://127.0.0.1:{port}/v1");
    cli.edit_config(
        "# base_url = \"http://localhost:11434/v1\"",
        &format!("base_url = \"{url}\""),
    );
    cli.edit_config("max_retries = 6", "max_retries = 1");
    let out = cli
        .bin()
        .env("KURA_API_KEY", support::TEST_KEY)
        .args([
            "run",
            cli.project().to_str().unwrap(),
            "--headless",
            "--yes",
            "--embedder",
            "lexical",
        ])
        .output()
        .unwrap();
    assert!(!out.status.success());
    let err = stderr(&out);
    assert!(
        err.contains("20 of 20 conversations could not be summarised (connection refused 20)"),
        "{err}"
    );
    let last = err.lines().last().unwrap_or_default();
    assert!(last.starts_with("log: "), "{err}");
    let log_path = std::path::PathBuf::from(last.trim_start_matches("log: "));
    let log = std::fs::read_to_string(&log_path).unwrap();
    assert!(log.contains("summaries: retrying"), "{log}");
    assert!(log.to_lowercase().contains("connection refused"), "{log}");
    assert!(log.contains("summaries: failed: conversation 1"), "{log}");
    assert!(!log.contains(support::TEST_KEY), "no secrets in the log");
    let logs: HashSet<_> = std::fs::read_dir(cli.path("logs"))
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(logs.len(), 1);

    // A successful run names its log too.
    let out = cli.run(&["run", "P", "--offline", "--headless"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(stderr(&out).contains("log: "), "{}", stderr(&out));
}

fn naming_fails(req: &MockRequest) -> bool {
    let text = req.user_text();
    text.contains("<group_summaries>") && text.len() % 2 == 1
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn defect2_names_saved_before_a_failure_are_shown_on_the_base_clusters() {
    let mock = MockServer::start(|req: &MockRequest| {
        if naming_fails(req) {
            return MockReply::status(400, r#"{"error":{"message":"refused"}}"#);
        }
        honest(req)
    });
    let p = MockProject::new(&mock.base_url(), kura_tui::demo::generate(80, 4));
    let err = p.run().await.unwrap_err().to_string();
    let failed = mock.requests().iter().filter(|r| naming_fails(r)).count();
    assert!(failed > 0, "some naming failed");
    assert!(
        err.contains(&format!(
            "{failed} of 8 clusters could not be named (HTTP 400 {failed})"
        )),
        "{err}"
    );
    let analysis = kura_tui::analysis::Analysis::load(&p.project).unwrap();
    let clusters = analysis.hierarchy.clusters();
    assert_eq!(clusters.len(), 8, "the base clusters are shown");
    let named = clusters
        .iter()
        .filter(|c| c.name.starts_with("Help with"))
        .count();
    assert_eq!(named, 8 - failed, "with the names found so far");
    assert!(analysis.summaries.iter().all(|s| !s.summary.is_empty()));
}
