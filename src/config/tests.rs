use std::collections::HashMap;

use super::*;

fn env(pairs: &[(&str, &str)]) -> HashMap<String, String> {
    let mut m: HashMap<String, String> = pairs
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    // Never read the developer's real user config in tests.
    m.entry("KURA_CONFIG_DIR".into())
        .or_insert_with(|| "/nonexistent-kura-config".into());
    m
}

#[test]
fn template_parses_to_defaults() {
    let parsed: Config = toml::from_str(TEMPLATE).unwrap();
    assert_eq!(parsed, Config::default());
}

#[test]
fn offline_unless_url_or_key() {
    let c = Config::load(None, &env(&[])).unwrap();
    assert!(c.is_offline());
    let c = Config::load(None, &env(&[("OPENAI_API_KEY", "sk-test")])).unwrap();
    assert!(!c.is_offline());
    let c = Config::load(None, &env(&[("KURA_BASE_URL", "http://127.0.0.1:1/v1")])).unwrap();
    assert!(!c.is_offline());
    let c = Config::load(
        None,
        &env(&[("OPENAI_API_KEY", "sk-test"), ("KURA_OFFLINE", "1")]),
    )
    .unwrap();
    assert!(c.is_offline());
}

#[test]
fn layers_user_project_env() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("config.toml"),
        "[llm]\nmodel = \"user-model\"\nmax_concurrency = 4\n[ui]\ntheme = \"light\"\n",
    )
    .unwrap();
    let project = dir.path().join("kura.toml");
    std::fs::write(&project, "[llm]\nmax_concurrency = 8\n").unwrap();
    let e = env(&[("KURA_CONFIG_DIR", dir.path().to_str().unwrap())]);
    let c = Config::load(Some(&project), &e).unwrap();
    assert_eq!(c.llm.model.as_deref(), Some("user-model"));
    assert_eq!(c.llm.max_concurrency, 8);
    assert_eq!(c.ui.theme, "light");
    let mut e2 = e.clone();
    e2.insert("KURA_MODEL".into(), "env-model".into());
    let c = Config::load(Some(&project), &e2).unwrap();
    assert_eq!(c.llm.model.as_deref(), Some("env-model"));
}

#[test]
fn unknown_key_names_file_line_and_key() {
    let dir = tempfile::tempdir().unwrap();
    let project = dir.path().join("kura.toml");
    std::fs::write(&project, "[llm]\ntemperature = 0.1\nmax_concurency = 8\n").unwrap();
    let err = Config::load(Some(&project), &env(&[]))
        .unwrap_err()
        .to_string();
    assert!(err.contains("kura.toml"), "{err}");
    assert!(err.contains("line 3"), "{err}");
    assert!(err.contains("max_concurency"), "{err}");
}

#[test]
fn wrong_type_and_bad_value_are_errors() {
    let dir = tempfile::tempdir().unwrap();
    let project = dir.path().join("kura.toml");
    std::fs::write(&project, "[cluster]\nk = \"many\"\n").unwrap();
    let err = Config::load(Some(&project), &env(&[]))
        .unwrap_err()
        .to_string();
    assert!(err.contains("line 2"), "{err}");
    std::fs::write(&project, "[llm]\nmax_concurrency = 0\n").unwrap();
    let err = Config::load(Some(&project), &env(&[]))
        .unwrap_err()
        .to_string();
    assert!(err.contains("llm.max_concurrency"), "{err}");
    std::fs::write(&project, "[cluster]\ndiscriminant_dims = 5000\n").unwrap();
    let err = Config::load(Some(&project), &env(&[]))
        .unwrap_err()
        .to_string();
    assert!(err.contains("cluster.discriminant_dims"), "{err}");
    assert!(err.contains("at most 1024"), "{err}");
}

#[test]
fn api_key_is_never_serialised() {
    let c = Config::load(None, &env(&[("OPENAI_API_KEY", "sk-secret-123")])).unwrap();
    let text = toml::to_string(&c).unwrap();
    assert!(!text.contains("sk-secret-123"));
    let json = serde_json::to_string(&c).unwrap();
    assert!(!json.contains("sk-secret-123"));
}

#[test]
fn api_key_is_redacted_in_debug() {
    let c = Config::load(None, &env(&[("OPENAI_API_KEY", "sk-secret-123")])).unwrap();
    assert!(!format!("{c:?}").contains("sk-secret-123"));
    assert_eq!(c.llm.api_key.as_ref().unwrap().expose(), "sk-secret-123");
}
