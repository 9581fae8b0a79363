//! Storage: the bytes behind a tensor, shared (by reference count) by all of its views.
//!
//! Storage is untyped, like PyTorch's `UntypedStorage`: the tensor's dtype says how to read it.
//! Access goes through a read/write lock so the core is sound when driven from Rust threads; the
//! Python binding holds the GIL anyway, so the lock is never contended there.

use std::alloc::{alloc, alloc_zeroed, dealloc, Layout as AllocLayout};
use std::any::Any;
use std::ptr::NonNull;
use std::sync::{Arc, RwLock, RwLockReadGuard, RwLockWriteGuard};

use crate::device::Device;
use crate::dtype::Element;
use crate::error::{Error, Result};
use crate::wgpu::resident::WgpuData;

/// Alignment of buffers we allocate: a cache line, and enough for any SIMD load.
const ALIGN: usize = 64;
/// The alignment we ask the system allocator for. We align within the block ourselves: asked
/// for 64-byte alignment, glibc over-allocates by a varying amount, so a freed 16 MB result
/// never fits the next one and every elementwise result of that size came from fresh pages
/// (4096 page faults per op, a third of the time of `a * b`). Plain malloc-sized requests of
/// one size reuse the same block, as PyTorch's and numpy's do.
const SYSTEM_ALIGN: usize = 16;

/// Who frees a CPU buffer.
enum Owner {
    /// We allocated it (`block` from the system allocator, `ptr` aligned within it) and free
    /// it on drop.
    Allocated {
        block: NonNull<u8>,
        layout: AllocLayout,
    },
    /// Someone else owns the memory (a `Vec`, a numpy array); dropping the box releases it.
    External(#[allow(dead_code)] Box<dyn Any + Send + Sync>),
}

/// A block of host memory.
pub struct CpuBuffer {
    ptr: NonNull<u8>,
    nbytes: usize,
    owner: Owner,
}

// SAFETY: the buffer is plain bytes; all access to it is synchronised by the `RwLock` in
// `Storage`, and external owners are themselves `Send + Sync`.
unsafe impl Send for CpuBuffer {}
unsafe impl Sync for CpuBuffer {}

impl CpuBuffer {
    /// Zero-filled memory. A failed allocation is an error (PyTorch's RuntimeError), never an
    /// abort.
    pub fn zeroed(nbytes: usize) -> Result<Self> {
        Self::allocate(nbytes, true)
    }

    /// Memory as the allocator hands it out, for outputs that a kernel overwrites completely
    /// before anyone reads them (elementwise results): zeroing 16 MB first costs as much as
    /// adding two tensors of that size. PyTorch's outputs are uninitialised too.
    pub fn uninit(nbytes: usize) -> Result<Self> {
        Self::allocate(nbytes, false)
    }

    fn allocate(nbytes: usize, zero: bool) -> Result<Self> {
        if nbytes == 0 {
            return Ok(CpuBuffer {
                ptr: NonNull::<u8>::dangling(),
                nbytes: 0,
                owner: Owner::External(Box::new(())),
            });
        }
        let layout = nbytes
            .checked_add(ALIGN - SYSTEM_ALIGN)
            .and_then(|size| AllocLayout::from_size_align(size, SYSTEM_ALIGN).ok())
            .ok_or(Error::OutOfMemory { nbytes })?;
        // SAFETY: layout has non-zero size.
        let block = unsafe {
            if zero {
                alloc_zeroed(layout)
            } else {
                alloc(layout)
            }
        };
        let block = NonNull::new(block).ok_or(Error::OutOfMemory { nbytes })?;
        // The block is SYSTEM_ALIGN-aligned, so the next ALIGN boundary is at most
        // ALIGN - SYSTEM_ALIGN bytes in, leaving `nbytes` inside the block.
        let skip = block.as_ptr().align_offset(ALIGN);
        debug_assert!(skip <= ALIGN - SYSTEM_ALIGN);
        // SAFETY: `skip` stays inside the block (see above).
        let ptr = unsafe { NonNull::new_unchecked(block.as_ptr().add(skip)) };
        Ok(CpuBuffer {
            ptr,
            nbytes,
            owner: Owner::Allocated { block, layout },
        })
    }

