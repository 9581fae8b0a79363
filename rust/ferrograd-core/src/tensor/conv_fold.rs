//! `im2col` and `col2im` as Tensor ops (`F.unfold` and `F.fold`): the sliding windows of a
//! 4-D image batch as columns, and back. Each is the other's backward (`Im2ColBackward0`,
//! `Col2ImBackward0`), so derivatives of any order work.

use super::Tensor;
use crate::autograd::{tracked, NodeSpec};
use crate::cpu::conv::{col2im, im2col, ConvGeometry};
use crate::cpu::spin_pool;
use crate::dtype::DType;
use crate::error::{Error, Result};
use crate::op::not_implemented;

/// The four window parameters of unfold/fold, each for (height, width).
struct Windows {
    kernel: [usize; 2],
    dilation: [usize; 2],
    padding: [usize; 2],
    stride: [usize; 2],
}

fn runtime(msg: String) -> Error {
    Error::runtime(msg)
}

fn two(name: &str, v: &[i64]) -> Result<[i64; 2]> {
    match v {
        [a, b] => Ok([*a, *b]),
        _ => Err(runtime(format!(
            "It is expected {name} equals to 2, but got size {}",
            v.len()
        ))),
    }
}

/// PyTorch's checks of the window parameters, in its order.
fn windows(kernel: &[i64], dilation: &[i64], padding: &[i64], stride: &[i64]) -> Result<Windows> {
    let (k, d) = (two("kernel_size", kernel)?, two("dilation", dilation)?);
    let (p, s) = (two("padding", padding)?, two("stride", stride)?);
    if k.iter().any(|&v| v <= 0) {
        return Err(runtime(format!(
            "kernel size should be greater than zero, but got kernel_height: {} kernel_width: {}",
            k[0], k[1]
        )));
    }
    if s.iter().any(|&v| v <= 0) {
        return Err(runtime(format!(
            "stride should be greater than zero, but got stride_height: {} stride_width: {}",
            s[0], s[1]
        )));
    }
    if d.iter().any(|&v| v <= 0) {
        return Err(runtime(format!(
            "dilation should be greater than zero, but got dilation_height: {} dilation_width: {}",
            d[0], d[1]
        )));
    }
    if p.iter().any(|&v| v < 0) {
        return Err(runtime(format!(
            "padding should be non-negative, but got pad_height: {} pad_width: {}",
            p[0], p[1]
        )));
    }
    let u = |a: [i64; 2]| [a[0] as usize, a[1] as usize];
    Ok(Windows {
        kernel: u(k),
        dilation: u(d),
        padding: u(p),
        stride: u(s),
    })
}

impl Windows {
    /// Number of window positions along each dim of an image of `size` (may be < 1).
    fn blocks(&self, size: [usize; 2]) -> [i64; 2] {
        std::array::from_fn(|i| {
            let span = (self.dilation[i] * (self.kernel[i] - 1) + 1) as i64;
            (size[i] as i64 + 2 * self.padding[i] as i64 - span) / self.stride[i] as i64 + 1
        })
    }

    fn geometry(&self, image: [usize; 2], blocks: [usize; 2]) -> ConvGeometry {
        ConvGeometry {
            input: image.to_vec(),
            output: blocks.to_vec(),
            kernel: self.kernel.to_vec(),
            stride: self.stride.to_vec(),
            padding: self.padding.to_vec(),
            dilation: self.dilation.to_vec(),
        }
    }

    fn describe(&self) -> String {
        format!(
            "kernel_size=({}, {}), dilation=({}, {}), padding=({}, {})",
            self.kernel[0],
            self.kernel[1],
            self.dilation[0],
            self.dilation[1],
            self.padding[0],
            self.padding[1]
        )
    }
}

/// Float dtypes only, as PyTorch's kernels (f16/bf16 computed in f32).
fn check_dtype(kernel: &str, t: &Tensor) -> Result<()> {
    match t.dtype() {
        DType::F32 | DType::F64 | DType::F16 | DType::BF16 => Ok(()),
        other => Err(not_implemented(kernel, other)),
    }
}

