//! `avx2_dispatch!`: a generic kernel compiled twice, for the x86-64 baseline and for AVX2,
//! with the AVX2 copy chosen at run time when the CPU has it.
//!
//! The baseline has 128-bit vectors; AVX2 doubles them, which matters for the loops that
//! vectorise (lane sums, elementwise passes with a vectorisable `exp`/`tanh`). FMA is left off
//! on purpose: both copies do the same operations in the same order and give the same bits.

/// Defines `fn $name<T: Bounds>(args) -> ret`, which runs the `#[inline(always)]` `$body`
/// compiled for AVX2 when the CPU has it, and as compiled otherwise. The bounds are plain
/// trait names in scope where the macro is used.
macro_rules! avx2_dispatch {
    (
        $(#[$doc:meta])*
        $vis:vis fn $name:ident<T: $first:ident $(+ $bound:ident)*> => $body:ident($($arg:ident: $ty:ty),* $(,)?) $(-> $ret:ty)?
    ) => {
        $(#[$doc])*
        $vis fn $name<T: $first $(+ $bound)*>($($arg: $ty),*) $(-> $ret)? {
            #[cfg(target_arch = "x86_64")]
            {
                #[target_feature(enable = "avx2")]
                unsafe fn twin<T: $first $(+ $bound)*>($($arg: $ty),*) $(-> $ret)? {
                    $body::<T>($($arg),*)
                }
                if $crate::cpu::reduce_fold::has_avx2() {
                    // SAFETY: the CPU has AVX2 (checked just above).
                    return unsafe { twin::<T>($($arg),*) };
                }
            }
            $body::<T>($($arg),*)
        }
    };
}
pub(crate) use avx2_dispatch;
