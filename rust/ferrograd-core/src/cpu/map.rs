//! The elementwise kernel families: `map` (one input), `zip` (two), `zip3` (three). Each takes
//! the scalar function of an op and applies it along a [`Plan`], with a tight inner loop for the
//! common run shapes (all unit-stride, one operand a broadcast scalar) that LLVM vectorises.

use super::iter::{Plan, Run, SendPtr};
use super::stream::{worth_streaming, write_run};
use crate::dtype::Element;

/// `out[i] = f(a[i])` over the plan `[out, a]`.
///
/// # Safety
/// The pointers must be valid for every offset the plan produces. `a` may alias `out` only
/// with the identical layout (each element is read before it is written, by the same thread).
pub unsafe fn map<A: Element, O: Element>(
    plan: &Plan<2>,
    out: *mut O,
    a: *const A,
    f: impl Fn(A) -> O + Sync,
) {
    let (out, a) = (SendPtr(out), SendPtr(a as *mut A));
    let stream = worth_streaming::<O>(plan.numel());
    plan.for_each_run(|run: Run<2>| {
        let (o, x) = (
            out.get().wrapping_add(run.starts[0]),
            a.get().wrapping_add(run.starts[1]),
        );
        // SAFETY: the caller guarantees every offset of the run is in bounds.
        unsafe {
            match run.steps {
                [1, 1] => map_unit(run.len, o, x, &f, stream),
                [1, 0] => fill_unit(run.len, o, f(*x), stream),
                [so, sa] => {
                    for i in 0..run.len {
                        *o.add(i * so) = f(*x.add(i * sa));
                    }
                }
            }
        }
    });
}

/// The unit-stride loop, compiled twice: for the baseline x86-64 and for AVX2 + FMA, picked
/// at run time (PyTorch dispatches on the CPU the same way); math like `exp` then runs eight
/// lanes at a time. With `stream`, the result goes out through streaming stores.
#[inline(always)]
unsafe fn map_unit<A: Copy, O: Copy>(
    len: usize,
    o: *mut O,
    x: *const A,
    f: &impl Fn(A) -> O,
    stream: bool,
) {
    #[cfg(target_arch = "x86_64")]
    if has_avx2_fma() {
        // SAFETY: the CPU has the features; the pointer contract is the caller's.
        return unsafe { map_unit_avx2(len, o, x, f, stream) };
    }
    // SAFETY: the caller's contract.
    unsafe { map_unit_any(len, o, x, f, stream) }
}

#[inline(always)]
unsafe fn map_unit_any<A: Copy, O: Copy>(
    len: usize,
    o: *mut O,
    x: *const A,
    f: &impl Fn(A) -> O,
    stream: bool,
) {
    // SAFETY: the caller's contract; a block of `x` is read before its result is written.
    unsafe {
        write_run(len, o, stream, |s, n, dst| {
            map_unit_plain(n, dst, x.add(s), f)
        })
    }
}

