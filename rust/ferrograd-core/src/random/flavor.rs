//! Which PyTorch CPU build's floating-point arithmetic the samplers reproduce.
//!
//! The random *bits* PyTorch draws never depend on the machine, but the arithmetic turning them
//! into floats does, in two independent ways:
//!
//! * **FMA contraction.** PyTorch's CPU kernels are compiled once per capability. The AVX2 and
//!   AVX-512 builds are compiled with `-mfma` and GCC's default `-ffp-contract=fast`, so
//!   expressions like `x * (to - from) + from` (uniform) and `z * std + mean` (serial normal) are
//!   fused into one rounding; the baseline x86-64 ("default") build has no FMA and rounds twice.
//! * **The vectorised normal fill.** For `float32`/`float16`/`bfloat16` tensors of 16 or more
//!   contiguous elements, the AVX2 build transforms uniforms with the Cephes-style polynomial
//!   `log`/`sincos` of `avx_mathfun.h`, not libm. PyTorch registers no AVX-512 version of that
//!   kernel, so AVX-512 machines run the AVX2 one too (checked against PyTorch 2.15: the
//!   `avx2` and `avx512` capabilities give identical bits for every sampler here).

use std::sync::OnceLock;

/// The arithmetic flavour of the PyTorch build being imitated.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct KernelFlavor {
    /// Multiply-adds inside the samplers are fused (one rounding) as GCC does with `-mfma`.
    pub fused_multiply_add: bool,
    /// `float32`-opmath normal fills use the AVX2 `avx_mathfun` polynomials instead of libm.
    pub avx2_normal_fill: bool,
}

impl KernelFlavor {
    /// PyTorch on an x86-64 CPU with AVX2+FMA or AVX-512: what virtually every desktop,
    /// laptop and server (and every recorded tutorial output) uses. Verified bit for bit.
    pub const X86_AVX2: KernelFlavor = KernelFlavor {
        fused_multiply_add: true,
        avx2_normal_fill: true,
    };
    /// PyTorch's baseline x86-64 build (`ATEN_CPU_CAPABILITY=default`, or a CPU without AVX2).
    /// Verified bit for bit.
    pub const X86_DEFAULT: KernelFlavor = KernelFlavor {
        fused_multiply_add: false,
        avx2_normal_fill: false,
    };
    /// Best guess for GCC-built aarch64 Linux wheels: FMA contraction but the scalar normal
    /// fill. Not verified against a real ARM PyTorch (and macOS's libm differs from glibc's,
    /// so Apple machines cannot be matched exactly anyway).
    pub const AARCH64: KernelFlavor = KernelFlavor {
        fused_multiply_add: true,
        avx2_normal_fill: false,
    };

    /// The flavour PyTorch itself would pick on this machine, computed once per process.
    /// Honours `ATEN_CPU_CAPABILITY=default` the way PyTorch does.
    pub fn host() -> KernelFlavor {
        static HOST: OnceLock<KernelFlavor> = OnceLock::new();
        *HOST.get_or_init(detect_host)
    }
}

fn detect_host() -> KernelFlavor {
    let forced_default = std::env::var("ATEN_CPU_CAPABILITY")
        .map(|v| v.eq_ignore_ascii_case("default"))
        .unwrap_or(false);
    #[cfg(target_arch = "x86_64")]
    {
        // PyTorch only selects its AVX2 kernels when the CPU has both AVX2 and FMA.
        let has_avx2 =
            std::is_x86_feature_detected!("avx2") && std::is_x86_feature_detected!("fma");
        if has_avx2 && !forced_default {
            KernelFlavor::X86_AVX2
        } else {
            KernelFlavor::X86_DEFAULT
        }
    }
    #[cfg(target_arch = "aarch64")]
    {
        let _ = forced_default;
        KernelFlavor::AARCH64
    }
    #[cfg(not(any(target_arch = "x86_64", target_arch = "aarch64")))]
    {
        let _ = forced_default;
        KernelFlavor::X86_DEFAULT
    }
}
