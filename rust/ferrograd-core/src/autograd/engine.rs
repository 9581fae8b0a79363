//! The backward pass: walks the graph from the outputs to the leaves, running each node once
//! every node that feeds it a gradient has run. Among nodes that are ready, the most recently
//! created runs first (PyTorch's order, which hooks make visible).
//!
//! `backward` adds the gradients into the leaves' `.grad` (or only into `inputs` when given);
//! `grad` returns the gradients of `inputs` and leaves every `.grad` alone.

use std::collections::{BinaryHeap, HashMap, HashSet};
use std::sync::Arc;

use super::anomaly;
use super::grad_mode::{no_grad, with_grad_mode};
use super::node::{Edge, Node, NodeKind};
use super::sum_to_shape::sum_to_shape;
use crate::device_scope::DeviceScope;
use crate::error::{Error, Result};
use crate::op::BinaryOp;
use crate::tensor::{Arg, Tensor};

#[derive(Clone, Copy, Debug, Default)]
pub struct BackwardOptions {
    /// Keep saved tensors, so that the graph can be walked again.
    pub retain_graph: bool,
    /// Record the backward pass itself (for higher derivatives).
    pub create_graph: bool,
}

/// `Tensor.backward` / `autograd.backward`. `grad_outputs[i]` is `None` for an implicit
/// gradient (1 for a scalar output).
pub fn backward(
    outputs: &[Tensor],
    grad_outputs: &[Option<Tensor>],
    inputs: &[Tensor],
    options: BackwardOptions,
) -> Result<()> {
    let roots = root_edges(outputs, grad_outputs)?;
    let targets = target_edges(inputs)?;
    let mode = if inputs.is_empty() {
        Mode::AccumulateAll
    } else {
        Mode::AccumulateInputs
    };
    let captured = GraphTask::new(&roots, &targets, mode, options).run(roots)?;
    // Non-leaf `inputs` get their gradient in `.grad` too (leaves got it from their node).
    for (t, g) in inputs.iter().zip(captured) {
        if let (false, Some(g)) = (t.is_leaf(), g) {
            accumulate_into(t, g, options.create_graph)?;
        }
    }
    Ok(())
}

/// `autograd.grad`: the gradients of `outputs` with respect to `inputs` (`None` for an input
/// the outputs do not depend on, when `allow_unused`).
pub fn grad(
    outputs: &[Tensor],
    grad_outputs: &[Option<Tensor>],
    inputs: &[Tensor],
    options: BackwardOptions,
    allow_unused: bool,
) -> Result<Vec<Option<Tensor>>> {
    let roots = root_edges(outputs, grad_outputs)?;
    let targets = target_edges(inputs)?;
    let captured = GraphTask::new(&roots, &targets, Mode::CaptureOnly, options).run(roots)?;
    if !allow_unused {
        if let Some(i) = captured.iter().position(Option::is_none) {
            return Err(Error::runtime(format!("The differentiated Tensor at index {i} appears to not have been used in the graph. Set allow_unused=True if this is the desired behavior.")));
        }
    }
    Ok(captured)
}

/// Each output's node and its starting gradient (checked against the output's shape).
fn root_edges(outputs: &[Tensor], grads: &[Option<Tensor>]) -> Result<Vec<(Edge, Tensor)>> {
    let mut roots = Vec::with_capacity(outputs.len());
    for (i, out) in outputs.iter().enumerate() {
        let Some(edge) = out.gradient_edge() else {
            return Err(Error::runtime(format!(
                "element {i} of tensors does not require grad and does not have a grad_fn"
            )));
        };
        let g = match grads.get(i).cloned().flatten() {
            Some(g) => {
                if g.shape() != out.shape() {
                    return Err(Error::runtime(format!(
                        "Mismatch in shape: grad_output[{i}] has a shape of {} and output[{i}] has a shape of {}.",
                        size_repr(g.shape()),
                        size_repr(out.shape())
                    )));
                }
                g
            }
            None if out.numel() == 1 => {
                let _on = out.device_scope();
                Tensor::ones(out.shape(), out.dtype())?
            }
            None => {
                return Err(Error::runtime(
                    "grad can be implicitly created only for scalar outputs",
                ))
            }
        };
        roots.push((edge, g));
    }
    Ok(roots)
}

