//! Sliding windows for convolution: `im2col` copies every kernel window of an N-d image into
//! one column of a matrix (so that a convolution becomes one matrix product), and `col2im`,
//! its adjoint, adds each column back into the window it came from.
//!
//! An image here is `channels` planes stored one after another, each plane row-major over the
//! spatial dims. Its column matrix has one row per (channel, kernel offset) pair and one
//! column per output position, both row-major: row `c * kernel_numel + k`, column `o`.

/// The geometry of a convolution, per spatial dim: image size, output size (number of window
/// positions), kernel size, stride, padding before the first element, and dilation. Window
/// `o` with kernel offset `k` reads image element `o * stride + k * dilation - padding`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ConvGeometry {
    pub input: Vec<usize>,
    pub output: Vec<usize>,
    pub kernel: Vec<usize>,
    pub stride: Vec<usize>,
    pub padding: Vec<usize>,
    pub dilation: Vec<usize>,
}

impl ConvGeometry {
    pub fn input_numel(&self) -> usize {
        self.input.iter().product()
    }

    pub fn output_numel(&self) -> usize {
        self.output.iter().product()
    }

    pub fn kernel_numel(&self) -> usize {
        self.kernel.iter().product()
    }

    /// A 1x1 kernel with unit stride and no padding: the column matrix is the image itself.
    pub fn is_pointwise(&self) -> bool {
        self.kernel.iter().all(|&k| k == 1)
            && self.stride.iter().all(|&s| s == 1)
            && self.padding.iter().all(|&p| p == 0)
            && self.input == self.output
    }

    /// Where window position `o` with kernel offset `k` lands in dim `d` (may be outside).
    fn image_index(&self, d: usize, o: usize, k: usize) -> isize {
        (o * self.stride[d] + k * self.dilation[d]) as isize - self.padding[d] as isize
    }

    /// For kernel offset `k` in the last dim: the window positions `lo..hi` that land inside
    /// the image, and the image index of position 0 (`shift`, may be negative).
    fn inner_range(&self, k: usize) -> (usize, usize, isize) {
        let d = self.input.len() - 1;
        let (size, stride) = (self.input[d] as isize, self.stride[d] as isize);
        let shift = self.image_index(d, 0, k);
        // Positions o with 0 <= o * stride + shift < size.
        let lo = if shift >= 0 {
            0
        } else {
            (-shift + stride - 1) / stride
        };
        let hi = if size - shift <= 0 {
            0
        } else {
            (size - shift + stride - 1) / stride
        };
        let hi = (hi as usize).min(self.output[d]);
        ((lo as usize).min(hi), hi, shift)
    }
}

/// Row-major strides of a shape.
fn strides_of(shape: &[usize]) -> Vec<usize> {
    let mut strides = vec![1; shape.len()];
    for d in (0..shape.len().saturating_sub(1)).rev() {
        strides[d] = strides[d + 1] * shape[d + 1];
    }
    strides
}

/// The multi-index of `flat` in a row-major shape.
fn unravel(mut flat: usize, shape: &[usize], out: &mut [usize]) {
    for d in (0..shape.len()).rev() {
        out[d] = flat % shape[d];
        flat /= shape[d];
    }
}

/// Visits every run of one column-matrix row: for each position of the output's leading dims
/// (`outer`), the offset in the image plane of the line the run reads (`None` when that line
/// is in the padding). Shared by im2col and col2im.
fn for_each_run(
    g: &ConvGeometry,
    kernel_index: &[usize],
    mut visit: impl FnMut(usize, Option<usize>),
) {
    let last = g.input.len() - 1;
    let in_strides = strides_of(&g.input);
    let outer_shape = &g.output[..last];
    let outer_numel: usize = outer_shape.iter().product();
    let mut o = vec![0usize; last];
    for outer in 0..outer_numel {
        let mut base = Some(0usize);
        for d in 0..last {
            let i = g.image_index(d, o[d], kernel_index[d]);
            if i < 0 || i as usize >= g.input[d] {
                base = None;
                break;
            }
            base = base.map(|b| b + i as usize * in_strides[d]);
        }
        visit(outer, base);
        // Next position of the leading dims (an odometer, last dim fastest).
        for d in (0..last).rev() {
            o[d] += 1;
            if o[d] < outer_shape[d] {
                break;
            }
            o[d] = 0;
        }
    }
}

/// `cols = im2col(image)`: `image` holds `channels` planes; `cols` is
/// `(channels * kernel_numel, output_numel)`, zero where a window reads the padding.
pub fn im2col<T: Copy + Default>(g: &ConvGeometry, channels: usize, image: &[T], cols: &mut [T]) {
    let (k_numel, o_numel, i_numel) = (g.kernel_numel(), g.output_numel(), g.input_numel());
    let last = g.input.len() - 1;
    let (o_last, i_last, stride) = (g.output[last], g.input[last], g.stride[last]);
    let mut k = vec![0usize; g.kernel.len()];
    for c in 0..channels {
        let plane = &image[c * i_numel..(c + 1) * i_numel];
        for ki in 0..k_numel {
            unravel(ki, &g.kernel, &mut k);
            let row = &mut cols[(c * k_numel + ki) * o_numel..][..o_numel];
            let (lo, hi, shift) = g.inner_range(k[last]);
            if last == 1 {
                // The common 2-D case as a plain loop over output rows (the closure and
                // odometer of the general walk cost as much as these short copies).
                im2col_rows(g, k[0], (lo, hi, shift), plane, row);
                continue;
            }
            for_each_run(g, &k, |outer, base| {
                let run = &mut row[outer * o_last..(outer + 1) * o_last];
                let Some(base) = base else {
                    run.fill(T::default());
                    return;
                };
                copy_run(run, &plane[base..base + i_last], (lo, hi, shift), stride);
            });
        }
    }
}

