//! # ferrograd-core
//!
//! The engine behind ferrograd, in pure Rust: strided tensors over shared storage, PyTorch's
//! dtypes and type promotion, broadcasting, CPU kernels, and (in later modules) autograd and a
//! wgpu backend. The Python package is a thin binding over this crate.
//!
//! ```
//! use ferrograd_core::{DType, Scalar, Tensor};
//! let t = Tensor::arange(Scalar::Int(0), Scalar::Int(6), Scalar::Int(1), DType::F32)?;
//! let m = t.view(&[2, 3])?.t()?;            // a view: no data is copied
//! assert_eq!(m.shape(), &[3, 2]);
//! assert!(!m.is_contiguous());
//! assert_eq!(m.contiguous()?.to_vec::<f32>()?, vec![0.0, 3.0, 1.0, 4.0, 2.0, 5.0]);
//! # Ok::<(), ferrograd_core::Error>(())
//! ```

pub mod autograd;
pub mod cpu;
pub mod device;
pub mod device_scope;
pub mod dtype;
pub mod error;
pub mod layout;
pub mod op;
pub mod random;
pub mod shape;
pub mod storage;
pub mod strided;
pub mod tensor;
pub mod wgpu;

pub use device::Device;
pub use device_scope::DeviceScope;
pub use dtype::{promote_types, result_type, Category, DType, Element, Operand, Scalar};
pub use error::{Error, ErrorKind, Result};
pub use layout::Layout;
pub use op::{BinaryOp, UnaryOp};
pub use storage::Storage;

pub use tensor::{
    binary_op, ternary_op, where_op, Arg, HistogramBins, IndexItem, ScatterReduce, Tensor,
};
