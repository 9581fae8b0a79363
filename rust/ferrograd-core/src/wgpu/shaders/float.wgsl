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

// Whether x counts as true: NaN does, which `x != 0.0` may not see, and so does a subnormal,
// which a GPU that flushes subnormals to zero (NVIDIA's) compares as 0.
fn is_nonzero(x: f32) -> bool {
    return (bitcast<u32>(x) & 0x7fffffffu) != 0u;
}

// Whether x is subnormal (and not zero), from its bits: a GPU that flushes subnormals to zero
// compares one as 0.
fn is_subnormal(x: f32) -> bool {
    let magnitude = bitcast<u32>(x) & 0x7fffffffu;
    return magnitude != 0u && magnitude < 0x00800000u;
}

// |x| by clearing the sign bit, which keeps a subnormal that abs() may flush.
fn abs_bits(x: f32) -> f32 {
    return bitcast<f32>(bitcast<u32>(x) & 0x7fffffffu);
}

// x > y for x and y not NaN, compared as integers: the bits of a float, its magnitude negated
// below 0, order as the floats do, but for -0 below +0, which are equal here as in IEEE. A
// float comparison whose result selects x or y is compiled to the hardware's max by NVIDIA's
// driver, which does not keep y's sign for equal zeros as the CPU does, and it takes a
// subnormal for 0.
fn greater(x: f32, y: f32) -> bool {
    let zeros = ((bitcast<u32>(x) | bitcast<u32>(y)) & 0x7fffffffu) == 0u;
    return !zeros && order_key(x) > order_key(y);
}

fn order_key(x: f32) -> i32 {
    let b = bitcast<i32>(x);
    return select(b, b ^ 0x7fffffff, b < 0);
}

// select(f, t, c) on the operands' bits (see `greater`).
fn pick(f: f32, t: f32, c: bool) -> f32 {
    return bitcast<f32>(select(bitcast<u32>(f), bitcast<u32>(t), c));
}

// PyTorch's result where WGSL's function is undefined (sqrt of a negative number). A function:
// WGSL cannot evaluate bitcast in a constant.
fn nan() -> f32 {
    return bitcast<f32>(0x7fc00000u);
}
