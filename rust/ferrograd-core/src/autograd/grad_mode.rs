//! Grad mode: whether ops record the graph, per thread (PyTorch's `no_grad`, `enable_grad`,
//! `set_grad_enabled`, `inference_mode`). Ops also switch it off around their own internals,
//! so a composite op records one node, not the nodes of the ops it is built from.

use std::cell::Cell;

thread_local! {
    static GRAD_ENABLED: Cell<bool> = const { Cell::new(true) };
    static INFERENCE_MODE: Cell<bool> = const { Cell::new(false) };
}

/// Whether ops on this thread record the graph.
pub fn is_grad_enabled() -> bool {
    GRAD_ENABLED.with(|g| g.get())
}

/// Sets grad mode for this thread and returns the previous value.
pub fn set_grad_enabled(enabled: bool) -> bool {
    GRAD_ENABLED.with(|g| g.replace(enabled))
}

pub fn is_inference_mode_enabled() -> bool {
    INFERENCE_MODE.with(|g| g.get())
}

/// Sets inference mode (which here behaves as `no_grad`) and returns the previous value.
pub fn set_inference_mode(enabled: bool) -> bool {
    INFERENCE_MODE.with(|g| g.replace(enabled))
}

/// Restores the grad mode it was created with when dropped, also on early returns and errors.
pub struct GradModeGuard {
    previous: bool,
}

impl GradModeGuard {
    pub fn new(enabled: bool) -> GradModeGuard {
        GradModeGuard {
            previous: set_grad_enabled(enabled),
        }
    }
}

impl Drop for GradModeGuard {
    fn drop(&mut self) {
        set_grad_enabled(self.previous);
    }
}

/// Runs `f` with grad mode set to `enabled`.
pub fn with_grad_mode<R>(enabled: bool, f: impl FnOnce() -> R) -> R {
    let _guard = GradModeGuard::new(enabled);
    f()
}

/// Runs `f` without recording.
pub fn no_grad<R>(f: impl FnOnce() -> R) -> R {
    with_grad_mode(false, f)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn guards_nest_and_restore_on_drop() {
        assert!(is_grad_enabled());
        no_grad(|| {
            assert!(!is_grad_enabled());
            with_grad_mode(true, || assert!(is_grad_enabled()));
            assert!(!is_grad_enabled());
        });
        assert!(is_grad_enabled());
    }

    #[test]
    fn each_thread_has_its_own_mode() {
        no_grad(|| {
            let other = std::thread::spawn(is_grad_enabled)
                .join()
                .expect("thread ran");
            assert!(other);
        });
    }
}
