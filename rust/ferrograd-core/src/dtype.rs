//! Element types (dtypes), the `Element` trait kernels are generic over, and PyTorch's type promotion.

use std::sync::atomic::{AtomicU8, Ordering};

use half::{bf16, f16};

/// The element type of a tensor. The order of the variants is the order PyTorch lists them in
/// its promotion table, which is also the order used by [`DType::ALL`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum DType {
    Bool,
    U8,
    I8,
    I16,
    I32,
    I64,
    F16,
    BF16,
    F32,
    F64,
}

/// The three promotion categories: a value of a higher category always wins over a lower one,
/// whatever its priority class (dimensioned tensor, 0-dim tensor, Python scalar).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Category {
    Bool,
    Integer,
    Floating,
}

impl DType {
    pub const ALL: [DType; 10] = [
        DType::Bool,
        DType::U8,
        DType::I8,
        DType::I16,
        DType::I32,
        DType::I64,
        DType::F16,
        DType::BF16,
        DType::F32,
        DType::F64,
    ];

    /// PyTorch's name for the dtype, as in `torch.float32`.
    pub fn name(self) -> &'static str {
        match self {
            DType::Bool => "bool",
            DType::U8 => "uint8",
            DType::I8 => "int8",
            DType::I16 => "int16",
            DType::I32 => "int32",
            DType::I64 => "int64",
            DType::F16 => "float16",
            DType::BF16 => "bfloat16",
            DType::F32 => "float32",
            DType::F64 => "float64",
        }
    }

    /// Parses a canonical name or one of PyTorch's aliases (`float`, `long`, `half`, ...).
    pub fn from_name(name: &str) -> Option<DType> {
        Some(match name {
            "bool" => DType::Bool,
            "uint8" => DType::U8,
            "int8" => DType::I8,
            "int16" | "short" => DType::I16,
            "int32" | "int" => DType::I32,
            "int64" | "long" => DType::I64,
            "float16" | "half" => DType::F16,
            "bfloat16" => DType::BF16,
            "float32" | "float" => DType::F32,
            "float64" | "double" => DType::F64,
            _ => return None,
        })
    }

    pub fn size_in_bytes(self) -> usize {
        match self {
            DType::Bool | DType::U8 | DType::I8 => 1,
            DType::I16 | DType::F16 | DType::BF16 => 2,
            DType::I32 | DType::F32 => 4,
            DType::I64 | DType::F64 => 8,
        }
    }

    pub fn category(self) -> Category {
        match self {
            DType::Bool => Category::Bool,
            DType::U8 | DType::I8 | DType::I16 | DType::I32 | DType::I64 => Category::Integer,
            DType::F16 | DType::BF16 | DType::F32 | DType::F64 => Category::Floating,
        }
    }

    pub fn is_floating_point(self) -> bool {
        self.category() == Category::Floating
    }

    pub fn is_integer(self) -> bool {
        self.category() == Category::Integer
    }

    pub fn is_signed(self) -> bool {
        !matches!(self, DType::Bool | DType::U8)
    }

    /// The C++ scalar type name PyTorch's messages use (`Float`, `Long`, `Bool`, ...).
    pub fn scalar_type_name(self) -> &'static str {
        match self {
            DType::Bool => "Bool",
            DType::U8 => "Byte",
            DType::I8 => "Char",
            DType::I16 => "Short",
            DType::I32 => "Int",
            DType::I64 => "Long",
            DType::F16 => "Half",
            DType::BF16 => "BFloat16",
            DType::F32 => "Float",
            DType::F64 => "Double",
        }
    }

    /// The C++ type name some of PyTorch's messages print (`float != double`, `long int`).
    pub fn cpp_type_name(self) -> &'static str {
        match self {
            DType::Bool => "bool",
            DType::U8 => "unsigned char",
            DType::I8 => "signed char",
            DType::I16 => "short int",
            DType::I32 => "int",
            DType::I64 => "long int",
            DType::F16 => "c10::Half",
            DType::BF16 => "c10::BFloat16",
            DType::F32 => "float",
            DType::F64 => "double",
        }
    }

    /// PyTorch's `canCast`: whether an op may write a result of dtype `self` into a tensor of
    /// dtype `to` (no float into integer, nothing but bool into bool).
    pub fn can_cast_to(self, to: DType) -> bool {
        !matches!(
            (self.category(), to.category()),
            (Category::Floating, Category::Integer | Category::Bool)
                | (Category::Integer, Category::Bool)
        )
    }

    /// The name of PyTorch's legacy tensor type for a CPU tensor of this dtype (`FloatTensor`).
    pub fn legacy_type_name(self) -> &'static str {
        match self {
            DType::Bool => "BoolTensor",
            DType::U8 => "ByteTensor",
            DType::I8 => "CharTensor",
            DType::I16 => "ShortTensor",
            DType::I32 => "IntTensor",
            DType::I64 => "LongTensor",
            DType::F16 => "HalfTensor",
            DType::BF16 => "BFloat16Tensor",
            DType::F32 => "FloatTensor",
            DType::F64 => "DoubleTensor",
        }
    }

    pub fn from_legacy_type_name(name: &str) -> Option<DType> {
        DType::ALL
            .into_iter()
            .find(|d| d.legacy_type_name() == name)
    }
}

