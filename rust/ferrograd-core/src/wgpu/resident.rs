//! Where a GPU tensor's bytes are right now: on the GPU, in host memory, or both.
//!
//! A `wgpu` storage is one logical buffer with up to two physical copies. A GPU kernel makes
//! the GPU copy current (uploading the host one if needed) and, when it writes, drops the host
//! copy; a CPU kernel (an op with no GPU kernel yet) does the reverse. So every op works on GPU
//! tensors from the start, and a host-built intermediate (an index list, a scalar) only crosses
//! to the GPU if a GPU kernel reads it. Fresh storages have no copy until first use, so an
//! output is allocated on the side that writes it.

use super::pool::GpuBuffer;
use super::transfer::{clear, download, upload};
use crate::error::{Error, Result};
use crate::storage::CpuBuffer;

enum Copies {
    /// Not written yet: zero-filled on first use if `zeroed`, unspecified otherwise.
    Fresh {
        zeroed: bool,
    },
    Host(CpuBuffer),
    Gpu(GpuBuffer),
    /// Both hold the same bytes.
    Both(CpuBuffer, GpuBuffer),
}

pub struct WgpuData {
    nbytes: usize,
    copies: Copies,
}

fn not_on_host() -> Error {
    Error::runtime(
        "wgpu: the tensor's data could not be copied to the host (see the earlier GPU error)",
    )
}

impl WgpuData {
    pub fn fresh(nbytes: usize, zeroed: bool) -> Self {
        WgpuData {
            nbytes,
            copies: Copies::Fresh { zeroed },
        }
    }

    pub fn from_host(host: CpuBuffer) -> Self {
        WgpuData {
            nbytes: host.nbytes(),
            copies: Copies::Host(host),
        }
    }

    pub fn from_gpu(gpu: GpuBuffer, nbytes: usize) -> Self {
        WgpuData {
            nbytes,
            copies: Copies::Gpu(gpu),
        }
    }

    pub fn nbytes(&self) -> usize {
        self.nbytes
    }

    /// Whether host code can read the bytes without a transfer.
    pub fn host_ready(&self) -> bool {
        matches!(self.copies, Copies::Host(_) | Copies::Both(..))
    }

    /// Whether the GPU holds the current bytes (alone, or with the host).
    pub fn on_gpu(&self) -> bool {
        matches!(self.copies, Copies::Gpu(_) | Copies::Both(..))
    }

    /// Gives the storage a current host copy: allocates a fresh one, or reads the GPU copy back.
    pub fn make_host_ready(&mut self) -> Result<()> {
        let copies = std::mem::replace(&mut self.copies, Copies::Fresh { zeroed: false });
        self.copies = match copies {
            Copies::Fresh { zeroed: true } => Copies::Host(CpuBuffer::zeroed(self.nbytes)?),
            Copies::Fresh { zeroed: false } => Copies::Host(CpuBuffer::uninit(self.nbytes)?),
            Copies::Gpu(gpu) => match download(&gpu, self.nbytes) {
                Ok(host) => Copies::Both(host, gpu),
                Err(e) => {
                    self.copies = Copies::Gpu(gpu);
                    return Err(e);
                }
            },
            ready => ready,
        };
        Ok(())
    }

    pub fn host(&self) -> Result<&CpuBuffer> {
        match &self.copies {
            Copies::Host(h) | Copies::Both(h, _) => Ok(h),
            _ => Err(not_on_host()),
        }
    }

    /// Of a storage with both copies, keeps only the host one (`keep_host`) or the GPU one: the
    /// other is about to be stale, since the kept one is going to be written.
    fn keep_one(&mut self, keep_host: bool) {
        if let Copies::Both(..) = self.copies {
            let Copies::Both(host, gpu) =
                std::mem::replace(&mut self.copies, Copies::Fresh { zeroed: false })
            else {
                unreachable!()
            };
            self.copies = if keep_host {
                Copies::Host(host)
            } else {
                Copies::Gpu(gpu)
            };
        }
    }

    /// The host copy for writing: the GPU copy is dropped, since it is about to be stale.
    pub fn host_mut(&mut self) -> Result<&mut CpuBuffer> {
        self.keep_one(true);
        match &mut self.copies {
            Copies::Host(h) => Ok(h),
            _ => Err(not_on_host()),
        }
    }

    /// The GPU copy for reading, uploading (or allocating) it first if needed.
    pub fn gpu(&mut self) -> Result<&GpuBuffer> {
        let copies = std::mem::replace(&mut self.copies, Copies::Fresh { zeroed: false });
        self.copies = match copies {
            Copies::Fresh { zeroed } => {
                let gpu = GpuBuffer::new(self.nbytes as u64)?;
                if zeroed {
                    clear(&gpu, self.nbytes)?;
                }
                Copies::Gpu(gpu)
            }
            Copies::Host(host) => {
                let gpu = upload(host.as_bytes())?;
                Copies::Both(host, gpu)
            }
            ready => ready,
        };
        match &self.copies {
            Copies::Gpu(g) | Copies::Both(_, g) => Ok(g),
            _ => unreachable!(),
        }
    }

    /// The GPU copy for a kernel that writes: current bytes kept (a kernel may write only part
    /// of the storage), the host copy dropped.
    pub fn gpu_mut(&mut self) -> Result<&GpuBuffer> {
        self.gpu()?;
        self.keep_one(false);
        self.gpu()
    }

    /// The GPU copy for a kernel that overwrites every byte: nothing is uploaded.
    pub fn gpu_overwrite(&mut self) -> Result<&GpuBuffer> {
        if !matches!(self.copies, Copies::Gpu(_)) {
            self.copies = Copies::Gpu(GpuBuffer::new(self.nbytes as u64)?);
        }
        self.gpu()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::wgpu::gpu_present;

    #[test]
    fn bytes_survive_the_trip_to_the_gpu_and_back() -> Result<()> {
        if !gpu_present() {
            return Ok(());
        }
        let bytes: Vec<u8> = (0..=254).collect(); // not a whole number of words
        let mut host = CpuBuffer::uninit(bytes.len())?;
        host.as_bytes_mut().copy_from_slice(&bytes);
        let mut data = WgpuData::from_host(host);
        data.gpu_mut()?; // uploads, drops the host copy
        assert!(!data.host_ready());
        data.make_host_ready()?; // downloads
        assert_eq!(data.host()?.as_bytes(), bytes.as_slice());
        Ok(())
    }

    #[test]
    fn a_fresh_zeroed_storage_reads_zero_from_either_side() -> Result<()> {
        if !gpu_present() {
            return Ok(());
        }
        let mut data = WgpuData::fresh(10, true);
        data.gpu()?;
        data.make_host_ready()?;
        assert_eq!(data.host()?.as_bytes(), &[0u8; 10]);
        Ok(())
    }
}
