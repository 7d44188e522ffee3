//! The tables and indexes of `export-sql`.

/// Created before any row is written. `metadata_numeric` gets one REAL
/// column per always-numeric field, added by the writer.
pub(super) const TABLES: &str = "
CREATE TABLE conversations (
    id TEXT PRIMARY KEY,
    position INTEGER NOT NULL,
    created_at TEXT,
    message_count INTEGER NOT NULL
);
CREATE TABLE messages (
    conversation_id TEXT NOT NULL REFERENCES conversations(id),
    seq INTEGER NOT NULL,
    role TEXT NOT NULL,
    content TEXT NOT NULL,
    created_at TEXT,
    PRIMARY KEY (conversation_id, seq)
);
CREATE TABLE summaries (
    conversation_id TEXT PRIMARY KEY REFERENCES conversations(id),
    summary TEXT NOT NULL,
    request TEXT,
    task TEXT,
    languages TEXT NOT NULL,
    concerning_score INTEGER,
    user_frustration INTEGER,
    assistant_errors TEXT NOT NULL,
    error_count INTEGER NOT NULL,
    custom TEXT
);
CREATE TABLE clusters (
    id TEXT PRIMARY KEY,
    parent TEXT REFERENCES clusters(id),
    level INTEGER NOT NULL,
    name TEXT NOT NULL,
    original_name TEXT,
    description TEXT NOT NULL,
    slug TEXT NOT NULL,
    count INTEGER NOT NULL,
    noise INTEGER NOT NULL
);
CREATE TABLE memberships (
    conversation_id TEXT NOT NULL REFERENCES conversations(id),
    cluster_id TEXT NOT NULL REFERENCES clusters(id),
    level INTEGER NOT NULL,
    PRIMARY KEY (conversation_id, cluster_id)
);
CREATE TABLE metadata (
    conversation_id TEXT NOT NULL REFERENCES conversations(id),
    key TEXT NOT NULL,
    value TEXT,
    type TEXT NOT NULL,
    number REAL
);
CREATE TABLE classifier_labels (
    classifier TEXT NOT NULL,
    version TEXT NOT NULL,
    conversation_id TEXT NOT NULL REFERENCES conversations(id),
    label TEXT NOT NULL,
    PRIMARY KEY (classifier, version, conversation_id, label)
);
CREATE TABLE classifier_evals (
    classifier TEXT NOT NULL,
    version TEXT NOT NULL,
    split TEXT NOT NULL,
    accuracy REAL,
    macro_f1 REAL,
    created_at TEXT NOT NULL,
    json TEXT
);
";

/// Created after the rows, which is faster than maintaining them per insert.
pub(super) const INDEXES: &str = "
CREATE INDEX messages_conversation ON messages(conversation_id);
CREATE INDEX clusters_parent ON clusters(parent);
CREATE INDEX clusters_level ON clusters(level);
CREATE INDEX memberships_cluster ON memberships(cluster_id);
CREATE INDEX memberships_level ON memberships(level, cluster_id);
CREATE INDEX metadata_conversation ON metadata(conversation_id);
CREATE INDEX metadata_key_value ON metadata(key, value);
CREATE INDEX classifier_labels_conversation ON classifier_labels(conversation_id);
CREATE INDEX classifier_labels_label ON classifier_labels(classifier, label);
CREATE INDEX classifier_evals_classifier ON classifier_evals(classifier, version);
";

/// `name` as a quoted SQL identifier.
pub(super) fn quote_ident(name: &str) -> String {
    format!("\"{}\"", name.replace('"', "\"\""))
}