impl std::fmt::Display for DType {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

/// Index into `DType::ALL` of the default float dtype (float32 at start). It is process-wide,
/// as `torch.set_default_dtype` is.
static DEFAULT_FLOAT: AtomicU8 = AtomicU8::new(8);

/// The dtype of Python floats and of float results computed from integer inputs (`exp` of an
/// int64 tensor, `mean`, ...): PyTorch's default dtype.
pub fn default_float() -> DType {
    DType::ALL[DEFAULT_FLOAT.load(Ordering::Relaxed) as usize]
}

/// Sets the default float dtype; non-float dtypes are refused (the caller reports the error).
pub fn set_default_float(dtype: DType) -> bool {
    match DType::ALL.iter().position(|&d| d == dtype) {
        Some(i) if dtype.is_floating_point() => {
            DEFAULT_FLOAT.store(i as u8, Ordering::Relaxed);
            true
        }
        _ => false,
    }
}

/// The dtype two tensors of the same priority class promote to (PyTorch's `promoteTypes`).
pub fn promote_types(a: DType, b: DType) -> DType {
    use DType::*;
    if a == b {
        return a;
    }
    match (a.category(), b.category()) {
        (Category::Bool, _) => b,
        (_, Category::Bool) => a,
        (Category::Floating, Category::Floating) => match (a, b) {
            // Neither half format can hold the other's values: meet in float32.
            (F16, BF16) | (BF16, F16) => F32,
            _ => a.max(b),
        },
        (Category::Floating, _) => a,
        (_, Category::Floating) => b,
        (Category::Integer, Category::Integer) => match (a, b) {
            // uint8 and int8 each hold values the other cannot: int16 holds both.
            (U8, I8) | (I8, U8) => I16,
            _ => a.max(b),
        },
    }
}

/// How an operand takes part in type promotion. PyTorch gives dimensioned tensors priority over
/// 0-dim tensors, and those over Python scalars, but only within one category.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Operand {
    Tensor(DType),
    ZeroDimTensor(DType),
    /// A Python number: `bool`, `int` (int64) or `float` (stands for the default dtype).
    Scalar(DType),
}

/// Accumulates operands the way PyTorch's `ResultTypeState` does.
#[derive(Clone, Copy, Debug, Default)]
pub struct ResultType {
    dimensioned: Option<DType>,
    zero_dim: Option<DType>,
    scalar: Option<DType>,
}

fn promote_opt(acc: Option<DType>, d: DType) -> Option<DType> {
    Some(acc.map_or(d, |a| promote_types(a, d)))
}

/// PyTorch's `combine_categories`: the higher priority class wins unless the lower one brings a
/// higher category (a float scalar makes an integer tensor float; a bool tensor takes anything).
fn combine_categories(higher: Option<DType>, lower: Option<DType>) -> Option<DType> {
    match (higher, lower) {
        (None, l) => l,
        (Some(h), None) => Some(h),
        (Some(h), Some(l)) => {
            if h.is_floating_point() {
                Some(h)
            } else if h == DType::Bool || l.is_floating_point() {
                Some(promote_types(h, l))
            } else {
                Some(h)
            }
        }
    }
}

