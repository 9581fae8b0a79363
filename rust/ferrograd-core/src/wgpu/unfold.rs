//! A convolution's column matrix on the GPU (`shaders/im2col.wgsl`) and its summing inverse
//! (`shaders/col2im.wgsl`): with the tiled matmul they make every convolution and its
//! gradients (see `tensor/conv_gpu.rs`).

use super::bindings::{fits_bindings, input_buffer, output_buffer};
use super::kernel::dispatch;
use crate::cpu::conv::ConvGeometry;
use crate::dtype::DType;
use crate::error::Result;
use crate::shape::contiguous_strides;
use crate::tensor::Tensor;

const IM2COL: &str = include_str!("shaders/im2col.wgsl");
const COL2IM: &str = include_str!("shaders/col2im.wgsl");

/// The shaders' `shape_info` words for `x` (`(n, c, spatial...)`), whose layout is read when
/// `x` is the input; None past 32 bits.
fn shape_info(total: usize, x: &Tensor, g: &ConvGeometry) -> Option<Vec<u32>> {
    let word = |v: usize| u32::try_from(v).ok();
    word(x.layout().storage_extent())?;
    let mut words = vec![
        word(total)?,
        word(x.shape()[1])?,
        word(g.input.len())?,
        word(g.kernel_numel())?,
        word(g.output_numel())?,
        word(x.storage_offset())?,
        word(x.strides()[0])?,
        word(x.strides()[1])?,
    ];
    for d in 0..g.input.len() {
        for v in [
            g.input[d],
            g.output[d],
            g.kernel[d],
            g.stride[d],
            g.padding[d],
            g.dilation[d],
            x.strides()[2 + d],
        ] {
            words.push(word(v)?);
        }
    }
    Some(words)
}

fn run(source: &str, label: &str, out: &Tensor, input: &Tensor, words: &[u32]) -> Result<()> {
    let buffers = [output_buffer(out, false)?, input_buffer(input)?];
    let refs: Vec<&::wgpu::Buffer> = buffers.iter().collect();
    dispatch(label, source, &refs, words, u64::from(words[0]))
}

/// The column matrix `(n, c * kernel_numel, windows)` of the float32 `x` (`(n, c,
/// spatial...)`, any layout); None when the GPU cannot build it.
pub fn im2col(x: &Tensor, g: &ConvGeometry) -> Result<Option<Tensor>> {
    if x.dtype() != DType::F32 || !fits_bindings(&[x])? {
        return Ok(None);
    }
    let shape = [
        x.shape()[0],
        x.shape()[1] * g.kernel_numel(),
        g.output_numel(),
    ];
    let total: usize = shape.iter().product();
    let Some(words) = shape_info(total, x, g) else {
        return Ok(None);
    };
    let cols = Tensor::uninit_dense(&shape, &contiguous_strides(&shape), DType::F32)?;
    if total > 0 {
        run(IM2COL, "im2col", &cols, x, &words)?;
    }
    Ok(Some(cols))
}

/// The input-shaped sums of the contiguous column matrix `cols` (`(n, channels *
/// kernel_numel, windows)`): a new contiguous `(n, channels, input...)` tensor.
pub fn col2im(cols: &Tensor, channels: usize, g: &ConvGeometry) -> Result<Option<Tensor>> {
    // The kernel reads cols from the start of its storage, with 32-bit indices.
    if cols.dtype() != DType::F32
        || !cols.is_contiguous()
        || cols.storage_offset() != 0
        || u32::try_from(cols.numel()).is_err()
        || !fits_bindings(&[cols])?
    {
        return Ok(None);
    }
    let mut shape = vec![cols.shape()[0], channels];
    shape.extend(&g.input);
    let total: usize = shape.iter().product();
    let x = Tensor::uninit_dense(&shape, &contiguous_strides(&shape), DType::F32)?;
    let Some(words) = shape_info(total, &x, g) else {
        return Ok(None);
    };
    if total > 0 {
        run(COL2IM, "col2im", &x, cols, &words)?;
    }
    Ok(Some(x))
}
