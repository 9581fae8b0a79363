//! `to(device)`: a copy of a tensor on another device, recorded for autograd as PyTorch records
//! it (`ToCopyBackward0`, whose backward copies the gradient back).

use super::Tensor;
use crate::autograd::formulas::copy as copy_grad;
use crate::autograd::tracked;
use crate::device::Device;
use crate::dtype::DType;
use crate::error::{Error, ErrorKind, Result};
use crate::layout::Layout;
use crate::storage::{CpuBuffer, Storage, StorageData};
use crate::wgpu::{self, fallback, resident::WgpuData};

/// The dtypes a GPU tensor may have: all of ours, but float64 only where the adapter has
/// 64-bit float arithmetic.
pub fn check_gpu_dtype(dtype: DType) -> Result<()> {
    let ctx = wgpu::context()?;
    if dtype == DType::F64 && !ctx.supports_f64() {
        return Err(Error::Other {
            kind: ErrorKind::Type,
            msg: format!(
                "Cannot convert a tensor to float64 on wgpu: the adapter '{}' has no 64-bit float \
                 support. Please use float32 instead.",
                ctx.info.name
            ),
        });
    }
    Ok(())
}

impl Tensor {
    /// `to(device)`: itself when already there, else a contiguous copy on `device`.
    pub fn to_device(&self, device: Device) -> Result<Tensor> {
        if device == self.device() {
            return Ok(self.clone());
        }
        if let Device::Wgpu(index) = device {
            if index != 0 {
                return Err(Error::runtime(format!(
                    "wgpu: invalid device ordinal {index} (there is one GPU device, wgpu:0)"
                )));
            }
            check_gpu_dtype(self.dtype())?;
        }
        let source = self.device();
        tracked(
            &[self],
            || fallback::transfer(|| self.copy_to_device(device)),
            |_| Ok(copy_grad::to_device_back(source)),
        )
    }

    fn copy_to_device(&self, device: Device) -> Result<Tensor> {
        let src = self.contiguous()?;
        let size = self.dtype().size_in_bytes();
        let start = src.storage_offset() * size;
        let nbytes = src.numel() * size;
        // (An empty tensor may sit at an offset past the end of an empty storage.)
        let data = src.storage().read();
        let bytes = if nbytes == 0 {
            &[][..]
        } else {
            &data.cpu()?.as_bytes()[start..start + nbytes]
        };
        let storage = match device {
            Device::Cpu => {
                let mut host = CpuBuffer::uninit(nbytes)?;
                host.as_bytes_mut().copy_from_slice(bytes);
                Storage::new(StorageData::Cpu(host))
            }
            Device::Wgpu(_) => {
                let gpu = wgpu::transfer::upload(bytes)?;
                Storage::new(StorageData::Wgpu(WgpuData::from_gpu(gpu, nbytes)))
            }
        };
        Ok(Tensor::from_parts(
            storage,
            Layout::contiguous(self.shape()),
            self.dtype(),
        ))
    }
}