/// A new `out_shape` tensor from `src`, sample by sample in parallel: the kernel (`f64_kernel`
/// or `f32_kernel`, for the dtype computed in) maps one sample of `src` (`src_sample`
/// elements) onto one zeroed sample of the result (`dst_sample` elements).
fn per_sample(
    src: &Tensor,
    out_shape: &[usize],
    src_sample: usize,
    dst_sample: usize,
    f64_kernel: &(dyn Fn(&[f64], &mut [f64]) + Sync),
    f32_kernel: &(dyn Fn(&[f32], &mut [f32]) + Sync),
) -> Result<Tensor> {
    let dtype = src.dtype();
    let compute = if dtype == DType::F64 {
        DType::F64
    } else {
        DType::F32
    };
    let src = src.to_dtype(compute)?.contiguous()?;
    let out = Tensor::zeros(out_shape, compute)?;
    {
        let data = src.storage().read();
        let mut out_data = out.storage().write();
        let off = src.storage_offset();
        macro_rules! go {
            ($t:ty, $kernel:expr) => {{
                let input = &data.cpu()?.as_slice::<$t>()[off..off + src.numel()];
                let output = out_data.cpu_mut()?.as_mut_slice::<$t>();
                if src_sample > 0 && dst_sample > 0 {
                    let mut pieces: Vec<&mut [$t]> = output.chunks_mut(dst_sample).collect();
                    spin_pool::for_each_mut(&mut pieces, |n, piece| {
                        $kernel(&input[n * src_sample..(n + 1) * src_sample], piece)
                    });
                }
            }};
        }
        if compute == DType::F64 {
            go!(f64, f64_kernel);
        } else {
            go!(f32, f32_kernel);
        }
    }
    out.to_dtype(dtype)
}

/// Adds a batch dim to a 3-D (or 2-D for col2im) input, runs `f`, and drops it again.
fn batched(
    input: &Tensor,
    rank: usize,
    f: impl FnOnce(&Tensor) -> Result<Tensor>,
) -> Result<Tensor> {
    if input.ndim() == rank {
        f(input)
    } else {
        f(&input.unsqueeze(0)?)?.squeeze(Some(&[0]))
    }
}

impl Tensor {
    /// `im2col(kernel_size, dilation, padding, stride)`: `(N, C, H, W)` (or `(C, H, W)`) to
    /// `(N, C * kh * kw, L)`, one column per window position.
    pub fn im2col(
        &self,
        kernel: &[i64],
        dilation: &[i64],
        padding: &[i64],
        stride: &[i64],
    ) -> Result<Tensor> {
        if self.ndim() == 2 {
            return Err(Error::index(
                "Dimension out of range (expected to be in range of [-2, 1], but got 2)",
            ));
        }
        let w = windows(kernel, dilation, padding, stride)?;
        let s = self.shape();
        let nonzero = s.iter().skip(s.len().saturating_sub(3)).all(|&v| v > 0);
        if !(self.ndim() == 3 || self.ndim() == 4) || !nonzero {
            return Err(runtime(format!(
                "Expected 3D or 4D (batch mode) tensor with possibly 0 batch size and other non-zero dimensions for input, but got: {s:?}"
            )));
        }
        let image = [s[s.len() - 2], s[s.len() - 1]];
        let blocks = w.blocks(image);
        if blocks.iter().any(|&b| b < 1) {
            return Err(runtime(format!(
                "Given input with spatial size ({}, {}), {}, calculated shape of the array of sliding blocks as ({}, {}), but its components must be at least one.",
                image[0], image[1], w.describe(), blocks[0], blocks[1]
            )));
        }
        check_dtype("im2col_out_cpu", self)?;
        let blocks = [blocks[0] as usize, blocks[1] as usize];
        batched(self, 4, |x| {
            let spec = (w.kernel, w.dilation, w.padding, w.stride);
            tracked(
                &[x],
                || unfold_kernel(x, &w, image, blocks),
                |_| {
                    Ok(NodeSpec::new("Im2ColBackward0", vec![], move |grads, _| {
                        let g = grads[0].as_ref().expect("materialized");
                        let (k, d, p, s) = spec;
                        let i = |a: [usize; 2]| [a[0] as i64, a[1] as i64];
                        let out = [image[0] as i64, image[1] as i64];
                        Ok(vec![Some(g.col2im(&out, &i(k), &i(d), &i(p), &i(s))?)])
                    }))
                },
            )
        })
    }

