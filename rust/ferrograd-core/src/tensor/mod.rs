//! The Tensor handle: a storage, a layout over it, a dtype, a version counter shared with its
//! views, and the autograd flags. Cloning the handle is cheap and shares everything.

mod autograd_meta;
mod broadcast;
mod convert;
mod create;
mod cumulative;
pub mod device_copy;
mod diag;
mod einsum;
mod einsum_contract;
mod einsum_parse;
mod elementwise;
mod elementwise_params;
mod gather_scatter;
mod grid;
mod histogram;
mod index;
mod index_add_copy;
mod index_advanced;
mod index_ops;
mod index_set;
mod index_util;
mod join;
mod linalg;
mod linalg_cross;
mod linalg_decomp;
mod linalg_lstsq;
mod linalg_norm;
mod masked;
mod matmul;
mod matmul_add;
mod matmul_dispatch;
mod matrix_power;
mod random;
mod random_device;
mod raw_access;
mod reduce;
mod reduce_minmax;
mod reduce_order;
mod reduce_order_gpu;
mod reduce_stats;
mod reorder;
mod repeat;
mod scatter_reduce;
mod search;
mod sort;
mod split;
mod take_put;
mod tensordot;
mod ternary;
mod triangular;
mod unique;
mod unique_gpu;
mod view;
mod view_meta;
pub(crate) use view_meta::ViewMeta;
pub mod conv;
mod conv_fold;
mod conv_gpu;
pub(crate) mod conv_ops;
pub mod nll_loss;
mod nll_loss_gpu;
mod norm_gpu;
pub mod pad;
mod softmax;
mod write;

pub use autograd_meta::WeakTensor;
pub use convert::{contiguous_bytes, materialize};
pub use elementwise::{binary_op, promoted_dtype, Arg};
pub use histogram::HistogramBins;
pub use index::IndexItem;
pub use join::CatPlan;
pub use linalg_lstsq::LstsqResult;
pub use random::{Distribution, Draws};
pub use scatter_reduce::ScatterReduce;
pub use search::searchsorted_side;
pub use split::Sections;
pub use ternary::{ternary_op, where_op};
pub use unique::Unique;

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, RwLock};

use crate::device::Device;
use crate::dtype::DType;
use crate::error::{Error, Result};
use crate::layout::Layout;
use crate::storage::Storage;
use autograd_meta::AutogradMeta;

struct TensorImpl {
    storage: Storage,
    layout: Layout,
    dtype: DType,
    /// Bumped by every in-place write. Shared by views and `detach()` (so autograd can tell that
    /// a saved tensor changed), but not by `.data`, exactly as in PyTorch.
    version: Arc<AtomicU64>,
    autograd: RwLock<AutogradMeta>,
}

#[derive(Clone)]
pub struct Tensor(Arc<TensorImpl>);

impl std::fmt::Debug for Tensor {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Tensor")
            .field("shape", &self.shape())
            .field("strides", &self.strides())
            .field("offset", &self.storage_offset())
            .field("dtype", &self.dtype())
            .finish()
    }
}

impl Tensor {
    /// A tensor over `storage`; the layout must fit inside it (callers check user input with
    /// [`Tensor::check_fits`]).
    pub fn from_parts(storage: Storage, layout: Layout, dtype: DType) -> Tensor {
        Tensor(Arc::new(TensorImpl {
            storage,
            layout,
            dtype,
            version: Arc::new(AtomicU64::new(0)),
            autograd: RwLock::new(AutogradMeta::default()),
        }))
    }

    /// A view: same storage and version counter, new layout, and it remembers its base (see
    /// `view_meta`). Views of a tensor that requires grad are not leaves; the view ops record
    /// that, here they just share the storage.
    pub(crate) fn with_layout(&self, layout: Layout) -> Tensor {
        let view = self.view_meta_for_view();
        let t = self.alias(layout);
        t.meta_mut().view = Some(view);
        t
    }

    /// Another handle to this memory that is not a view in autograd's sense (no base).
    fn alias(&self, layout: Layout) -> Tensor {
        Tensor(Arc::new(TensorImpl {
            storage: self.0.storage.clone(),
            layout,
            dtype: self.0.dtype,
            version: self.0.version.clone(),
            autograd: RwLock::new(AutogradMeta::default()),
        }))
    }

    /// `detach()`: shares storage and version counter, drops autograd state. Writing into it
    /// in place is not recorded anywhere (it is not a view autograd tracks).
    pub fn detach(&self) -> Tensor {
        self.alias(self.0.layout.clone())
    }

    /// `.data`: like detach, but with a fresh version counter, so in-place changes made through
    /// it are invisible to autograd (PyTorch's documented behaviour).
    pub fn data(&self) -> Tensor {
        Tensor::from_parts(self.0.storage.clone(), self.0.layout.clone(), self.0.dtype)
    }

    pub fn storage(&self) -> &Storage {
        &self.0.storage
    }

    pub fn layout(&self) -> &Layout {
        &self.0.layout
    }

    pub fn shape(&self) -> &[usize] {
        self.0.layout.shape()
    }

    pub fn strides(&self) -> &[usize] {
        self.0.layout.strides()
    }

    pub fn storage_offset(&self) -> usize {
        self.0.layout.offset()
    }

    pub fn dtype(&self) -> DType {
        self.0.dtype
    }

    pub fn device(&self) -> Device {
        self.0.storage.device()
    }

    pub fn ndim(&self) -> usize {
        self.0.layout.ndim()
    }

    pub fn numel(&self) -> usize {
        self.0.layout.numel()
    }

    pub fn element_size(&self) -> usize {
        self.0.dtype.size_in_bytes()
    }

    pub fn is_contiguous(&self) -> bool {
        self.0.layout.is_contiguous()
    }

    /// Address of the first element (storage start + offset), as `data_ptr()` reports it.
    pub fn data_ptr(&self) -> usize {
        self.0.storage.data_ptr() + self.storage_offset() * self.element_size()
    }

    /// Whether both handles are the same tensor object (not merely views of one storage).
    pub fn is_same(&self, other: &Tensor) -> bool {
        Arc::ptr_eq(&self.0, &other.0)
    }

    pub fn version(&self) -> u64 {
        self.0.version.load(Ordering::Relaxed)
    }

    /// Called by every in-place op after it wrote.
    pub fn bump_version(&self) {
        self.0.version.fetch_add(1, Ordering::Relaxed);
    }

    /// Checks that a user-supplied layout stays within this tensor's storage (`as_strided`).
    pub fn check_fits(&self, layout: &Layout) -> Result<()> {
        let itemsize = self.element_size();
        let needed = layout.storage_extent() * itemsize;
        let have = self.storage().nbytes();
        if needed > have {
            return Err(Error::runtime(format!(
                "setStorage: sizes {:?}, strides {:?}, storage offset {}, and itemsize {} requiring a storage size of {} are out of bounds for storage of size {}",
                layout.shape(), layout.strides(), layout.offset(), itemsize, needed, have
            )));
        }
        Ok(())
    }
}
pub mod batch_norm;
mod diff;
pub mod norm_backward;
pub(crate) mod norm_layers;
pub(crate) mod pool;
mod pool_1d;
mod pool_grid;
pub mod rnn_cell;
pub(crate) mod upsample;
mod view_inplace;
