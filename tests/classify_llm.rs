//! The LLM-judge engine (`engine = "llm"`) end to end against the loopback
//! mock: the prompt carries the categories and few-shot examples, answers
//! outside the categories are re-asked, eval and apply work, and a second
//! run comes from the cache.

mod support;

use std::fmt::Write as _;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use serde_json::{Value, json};
use support::cli::Cli;
use support::mock_openai::{MockReply, MockServer};

const DEFINITION: &str = r#"
engine = "llm"
description = "Route support requests."

[[categories]]
name = "Billing"
description = "payments, refunds, invoices"
examples = [{ text = "I was charged twice for my subscription" }]

[[categories]]
name = "Shipping"
description = "parcels and deliveries"
"#;

/// The mock judge: `Shipping` for parcel texts, `Billing` otherwise; the
/// first answer about a "courier" names a category that does not exist.
fn judge(server_calls: Arc<AtomicUsize>) -> MockServer {
    let bad_once = Arc::new(AtomicUsize::new(0));
    MockServer::start(move |req| {
        if !req.is_chat() {
            return MockReply::status(404, "chat only");
        }
        server_calls.fetch_add(1, Ordering::SeqCst);
        let system = req.system_text();
        assert!(
            system.contains("- Billing: payments, refunds, invoices"),
            "{system}"
        );
        assert!(system.contains("- other: "), "{system}");
        assert!(system.contains("charged twice"), "{system}");
        let text = req.first_user_text();
        if text.contains("courier") && bad_once.fetch_add(1, Ordering::SeqCst) == 0 {
            return MockReply::json(&json!({"labels": ["Logistics"]}));
        }
        let label = if text.contains("parcel") || text.contains("courier") {
            "Shipping"
        } else {
            "Billing"
        };
        MockReply::json(&json!({"labels": [label]}))
    })
}

#[test]
fn llm_judge_evaluates_and_applies_through_the_client() {
    let calls = Arc::new(AtomicUsize::new(0));
    let server = judge(calls.clone());
    let cli = Cli::new();
    let mut convs = String::new();
    let mut labels = String::from("id,label\n");
    for i in 0..40 {
        let (text, label) = if i % 2 == 0 {
            (format!("where is my parcel number {i}"), "Shipping")
        } else {
            (format!("refund for invoice {i} please"), "Billing")
        };
        let text = if i == 3 {
            "the courier never came".to_string()
        } else {
            text
        };
        let label = if i == 3 { "Shipping" } else { label };
        let line = json!({"id": format!("c{i}"), "messages": [{"role": "user", "content": text}]});
        let _ = writeln!(convs, "{line}");
        let _ = writeln!(labels, "c{i},{label}");
    }
    let input = cli.dir.path().join("c.jsonl");
    std::fs::write(&input, convs).unwrap();
    cli.ok(&["init", "P", "--input", input.to_str().unwrap()]);
    std::fs::create_dir_all(cli.path("classifiers")).unwrap();
    cli.write("classifiers/route.toml", DEFINITION.as_bytes());
    let lpath = cli.dir.path().join("l.csv");
    std::fs::write(&lpath, labels).unwrap();
    cli.ok(&[
        "classify",
        "label",
        "P",
        "route",
        "--input",
        lpath.to_str().unwrap(),
    ]);

    // Any priced call is above a zero budget: without --yes (and with no
    // terminal to ask on) nothing is sent and nothing is written.
    cli.edit_config("max_cost_usd = 5.0", "max_cost_usd = 0.0");
    let command = |args: &[&str]| {
        let p = cli.project();
        let args: Vec<String> = args
            .iter()
            .map(|a| {
                if *a == "P" {
                    p.display().to_string()
                } else {
                    a.to_string()
                }
            })
            .collect();
        let mut c = cli.bin();
        c.args(&args)
            .env("KURA_BASE_URL", server.base_url())
            .env("KURA_API_KEY", "sk-test-classify")
            .env("KURA_MODEL", "gpt-4o");
        c
    };
    let refused = command(&["classify", "apply", "P", "route"])
        .output()
        .unwrap();
    assert!(!refused.status.success());
    let err = String::from_utf8_lossy(&refused.stderr);
    assert!(
        err.contains("max_cost_usd") && err.contains("--yes"),
        "{err}"
    );
    assert_eq!(calls.load(Ordering::SeqCst), 0);
    assert!(!cli.path("classifiers/route.applied.jsonl").exists());

    let run = |args: &[&str]| -> String {
        let out = command(args).output().unwrap();
        assert!(
            out.status.success(),
            "{args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8(out.stdout).unwrap()
    };
    // Apply first: every conversation, the courier one after a re-ask.
    let applied: Value = serde_json::from_str(&run(&[
        "classify", "apply", "P", "route", "--json", "--yes",
    ]))
    .unwrap();
    assert_eq!(applied["header"]["engine"], "llm");
    assert_eq!(applied["header"]["count"], 40);
    let rows: Vec<Value> = std::fs::read_to_string(cli.path("classifiers/route.applied.jsonl"))
        .unwrap()
        .lines()
        .skip(1)
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(rows[3]["labels"], json!(["Shipping"]));
    assert_eq!(rows[1]["labels"], json!(["Billing"]));
    let after_apply = calls.load(Ordering::SeqCst);
    assert!(
        after_apply >= 41,
        "{after_apply} calls for 40 conversations and a re-ask"
    );

    // Eval on the test split: answers come from the cache.
    let rec: Value = serde_json::from_str(&run(&[
        "classify", "eval", "P", "route", "--split", "test", "--json", "--yes",
    ]))
    .unwrap();
    assert_eq!(rec["engine"], "llm");
    assert_eq!(rec["accuracy"], 1.0);
    assert_eq!(rec["n_train"], 1);
    assert_eq!(
        calls.load(Ordering::SeqCst),
        after_apply,
        "eval was answered from the cache"
    );

    // Without a configured LLM the judge says what is missing.
    let out = cli.run(&["classify", "eval", "P", "route"]);
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.to_lowercase().contains("llm") || err.contains("base_url") || err.contains("key"),
        "{err}"
    );
}
