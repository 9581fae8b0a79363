//! The public convolutions, `conv1d/2d/3d` and `conv_transpose1d/2d/3d`: argument checks
//! with PyTorch's messages, unbatched inputs, `padding='same'/'valid'`, and the output size;
//! the work is done by the primitive ops of `conv_ops.rs`.

use super::conv_ops::{conv_backward_input, conv_forward, ConvSpec};
use super::Tensor;
use crate::dtype::DType;
use crate::error::{Error, Result};
use crate::op::not_implemented;

/// `padding=` of a convolution: explicit sizes, or PyTorch's two strings.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ConvPadding {
    Explicit(Vec<i64>),
    /// Output as large as the input (stride 1 only); the extra padding of an even window goes
    /// after the last element, as in PyTorch.
    Same,
    /// No padding.
    Valid,
}

/// The node name of the public convolutions.
const NODE: &str = "ConvolutionBackward0";

fn runtime(msg: String) -> Error {
    Error::runtime(msg)
}

/// "[2, 4, 5, 5]", as PyTorch prints sizes.
fn sizes(shape: &[usize]) -> String {
    format!("{shape:?}")
}

/// PyTorch's `expand_param_if_needed`: one value for every spatial dim, or a list of `dim`.
fn expand(name: &str, values: &[i64], dim: usize) -> Result<Vec<i64>> {
    match values.len() {
        1 => Ok(vec![values[0]; dim]),
        n if n == dim => Ok(values.to_vec()),
        _ => Err(runtime(format!(
            "expected {name} to be a single integer value or a list of {dim} values to match the convolution dimensions, but got {name}={values:?}"
        ))),
    }
}

/// The checks every convolution makes before looking at shapes, in PyTorch's order; returns
/// the spatial rank (from the weight, as PyTorch takes it).
fn check_common(weight: &Tensor, groups: i64, dilation: &[i64]) -> Result<usize> {
    if dilation.iter().any(|&d| d < 0) {
        return Err(runtime("dilation should be greater than zero".into()));
    }
    if weight.ndim() < 3 {
        return Err(runtime(
            "weight should have at least three dimensions".into(),
        ));
    }
    if groups <= 0 {
        return Err(runtime("non-positive groups is not supported".into()));
    }
    Ok(weight.ndim() - 2)
}

/// PyTorch's `check_shape_forward` for what all convolutions share (the parameters' signs,
/// ranks, and the weight's divisibility by `groups`).
fn check_shape(
    input: &Tensor,
    weight: &Tensor,
    groups: usize,
    stride: &[i64],
    padding: &[i64],
    dilation: &[i64],
    output_padding: &[i64],
) -> Result<()> {
    if padding.iter().any(|&p| p < 0) {
        return Err(runtime("negative padding is not supported".into()));
    }
    if output_padding.iter().any(|&p| p < 0) {
        return Err(runtime("negative output_padding is not supported".into()));
    }
    if stride.iter().any(|&s| s <= 0) {
        return Err(runtime("non-positive stride is not supported".into()));
    }
    if dilation.iter().any(|&d| d <= 0) {
        return Err(runtime("non-positive dilation is not supported".into()));
    }
    let ws = weight.shape();
    if input.ndim() != weight.ndim() {
        return Err(runtime(format!(
            "Expected {k}-dimensional input for {k}-dimensional weight {}, but got {}-dimensional input of size {} instead",
            sizes(ws),
            input.ndim(),
            sizes(input.shape()),
            k = weight.ndim(),
        )));
    }
    if ws[0] < groups {
        return Err(runtime(format!(
            "Given groups={groups}, expected weight to be at least {groups} at dimension 0, but got weight of size {} instead",
            sizes(ws)
        )));
    }
    if ws[0] % groups != 0 {
        return Err(runtime(format!(
            "Given groups={groups}, expected weight to be divisible by {groups} at dimension 0, but got weight of size [{}] instead",
            sizes(ws)
        )));
    }
    Ok(())
}

/// Input, weight and bias must share a dtype. PyTorch's message depends on the path its
/// dispatcher took: a float32 input reaches the oneDNN check (legacy type names), any other
/// the kernel's own.
fn check_dtypes(
    input: &Tensor,
    weight: &Tensor,
    bias: Option<&Tensor>,
    transposed: bool,
) -> Result<()> {
    let legacy = |t: &Tensor| format!("torch.{}", t.dtype().legacy_type_name());
    let mismatch = |other: &Tensor, what: &str| {
        if input.dtype() == DType::F32 {
            runtime(format!(
                "Input type ({}) and {what} type ({}) should be the same or input should be a MKLDNN tensor and {what} is a dense tensor",
                legacy(input),
                legacy(other)
            ))
        } else {
            runtime(format!(
                "expected scalar type {} but found {}",
                input.dtype().scalar_type_name(),
                other.dtype().scalar_type_name()
            ))
        }
    };
    if weight.dtype() != input.dtype() {
        return Err(mismatch(weight, "weight"));
    }
    if let Some(b) = bias.filter(|b| b.dtype() != input.dtype()) {
        if !transposed {
            return Err(runtime(format!(
                "Input type ({}) and bias type ({}) should be the same",
                input.dtype().cpp_type_name(),
                b.dtype().cpp_type_name()
            )));
        }
        return Err(mismatch(b, "bias"));
    }
    if input.dtype() == DType::Bool {
        return Err(not_implemented("slow_conv2d_cpu", input.dtype()));
    }
    Ok(())
}

