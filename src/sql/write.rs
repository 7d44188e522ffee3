//! Filling the database: one transaction, rows first, indexes after.

use std::path::Path;

use rusqlite::{Connection, params};
use serde_json::Value;

use super::schema::{INDEXES, TABLES, quote_ident};
use super::{SqlExport, sql_error};
use crate::analysis::Analysis;
use crate::error::Result;
use crate::project::store::Store;
use crate::report::FieldKind;
use crate::report::fields::{FieldKinds, flatten, value_text};

pub(super) fn write(analysis: &Analysis, store: &Store, path: &Path) -> Result<SqlExport> {
    let err = |e| sql_error(path, e);
    let mut conn = Connection::open(path).map_err(err)?;
    // A temporary file that is renamed only when complete needs no journal;
    // rows go in table by table, so references are checked by readers
    // (`PRAGMA foreign_key_check`), not per insert.
    conn.execute_batch(
        "PRAGMA journal_mode = OFF; PRAGMA synchronous = OFF; PRAGMA foreign_keys = OFF;",
    )
    .map_err(err)?;
    let tx = conn.transaction().map_err(err)?;
    tx.execute_batch(TABLES).map_err(err)?;
    let mut kinds = FieldKinds::default();
    let mut conversations = 0;
    let mut metadata_rows = 0;
    {
        let mut conv_stmt = tx
            .prepare("INSERT INTO conversations VALUES (?1, ?2, ?3, ?4)")
            .map_err(err)?;
        let mut msg_stmt = tx
            .prepare("INSERT INTO messages VALUES (?1, ?2, ?3, ?4, ?5)")
            .map_err(err)?;
        let mut meta_stmt = tx
            .prepare("INSERT INTO metadata VALUES (?1, ?2, ?3, ?4, ?5)")
            .map_err(err)?;
        for (position, conv) in store.iter()?.enumerate() {
            let conv = conv?;
            conv_stmt
                .execute(params![
                    conv.id,
                    position as i64,
                    conv.created_at,
                    conv.messages.len() as i64
                ])
                .map_err(err)?;
            for (seq, m) in conv.messages.iter().enumerate() {
                msg_stmt
                    .execute(params![
                        conv.id,
                        seq as i64,
                        m.role.as_str(),
                        m.content,
                        m.created_at
                    ])
                    .map_err(err)?;
            }
            for (key, value) in flatten(&conv.metadata) {
                kinds.observe(&key, value);
                let (text, kind, number) = match value {
                    Value::Null => (None, "null", None),
                    Value::Number(n) => (Some(n.to_string()), "number", n.as_f64()),
                    Value::Bool(b) => (Some(b.to_string()), "boolean", None),
                    Value::String(s) => (Some(s.clone()), "string", None),
                    other => (Some(value_text(other)), "json", None),
                };
                meta_stmt
                    .execute(params![conv.id, key, text, kind, number])
                    .map_err(err)?;
                metadata_rows += 1;
            }
            conversations += 1;
        }
        let mut sum_stmt = tx
            .prepare(
                "INSERT OR REPLACE INTO summaries VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
            )
            .map_err(err)?;
        for s in analysis
            .summaries
            .iter()
            .filter(|s| !s.conversation_id.is_empty())
        {
            let custom = (!s.custom.is_empty()).then(|| to_json(&s.custom));
            sum_stmt
                .execute(params![
                    s.conversation_id,
                    s.summary,
                    s.request,
                    s.task,
                    to_json(&s.languages),
                    s.concerning_score,
                    s.user_frustration,
                    to_json(&s.assistant_errors),
                    s.assistant_errors.len() as i64,
                    custom
                ])
                .map_err(err)?;
        }
    }
    let (clusters, memberships) = write_clusters(&tx, analysis, path)?;
    tx.execute_batch(INDEXES).map_err(err)?;
    let numeric_fields: Vec<String> = kinds
        .kinds()
        .into_iter()
        .filter(|(_, k)| *k == FieldKind::Numeric)
        .map(|(n, _)| n)
        .filter(|n| n != "conversation_id")
        .collect();
    tx.execute_batch(&numeric_table(&numeric_fields))
        .map_err(err)?;
    tx.commit().map_err(err)?;
    conn.close().map_err(|(_, e)| err(e))?;
    Ok(SqlExport {
        path: path.to_path_buf(),
        conversations,
        clusters,
        memberships,
        metadata_rows,
        numeric_fields,
    })
}

/// Clusters, and each base cluster's members at its level and every
/// ancestor's.
fn write_clusters(
    tx: &rusqlite::Transaction,
    analysis: &Analysis,
    path: &Path,
) -> Result<(usize, usize)> {
    let err = |e| sql_error(path, e);
    let h = &analysis.hierarchy;
    let mut cluster_stmt = tx
        .prepare("INSERT INTO clusters VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)")
        .map_err(err)?;
    let mut member_stmt = tx
        .prepare("INSERT OR IGNORE INTO memberships VALUES (?1, ?2, ?3)")
        .map_err(err)?;
    let mut memberships = 0;
    for c in h.clusters() {
        cluster_stmt
            .execute(params![
                c.id,
                c.parent,
                c.level,
                c.name,
                c.original_name,
                c.description,
                c.slug,
                c.count as i64,
                c.noise
            ])
            .map_err(err)?;
        if !c.children.is_empty() {
            continue;
        }
        let path_up = h.path(&c.id);
        for member in &c.members {
            for up in &path_up {
                memberships += member_stmt
                    .execute(params![member, up.id, up.level])
                    .map_err(err)?;
            }
        }
    }
    Ok((h.clusters().len(), memberships))
}

/// `metadata_numeric`: one row per conversation, one REAL column per
/// always-numeric field, filled from the long form.
fn numeric_table(fields: &[String]) -> String {
    let mut columns = String::from("conversation_id TEXT PRIMARY KEY REFERENCES conversations(id)");
    let mut select = String::from("c.id");
    for f in fields {
        let q = quote_ident(f);
        let lit = f.replace('\'', "''");
        columns.push_str(&format!(", {q} REAL"));
        select.push_str(&format!(
            ", MAX(CASE WHEN m.key = '{lit}' THEN m.number END)"
        ));
    }
    format!(
        "CREATE TABLE metadata_numeric ({columns});\n\
         INSERT INTO metadata_numeric SELECT {select} FROM conversations c \
         LEFT JOIN metadata m ON m.conversation_id = c.id AND m.type = 'number' GROUP BY c.id;"
    )
}

/// Compact JSON of a value (these always serialise).
fn to_json<T: serde::Serialize + ?Sized>(value: &T) -> String {
    serde_json::to_string(value).unwrap_or_default()
}