impl ResultType {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn with(mut self, operand: Operand) -> Self {
        match operand {
            Operand::Tensor(d) => self.dimensioned = promote_opt(self.dimensioned, d),
            Operand::ZeroDimTensor(d) => self.zero_dim = promote_opt(self.zero_dim, d),
            Operand::Scalar(d) => self.scalar = promote_opt(self.scalar, d),
        }
        self
    }

    /// The promoted dtype, or `None` when no operand was added.
    pub fn finish(self) -> Option<DType> {
        combine_categories(
            self.dimensioned,
            combine_categories(self.zero_dim, self.scalar),
        )
    }
}

/// The result dtype of an op over the given operands (PyTorch's `torch.result_type`).
pub fn result_type(operands: &[Operand]) -> Option<DType> {
    operands
        .iter()
        .fold(ResultType::new(), |acc, &op| acc.with(op))
        .finish()
}

/// A Python-style scalar: what `item()` returns and what `fill_`/`full` take.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Scalar {
    Bool(bool),
    Int(i64),
    Float(f64),
}

impl Scalar {
    /// The dtype PyTorch gives a Python number of this kind (floats take the default dtype).
    pub fn natural_dtype(self, default_float: DType) -> DType {
        match self {
            Scalar::Bool(_) => DType::Bool,
            Scalar::Int(_) => DType::I64,
            Scalar::Float(_) => default_float,
        }
    }

    pub fn to_f64(self) -> f64 {
        match self {
            Scalar::Bool(b) => b as u8 as f64,
            Scalar::Int(i) => i as f64,
            Scalar::Float(f) => f,
        }
    }

    /// Converts to an element type with the same rules as a tensor cast.
    pub fn cast<T: Element>(self) -> T {
        match self {
            Scalar::Bool(b) => T::from_bool(b),
            Scalar::Int(i) => T::from_i64(i),
            Scalar::Float(f) => T::from_f64(f),
        }
    }
}

/// A type a tensor can hold. Conversions follow C++'s `static_cast` as PyTorch uses it:
/// floats truncate toward zero when cast to integers (out-of-range values as x86 gives them),
/// integers wrap, anything non-zero is `true`.
pub trait Element: Copy + Send + Sync + PartialOrd + Default + std::fmt::Debug + 'static {
    const DTYPE: DType;
    fn to_f64(self) -> f64;
    fn from_f64(v: f64) -> Self;
    fn to_i64(self) -> i64;
    fn from_i64(v: i64) -> Self;
    fn to_bool(self) -> bool;
    fn from_bool(v: bool) -> Self;

    /// Casts between element types. Integer targets go through i64 so that large integers keep
    /// every bit; float targets go through f64.
    #[inline]
    fn cast_to<U: Element>(self) -> U {
        if U::DTYPE == DType::Bool {
            U::from_bool(self.to_bool())
        } else if U::DTYPE.is_floating_point() || Self::DTYPE.is_floating_point() {
            U::from_f64(self.to_f64())
        } else {
            U::from_i64(self.to_i64())
        }
    }

    fn to_scalar(self) -> Scalar {
        match Self::DTYPE.category() {
            Category::Bool => Scalar::Bool(self.to_bool()),
            Category::Integer => Scalar::Int(self.to_i64()),
            Category::Floating => Scalar::Float(self.to_f64()),
        }
    }
}

const TWO_POW_63: f64 = 9_223_372_036_854_775_808.0;

/// C++'s float-to-integer cast as x86 performs it (`cvttsd2si`): truncate toward zero, and NaN
/// or out-of-range values give the "integer indefinite" value, the type's minimum.
fn f64_to_i64_x86(v: f64) -> i64 {
    if !(-TWO_POW_63..TWO_POW_63).contains(&v) {
        i64::MIN
    } else {
        v as i64
    }
}

