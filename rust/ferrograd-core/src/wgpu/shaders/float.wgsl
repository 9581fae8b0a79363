// Float helpers shared by the kernels (prepended to their templates).
//
// WGSL lets shader compilers assume that no value is NaN, so `x != x` or `a != b` cannot be
// trusted to see one: NaN is tested by its bits instead.

fn is_nan(x: f32) -> bool {
    return (bitcast<u32>(x) & 0x7fffffffu) > 0x7f800000u;
}

// Whether neither operand is NaN (IEEE's ordered comparisons hold only then).
fn ordered(x: f32, y: f32) -> bool {
    return !is_nan(x) && !is_nan(y);
}

// Whether x counts as true: NaN does, which `x != 0.0` may not see.
fn is_nonzero(x: f32) -> bool {
    return (bitcast<u32>(x) & 0x7fffffffu) != 0u;
}

// PyTorch's result where WGSL's function is undefined (sqrt of a negative number). A function:
// WGSL cannot evaluate bitcast in a constant.
fn nan() -> f32 {
    return bitcast<f32>(0x7fc00000u);
}
