//! Anomaly detection (`ferrograd.autograd.detect_anomaly()`), for debugging a backward pass:
//! while it is on, every recorded node remembers where in the user's program it was made (the
//! binding keeps the Python traceback in the node's `metadata`), a node whose backward fails
//! reports that place, and, with `check_nan`, a node whose backward returns NaN fails.
//! Process-wide, as in PyTorch.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, OnceLock};

use super::node::Node;
use crate::error::{Error, Result};
use crate::op::UnaryOp;
use crate::tensor::Tensor;

static ENABLED: AtomicBool = AtomicBool::new(false);
static CHECK_NAN: AtomicBool = AtomicBool::new(true);

/// What the binding does with a node: remember where it was made, or report that place.
pub type NodeHook = Box<dyn Fn(&Arc<Node>) + Send + Sync>;

struct Hooks {
    recorded: NodeHook,
    failed: NodeHook,
}

static HOOKS: OnceLock<Hooks> = OnceLock::new();

pub fn set_anomaly_enabled(enabled: bool, check_nan: bool) {
    ENABLED.store(enabled, Ordering::Relaxed);
    CHECK_NAN.store(check_nan, Ordering::Relaxed);
}

pub fn is_anomaly_enabled() -> bool {
    ENABLED.load(Ordering::Relaxed)
}

pub fn is_anomaly_check_nan_enabled() -> bool {
    CHECK_NAN.load(Ordering::Relaxed)
}

/// Installs the binding's hooks (once per process).
pub fn set_hooks(recorded: NodeHook, failed: NodeHook) {
    let _ = HOOKS.set(Hooks { recorded, failed });
}

/// Called for every node the forward pass records.
pub(crate) fn node_recorded(node: &Arc<Node>) {
    if is_anomaly_enabled() {
        if let Some(h) = HOOKS.get() {
            (h.recorded)(node);
        }
    }
}

/// Called when a node's backward failed, before the error goes up.
pub(crate) fn node_failed(node: &Arc<Node>) {
    if is_anomaly_enabled() {
        if let Some(h) = HOOKS.get() {
            (h.failed)(node);
        }
    }
}

/// With `check_nan` on: fails when a node's backward returned a gradient containing NaN.
pub(crate) fn check_for_nan(node: &Node, grads: &[Option<Tensor>]) -> Result<()> {
    if !(is_anomaly_enabled() && is_anomaly_check_nan_enabled()) {
        return Ok(());
    }
    for (i, g) in grads.iter().enumerate() {
        let Some(g) = g else { continue };
        if g.dtype().is_floating_point()
            && g.unary(UnaryOp::IsNan, None)?
                .any(None, false)?
                .item()?
                .to_f64()
                != 0.0
        {
            return Err(Error::runtime(format!(
                "Function '{}' returned nan values in its {i}th output.",
                node.name()
            )));
        }
    }
    Ok(())
}