/// The same for 32-bit targets; PyTorch's narrower integer casts go through this and keep the
/// low bits (so `-129.0` becomes `127` as int8).
fn f64_to_i32_x86(v: f64) -> i32 {
    if !(-2_147_483_648.0..2_147_483_648.0).contains(&v) {
        i32::MIN
    } else {
        v as i32
    }
}

macro_rules! int_element {
    ($t:ty, $dt:expr, $from_float:expr) => {
        impl Element for $t {
            const DTYPE: DType = $dt;
            #[inline]
            fn to_f64(self) -> f64 {
                self as f64
            }
            #[inline]
            fn from_f64(v: f64) -> Self {
                $from_float(v) as $t
            }
            #[inline]
            fn to_i64(self) -> i64 {
                self as i64
            }
            #[inline]
            fn from_i64(v: i64) -> Self {
                v as $t
            }
            #[inline]
            fn to_bool(self) -> bool {
                self != 0
            }
            #[inline]
            fn from_bool(v: bool) -> Self {
                v as $t
            }
        }
    };
}

int_element!(u8, DType::U8, f64_to_i32_x86);
int_element!(i8, DType::I8, f64_to_i32_x86);
int_element!(i16, DType::I16, f64_to_i32_x86);
int_element!(i32, DType::I32, f64_to_i32_x86);
int_element!(i64, DType::I64, f64_to_i64_x86);

impl Element for bool {
    const DTYPE: DType = DType::Bool;
    #[inline]
    fn to_f64(self) -> f64 {
        self as u8 as f64
    }
    #[inline]
    fn from_f64(v: f64) -> Self {
        v != 0.0
    }
    #[inline]
    fn to_i64(self) -> i64 {
        self as i64
    }
    #[inline]
    fn from_i64(v: i64) -> Self {
        v != 0
    }
    #[inline]
    fn to_bool(self) -> bool {
        self
    }
    #[inline]
    fn from_bool(v: bool) -> Self {
        v
    }
}

macro_rules! float_element {
    ($t:ty, $dt:expr, $to:expr, $from:expr) => {
        impl Element for $t {
            const DTYPE: DType = $dt;
            #[inline]
            fn to_f64(self) -> f64 {
                $to(self)
            }
            #[inline]
            fn from_f64(v: f64) -> Self {
                $from(v)
            }
            #[inline]
            fn to_i64(self) -> i64 {
                $to(self) as i64
            }
            #[inline]
            fn from_i64(v: i64) -> Self {
                $from(v as f64)
            }
            #[inline]
            fn to_bool(self) -> bool {
                $to(self) != 0.0
            }
            #[inline]
            fn from_bool(v: bool) -> Self {
                $from(v as u8 as f64)
            }
        }
    };
}

float_element!(f32, DType::F32, |v: f32| v as f64, |v: f64| v as f32);
float_element!(f64, DType::F64, |v: f64| v, |v: f64| v);
float_element!(f16, DType::F16, f16::to_f64, f16::from_f64);
float_element!(bf16, DType::BF16, bf16::to_f64, bf16::from_f64);

/// Runs `$body` with `$T` bound to the Rust type of `$dtype`: the one place a runtime dtype
/// becomes a compile-time type.
#[macro_export]
macro_rules! with_dtype {
    ($dtype:expr, $T:ident => $body:expr) => {
        match $dtype {
            $crate::DType::Bool => {
                type $T = bool;
                $body
            }
            $crate::DType::U8 => {
                type $T = u8;
                $body
            }
            $crate::DType::I8 => {
                type $T = i8;
                $body
            }
            $crate::DType::I16 => {
                type $T = i16;
                $body
            }
            $crate::DType::I32 => {
                type $T = i32;
                $body
            }
            $crate::DType::I64 => {
                type $T = i64;
                $body
            }
            $crate::DType::F16 => {
                type $T = half::f16;
                $body
            }
            $crate::DType::BF16 => {
                type $T = half::bf16;
                $body
            }
            $crate::DType::F32 => {
                type $T = f32;
                $body
            }
            $crate::DType::F64 => {
                type $T = f64;
                $body
            }
        }
    };
}