fn size_repr(shape: &[usize]) -> String {
    let dims: Vec<String> = shape.iter().map(|d| d.to_string()).collect();
    format!("ferrograd.Size([{}])", dims.join(", "))
}

fn target_edges(inputs: &[Tensor]) -> Result<Vec<Edge>> {
    inputs
        .iter()
        .map(|t| {
            t.gradient_edge().ok_or_else(|| {
                Error::runtime("One of the differentiated Tensors does not require grad")
            })
        })
        .collect()
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Mode {
    /// `backward()`: every leaf's `.grad`.
    AccumulateAll,
    /// `backward(inputs=...)`: only those inputs' `.grad`.
    AccumulateInputs,
    /// `grad(...)`: no `.grad` changes, gradients returned.
    CaptureOnly,
}

struct GraphTask {
    options: BackwardOptions,
    nodes: HashMap<usize, Arc<Node>>,
    /// Nodes that run (or capture): every node when accumulating everything, else the nodes
    /// from which some target can be reached.
    needed: HashSet<usize>,
    /// How many needed nodes still have to hand each node a gradient.
    dependencies: HashMap<usize, usize>,
    /// (node, output) per target, in the order of `inputs`.
    targets: Vec<(usize, usize)>,
    mode: Mode,
}

impl GraphTask {
    fn new(
        roots: &[(Edge, Tensor)],
        targets: &[Edge],
        mode: Mode,
        options: BackwardOptions,
    ) -> Self {
        let mut nodes = HashMap::new();
        let mut children: HashMap<usize, Vec<usize>> = HashMap::new();
        // Depth-first discovery; `order` ends up with every node after all nodes it feeds.
        let mut order = Vec::new();
        let mut stack: Vec<(Arc<Node>, bool)> =
            roots.iter().map(|(e, _)| (e.node.clone(), false)).collect();
        while let Some((node, expanded)) = stack.pop() {
            let id = node.id();
            if expanded {
                order.push(id);
                continue;
            }
            if nodes.contains_key(&id) {
                continue;
            }
            nodes.insert(id, node.clone());
            stack.push((node.clone(), true));
            let kids: Vec<usize> = node
                .next_edges()
                .iter()
                .flatten()
                .map(|e| e.node.id())
                .collect();
            for e in node.next_edges().iter().flatten() {
                if !nodes.contains_key(&e.node.id()) {
                    stack.push((e.node.clone(), false));
                }
            }
            children.insert(id, kids);
        }
        let target_ids: HashSet<usize> = targets.iter().map(|e| e.node.id()).collect();
        let needed: HashSet<usize> = if mode == Mode::AccumulateAll {
            nodes.keys().copied().collect()
        } else {
            // `order` is post-order: children come before their parents.
            let mut needed = HashSet::new();
            for &id in &order {
                if target_ids.contains(&id) || children[&id].iter().any(|c| needed.contains(c)) {
                    needed.insert(id);
                }
            }
            needed
        };
        let mut dependencies: HashMap<usize, usize> = HashMap::new();
        for id in &needed {
            for c in &children[id] {
                if needed.contains(c) {
                    *dependencies.entry(*c).or_default() += 1;
                }
            }
        }
        GraphTask {
            options,
            nodes,
            needed,
            dependencies,
            targets: targets.iter().map(|e| (e.node.id(), e.input_nr)).collect(),
            mode,
        }
    }

    fn run(mut self, roots: Vec<(Edge, Tensor)>) -> Result<Vec<Option<Tensor>>> {
        with_grad_mode(self.options.create_graph, || {
            let mut buffers: HashMap<usize, Vec<Option<Tensor>>> = HashMap::new();
            for (edge, g) in roots {
                add_to_buffer(&mut buffers, &edge, g)?;
            }
            let mut ready: BinaryHeap<(u64, usize)> = BinaryHeap::new();
            for (&id, node) in &self.nodes {
                if self.needed.contains(&id)
                    && self.dependencies.get(&id).copied().unwrap_or(0) == 0
                {
                    ready.push((node.sequence_nr(), id));
                }
            }
            let mut captured: Vec<Option<Tensor>> = vec![None; self.targets.len()];
            while let Some((_, id)) = ready.pop() {
                let node = self.nodes[&id].clone();
                let grads = buffers
                    .remove(&id)
                    .unwrap_or_else(|| vec![None; node.output_info().len()]);
                let grad_inputs = self.run_node(&node, grads, &mut captured)?;
                for (edge, g) in node.next_edges().iter().zip(grad_inputs) {
                    let Some(edge) = edge else { continue };
                    let child = edge.node.id();
                    if !self.needed.contains(&child) {
                        continue;
                    }
                    if let Some(g) = g {
                        add_to_buffer(&mut buffers, edge, g)?;
                    }
                    let left = self.dependencies.get_mut(&child).expect("counted in new()");
                    *left -= 1;
                    if *left == 0 {
                        ready.push((edge.node.sequence_nr(), child));
                    }
                }
            }
            Ok(captured)
        })
    }

    /// Runs one node on the gradients of its outputs: hooks, capture, then its formula (or the
    /// accumulation into its leaf). Returns the gradients of its inputs.
    fn run_node(
        &mut self,
        node: &Arc<Node>,
        grads: Vec<Option<Tensor>>,
        captured: &mut [Option<Tensor>],
    ) -> Result<Vec<Option<Tensor>>> {
        let result = self.run_node_unreported(node, grads, captured);
        if result.is_err() {
            anomaly::node_failed(node);
        }
        result
    }

    fn run_node_unreported(
        &mut self,
        node: &Arc<Node>,
        mut grads: Vec<Option<Tensor>>,
        captured: &mut [Option<Tensor>],
    ) -> Result<Vec<Option<Tensor>>> {
        run_tensor_hooks(node, &mut grads, self.options.create_graph)?;
        for hook in node.pre_hooks() {
            if let Some(new) = hook(&grads)? {
                grads = new;
            }
        }
        let id = node.id();
        for (k, &(target, nr)) in self.targets.iter().enumerate() {
            if target == id {
                captured[k] = grads.get(nr).cloned().flatten();
            }
        }
        if let NodeKind::AccumulateGrad(leaf) = node.kind() {
            if self.mode != Mode::CaptureOnly {
                if let (Some(leaf), Some(Some(g))) = (leaf.upgrade(), grads.into_iter().next()) {
                    accumulate_into(&leaf, g, self.options.create_graph)?;
                }
            }
            return Ok(Vec::new());
        }
        let feeds_needed = node
            .next_edges()
            .iter()
            .flatten()
            .any(|e| self.needed.contains(&e.node.id()));
        if !feeds_needed {
            return Ok(vec![None; node.next_edges().len()]);
        }
        if node.materialize_grads() {
            for (g, info) in grads.iter_mut().zip(node.output_info()) {
                if g.is_none() {
                    *g = Some(info.zeros()?);
                }
            }
        }
        let Some(formula) = node.backward_fn() else {
            return Ok(vec![None; node.next_edges().len()]);
        };
        let needs: Vec<bool> = node
            .next_edges()
            .iter()
            .map(|e| {
                e.as_ref()
                    .is_some_and(|e| self.needed.contains(&e.node.id()))
            })
            .collect();
        // The formula's own allocations go to the device of the gradients it is given.
        let device = node
            .output_info()
            .first()
            .map(|i| i.device)
            .unwrap_or_default();
        let run = || {
            let _on = DeviceScope::enter(device);
            formula(&grads, &needs)
        };
        // An op of the formula without a GPU kernel warns under the node's name.
        let mut grad_inputs = match node.static_name() {
            Some(name) => crate::wgpu::fallback::with_op(name, run)?,
            None => run()?,
        };
        check_and_cast(node, &mut grad_inputs)?;
        anomaly::check_for_nan(node, &grad_inputs)?;
        for hook in node.post_hooks() {
            if let Some(new) = hook(&grad_inputs, &grads)? {
                grad_inputs = new;
                check_and_cast(node, &mut grad_inputs)?;
            }
        }
        if !self.options.retain_graph {
            node.release_saved();
        }
        Ok(grad_inputs)
    }
}

/// The hooks of the tensors a node produced (a leaf's own hooks for its accumulator), then
/// `retain_grad`, which sees the gradient after the other hooks changed it.
fn run_tensor_hooks(node: &Node, grads: &mut [Option<Tensor>], create_graph: bool) -> Result<()> {
    if let NodeKind::AccumulateGrad(leaf) = node.kind() {
        if let (Some(leaf), Some(slot)) = (leaf.upgrade(), grads.first_mut()) {
            for hook in leaf.leaf_hooks() {
                if let Some(g) = slot.as_ref() {
                    if let Some(new) = hook(g)? {
                        *slot = Some(new);
                    }
                }
            }
        }
        return Ok(());
    }
    for (nr, slot) in grads.iter_mut().enumerate() {
        for hook in node.tensor_hooks(nr) {
            if let Some(g) = slot.as_ref() {
                if let Some(new) = hook(g)? {
                    *slot = Some(new);
                }
            }
        }
    }
    for (nr, weak) in node.retained() {
        if let (Some(t), Some(Some(g))) = (weak.upgrade(), grads.get(nr)) {
            accumulate_into(&t, g.clone(), create_graph)?;
        }
    }
    Ok(())
}

/// The formula's results against the node's inputs: one per input, each of the input's shape
/// (a gradient of a shape that broadcasts to it is summed back) and dtype.
fn check_and_cast(node: &Node, grads: &mut [Option<Tensor>]) -> Result<()> {
    let expected = node.next_edges().len();
    if grads.len() != expected {
        return Err(Error::runtime(format!(
            "function {} returned an incorrect number of gradients (expected {expected}, got {})",
            node.name(),
            grads.len()
        )));
    }
    for (i, (slot, info)) in grads.iter_mut().zip(node.input_info()).enumerate() {
        let Some(g) = slot.as_ref() else { continue };
        let mut g = g.clone();
        if g.shape() != info.shape.as_slice() {
            if !broadcasts_to(&info.shape, g.shape()) {
                return Err(Error::runtime(format!(
                    "Function {} returned an invalid gradient at index {i} - got {:?} but expected shape compatible with {:?}",
                    node.name(),
                    g.shape(),
                    info.shape
                )));
            }
            g = sum_to_shape(&g, &info.shape)?;
        }
        if g.dtype() != info.dtype {
            g = g.to_dtype(info.dtype)?;
        }
        if g.device() != info.device {
            return Err(Error::runtime(format!(
                "Function {} returned an invalid gradient at index {i} - expected device {} but got {}",
                node.name(),
                info.device,
                g.device()
            )));
        }
        *slot = Some(g);
    }
    Ok(())
}

/// Whether `shape` broadcasts to `target` (numpy's rule, aligned on the right).
fn broadcasts_to(shape: &[usize], target: &[usize]) -> bool {
    shape.len() <= target.len()
        && shape
            .iter()
            .rev()
            .zip(target.iter().rev())
            .all(|(&s, &t)| s == t || s == 1)
}

fn add_to_buffer(
    buffers: &mut HashMap<usize, Vec<Option<Tensor>>>,
    edge: &Edge,
    g: Tensor,
) -> Result<()> {
    let slots = buffers
        .entry(edge.node.id())
        .or_insert_with(|| vec![None; edge.node.output_info().len()]);
    let slot = &mut slots[edge.input_nr];
    *slot = Some(match slot.take() {
        None => g,
        Some(prev) => prev.binary(BinaryOp::Add, &Arg::Tensor(g), None)?,
    });
    Ok(())
}

/// Adds `g` into `t.grad`. Without `create_graph` the stored gradient has no history and is
/// added to in place; a gradient some other tensor may still see is copied first, so that
/// `x.grad.zero_()` never changes another tensor's gradient.
pub(crate) fn accumulate_into(t: &Tensor, g: Tensor, create_graph: bool) -> Result<()> {
    match t.grad() {
        None => {
            let stored = if create_graph {
                g
            } else if g.is_uniquely_owned() && g.is_contiguous() {
                g.detach()
            } else {
                no_grad(|| g.deep_clone())?
            };
            t.set_grad(Some(stored));
        }
        Some(old) if create_graph || old.requires_grad() => {
            let sum = old.binary(BinaryOp::Add, &Arg::Tensor(g), None)?;
            t.set_grad(Some(sum));
        }
        Some(old) => {
            no_grad(|| old.binary(BinaryOp::Add, &Arg::Tensor(g), Some(&old)))?;
        }
    }
    Ok(())
}
