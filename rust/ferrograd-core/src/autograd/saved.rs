//! Tensors a node keeps for its backward (`ctx.save_for_backward` in PyTorch's terms), with the
//! version they had when saved: unpacking one that an in-place op changed since, or one that a
//! backward without `retain_graph` already freed, raises PyTorch's errors.
//!
//! An op's own output is kept without its history (the output holds the node, so a strong
//! reference back would be a cycle); the history is put back on unpacking while the node is
//! alive, so double backward through it still works.

use std::sync::{Arc, Mutex, OnceLock, Weak};

use super::node::Node;
use crate::error::{Error, Result};
use crate::tensor::Tensor;

#[derive(Clone)]
pub struct SavedTensor(Arc<Inner>);

struct Inner {
    slot: Mutex<Option<Tensor>>,
    version: u64,
    /// For an op's own output: the node that produced it (set when the node is created) and
    /// which output it is.
    output_of: Option<(OnceLock<Weak<Node>>, usize)>,
    /// For an input that is a result of another op: that op's node and output number (named
    /// by the version error: ", which is output 0 of Exp,"). Weak: the input itself keeps its
    /// history alive while it matters.
    input_of: Option<(Weak<Node>, usize)>,
}

pub const FREED_MESSAGE: &str = "Trying to backward through the graph a second time (or directly access saved tensors after they have already been freed). Saved intermediate values of the graph are freed when you call .backward() or autograd.grad(). Specify retain_graph=True if you need to backward through the graph a second time or if you need to access saved tensors after calling backward.";

/// The op a node records, as the version error names it: `Exp` for `ExpBackward0`.
fn op_name(node_name: &str) -> &str {
    let base = node_name.trim_end_matches(|c: char| c.is_ascii_digit());
    base.strip_suffix("Backward").unwrap_or(base)
}

fn describe(t: &Tensor) -> String {
    let dims: Vec<String> = t.shape().iter().map(|d| d.to_string()).collect();
    format!(
        "[ferrograd.{} [{}]]",
        t.dtype().legacy_type_name(),
        dims.join(", ")
    )
}

impl SavedTensor {
    /// An input of the op (kept with its history).
    pub fn input(t: &Tensor) -> SavedTensor {
        SavedTensor(Arc::new(Inner {
            slot: Mutex::new(Some(t.clone())),
            version: t.version(),
            output_of: None,
            input_of: t.grad_fn().map(|n| (Arc::downgrade(&n), t.output_nr())),
        }))
    }

    /// Output `output_nr` of the op being recorded.
    pub fn output(t: &Tensor, output_nr: usize) -> SavedTensor {
        SavedTensor(Arc::new(Inner {
            slot: Mutex::new(Some(t.detach())),
            version: t.version(),
            output_of: Some((OnceLock::new(), output_nr)),
            input_of: None,
        }))
    }

    /// Called once the node exists: links a saved output to it.
    pub(crate) fn bind_output(&self, node: &Arc<Node>) {
        if let Some((cell, _)) = &self.0.output_of {
            let _ = cell.set(Arc::downgrade(node));
        }
    }

    pub(crate) fn release(&self) {
        *self.0.slot.lock().unwrap_or_else(|e| e.into_inner()) = None;
    }

    /// The tensor, checked: not freed, not modified in place since it was saved.
    pub fn get(&self) -> Result<Tensor> {
        let slot = self.0.slot.lock().unwrap_or_else(|e| e.into_inner());
        let Some(t) = slot.as_ref() else {
            return Err(Error::runtime(FREED_MESSAGE));
        };
        if t.version() != self.0.version {
            let producer = match (&self.0.output_of, &self.0.input_of) {
                (Some((cell, nr)), _) => cell.get().and_then(Weak::upgrade).map(|n| (n, *nr)),
                (None, Some((weak, nr))) => weak.upgrade().map(|n| (n, *nr)),
                (None, None) => None,
            };
            let origin = match producer {
                Some((node, nr)) => format!(", which is output {nr} of {},", op_name(node.name())),
                None => String::new(),
            };
            return Err(Error::runtime(format!(
                "one of the variables needed for gradient computation has been modified by an inplace operation: {}{origin} is at version {}; expected version {} instead. Hint: enable anomaly detection to find the operation that failed to compute its gradient, with ferrograd.autograd.set_detect_anomaly(True, check_nan=False).",
                describe(t),
                t.version(),
                self.0.version
            )));
        }
        match &self.0.output_of {
            Some((cell, nr)) => match cell.get().and_then(Weak::upgrade) {
                Some(node) => Ok(t.alias_with_history(node, *nr)),
                None => Ok(t.clone()),
            },
            None => Ok(t.clone()),
        }
    }
}