    /// Takes ownership of a vector without copying it.
    pub fn from_vec<T: Element>(mut v: Vec<T>) -> Self {
        let nbytes = std::mem::size_of_val(v.as_slice());
        let ptr = NonNull::new(v.as_mut_ptr() as *mut u8).unwrap_or(NonNull::dangling());
        CpuBuffer {
            ptr,
            nbytes,
            owner: Owner::External(Box::new(v)),
        }
    }

    /// Wraps memory owned by `owner` (for example a numpy array), without copying.
    ///
    /// # Safety
    /// `ptr` must be valid for reads and writes of `nbytes` bytes for as long as `owner` lives,
    /// and aligned for the dtype the tensor will read it as.
    pub unsafe fn from_external(
        ptr: *mut u8,
        nbytes: usize,
        owner: Box<dyn Any + Send + Sync>,
    ) -> Self {
        let ptr = NonNull::new(ptr).unwrap_or(NonNull::dangling());
        CpuBuffer {
            ptr,
            nbytes,
            owner: Owner::External(owner),
        }
    }

    pub fn nbytes(&self) -> usize {
        self.nbytes
    }

    pub fn as_ptr(&self) -> *const u8 {
        self.ptr.as_ptr()
    }

    pub fn as_mut_ptr(&mut self) -> *mut u8 {
        self.ptr.as_ptr()
    }

    pub fn as_bytes(&self) -> &[u8] {
        // SAFETY: valid for nbytes; any byte pattern is a valid u8.
        unsafe { std::slice::from_raw_parts(self.ptr.as_ptr(), self.nbytes) }
    }

    pub fn as_bytes_mut(&mut self) -> &mut [u8] {
        // SAFETY: as above, and `&mut self` is exclusive.
        unsafe { std::slice::from_raw_parts_mut(self.ptr.as_ptr(), self.nbytes) }
    }

    /// The buffer as elements of `T` (its length rounded down to whole elements).
    pub fn as_slice<T: Element>(&self) -> &[T] {
        debug_assert_eq!(self.ptr.as_ptr() as usize % std::mem::align_of::<T>(), 0);
        let len = self.nbytes / std::mem::size_of::<T>();
        // SAFETY: the pointer is valid for nbytes, aligned (we allocate at 64; external memory is
        // checked by whoever wraps it), and every bit pattern is a valid `T` for our dtypes
        // except `bool`, which we only ever write as 0 or 1.
        unsafe { std::slice::from_raw_parts(self.ptr.as_ptr() as *const T, len) }
    }

    pub fn as_mut_slice<T: Element>(&mut self) -> &mut [T] {
        debug_assert_eq!(self.ptr.as_ptr() as usize % std::mem::align_of::<T>(), 0);
        let len = self.nbytes / std::mem::size_of::<T>();
        // SAFETY: as in `as_slice`, and `&mut self` (behind the storage's write lock) makes this
        // the only live reference.
        unsafe { std::slice::from_raw_parts_mut(self.ptr.as_ptr() as *mut T, len) }
    }
}

impl Drop for CpuBuffer {
    fn drop(&mut self) {
        if let Owner::Allocated { block, layout } = self.owner {
            // SAFETY: `block` came from `alloc`/`alloc_zeroed` with this very layout.
            unsafe { dealloc(block.as_ptr(), layout) };
        }
    }
}

/// The data of a storage on its device.
pub enum StorageData {
    Cpu(CpuBuffer),
    /// A GPU storage, with its GPU and/or host copy (see `wgpu/resident.rs`).
    Wgpu(WgpuData),
}

impl StorageData {
    pub fn nbytes(&self) -> usize {
        match self {
            StorageData::Cpu(b) => b.nbytes(),
            StorageData::Wgpu(w) => w.nbytes(),
        }
    }

