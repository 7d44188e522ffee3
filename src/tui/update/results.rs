//! Results the runtime brings back to the explorer: metadata, a
//! conversation for the viewer, export progress and outcome, and label
//! saving failures.

use super::Out;
use crate::tui::explorer::{Explorer, MetaStatus, Progress};
use crate::tui::msg::Msg;

pub(super) fn apply(ex: &mut Explorer, msg: Msg, out: &mut Out) {
    match msg {
        Msg::MetadataLoaded(result) => match result {
            Ok(table) => ex.add_metadata(table),
            Err(e) => {
                out.error(format!("Could not read metadata: {e}"));
                ex.metadata = MetaStatus::Failed(e);
            }
        },
        Msg::ConversationLoaded { position, result } => {
            if let Some(v) = ex
                .viewer
                .as_mut()
                .filter(|v| v.position as usize == position)
            {
                match result {
                    Ok(c) => v.conversation = Some(c),
                    Err(e) => v.error = Some(e),
                }
            }
        }
        Msg::ExportProgress { done, total } => ex.export = Some(Progress { done, total }),
        Msg::Exported(result) => {
            ex.export = None;
            match result {
                Ok(r) => {
                    let root = ex.title.as_str();
                    let shown = r.path.display().to_string();
                    let shown = shown
                        .strip_prefix(root)
                        .map(|s| s.trim_start_matches('/').to_string())
                        .unwrap_or(shown);
                    out.info(format!(
                        "Exported {} conversations to {shown}",
                        r.conversations
                    ));
                }
                Err(e) => out.error(format!("Export failed: {e}")),
            }
        }
        Msg::LabelsSaved(Err(e)) => out.error(format!("Could not save labels: {e}")),
        _ => {}
    }
}
