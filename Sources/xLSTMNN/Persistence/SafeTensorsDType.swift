// The format is little-endian, and the reader and writer copy tensor data
// as it lies in memory: every platform the package builds for is little-endian.
#if _endian(big)
#error("the safetensors reader and writer assume a little-endian host")
#endif

/// The element types the safetensors format defines, by their names in a
/// header. The reader converts the floating-point ones (F16, BF16, F32, F64)
/// to the tensor's scalar type; the writer writes F32 and F64.
public enum SafeTensorsDType: String, CaseIterable, Sendable {
    /// Booleans, one byte each.
    case bool = "BOOL"
    /// Unsigned 8-bit integers.
    case u8 = "U8"
    /// Signed 8-bit integers.
    case i8 = "I8"
    /// 8-bit floats, 5 exponent and 2 mantissa bits.
    case f8e5m2 = "F8_E5M2"
    /// 8-bit floats, 4 exponent and 3 mantissa bits.
    case f8e4m3 = "F8_E4M3"
    /// Signed 16-bit integers.
    case i16 = "I16"
    /// Unsigned 16-bit integers.
    case u16 = "U16"
    /// IEEE half precision (read, converted).
    case f16 = "F16"
    /// bfloat16 (read, converted).
    case bf16 = "BF16"
    /// Signed 32-bit integers.
    case i32 = "I32"
    /// Unsigned 32-bit integers.
    case u32 = "U32"
    /// IEEE single precision (read and written).
    case f32 = "F32"
    /// IEEE double precision (read and written).
    case f64 = "F64"
    /// Signed 64-bit integers.
    case i64 = "I64"
    /// Unsigned 64-bit integers.
    case u64 = "U64"

    /// Bytes per element.
    public var size: Int {
        switch self {
        case .bool, .u8, .i8, .f8e5m2, .f8e4m3: 1
        case .i16, .u16, .f16, .bf16: 2
        case .i32, .u32, .f32: 4
        case .f64, .i64, .u64: 8
        }
    }

    /// Whether ``SafeTensorsFile/tensor(_:as:)`` converts this type.
    public var isReadableAsFloatingPoint: Bool { [.f16, .bf16, .f32, .f64].contains(self) }
}

/// IEEE half precision to `Float`, from the bits: `Float16` is not available
/// on every platform the package builds for (x86-64 macOS lacks it).
@inline(__always)
func floatFromHalf(_ bits: UInt16) -> Float {
    let sign = UInt32(bits & 0x8000) << 16
    let exponent = Int((bits >> 10) & 0x1F)
    let mantissa = UInt32(bits & 0x3FF)
    switch exponent {
    case 0:
        // Zero or subnormal: mantissa * 2^-24, exact in Float.
        let magnitude = Float(mantissa) * 0x1p-24
        return sign == 0 ? magnitude : -magnitude
    case 0x1F:
        return Float(bitPattern: sign | 0x7F80_0000 | (mantissa << 13))
    default:
        return Float(bitPattern: sign | UInt32(exponent + 112) << 23 | (mantissa << 13))
    }
}

/// bfloat16 to `Float`: the upper half of a Float's bits.
@inline(__always)
func floatFromBFloat16(_ bits: UInt16) -> Float {
    Float(bitPattern: UInt32(bits) << 16)
}
