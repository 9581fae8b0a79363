//! Convolution as matrix products (im2col + GEMM), and the two products of its backward.
//!
//! A convolution relates an image side `x` of shape `(batch, x_channels, *input)` and a window
//! side `y` of shape `(batch, y_channels, *output)` through a weight
//! `(y_channels, x_channels / groups, *kernel)`. Per sample and group, with
//! `cols = im2col(x)` of shape `(x_channels / groups * kernel_numel, output_numel)`:
//! - [`forward`]: `y = W @ cols` (the convolution),
//! - [`backward_input`]: `x = col2im(W^T @ y)` (the transposed convolution, also the gradient
//!   of the convolution with respect to its input),
//! - [`backward_weight`]: `W = sum over samples of y @ cols^T` (the weight gradient).
//!
//! Samples are spread over the thread pool when there are enough of them; otherwise each
//! product is split by columns across the pool.

use gemm::Parallelism;

use super::conv::{col2im, im2col, ConvGeometry};
use super::iter::SendPtr;
use super::matmul::Ring;
use super::{spin_pool, PARALLEL_THRESHOLD};

/// The sizes of one batched, grouped convolution (see the module doc).
#[derive(Clone, Debug)]
pub struct ConvShape {
    pub batch: usize,
    pub groups: usize,
    pub x_channels: usize,
    pub y_channels: usize,
    pub geometry: ConvGeometry,
}

impl ConvShape {
    fn x_sample(&self) -> usize {
        self.x_channels * self.geometry.input_numel()
    }

    fn y_sample(&self) -> usize {
        self.y_channels * self.geometry.output_numel()
    }

    /// Rows of one group's column matrix: `x_channels / groups * kernel_numel`.
    fn group_rows(&self) -> usize {
        self.x_channels / self.groups * self.geometry.kernel_numel()
    }

    fn cols_len(&self) -> usize {
        self.x_channels * self.geometry.kernel_numel() * self.geometry.output_numel()
    }

    /// Multiply-adds of the whole convolution, to decide whether threads pay.
    fn work(&self) -> usize {
        self.batch * self.y_channels * self.group_rows() * self.geometry.output_numel()
    }
}

/// A read-only matrix: element `(i, j)` at `ptr + i * rs + j * cs`.
#[derive(Clone, Copy)]
pub struct Mat<T> {
    ptr: *const T,
    rs: usize,
    cs: usize,
}

impl<T> Mat<T> {
    /// The columns from `c0` on. A method, so that closures capture the whole (`Sync`) `Mat`.
    fn columns_from(self, c0: usize) -> Mat<T> {
        Mat {
            ptr: self.ptr.wrapping_add(c0 * self.cs),
            ..self
        }
    }
}

// SAFETY: a `Mat` is only read, while the buffer it points into is borrowed by the caller.
unsafe impl<T: Sync> Send for Mat<T> {}
unsafe impl<T: Sync> Sync for Mat<T> {}

/// Element types convolutions run in. f32 and f64 use the `gemm` crate; integer types use a
/// plain loop with wrapping arithmetic (as PyTorch's integer convolutions do).
pub trait ConvElement: Ring + std::ops::AddAssign {
    /// `dst = [dst +] a @ b` for `a: m x k`, `b: k x n`, `dst: m x n` with strides
    /// `dst_rs`, `dst_cs`.
    ///
    /// # Safety
    /// Every element of the three matrices must be in bounds, and no other thread may write
    /// `dst`'s elements.
    unsafe fn gemm(
        (m, n, k): (usize, usize, usize),
        dst: *mut Self,
        (dst_rs, dst_cs): (usize, usize),
        accumulate: bool,
        a: Mat<Self>,
        b: Mat<Self>,
    ) {
        for i in 0..m {
            // SAFETY: in bounds by the caller's contract.
            unsafe {
                let row = dst.add(i * dst_rs);
                if !accumulate {
                    (0..n).for_each(|j| *row.add(j * dst_cs) = Self::default());
                }
                for p in 0..k {
                    let aip = *a.ptr.add(i * a.rs + p * a.cs);
                    let brow = b.ptr.add(p * b.rs);
                    for j in 0..n {
                        let d = row.add(j * dst_cs);
                        *d = (*d).add(aip.mul(*brow.add(j * b.cs)));
                    }
                }
            }
        }
    }
}

impl ConvElement for u8 {}
impl ConvElement for i8 {}
impl ConvElement for i16 {}
impl ConvElement for i32 {}
impl ConvElement for i64 {}