    /// `col2im(output_size, kernel_size, dilation, padding, stride)`: `(N, C * kh * kw, L)`
    /// (or 2-D) to `(N, C, H, W)`, adding overlapping windows.
    pub fn col2im(
        &self,
        output_size: &[i64],
        kernel: &[i64],
        dilation: &[i64],
        padding: &[i64],
        stride: &[i64],
    ) -> Result<Tensor> {
        let out = two("output_size", output_size)?;
        let w = windows(kernel, dilation, padding, stride)?;
        let s = self.shape();
        let nonzero = s.iter().skip(s.len().saturating_sub(2)).all(|&v| v > 0);
        if !(self.ndim() == 2 || self.ndim() == 3) || !nonzero {
            return Err(runtime(format!(
                "Expected 2D or 3D (batch mode) tensor for input with possibly 0 batch size and non-zero dimensions for input, but got: {s:?}"
            )));
        }
        let (rows, cols) = (s[s.len() - 2], s[s.len() - 1]);
        let k_numel = w.kernel[0] * w.kernel[1];
        if rows % k_numel != 0 {
            return Err(runtime(format!(
                "Expected size of input's dimension 1 to be divisible by the product of kernel_size, but got input.size(1)={rows} and kernel_size=({}, {}).",
                w.kernel[0], w.kernel[1]
            )));
        }
        let image = [out[0].max(0) as usize, out[1].max(0) as usize];
        let blocks = w.blocks(image);
        if blocks.iter().any(|&b| b < 1) || (blocks[0] * blocks[1]) as usize != cols {
            return Err(runtime(format!(
                "Given output_size=({}, {}), {}, stride=({}, {}), expected size of input's dimension 2 to match the calculated number of sliding blocks {} * {} = {}, but got input.size(2)={cols}.",
                out[0], out[1], w.describe(), w.stride[0], w.stride[1], blocks[0], blocks[1], blocks[0] * blocks[1]
            )));
        }
        check_dtype("col2im_out_cpu", self)?;
        let blocks = [blocks[0] as usize, blocks[1] as usize];
        batched(self, 3, |x| {
            let spec = (w.kernel, w.dilation, w.padding, w.stride);
            tracked(
                &[x],
                || fold_kernel(x, &w, image, blocks),
                |_| {
                    Ok(NodeSpec::new("Col2ImBackward0", vec![], move |grads, _| {
                        let g = grads[0].as_ref().expect("materialized");
                        let (k, d, p, s) = spec;
                        let i = |a: [usize; 2]| [a[0] as i64, a[1] as i64];
                        Ok(vec![Some(g.im2col(&i(k), &i(d), &i(p), &i(s))?)])
                    }))
                },
            )
        })
    }
}

fn unfold_kernel(x: &Tensor, w: &Windows, image: [usize; 2], blocks: [usize; 2]) -> Result<Tensor> {
    let (n, c) = (x.shape()[0], x.shape()[1]);
    let g = w.geometry(image, blocks);
    let rows = c * g.kernel_numel();
    let shape = [n, rows, g.output_numel()];
    let (src_sample, dst_sample) = (c * g.input_numel(), rows * g.output_numel());
    per_sample(
        x,
        &shape,
        src_sample,
        dst_sample,
        &|src, dst| im2col(&g, c, src, dst),
        &|src, dst| im2col(&g, c, src, dst),
    )
}

fn fold_kernel(x: &Tensor, w: &Windows, image: [usize; 2], blocks: [usize; 2]) -> Result<Tensor> {
    let (n, rows) = (x.shape()[0], x.shape()[1]);
    let g = w.geometry(image, blocks);
    let c = rows / g.kernel_numel();
    let shape = [n, c, image[0], image[1]];
    let (src_sample, dst_sample) = (rows * g.output_numel(), c * g.input_numel());
    per_sample(
        x,
        &shape,
        src_sample,
        dst_sample,
        &|src, dst| col2im(&g, c, src, dst),
        &|src, dst| col2im(&g, c, src, dst),
    )
}
