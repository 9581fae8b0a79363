//! The windows of a pooling, from its arguments: PyTorch's output-size formula (with
//! `ceil_mode`'s rule that the last window must start inside the input or the left padding),
//! the adaptive start/end formula, and PyTorch's checks of both, with its messages.

use crate::cpu::pool::{Axis, Grid, Window};
use crate::dtype::DType;
use crate::error::{Error, Result};
use crate::op::not_implemented_msg;

/// A pooling's arguments, one entry per spatial dim once expanded.
#[derive(Clone, Debug)]
pub struct PoolArgs {
    pub kernel: Vec<i64>,
    pub stride: Vec<i64>,
    pub padding: Vec<i64>,
    pub dilation: Vec<i64>,
    pub ceil_mode: bool,
}

/// What an average pooling adds to the windows.
#[derive(Clone, Copy, Debug)]
pub struct AvgOptions {
    pub count_include_pad: bool,
    pub divisor_override: Option<i64>,
}

fn fmt_dims(shape: &[usize]) -> String {
    let parts: Vec<String> = shape.iter().map(|d| d.to_string()).collect();
    format!("[{}]", parts.join(", "))
}

fn joined(values: &[i64], sep: &str) -> String {
    let parts: Vec<String> = values.iter().map(|v| v.to_string()).collect();
    parts.join(sep)
}

/// The spatial dims' letters in PyTorch's messages: `kH: 2 kW: 2`, `kT: 2 kH: 2 kW: 2`.
fn labelled(prefix: &str, values: &[i64]) -> String {
    let letters: &[&str] = if values.len() == 3 {
        &["T", "H", "W"]
    } else {
        &["H", "W"]
    };
    let parts: Vec<String> = letters
        .iter()
        .zip(values)
        .map(|(l, v)| format!("{prefix}{l}: {v}"))
        .collect();
    parts.join(" ")
}

/// One int for every dim, or one per dim; `stride` may also be empty (it then is the kernel).
/// `op` is the PyTorch name (`max_pool2d`) whose messages are used.
pub fn expand_args(
    op: &str,
    n: usize,
    kernel: &[i64],
    stride: &[i64],
    padding: &[i64],
    dilation: Option<&[i64]>,
    ceil_mode: bool,
) -> Result<PoolArgs> {
    let count = if n == 3 { "three" } else { "two" };
    // avg_pool3d words its messages without "either".
    let either = if op == "avg_pool3d" { "" } else { "either " };
    let expand = |values: &[i64], what: String, allow_empty: bool| -> Result<Vec<i64>> {
        match values.len() {
            1 => Ok(vec![values[0]; n]),
            0 if allow_empty => Ok(Vec::new()),
            len if len == n => Ok(values.to_vec()),
            _ => Err(Error::runtime(what)),
        }
    };
    let kernel = expand(
        kernel,
        format!("{op}: kernel_size must {either}be a single int, or a tuple of {count} ints"),
        false,
    )?;
    let stride = expand(
        stride,
        format!("{op}: stride must {either}be omitted, a single int, or a tuple of {count} ints"),
        true,
    )?;
    let padding = expand(
        padding,
        format!("{op}: padding must {either}be a single int, or a tuple of {count} ints"),
        false,
    )?;
    let dilation = match dilation {
        Some(d) => expand(
            d,
            format!("{op}: dilation must be either a single int, or a tuple of {count} ints"),
            false,
        )?,
        None => vec![1; n],
    };
    let stride = if stride.is_empty() {
        kernel.clone()
    } else {
        stride
    };
    Ok(PoolArgs {
        kernel,
        stride,
        padding,
        dilation,
        ceil_mode,
    })
}

/// PyTorch's `pooling_output_shape`, with its checks of the stride and padding.
fn output_size(
    input: i64,
    kernel: i64,
    pad: i64,
    stride: i64,
    dilation: i64,
    ceil: bool,
) -> Result<i64> {
    if stride == 0 {
        return Err(Error::runtime("stride should not be zero"));
    }
    if pad < 0 {
        return Err(Error::runtime(format!(
            "pad must be non-negative, but got pad: {pad}"
        )));
    }
    if pad > ((kernel - 1) * dilation + 1) / 2 {
        return Err(Error::runtime(format!(
            "pad should be at most half of effective kernel size, but got pad={pad}, kernel_size={kernel} and dilation={dilation}"
        )));
    }
    let span = input + 2 * pad - dilation * (kernel - 1) - 1 + if ceil { stride - 1 } else { 0 };
    let mut out = span.div_euclid(stride) + 1;
    // In ceil mode the last window must start inside the input or the left padding.
    if ceil && (out - 1) * stride >= input + pad {
        out -= 1;
    }
    Ok(out)
}

/// The dtypes an op has kernels for, with PyTorch's message for the others.
pub fn check_dtype(kernel_name: &str, dtype: DType, allowed: &[DType]) -> Result<()> {
    if allowed.contains(&dtype) {
        return Ok(());
    }
    Err(not_implemented_msg(format!(
        "\"{kernel_name}\" not implemented for '{}'",
        dtype.scalar_type_name()
    )))
}