#[inline(always)]
unsafe fn map_unit_plain<A: Copy, O>(len: usize, o: *mut O, x: *const A, f: &impl Fn(A) -> O) {
    for i in 0..len {
        // SAFETY: in bounds by the caller's contract; raw pointers because `x` may alias `o`.
        unsafe { *o.add(i) = f(*x.add(i)) };
    }
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2,fma")]
unsafe fn map_unit_avx2<A: Copy, O: Copy>(
    len: usize,
    o: *mut O,
    x: *const A,
    f: &impl Fn(A) -> O,
    stream: bool,
) {
    // SAFETY: forwarded.
    unsafe { map_unit_any(len, o, x, f, stream) }
}

#[inline(always)]
unsafe fn zip_unit<A: Copy, B: Copy, O: Copy>(
    len: usize,
    o: *mut O,
    x: *const A,
    y: *const B,
    f: &impl Fn(A, B) -> O,
    stream: bool,
) {
    #[cfg(target_arch = "x86_64")]
    if has_avx2_fma() {
        // SAFETY: the CPU has the features; the pointer contract is the caller's.
        return unsafe { zip_unit_avx2(len, o, x, y, f, stream) };
    }
    // SAFETY: the caller's contract.
    unsafe { zip_unit_any(len, o, x, y, f, stream) }
}

#[inline(always)]
unsafe fn zip_unit_any<A: Copy, B: Copy, O: Copy>(
    len: usize,
    o: *mut O,
    x: *const A,
    y: *const B,
    f: &impl Fn(A, B) -> O,
    stream: bool,
) {
    // SAFETY: the caller's contract; a block of the inputs is read before its result is
    // written.
    unsafe {
        write_run(len, o, stream, |s, n, dst| {
            zip_unit_plain(n, dst, x.add(s), y.add(s), f)
        })
    }
}

#[inline(always)]
unsafe fn zip_unit_plain<A: Copy, B: Copy, O>(
    len: usize,
    o: *mut O,
    x: *const A,
    y: *const B,
    f: &impl Fn(A, B) -> O,
) {
    for i in 0..len {
        // SAFETY: in bounds by the caller's contract.
        unsafe { *o.add(i) = f(*x.add(i), *y.add(i)) };
    }
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2,fma")]
unsafe fn zip_unit_avx2<A: Copy, B: Copy, O: Copy>(
    len: usize,
    o: *mut O,
    x: *const A,
    y: *const B,
    f: &impl Fn(A, B) -> O,
    stream: bool,
) {
    // SAFETY: forwarded.
    unsafe { zip_unit_any(len, o, x, y, f, stream) }
}

#[cfg(target_arch = "x86_64")]
#[inline(always)]
fn has_avx2_fma() -> bool {
    std::is_x86_feature_detected!("avx2") && std::is_x86_feature_detected!("fma")
}

#[inline(always)]
unsafe fn fill_unit<O: Copy>(len: usize, o: *mut O, value: O, stream: bool) {
    // SAFETY: the caller's contract.
    unsafe {
        write_run(len, o, stream, |_, n, dst| {
            for i in 0..n {
                *dst.add(i) = value;
            }
        })
    }
}

/// `out[i] = f(a[i], b[i])` over the plan `[out, a, b]`.
///
/// # Safety
/// As for [`map`]; either input may alias `out` with the identical layout.
pub unsafe fn zip<A: Element, B: Element, O: Element>(
    plan: &Plan<3>,
    out: *mut O,
    a: *const A,
    b: *const B,
    f: impl Fn(A, B) -> O + Sync,
) {
    let (out, a, b) = (SendPtr(out), SendPtr(a as *mut A), SendPtr(b as *mut B));
    let stream = worth_streaming::<O>(plan.numel());
    plan.for_each_run(|run: Run<3>| {
        let o = out.get().wrapping_add(run.starts[0]);
        let x = a.get().wrapping_add(run.starts[1]);
        let y = b.get().wrapping_add(run.starts[2]);
        // SAFETY: the caller guarantees every offset of the run is in bounds.
        unsafe {
            match run.steps {
                [1, 1, 1] => zip_unit(run.len, o, x, y, &f, stream),
                [1, 1, 0] => {
                    let y = *y;
                    map_unit(run.len, o, x, &|v| f(v, y), stream);
                }
                [1, 0, 1] => {
                    let x = *x;
                    map_unit(run.len, o, y, &|v| f(x, v), stream);
                }
                [so, sa, sb] => {
                    for i in 0..run.len {
                        *o.add(i * so) = f(*x.add(i * sa), *y.add(i * sb));
                    }
                }
            }
        }
    });
}

/// `out[i] = f(a[i], b[i], c[i])` over the plan `[out, a, b, c]`.
///
/// # Safety
/// As for [`map`].
pub unsafe fn zip3<A: Element, B: Element, C: Element, O: Element>(
    plan: &Plan<4>,
    out: *mut O,
    a: *const A,
    b: *const B,
    c: *const C,
    f: impl Fn(A, B, C) -> O + Sync,
) {
    let out = SendPtr(out);
    let (a, b, c) = (
        SendPtr(a as *mut A),
        SendPtr(b as *mut B),
        SendPtr(c as *mut C),
    );
    plan.for_each_run(|run: Run<4>| {
        let [so, sa, sb, sc] = run.steps;
        let o = out.get().wrapping_add(run.starts[0]);
        let x = a.get().wrapping_add(run.starts[1]);
        let y = b.get().wrapping_add(run.starts[2]);
        let z = c.get().wrapping_add(run.starts[3]);
        for i in 0..run.len {
            // SAFETY: the caller guarantees every offset of the run is in bounds.
            unsafe { *o.add(i * so) = f(*x.add(i * sa), *y.add(i * sb), *z.add(i * sc)) };
        }
    });
}
