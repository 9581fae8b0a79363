//! `ferrograd._C`: the thin PyO3 binding over `ferrograd-core`. It converts arguments, calls
//! the core, and wraps results; no maths lives here.

// The module must be called `_C` for Python to import it as `ferrograd._C`.
#![allow(non_snake_case)]

mod anomaly;
mod args;
mod autograd;
mod creation;
mod creation_ranges;
mod dtype;
mod errors;
mod exports;
mod from_python;
mod index_key;
mod legacy;
mod numpy_interop;
mod ops_binary;
mod ops_elementwise;
mod ops_index;
mod ops_index_scatter;
mod ops_index_sort;
mod ops_linalg;
mod ops_nn_conv;
mod ops_nn_norm;
mod ops_nn_pool;
mod ops_nn_rnn;
mod ops_nn_softmax;
mod ops_operators;
mod ops_reduce;
mod ops_reduce_minmax;
mod ops_reduce_order;
mod ops_reduce_stats;
mod ops_shape;
mod ops_ternary;
mod out_arg;
mod random;
mod random_inplace;
mod random_sampling;
mod tensor;
mod tensor_autograd;
mod tensor_convert;
mod tensor_new;
mod tensor_protocols;
mod tensor_views;
mod tensor_views_inplace;
mod wgpu_runtime;

use pyo3::prelude::*;

#[pymodule]
fn _C(m: &Bound<'_, PyModule>) -> PyResult<()> {
    let py = m.py();
    // Before any thread pool exists: a forked child (a DataLoader worker) then runs kernels on
    // its one thread instead of waiting on threads it does not have.
    ferrograd_core::cpu::fork_guard::install();
    m.add_class::<tensor::PyTensor>()?;
    wgpu_runtime::register(m)?;
    m.add_class::<dtype::PyDType>()?;
    m.add_class::<numpy_interop::StorageKeepAlive>()?;
    m.add_class::<random::PyGenerator>()?;
    for d in ferrograd_core::DType::ALL {
        m.add(d.name(), dtype::dtype_object(py, d)?)?;
    }
    m.add_function(wrap_pyfunction!(dtype::get_default_dtype, m)?)?;
    m.add_function(wrap_pyfunction!(dtype::set_default_dtype, m)?)?;
    m.add_function(wrap_pyfunction!(dtype::promote_types, m)?)?;
    m.add_function(wrap_pyfunction!(creation::result_type, m)?)?;
    m.add_function(wrap_pyfunction!(creation::tensor, m)?)?;
    m.add_function(wrap_pyfunction!(creation::as_tensor, m)?)?;
    m.add_function(wrap_pyfunction!(creation::from_numpy, m)?)?;
    m.add_function(wrap_pyfunction!(creation::zeros, m)?)?;
    m.add_function(wrap_pyfunction!(creation::ones, m)?)?;
    m.add_function(wrap_pyfunction!(creation::empty, m)?)?;
    m.add_function(wrap_pyfunction!(creation::full, m)?)?;
    m.add_function(wrap_pyfunction!(creation::zeros_like, m)?)?;
    m.add_function(wrap_pyfunction!(creation::ones_like, m)?)?;
    m.add_function(wrap_pyfunction!(creation::empty_like, m)?)?;
    m.add_function(wrap_pyfunction!(creation::full_like, m)?)?;
    m.add_function(wrap_pyfunction!(creation_ranges::arange, m)?)?;
    m.add_function(wrap_pyfunction!(creation_ranges::range, m)?)?;
    m.add_function(wrap_pyfunction!(creation_ranges::linspace, m)?)?;
    m.add_function(wrap_pyfunction!(creation_ranges::logspace, m)?)?;
    m.add_function(wrap_pyfunction!(creation::eye, m)?)?;
    m.add_function(wrap_pyfunction!(creation::_from_bytes, m)?)?;
    m.add_function(wrap_pyfunction!(legacy::_legacy_new, m)?)?;
    m.add_function(wrap_pyfunction!(random::manual_seed, m)?)?;
    m.add_function(wrap_pyfunction!(random::seed, m)?)?;
    m.add_function(wrap_pyfunction!(random::initial_seed, m)?)?;
    m.add_function(wrap_pyfunction!(random::get_rng_state, m)?)?;
    m.add_function(wrap_pyfunction!(random::set_rng_state, m)?)?;
    m.add_function(wrap_pyfunction!(random::_default_generator, m)?)?;
    m.add_function(wrap_pyfunction!(random::_wgpu_default_generator, m)?)?;
    m.add_function(wrap_pyfunction!(random_sampling::rand, m)?)?;
    m.add_function(wrap_pyfunction!(random_sampling::randn, m)?)?;
    m.add_function(wrap_pyfunction!(random_sampling::randint, m)?)?;
    m.add_function(wrap_pyfunction!(random_sampling::randperm, m)?)?;
    m.add_function(wrap_pyfunction!(random_sampling::normal, m)?)?;
    m.add_function(wrap_pyfunction!(random_sampling::bernoulli, m)?)?;
    m.add_function(wrap_pyfunction!(random_sampling::multinomial, m)?)?;
    m.add_function(wrap_pyfunction!(random_sampling::rand_like, m)?)?;
    m.add_function(wrap_pyfunction!(random_sampling::randn_like, m)?)?;
    m.add_function(wrap_pyfunction!(random_sampling::randint_like, m)?)?;
    autograd::register(m)?;
    ops_elementwise::register(m)?;
    ops_binary::register(m)?;
    ops_ternary::register(m)?;
    ops_shape::register(m)?;
    ops_linalg::register(m)?;
    ops_index::register(m)?;
    ops_reduce::register(m)?;
    ops_nn_softmax::register(m)?;
    ops_nn_conv::register(m)?;
    ops_nn_pool::register(m)?;
    ops_nn_norm::register(m)?;
    ops_nn_rnn::register(m)?;
    Ok(())
}