macro_rules! float_conv_element {
    ($($t:ty),*) => {$(
        impl ConvElement for $t {
            unsafe fn gemm(
                (m, n, k): (usize, usize, usize),
                dst: *mut Self,
                (dst_rs, dst_cs): (usize, usize),
                accumulate: bool,
                a: Mat<Self>,
                b: Mat<Self>,
            ) {
                // SAFETY: in bounds by the caller's contract. The crate computes
                // `dst = alpha * dst + beta * a @ b`, reading dst only when asked to.
                unsafe {
                    gemm::gemm(
                        m, n, k, dst, dst_cs as isize, dst_rs as isize, accumulate,
                        a.ptr, a.cs as isize, a.rs as isize,
                        b.ptr, b.cs as isize, b.rs as isize,
                        1.0, 1.0, false, false, false, Parallelism::None,
                    )
                }
            }
        }
    )*};
}
float_conv_element!(f32, f64);

/// `dst = [dst +] a @ b`, with dst's columns split across the pool when `split` and wide
/// enough.
///
/// # Safety
/// As [`ConvElement::gemm`].
unsafe fn product<T: ConvElement>(
    mnk: (usize, usize, usize),
    dst: *mut T,
    dst_strides: (usize, usize),
    accumulate: bool,
    a: Mat<T>,
    b: Mat<T>,
    split: bool,
) {
    let (m, n, k) = mnk;
    let parts = spin_pool::threads();
    if !split || parts < 2 || n < 64 || m * n * k < PARALLEL_THRESHOLD * 16 {
        // SAFETY: the caller's contract.
        unsafe { T::gemm(mnk, dst, dst_strides, accumulate, a, b) };
        return;
    }
    let step = n.div_ceil(parts).next_multiple_of(16);
    let dst = SendPtr(dst);
    spin_pool::run(n.div_ceil(step), &|t| {
        let c0 = t * step;
        let width = step.min(n - c0);
        let panel = b.columns_from(c0);
        // SAFETY: each task writes its own columns of dst.
        unsafe {
            let dst = dst.get().add(c0 * dst_strides.1);
            T::gemm((m, width, k), dst, dst_strides, accumulate, a, panel)
        };
    });
}

/// Runs `sample(n, scratch, split)` for every sample. With enough samples and work they are
/// spread over the pool in contiguous ranges, each range with its own scratch buffer of
/// `scratch_len` elements (`split` false); otherwise they run in turn, and `split` asks each
/// product to use the pool.
fn for_each_sample<T: ConvElement>(
    s: &ConvShape,
    scratch_len: usize,
    sample: &(dyn Fn(usize, &mut [T], bool) + Sync),
) {
    let threads = spin_pool::threads();
    let parallel = s.work() >= PARALLEL_THRESHOLD * 16;
    if parallel && s.batch >= threads {
        let per_task = s.batch.div_ceil(threads);
        spin_pool::run(s.batch.div_ceil(per_task), &|t| {
            let mut scratch = vec![T::default(); scratch_len];
            for n in t * per_task..((t + 1) * per_task).min(s.batch) {
                sample(n, &mut scratch, false);
            }
        });
    } else {
        let mut scratch = vec![T::default(); scratch_len];
        for n in 0..s.batch {
            sample(n, &mut scratch, parallel);
        }
    }
}

/// `y = conv(x, w) + bias`. `y` is `(batch, y_channels, *output)`, fully overwritten.
pub fn forward<T: ConvElement>(s: &ConvShape, x: &[T], w: &[T], bias: Option<&[T]>, y: &mut [T]) {
    let g = &s.geometry;
    let (rows, o_numel) = (s.group_rows(), g.output_numel());
    let cyg = s.y_channels / s.groups;
    let pointwise = g.is_pointwise();
    let y_ptr = SendPtr(y.as_mut_ptr());
    let scratch_len = if pointwise { 0 } else { s.cols_len() };
    for_each_sample::<T>(s, scratch_len, &|n, scratch, split| {
        let xs = &x[n * s.x_sample()..(n + 1) * s.x_sample()];
        let cols: &[T] = if pointwise {
            xs
        } else {
            im2col(g, s.x_channels, xs, scratch);
            scratch
        };
        // SAFETY: sample n's output is written by this task only.
        let ys = unsafe {
            std::slice::from_raw_parts_mut(y_ptr.get().add(n * s.y_sample()), s.y_sample())
        };
        if let Some(bias) = bias {
            for (plane, &b) in ys.chunks_mut(o_numel).zip(bias) {
                plane.fill(b);
            }
        }
        for gi in 0..s.groups {
            let a = Mat {
                ptr: w[gi * cyg * rows..].as_ptr(),
                rs: rows,
                cs: 1,
            };
            let b = Mat {
                ptr: cols[gi * rows * o_numel..].as_ptr(),
                rs: o_numel,
                cs: 1,
            };
            let dst = ys[gi * cyg * o_numel..].as_mut_ptr();
            // SAFETY: the slices bound every matrix (the caller checked the lengths).
            unsafe {
                product(
                    (cyg, o_numel, rows),
                    dst,
                    (o_numel, 1),
                    bias.is_some(),
                    a,
                    b,
                    split,
                )
            };
        }
    });
}

