// 16-bit elements in the map kernels (see map.rs, View::Packed): a kernel reads an element's
// 16 bits as a u32 and widens them to what it computes with, float32 for float16 and bfloat16
// (exactly) and int32 for int16; a result is narrowed back to 16 bits as the CPU's casts do:
// floats rounded to nearest with ties to even, NaN kept quiet with its top payload bits, and
// integers keeping their low bits. WGSL's pack2x16float leaves the rounding to the
// implementation, and GPUs may flush float16 subnormals, so all of it is integer arithmetic.

fn f16_to_f32(h: u32) -> f32 {
    let sign = (h & 0x8000u) << 16u;
    let exponent = (h >> 10u) & 0x1fu;
    let mantissa = h & 0x3ffu;
    if exponent == 0x1fu {
        return bitcast<f32>(sign | 0x7f800000u | (mantissa << 13u)); // infinity or NaN
    }
    if exponent == 0u {
        // Zero or subnormal: mantissa 2^-24, exact (and normal) in float32.
        let v = f32(mantissa) * 5.9604644775390625e-8;
        return select(v, -v, sign != 0u);
    }
    return bitcast<f32>(sign | ((exponent + 112u) << 23u) | (mantissa << 13u));
}

// `kept` (an integer) plus the rounding of the `shift` bits below it, `rest`: up when they are
// above one half, or exactly one half and `kept` is odd.
fn round_half_even(kept: u32, rest: u32, shift: u32) -> u32 {
    let half = 1u << (shift - 1u);
    return kept + select(0u, 1u, rest > half || (rest == half && (kept & 1u) == 1u));
}

fn f32_to_f16(x: f32) -> u32 {
    let b = bitcast<u32>(x);
    let sign = (b >> 16u) & 0x8000u;
    let exponent = (b >> 23u) & 0xffu;
    let mantissa = b & 0x7fffffu;
    if exponent == 0xffu {
        return sign | 0x7c00u | select(0u, 0x200u | (mantissa >> 13u), mantissa != 0u);
    }
    if exponent > 142u {
        return sign | 0x7c00u; // beyond float16's range: infinity
    }
    if exponent >= 113u {
        // Normal in float16; a carry out of the mantissa moves into the exponent (up to
        // infinity), which is the right rounding too.
        let kept = ((exponent - 112u) << 10u) | (mantissa >> 13u);
        return sign | round_half_even(kept, mantissa & 0x1fffu, 13u);
    }
    if exponent < 102u {
        return sign; // below half the least subnormal (or a float32 subnormal): zero
    }
    // A float16 subnormal: the value in units of 2^-24, rounded (to the least normal at most).
    let full = mantissa | 0x800000u;
    let shift = 126u - exponent;
    return sign | round_half_even(full >> shift, full & ((1u << shift) - 1u), shift);
}

fn bf16_to_f32(h: u32) -> f32 {
    return bitcast<f32>(h << 16u);
}

fn f32_to_bf16(x: f32) -> u32 {
    let b = bitcast<u32>(x);
    if (b & 0x7fffffffu) > 0x7f800000u {
        return (b >> 16u) | 0x40u; // NaN, kept quiet
    }
    return round_half_even(b >> 16u, b & 0xffffu, 16u);
}

fn i16_to_i32(h: u32) -> i32 {
    return bitcast<i32>(h << 16u) >> 16u;
}

fn i32_to_i16(v: i32) -> u32 {
    return bitcast<u32>(v) & 0xffffu;
}