fn to_usize(v: &[i64]) -> Vec<usize> {
    v.iter().map(|&x| x as usize).collect()
}

/// Runs `f` on a batched input: an unbatched one (rank `nd + 1`) gets a batch of one, which
/// the result loses again. Other ranks are refused with PyTorch's message.
fn batched(
    op: &str,
    nd: usize,
    input: &Tensor,
    f: impl FnOnce(&Tensor) -> Result<Tensor>,
) -> Result<Tensor> {
    if input.ndim() == nd + 2 {
        f(input)
    } else if input.ndim() == nd + 1 {
        f(&input.unsqueeze(0)?)?.squeeze(Some(&[0]))
    } else {
        Err(runtime(format!(
            "Expected {}D (unbatched) or {}D (batched) input to {op}, but got input of size: {}",
            nd + 1,
            nd + 2,
            sizes(input.shape())
        )))
    }
}

/// `padding='same'`: per dim, the padding before the first element (the total is
/// `dilation * (kernel - 1)`; an odd total puts the extra element after the last).
fn same_padding(stride: &[i64], dilation: &[i64], weight: &Tensor, dim: usize) -> Result<Vec<i64>> {
    for (name, values) in [("stride", stride), ("dilation", dilation)] {
        if values.len() != 1 && values.len() != dim {
            return Err(runtime(format!(
                "{name} cannot broadcast to {dim} dimensions"
            )));
        }
    }
    if stride.iter().any(|&s| s != 1) {
        return Err(runtime(
            "padding='same' is not supported for strided convolutions".into(),
        ));
    }
    let dilation = expand("dilation", dilation, dim)?;
    Ok((0..dim)
        .map(|d| dilation[d] * (weight.shape()[d + 2] as i64 - 1) / 2)
        .collect())
}

impl Tensor {
    /// `conv{nd}d(input, weight, bias, stride, padding, dilation, groups)`; `op` names the
    /// function in messages ("conv2d").
    #[allow(clippy::too_many_arguments)]
    pub fn conv_nd(
        &self,
        op: &str,
        nd: usize,
        weight: &Tensor,
        bias: Option<&Tensor>,
        stride: &[i64],
        padding: &ConvPadding,
        dilation: &[i64],
        groups: i64,
    ) -> Result<Tensor> {
        batched(op, nd, self, |input| {
            let dim = check_common(weight, groups, dilation)?;
            let (pad_before, same) = match padding {
                ConvPadding::Explicit(p) => (p.clone(), false),
                ConvPadding::Valid => (vec![0], false),
                ConvPadding::Same => (same_padding(stride, dilation, weight, dim)?, true),
            };
            let stride = expand("stride", stride, dim)?;
            let padding = expand("padding", &pad_before, dim)?;
            let dilation = expand("dilation", dilation, dim)?;
            let g = groups as usize;
            check_shape(input, weight, g, &stride, &padding, &dilation, &[])?;
            let (xs, ws) = (input.shape(), weight.shape());
            if xs[1] != ws[1] * g {
                return Err(runtime(format!(
                    "Given groups={g}, weight of size {}, expected input{} to have {} channels, but got {} channels instead",
                    sizes(ws), sizes(xs), ws[1] * g, xs[1]
                )));
            }
            check_bias(bias, ws[0], || {
                format!("Given weight of size {}", sizes(ws))
            })?;
            // Output size per dim; 'same' keeps the input's size whatever the window.
            let mut output = Vec::with_capacity(dim);
            let mut too_small = false;
            for d in 0..dim {
                let padded = xs[d + 2] as i64 + 2 * padding[d];
                let window = dilation[d] * (ws[d + 2] as i64 - 1) + 1;
                too_small |= padded < window;
                output.push(if same {
                    xs[d + 2]
                } else {
                    ((padded - window) / stride[d] + 1).max(0) as usize
                });
            }
            if too_small && !same {
                let join = |v: Vec<String>| v.join(" x ");
                return Err(runtime(format!(
                    "Calculated padded input size per channel: ({}). Kernel size: ({}). Kernel size can't be greater than actual input size",
                    join((0..dim).map(|d| (xs[d + 2] as i64 + 2 * padding[d]).to_string()).collect()),
                    join((0..dim).map(|d| (dilation[d] * (ws[d + 2] as i64 - 1) + 1).to_string()).collect()),
                )));
            }
            check_dtypes(input, weight, bias, false)?;
            let spec = ConvSpec {
                stride: to_usize(&stride),
                padding: to_usize(&padding),
                dilation: to_usize(&dilation),
                groups: g,
            };
            conv_forward(input, weight, bias, &spec, &output, NODE)
        })
    }

