import Foundation

/// xoshiro256** (Blackman and Vigna): small, fast and good enough for
/// initialization and dropout masks. Seeded through SplitMix64 so that any
/// 64-bit seed gives a well-mixed state.
///
/// Codable, so that a checkpoint can store where a generator stands: its
/// four state words as 16-digit hexadecimal strings (a JSON number cannot
/// carry 64 bits exactly in every reader).
public struct Xoshiro256: RandomNumberGenerator, Sendable, Equatable, Codable {
    private var state: (UInt64, UInt64, UInt64, UInt64)

    /// A generator whose sequence is fixed by `seed`.
    public init(seed: UInt64) {
        var splitMix = seed
        func next() -> UInt64 {
            splitMix &+= 0x9E37_79B9_7F4A_7C15
            var z = splitMix
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
        state = (next(), next(), next(), next())
    }

    public static func == (a: Xoshiro256, b: Xoshiro256) -> Bool { a.state == b.state }

    /// Decodes the four state words written by ``encode(to:)``.
    public init(from decoder: any Decoder) throws {
        var container = try decoder.unkeyedContainer()
        var words: [UInt64] = []
        for _ in 0..<4 {
            let text = try container.decode(String.self)
            guard text.count == 16, let word = UInt64(text, radix: 16) else {
                throw DecodingError.dataCorruptedError(
                    in: container, debugDescription: "expected a 16-digit hexadecimal state word, received \(text)")
            }
            words.append(word)
        }
        guard words != [0, 0, 0, 0] else {
            throw DecodingError.dataCorruptedError(in: container, debugDescription: "the all-zero state never leaves zero")
        }
        state = (words[0], words[1], words[2], words[3])
    }

    /// Encodes the four state words as 16-digit hexadecimal strings.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.unkeyedContainer()
        for word in [state.0, state.1, state.2, state.3] {
            let digits = String(word, radix: 16)
            try container.encode(String(repeating: "0", count: 16 - digits.count) + digits)
        }
    }

    /// The next 64 random bits.
    public mutating func next() -> UInt64 {
        let result = rotateLeft(state.1 &* 5, by: 7) &* 9
        let shifted = state.1 << 17
        state.2 ^= state.0
        state.3 ^= state.1
        state.1 ^= state.2
        state.0 ^= state.3
        state.2 ^= shifted
        state.3 = rotateLeft(state.3, by: 45)
        return result
    }

    private func rotateLeft(_ value: UInt64, by amount: UInt64) -> UInt64 {
        (value << amount) | (value >> (64 - amount))
    }
}

/// The library's default source of randomness (parameter initialization and
/// dropout masks), like PyTorch's global generator: `Random.seed(42)` makes a
/// single-threaded run reproducible. `Random.withSeed(42) { ... }` gives the
/// code inside a generator of its own, unaffected by other tasks drawing at
/// the same time (concurrent tests, two models built on two threads).
public enum Random {
    private final class Shared: @unchecked Sendable {
        let lock = NSLock()
        var generator: Xoshiro256
        init(seed: UInt64) { generator = Xoshiro256(seed: seed) }
    }
    private static let global = Shared(seed: 0x5EED)
    @TaskLocal private static var scoped: Shared?

    /// Restarts the default generator from `seed`.
    public static func seed(_ seed: UInt64) {
        global.lock.withLock { global.generator = Xoshiro256(seed: seed) }
    }

    /// Runs `body` with a generator of its own, started from `seed`: every
    /// draw the library makes inside `body` on this task comes from it.
    public static func withSeed<R>(_ seed: UInt64, _ body: () throws -> R) rethrows -> R {
        try $scoped.withValue(Shared(seed: seed), operation: body)
    }

    /// Where the current generator stands (the scoped one inside
    /// ``withSeed(_:_:)``, else the default): what a checkpoint stores so
    /// that a resumed run draws the same initialization and dropout masks as
    /// one that never stopped. Setting it puts the generator there.
    public static var state: Xoshiro256 {
        get { withGenerator { $0 } }
        set { withGenerator { $0 = newValue } }
    }

    /// Runs `body` with exclusive use of the current generator.
    package static func withGenerator<R>(_ body: (inout Xoshiro256) throws -> R) rethrows -> R {
        let shared = scoped ?? global
        return try shared.lock.withLock { try body(&shared.generator) }
    }
}