/// `x = conv_transpose(y, w) + bias`: the adjoint of [`forward`] in its input. `x` is
/// `(batch, x_channels, *input)`, fully overwritten; `bias` has one entry per x channel.
pub fn backward_input<T: ConvElement>(
    s: &ConvShape,
    y: &[T],
    w: &[T],
    bias: Option<&[T]>,
    x: &mut [T],
) {
    if let Some((shape, flipped)) = as_forward(s, w) {
        return forward(&shape, y, &flipped, bias, x);
    }
    let g = &s.geometry;
    let (rows, o_numel, i_numel) = (s.group_rows(), g.output_numel(), g.input_numel());
    let cyg = s.y_channels / s.groups;
    let pointwise = g.is_pointwise();
    let x_ptr = SendPtr(x.as_mut_ptr());
    let scratch_len = if pointwise { 0 } else { s.cols_len() };
    for_each_sample::<T>(s, scratch_len, &|n, scratch, split| {
        let ys = &y[n * s.y_sample()..(n + 1) * s.y_sample()];
        // SAFETY: sample n's result is written by this task only.
        let xs = unsafe {
            std::slice::from_raw_parts_mut(x_ptr.get().add(n * s.x_sample()), s.x_sample())
        };
        // Pointwise, the columns are the result itself.
        let cols: &mut [T] = if pointwise { &mut *xs } else { &mut *scratch };
        for gi in 0..s.groups {
            // W_g^T: W_g is (cyg, rows) row-major, read with swapped strides.
            let a = Mat {
                ptr: w[gi * cyg * rows..].as_ptr(),
                rs: 1,
                cs: rows,
            };
            let b = Mat {
                ptr: ys[gi * cyg * o_numel..].as_ptr(),
                rs: o_numel,
                cs: 1,
            };
            let dst = cols[gi * rows * o_numel..].as_mut_ptr();
            // SAFETY: the slices bound every matrix.
            unsafe { product((rows, o_numel, cyg), dst, (o_numel, 1), false, a, b, split) };
        }
        if !pointwise {
            xs.fill(T::default());
            col2im(g, s.x_channels, scratch, xs);
        }
        if let Some(bias) = bias {
            for (plane, &b) in xs.chunks_mut(i_numel).zip(bias) {
                plane.iter_mut().for_each(|v| *v += b);
            }
        }
    });
}

/// With unit strides a transposed convolution is itself a convolution: of `y`, padded by
/// `dilation * (kernel - 1) - padding`, with the weight flipped in space and its two channel
/// dims swapped. Returned as that convolution's shape and weight, when the padding allows it.
/// One im2col and one GEMM with a long inner dim per sample then replace a GEMM into a large
/// column matrix and a col2im (measured 2x faster for 3x3 kernels).
fn as_forward<T: ConvElement>(s: &ConvShape, w: &[T]) -> Option<(ConvShape, Vec<T>)> {
    let g = &s.geometry;
    let nd = g.kernel.len();
    let fits =
        (0..nd).all(|d| g.stride[d] == 1 && g.padding[d] <= g.dilation[d] * (g.kernel[d] - 1));
    if !fits || g.is_pointwise() {
        return None;
    }
    let shape = ConvShape {
        batch: s.batch,
        groups: s.groups,
        x_channels: s.y_channels,
        y_channels: s.x_channels,
        geometry: ConvGeometry {
            input: g.output.clone(),
            output: g.input.clone(),
            kernel: g.kernel.clone(),
            stride: g.stride.clone(),
            padding: (0..nd)
                .map(|d| g.dilation[d] * (g.kernel[d] - 1) - g.padding[d])
                .collect(),
            dilation: g.dilation.clone(),
        },
    };
    // w is (groups, cyg, cxg, k); the new weight is (groups, cxg, cyg, k) with k reversed
    // (reversing every spatial index of a row-major kernel reverses its flat index).
    let (cyg, cxg, kn) = (
        s.y_channels / s.groups,
        s.x_channels / s.groups,
        g.kernel_numel(),
    );
    let mut flipped = vec![T::default(); w.len()];
    for gi in 0..s.groups {
        for co in 0..cyg {
            for ci in 0..cxg {
                let src = &w[((gi * cyg + co) * cxg + ci) * kn..][..kn];
                let dst = &mut flipped[((gi * cxg + ci) * cyg + co) * kn..][..kn];
                dst.iter_mut()
                    .zip(src.iter().rev())
                    .for_each(|(d, &v)| *d = v);
            }
        }
    }
    Some((shape, flipped))
}