    /// `conv_transpose{nd}d(input, weight, bias, stride, padding, output_padding, groups,
    /// dilation)`: the adjoint of `conv{nd}d` in its input. The weight is
    /// `(in_channels, out_channels / groups, *kernel)`.
    #[allow(clippy::too_many_arguments)]
    pub fn conv_transpose_nd(
        &self,
        op: &str,
        nd: usize,
        weight: &Tensor,
        bias: Option<&Tensor>,
        stride: &[i64],
        padding: &[i64],
        output_padding: &[i64],
        groups: i64,
        dilation: &[i64],
    ) -> Result<Tensor> {
        batched(op, nd, self, |input| {
            let dim = check_common(weight, groups, dilation)?;
            let stride = expand("stride", stride, dim)?;
            let padding = expand("padding", padding, dim)?;
            let output_padding = expand("output_padding", output_padding, dim)?;
            let dilation = expand("dilation", dilation, dim)?;
            let g = groups as usize;
            check_shape(
                input,
                weight,
                g,
                &stride,
                &padding,
                &dilation,
                &output_padding,
            )?;
            let (xs, ws) = (input.shape(), weight.shape());
            if xs[1] != ws[0] {
                return Err(runtime(format!(
                    "Given transposed=1, weight of size {}, expected input{} to have {} channels, but got {} channels instead",
                    sizes(ws), sizes(xs), ws[0], xs[1]
                )));
            }
            check_bias(bias, ws[1] * g, || {
                format!("Given transposed=1, weight of size {}", sizes(ws))
            })?;
            check_output_padding(&output_padding, &stride, &dilation)?;
            let mut output = Vec::with_capacity(dim);
            for d in 0..dim {
                let size = (xs[d + 2] as i64 - 1) * stride[d] - 2 * padding[d]
                    + dilation[d] * (ws[d + 2] as i64 - 1)
                    + output_padding[d]
                    + 1;
                if size <= 0 {
                    return Err(runtime(format!(
                        "Given input size per channel: ({}). Calculated output size per channel: ({}). Output size is too small",
                        xs[2..].iter().map(|v| v.to_string()).collect::<Vec<_>>().join(" x "),
                        size
                    )));
                }
                output.push(size as usize);
            }
            check_dtypes(input, weight, bias, true)?;
            let spec = ConvSpec {
                stride: to_usize(&stride),
                padding: to_usize(&padding),
                dilation: to_usize(&dilation),
                groups: g,
            };
            conv_backward_input(input, weight, bias, &spec, &output, NODE)
        })
    }
}

/// The bias must be 1-D with one entry per output channel.
fn check_bias(bias: Option<&Tensor>, channels: usize, given: impl Fn() -> String) -> Result<()> {
    match bias {
        Some(b) if b.ndim() != 1 || b.shape()[0] != channels => Err(runtime(format!(
            "{}, expected bias to be 1-dimensional with {channels} elements, but got bias of size {} instead",
            given(),
            sizes(b.shape())
        ))),
        _ => Ok(()),
    }
}

/// A transposed convolution's output padding must be smaller than its stride or dilation.
fn check_output_padding(output_padding: &[i64], stride: &[i64], dilation: &[i64]) -> Result<()> {
    let ok = (0..output_padding.len())
        .all(|d| output_padding[d] < stride[d] || output_padding[d] < dilation[d]);
    if ok {
        return Ok(());
    }
    // PyTorch's message names height and width (depth too for 3-D); 1-D gets width only.
    let names: &[&str] = match output_padding.len() {
        1 => &["width"],
        2 => &["height", "width"],
        _ => &["depth", "height", "width"],
    };
    let part = |what: &str, v: &[i64]| {
        names
            .iter()
            .zip(v)
            .map(|(n, x)| format!("{what}_{n}: {x}"))
            .collect::<Vec<_>>()
            .join(" ")
    };
    Err(runtime(format!(
        "output padding must be smaller than either stride or dilation, but got {} {} {}",
        part("output_padding", output_padding),
        part("stride", stride),
        part("dilation", dilation)
    )))
}