    /// Whether host code can read the bytes now.
    fn host_ready(&self) -> bool {
        match self {
            StorageData::Cpu(_) => true,
            StorageData::Wgpu(w) => w.host_ready(),
        }
    }

    /// The host bytes, for CPU kernels. A GPU storage reached through [`Storage::read`] or
    /// [`Storage::write`] has a current host copy.
    pub fn cpu(&self) -> Result<&CpuBuffer> {
        match self {
            StorageData::Cpu(b) => Ok(b),
            StorageData::Wgpu(w) => w.host(),
        }
    }

    pub fn cpu_mut(&mut self) -> Result<&mut CpuBuffer> {
        match self {
            StorageData::Cpu(b) => Ok(b),
            StorageData::Wgpu(w) => w.host_mut(),
        }
    }

    /// The GPU side of a GPU storage (an error for a CPU one).
    pub fn wgpu_mut(&mut self) -> Result<&mut WgpuData> {
        match self {
            StorageData::Wgpu(w) => Ok(w),
            StorageData::Cpu(_) => Err(Error::runtime(
                "internal: a GPU kernel was given a CPU tensor",
            )),
        }
    }
}

/// A reference-counted handle: cloning it shares the bytes (that is what a view is).
#[derive(Clone)]
pub struct Storage {
    inner: Arc<RwLock<StorageData>>,
    nbytes: usize,
    device: Device,
}

impl Storage {
    pub fn new(data: StorageData) -> Self {
        let nbytes = data.nbytes();
        let device = match data {
            StorageData::Cpu(_) => Device::Cpu,
            StorageData::Wgpu(_) => Device::Wgpu(0),
        };
        Storage {
            inner: Arc::new(RwLock::new(data)),
            nbytes,
            device,
        }
    }

    /// Host memory as a storage on the current device (see `device_scope.rs`): a GPU storage
    /// starts with only its host copy.
    fn on_current_device(host: CpuBuffer) -> Self {
        match crate::device_scope::current() {
            Device::Cpu => Storage::new(StorageData::Cpu(host)),
            Device::Wgpu(_) => Storage::new(StorageData::Wgpu(WgpuData::from_host(host))),
        }
    }

    /// Zero-filled memory on the current device.
    pub fn zeroed(nbytes: usize) -> Result<Self> {
        match crate::device_scope::current() {
            Device::Cpu => Ok(Storage::new(StorageData::Cpu(CpuBuffer::zeroed(nbytes)?))),
            Device::Wgpu(_) => Ok(Storage::new(StorageData::Wgpu(WgpuData::fresh(
                nbytes, true,
            )))),
        }
    }

    /// Uninitialised memory on the current device: only for a buffer that is written in full
    /// before it is read.
    pub(crate) fn uninit(nbytes: usize) -> Result<Self> {
        match crate::device_scope::current() {
            Device::Cpu => Ok(Storage::new(StorageData::Cpu(CpuBuffer::uninit(nbytes)?))),
            Device::Wgpu(_) => Ok(Storage::new(StorageData::Wgpu(WgpuData::fresh(
                nbytes, false,
            )))),
        }
    }

    /// A vector's memory, taken without copying, on the current device.
    pub fn from_vec<T: Element>(v: Vec<T>) -> Self {
        Storage::on_current_device(CpuBuffer::from_vec(v))
    }

    pub fn nbytes(&self) -> usize {
        self.nbytes
    }

    pub fn device(&self) -> Device {
        self.device
    }

    /// Whether no other handle (no view, no other tensor) shares this storage.
    pub fn is_unique(&self) -> bool {
        Arc::strong_count(&self.inner) == 1
    }

    /// Whether two handles share the same bytes.
    pub fn same(&self, other: &Storage) -> bool {
        Arc::ptr_eq(&self.inner, &other.inner)
    }

    /// The address of the first byte (for `data_ptr()` and identity checks). A GPU storage has
    /// no host address of its own; its handle's address identifies it.
    pub fn data_ptr(&self) -> usize {
        match &*self.lock_read() {
            StorageData::Cpu(b) => b.as_ptr() as usize,
            StorageData::Wgpu(_) => Arc::as_ptr(&self.inner) as usize,
        }
    }