/// One range of samples' contribution to the weight gradient, accumulated into `gw_t`: per
/// group, the transpose `(rows, cyg)` of that group's `(cyg, rows)` block of the gradient.
fn weight_partial<T: ConvElement>(
    s: &ConvShape,
    x: &[T],
    y: &[T],
    samples: std::ops::Range<usize>,
    gw_t: &mut [T],
    split: bool,
) {
    let g = &s.geometry;
    let (rows, o_numel) = (s.group_rows(), g.output_numel());
    let cyg = s.y_channels / s.groups;
    let pointwise = g.is_pointwise();
    let mut scratch = vec![T::default(); if pointwise { 0 } else { s.cols_len() }];
    for n in samples {
        let xs = &x[n * s.x_sample()..(n + 1) * s.x_sample()];
        let ys = &y[n * s.y_sample()..(n + 1) * s.y_sample()];
        let cols: &[T] = if pointwise {
            xs
        } else {
            im2col(g, s.x_channels, xs, &mut scratch);
            &scratch
        };
        for gi in 0..s.groups {
            // gw_g^T (rows x cyg, row-major) += cols_g @ gy_g^T: in this orientation the
            // GEMM runs 2.5x faster (measured) than gy_g @ cols_g^T, whose long inner dim is
            // strided in the packed operand.
            let a = Mat {
                ptr: cols[gi * rows * o_numel..].as_ptr(),
                rs: o_numel,
                cs: 1,
            };
            let b = Mat {
                ptr: ys[gi * cyg * o_numel..].as_ptr(),
                rs: 1,
                cs: o_numel,
            };
            let dst = gw_t[gi * cyg * rows..].as_mut_ptr();
            // SAFETY: the slices bound every matrix; gw_t belongs to this call.
            unsafe { product((rows, cyg, o_numel), dst, (cyg, 1), true, a, b, split) };
        }
    }
}

/// `gw = sum over samples of y @ im2col(x)^T`, per group: the gradient of [`forward`] with
/// respect to its weight when `y` is the output's gradient. `gw` is
/// `(y_channels, x_channels / groups, *kernel)`, fully overwritten.
pub fn backward_weight<T: ConvElement>(s: &ConvShape, x: &[T], y: &[T], gw: &mut [T]) {
    let threads = spin_pool::threads();
    let parallel = s.work() >= PARALLEL_THRESHOLD * 16;
    let partials = if parallel && s.batch >= threads {
        // Each task sums its own samples into its own buffer; the buffers are added below.
        let per_task = s.batch.div_ceil(threads);
        spin_pool::map(s.batch.div_ceil(per_task), |t| {
            let mut part = vec![T::default(); gw.len()];
            let samples = t * per_task..((t + 1) * per_task).min(s.batch);
            weight_partial(s, x, y, samples, &mut part, false);
            part
        })
    } else {
        let mut part = vec![T::default(); gw.len()];
        weight_partial(s, x, y, 0..s.batch, &mut part, parallel);
        vec![part]
    };
    // Sum the transposed partials into gw, block by block.
    let (rows, cyg) = (s.group_rows(), s.y_channels / s.groups);
    gw.fill(T::default());
    for part in &partials {
        for gi in 0..s.groups {
            let block = gi * cyg * rows;
            for co in 0..cyg {
                let dst = &mut gw[block + co * rows..block + (co + 1) * rows];
                for (j, d) in dst.iter_mut().enumerate() {
                    *d += part[block + j * cyg + co];
                }
            }
        }
    }
}