/// One output line of a column row: positions `lo..hi` read `line[o * stride + shift]`, the
/// others are padding.
#[inline(always)]
fn copy_run<T: Copy + Default>(
    run: &mut [T],
    line: &[T],
    (lo, hi, shift): (usize, usize, isize),
    stride: usize,
) {
    for v in &mut run[..lo] {
        *v = T::default();
    }
    for v in &mut run[hi..] {
        *v = T::default();
    }
    let start = (lo as isize * stride as isize + shift) as usize;
    if stride == 1 {
        for (v, &x) in run[lo..hi].iter_mut().zip(&line[start..]) {
            *v = x;
        }
    } else {
        for (j, v) in run[lo..hi].iter_mut().enumerate() {
            *v = line[start + j * stride];
        }
    }
}

/// [`im2col`] of one column row of a 2-D image, for kernel row `kh`.
fn im2col_rows<T: Copy + Default>(
    g: &ConvGeometry,
    kh: usize,
    range: (usize, usize, isize),
    plane: &[T],
    row: &mut [T],
) {
    let (width, o_width) = (g.input[1], g.output[1]);
    for (oh, run) in row.chunks_exact_mut(o_width).enumerate() {
        let ih = g.image_index(0, oh, kh);
        if ih < 0 || ih as usize >= g.input[0] {
            run.iter_mut().for_each(|v| *v = T::default());
            continue;
        }
        let line = &plane[ih as usize * width..(ih as usize + 1) * width];
        copy_run(run, line, range, g.stride[1]);
    }
}

/// `image += col2im(cols)`: the adjoint of [`im2col`]; each column entry is added to the
/// image element its window read (entries that read the padding are dropped).
pub fn col2im<T: Copy + std::ops::AddAssign>(
    g: &ConvGeometry,
    channels: usize,
    cols: &[T],
    image: &mut [T],
) {
    let (k_numel, o_numel, i_numel) = (g.kernel_numel(), g.output_numel(), g.input_numel());
    let last = g.input.len() - 1;
    let (o_last, stride) = (g.output[last], g.stride[last]);
    let mut k = vec![0usize; g.kernel.len()];
    for c in 0..channels {
        let plane = &mut image[c * i_numel..(c + 1) * i_numel];
        for ki in 0..k_numel {
            unravel(ki, &g.kernel, &mut k);
            let row = &cols[(c * k_numel + ki) * o_numel..][..o_numel];
            let (lo, hi, shift) = g.inner_range(k[last]);
            for_each_run(g, &k, |outer, base| {
                let Some(base) = base else { return };
                let run = &row[outer * o_last + lo..outer * o_last + hi];
                let start = (base as isize + lo as isize * stride as isize + shift) as usize;
                if stride == 1 {
                    for (dst, &v) in plane[start..start + run.len()].iter_mut().zip(run) {
                        *dst += v;
                    }
                } else {
                    for (j, &v) in run.iter().enumerate() {
                        plane[start + j * stride] += v;
                    }
                }
            });
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn geometry_1d(input: usize, kernel: usize, stride: usize, padding: usize) -> ConvGeometry {
        let output = (input + 2 * padding - kernel) / stride + 1;
        ConvGeometry {
            input: vec![input],
            output: vec![output],
            kernel: vec![kernel],
            stride: vec![stride],
            padding: vec![padding],
            dilation: vec![1],
        }
    }

    #[test]
    fn im2col_1d_with_padding() {
        // Image [1, 2, 3], kernel 2, padding 1: windows [0,1] [1,2] [2,3] [3,0].
        let g = geometry_1d(3, 2, 1, 1);
        let mut cols = vec![0.0; 8];
        im2col(&g, 1, &[1.0, 2.0, 3.0], &mut cols);
        assert_eq!(cols, vec![0.0, 1.0, 2.0, 3.0, 1.0, 2.0, 3.0, 0.0]);
    }

    #[test]
    fn col2im_is_the_adjoint_of_im2col() {
        // <im2col(x), c> == <x, col2im(c)> for a strided 2-D window with padding.
        let g = ConvGeometry {
            input: vec![4, 5],
            output: vec![2, 3],
            kernel: vec![2, 3],
            stride: vec![2, 2],
            padding: vec![0, 1],
            dilation: vec![1, 1],
        };
        let x: Vec<f64> = (0..20).map(|v| v as f64 * 0.5 - 3.0).collect();
        let c: Vec<f64> = (0..36).map(|v| (v as f64).sin()).collect();
        let mut cols = vec![0.0; 36];
        im2col(&g, 1, &x, &mut cols);
        let mut back = vec![0.0; 20];
        col2im(&g, 1, &c, &mut back);
        let lhs: f64 = cols.iter().zip(&c).map(|(a, b)| a * b).sum();
        let rhs: f64 = x.iter().zip(&back).map(|(a, b)| a * b).sum();
        assert!((lhs - rhs).abs() < 1e-9);
    }
}
