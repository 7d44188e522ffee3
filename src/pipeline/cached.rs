//! A stage's checkpoint, when it was built from the inputs the stage is
//! about to use; otherwise one line saying why the stage is recomputed
//! (outdated and why, corrupt and where, or incomplete last time).

use ndarray::Array2;
use serde::de::DeserializeOwned;

use super::plan::{StageInputs, Status, judge};
use super::{Event, LogLevel, StageCtx};
use crate::error::Result;
use crate::project::checkpoint::{self, Checked, Header};

/// The records of a stage's valid checkpoint, with its digest.
pub(super) fn records<T: DeserializeOwned>(
    ctx: &StageCtx,
    inputs: &StageInputs,
) -> Result<Option<(Vec<T>, String)>> {
    let read = checkpoint::read::<T>(ctx.cps.as_ref(), inputs.stage.name())?;
    Ok(accept(ctx, inputs, read, false))
}

/// The matrix of a stage's valid checkpoint, with its digest.
pub(super) fn matrix(
    ctx: &StageCtx,
    inputs: &StageInputs,
) -> Result<Option<(Array2<f32>, String)>> {
    let read = checkpoint::read_matrix(ctx.cps.as_ref(), inputs.stage.name())?;
    Ok(accept(ctx, inputs, read, true))
}

fn accept<T>(
    ctx: &StageCtx,
    inputs: &StageInputs,
    read: Checked<(Header, T)>,
    matrix: bool,
) -> Option<(T, String)> {
    let stage = inputs.stage;
    let status = judge(read.as_ref().map(|(h, _)| h), None, Some(inputs));
    let (level, message) = match (&status, read) {
        (Status::Done, Ok((h, value))) => {
            let _ = ctx.events.send(Event::Finished {
                stage,
                cached: true,
            });
            return Some((value, h.digest));
        }
        (Status::Missing, _) | (Status::Done, Err(_)) => return None,
        (Status::Corrupt { reason }, _) => {
            let path = checkpoint::describe(ctx.cps.as_ref(), stage.name(), matrix);
            (
                LogLevel::Warn,
                format!(
                    "{} is corrupt ({reason}); recomputing {}",
                    path.display(),
                    stage.name()
                ),
            )
        }
        (Status::Outdated { why }, _) => (
            LogLevel::Info,
            format!(
                "{}: outdated ({}); recomputing",
                stage.name(),
                why.join("; ")
            ),
        ),
        (Status::Incomplete { items }, _) => (
            LogLevel::Info,
            format!(
                "{}: incomplete last time ({}); redoing it (answers received before come from the cache)",
                stage.name(),
                items.join("; ")
            ),
        ),
    };
    let _ = ctx.events.send(Event::Log { level, message });
    None
}