/// Windows of a max or average pooling over `spatial` (the input's last dims), after PyTorch's
/// checks. `avg` is `None` for max pooling.
pub fn pooling_grid(
    op: &str,
    shape: &[usize],
    args: &PoolArgs,
    avg: Option<AvgOptions>,
) -> Result<Grid> {
    let n = args.kernel.len();
    let spatial = &shape[shape.len() - n..];
    let outs = (0..n)
        .map(|d| {
            output_size(
                spatial[d] as i64,
                args.kernel[d],
                args.padding[d],
                args.stride[d],
                args.dilation[d],
                args.ceil_mode,
            )
        })
        .collect::<Result<Vec<i64>>>()?;
    check_positive(args)?;
    check_non_empty(op, shape, n)?;
    if let Some(AvgOptions {
        divisor_override: Some(0),
        ..
    }) = avg
    {
        return Err(Error::runtime("divisor must be not zero"));
    }
    if outs.iter().any(|&o| o < 1) {
        return Err(too_small(op, shape, n, args, &outs));
    }
    let mut axes = vec![Axis::trivial(); 3 - n];
    for (d, (&size, &out)) in spatial.iter().zip(&outs).enumerate() {
        axes.push(pooling_axis(size, out as usize, args, d, avg));
    }
    let axes: [Axis; 3] = axes
        .try_into()
        .map_err(|_| Error::runtime("pooling: more than three spatial dims"))?;
    Ok(Grid { axes })
}

fn check_positive(args: &PoolArgs) -> Result<()> {
    if args.kernel.iter().any(|&k| k <= 0) {
        return Err(Error::runtime(format!(
            "kernel size should be greater than zero, but got {}",
            labelled("k", &args.kernel)
        )));
    }
    if args.stride.iter().any(|&s| s <= 0) {
        return Err(Error::runtime(format!(
            "stride should be greater than zero, but got {}",
            labelled("d", &args.stride)
        )));
    }
    if args.dilation.iter().any(|&d| d <= 0) {
        return Err(Error::runtime(format!(
            "dilation should be greater than zero, but got {}",
            labelled("dilation", &args.dilation)
        )));
    }
    Ok(())
}

/// Only the batch dim may be empty.
fn check_non_empty(op: &str, shape: &[usize], n: usize) -> Result<()> {
    let batched = shape.len() == n + 2;
    let first = usize::from(batched);
    let Some(empty) = (first..shape.len()).find(|&d| shape[d] == 0) else {
        return Ok(());
    };
    Err(Error::runtime(match op {
        "max_pool3d" => format!(
            "max_pool3d_with_indices_out_cpu_template(): Expected input to have non-zero size for non-batch dimensions, but input has sizes {} with dimension {empty} being empty",
            fmt_dims(shape)
        ),
        "avg_pool3d" => format!(
            "avg_pool3d(): Expected input to have non-zero size for non-batch dimensions, but input has sizes {} with dimension {empty} being empty",
            fmt_dims(shape)
        ),
        _ => format!(
            "Expected 3D or 4D (batch mode) tensor with optional 0 dim batch size for input, but got:{}",
            fmt_dims(shape)
        ),
    }))
}

/// "Output size is too small", worded per op.
fn too_small(op: &str, shape: &[usize], n: usize, args: &PoolArgs, outs: &[i64]) -> Error {
    let spatial: Vec<i64> = shape[shape.len() - n..].iter().map(|&s| s as i64).collect();
    if op == "avg_pool3d" {
        return Error::runtime(format!(
            "input image ({}) smaller than kernel size ({})",
            labelled("", &spatial).trim_start(),
            labelled("k", &args.kernel)
        ));
    }
    let channels = shape[shape.len() - n - 1];
    Error::runtime(format!(
        "Given input size: ({channels}x{}). Calculated output size: ({channels}x{}). Output size is too small",
        joined(&spatial, "x"),
        joined(outs, "x")
    ))
}

/// The windows along one axis of a max or average pooling.
fn pooling_axis(
    size: usize,
    outs: usize,
    args: &PoolArgs,
    d: usize,
    avg: Option<AvgOptions>,
) -> Axis {
    let (k, s, p, dil) = (
        args.kernel[d],
        args.stride[d],
        args.padding[d],
        args.dilation[d],
    );
    let size_i = size as i64;
    let windows = (0..outs as i64)
        .map(|o| {
            let start = o * s - p;
            // The first tap at or after 0, and how many taps land inside the input.
            let skip = if start < 0 {
                (-start + dil - 1) / dil
            } else {
                0
            };
            let first = start + skip * dil;
            let count = if first >= size_i {
                0
            } else {
                ((size_i - 1 - first) / dil + 1).min(k - skip).max(0)
            };
            let divisor = match avg {
                // PyTorch counts the padding (up to its edge) unless told not to.
                Some(opts) if opts.count_include_pad => {
                    ((start + k).min(size_i + p) - start) as usize
                }
                _ => count as usize,
            };
            Window {
                begin: first.max(0) as usize,
                count: count as usize,
                divisor,
            }
        })
        .collect();
    Axis {
        size,
        step: dil as usize,
        windows,
    }
}

/// The windows of an adaptive pooling to `outs` along each of the input's last dims: output
/// `o` of `n` reads `floor(o * in / n) .. ceil((o + 1) * in / n)`.
pub fn adaptive_grid(shape: &[usize], outs: &[usize]) -> Result<Grid> {
    let n = outs.len();
    let spatial = &shape[shape.len() - n..];
    let mut axes = vec![Axis::trivial(); 3 - n];
    for (&size, &out) in spatial.iter().zip(outs) {
        let windows = (0..out)
            .map(|o| {
                let begin = o * size / out;
                let end = ((o + 1) * size).div_ceil(out);
                Window {
                    begin,
                    count: end - begin,
                    divisor: end - begin,
                }
            })
            .collect();
        axes.push(Axis {
            size,
            step: 1,
            windows,
        });
    }
    let axes: [Axis; 3] = axes
        .try_into()
        .map_err(|_| Error::runtime("adaptive pooling: more than three spatial dims"))?;
    Ok(Grid { axes })
}
