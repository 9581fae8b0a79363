//! Binding of the shape and joining ops (`cat`, `stack`, `split`, `flip`, `roll`, `repeat`,
//! `tril`, `diag`, `meshgrid`, ...): argument parsing only; the ops are the core's.

mod args;
mod diff;
mod grid;
mod join;
mod matrix;
mod reorder;
mod split;

use pyo3::prelude::*;

/// Adds the area's functions to `ferrograd._C`.
pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(join::cat, m)?)?;
    m.add_function(wrap_pyfunction!(join::concat, m)?)?;
    m.add_function(wrap_pyfunction!(join::concatenate, m)?)?;
    m.add_function(wrap_pyfunction!(join::stack, m)?)?;
    m.add_function(wrap_pyfunction!(join::hstack, m)?)?;
    m.add_function(wrap_pyfunction!(join::vstack, m)?)?;
    m.add_function(wrap_pyfunction!(join::row_stack, m)?)?;
    m.add_function(wrap_pyfunction!(join::dstack, m)?)?;
    m.add_function(wrap_pyfunction!(join::column_stack, m)?)?;
    m.add_function(wrap_pyfunction!(split::split, m)?)?;
    m.add_function(wrap_pyfunction!(reorder::repeat_interleave, m)?)?;
    m.add_function(wrap_pyfunction!(matrix::tril_indices, m)?)?;
    m.add_function(wrap_pyfunction!(matrix::triu_indices, m)?)?;
    m.add_function(wrap_pyfunction!(grid::meshgrid, m)?)?;
    m.add_function(wrap_pyfunction!(grid::cartesian_prod, m)?)?;
    m.add_function(wrap_pyfunction!(grid::combinations, m)?)?;
    m.add_function(wrap_pyfunction!(grid::broadcast_tensors, m)?)?;
    m.add_function(wrap_pyfunction!(grid::broadcast_shapes, m)?)?;
    m.add_function(wrap_pyfunction!(grid::atleast_1d, m)?)?;
    m.add_function(wrap_pyfunction!(grid::atleast_2d, m)?)?;
    m.add_function(wrap_pyfunction!(grid::atleast_3d, m)?)?;
    crate::exports::export_methods(
        m,
        &[
            "split_with_sizes",
            "unsafe_split",
            "unsafe_split_with_sizes",
            "tensor_split",
            "chunk",
            "unsafe_chunk",
            "unbind",
            "hsplit",
            "vsplit",
            "dsplit",
            "flip",
            "fliplr",
            "flipud",
            "roll",
            "rot90",
            "tile",
            "tril",
            "triu",
            "diag",
            "diag_embed",
            "diagflat",
            "trace",
            "broadcast_to",
            "ravel",
            "diff",
        ],
    )
}