    fn lock_read(&self) -> RwLockReadGuard<'_, StorageData> {
        self.inner.read().unwrap_or_else(|e| e.into_inner())
    }

    fn lock_write(&self) -> RwLockWriteGuard<'_, StorageData> {
        self.inner.write().unwrap_or_else(|e| e.into_inner())
    }

    /// Shared access for host code. A GPU storage gets a current host copy first (if that
    /// fails, `cpu()` on the guard reports it). A lock poisoned by a panic elsewhere still holds
    /// valid bytes, so we recover it rather than propagate the panic.
    pub fn read(&self) -> RwLockReadGuard<'_, StorageData> {
        self.note_host_access();
        loop {
            let guard = self.lock_read();
            if guard.host_ready() {
                return guard;
            }
            drop(guard);
            let mut w = self.lock_write();
            if let StorageData::Wgpu(data) = &mut *w {
                if data.make_host_ready().is_err() {
                    drop(w);
                    return self.lock_read();
                }
            }
        }
    }

    /// Exclusive access for host code that writes (a GPU storage's host copy is made current).
    pub fn write(&self) -> RwLockWriteGuard<'_, StorageData> {
        self.note_host_access();
        let mut guard = self.lock_write();
        if let StorageData::Wgpu(data) = &mut *guard {
            // On failure the guard's `cpu_mut()` reports the error.
            let _ = data.make_host_ready();
        }
        guard
    }

    /// Host code is about to touch a storage whose bytes the GPU holds: an op computing on the
    /// host (a fallback, counted and warned once), unless a requested transfer (see
    /// `wgpu::fallback`). Counted whether or not a host copy is also current, so that an op on a
    /// tensor uploaded from the host (which keeps its host copy) is seen running on the CPU too.
    fn note_host_access(&self) {
        if self.device == Device::Cpu {
            return; // (no lock taken on the CPU's path)
        }
        if let StorageData::Wgpu(data) = &*self.lock_read() {
            if data.on_gpu() {
                crate::wgpu::fallback::note_host_access();
            }
        }
    }

    /// Exclusive access for GPU kernels: no host copy is made.
    pub fn write_gpu(&self) -> RwLockWriteGuard<'_, StorageData> {
        self.lock_write()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn allocated_buffers_are_cache_line_aligned_and_zeroed_when_asked() -> Result<()> {
        for nbytes in [1, 3, 64, 100, 4096, 1 << 20] {
            let z = CpuBuffer::zeroed(nbytes)?;
            assert_eq!(z.ptr.as_ptr() as usize % ALIGN, 0);
            assert!(z.as_slice::<u8>().iter().all(|&b| b == 0));
            let mut u = CpuBuffer::uninit(nbytes)?;
            assert_eq!(u.ptr.as_ptr() as usize % ALIGN, 0);
            u.as_mut_slice::<u8>().fill(7); // every byte of the buffer is writable
        }
        Ok(())
    }

    #[test]
    fn clones_share_bytes() -> Result<()> {
        let a = Storage::zeroed(16)?;
        let b = a.clone();
        b.write().cpu_mut()?.as_mut_slice::<f32>()[1] = 2.5;
        assert_eq!(a.read().cpu()?.as_slice::<f32>(), &[0.0, 2.5, 0.0, 0.0]);
        assert!(a.same(&b));
        Ok(())
    }

    #[test]
    fn huge_allocation_is_an_error() {
        let err = Storage::zeroed(usize::MAX / 2).err();
        assert!(matches!(err, Some(Error::OutOfMemory { .. })));
    }

    #[test]
    fn vec_is_taken_without_copy() -> Result<()> {
        let v = vec![1i64, 2, 3];
        let ptr = v.as_ptr() as usize;
        let s = Storage::from_vec(v);
        assert_eq!(s.data_ptr(), ptr);
        assert_eq!(s.read().cpu()?.as_slice::<i64>(), &[1, 2, 3]);
        Ok(())
    }
}
