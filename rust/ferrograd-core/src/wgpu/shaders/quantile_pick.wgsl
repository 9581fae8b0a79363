// `quantile` and `nanquantile` from sorted lanes (see quantile.rs): thread t computes
// quantile t / lanes of lane t % lanes. A lane's m ranked elements are its numbers
// (`nanquantile`), or all n when it holds no NaN (`quantile`; a lane with a NaN gives its
// last element, a NaN, as on the CPU).
//
// The rank q (m - 1) is computed exactly, as the CPU's float64 rank is: q = M 2^-s with a
// 24-bit integer M, so q (m - 1) is the 56-bit integer M (m - 1) shifted right by s, whose
// integer part and fraction fall apart exactly. The linear weight is the fraction rounded
// once to float32, as the CPU rounds its float64 weight.
//
// shape_info: [threads (quantiles * lanes), lanes, n, inner, ignore nan, interpolation
//              (0 linear, 1 lower, 2 higher, 3 midpoint, 4 nearest), q offset]

// x >> s for an unsigned 64-bit x.
fn u64_shift_right(x: vec2<u32>, s: u32) -> vec2<u32> {
    if s >= 64u {
        return vec2<u32>(0u);
    }
    if s >= 32u {
        return vec2<u32>(x.y >> (s - 32u), 0u);
    }
    if s == 0u {
        return x;
    }
    return vec2<u32>((x.x >> s) | (x.y << (32u - s)), x.y >> s);
}

// x mod 2^s for an unsigned 64-bit x.
fn u64_low_bits(x: vec2<u32>, s: u32) -> vec2<u32> {
    if s >= 64u {
        return x;
    }
    if s >= 32u {
        return vec2<u32>(x.x, x.y & ((1u << (s - 32u)) - 1u));
    }
    return vec2<u32>(x.x & ((1u << s) - 1u), 0u);
}

// 2^(s - 1), the fraction one half, as an unsigned 64-bit value (all ones past 64 bits: no
// 56-bit fraction reaches it).
fn u64_half(s: u32) -> vec2<u32> {
    if s > 64u {
        return vec2<u32>(0xffffffffu);
    }
    if s > 32u {
        return vec2<u32>(0u, 1u << (s - 33u));
    }
    return vec2<u32>(1u << (s - 1u), 0u);
}

// The CPU's lerp (PyTorch's vectorised form): from the nearer end.
fn lerp_from_nearer(start: f32, end: f32, weight: f32) -> f32 {
    let diff = end - start;
    if abs(weight) < 0.5 {
        return fma(weight, diff, start);
    }
    return fma(weight - 1.0, diff, end);
}

fn sorted_at(lane: u32, rank: u32) -> f32 {
    let n = shape_info[2];
    let inner = shape_info[3];
    return sorted[((lane / inner) * n + rank) * inner + lane % inner];
}

fn run(t: u32) {
    let lanes = shape_info[1];
    let n = shape_info[2];
    let lane = t % lanes;
    let nans = nan_counts[lane].x;
    var last = n - 1u; // m - 1
    if shape_info[4] != 0u {
        // A lane of NaNs only ranks at 0 (the CPU's max(q * -1, 0)), its first NaN.
        last = select(n - nans - 1u, 0u, nans == n);
    } else if nans > 0u {
        out[t] = sorted_at(lane, n - 1u);
        return;
    }
    let q = qs[shape_info[6] + t / lanes];
    let exponent = (q >> 23u) & 0xffu;
    let mantissa = select(q & 0x7fffffu, (q & 0x7fffffu) | 0x800000u, exponent != 0u);
    let shift = 150u - max(exponent, 1u); // q = mantissa 2^-shift, shift >= 23 as q <= 1
    let product = u32_mul_wide(mantissa, last);
    let whole = u64_shift_right(product, shift).x;
    let fraction = u64_low_bits(product, shift);
    let above = whole + select(0u, 1u, any(fraction != vec2<u32>(0u)));
    let how = shape_info[5];
    var below = whole;
    if how == 2u {
        below = above;
    } else if how == 4u {
        // Half to even, as the CPU rounds the rank.
        let half = u64_half(shift);
        let up = u64_less(half, fraction) || (all(half == fraction) && (whole & 1u) == 1u);
        below = select(whole, whole + 1u, up);
    }
    let lo = sorted_at(lane, min(below, n - 1u));
    if how == 1u || how == 2u || how == 4u {
        out[t] = lo;
        return;
    }
    let hi = sorted_at(lane, min(above, n - 1u));
    var weight = 0.5;
    if how == 0u {
        weight = scale2(i64_to_f32(fraction), -i32(shift));
    }
    out[t] = lerp_from_nearer(lo, hi, weight);
}
