//! Element types (dtypes): the `DType` enum with its names, sizes and categories, and the
//! process-wide default float dtype. Type promotion, `Scalar` and the `Element` trait are
//! submodules, re-exported here so that every `crate::dtype::X` path names them directly.

use std::sync::atomic::{AtomicU8, Ordering};

mod element;
mod promotion;
mod scalar;

pub use element::Element;
pub use promotion::{promote_types, result_type, Operand, ResultType};
pub use scalar::Scalar;

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
