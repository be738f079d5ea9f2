import Foundation
import Testing
@testable import xLSTMTensor

/// ``adviseHugePages(_:)`` through ``uninitializedArray(count:)``: on Linux
/// with transparent huge pages for advised memory only (`[madvise]`, this
/// machine kind's setting), the kernel reports an advised array's mapping
/// as eligible for huge pages and an unadvised one of the same size as not.
@Suite struct HugePagesTests {
    /// The active choice in /sys/kernel/mm/transparent_hugepage/enabled, or nil.
    static var transparentHugePageMode: String? {
        guard let text = try? String(contentsOfFile: "/sys/kernel/mm/transparent_hugepage/enabled", encoding: .utf8),
            let open = text.firstIndex(of: "["), let close = text.firstIndex(of: "]"), open < close
        else { return nil }
        return String(text[text.index(after: open)..<close])
    }

    /// The `THPeligible` field of the mapping in /proc/self/smaps that holds `address`.
    static func hugePageEligible(_ address: UnsafeRawPointer) throws -> Bool {
        // Read to the end through a handle: /proc files report a size of 0.
        guard let handle = FileHandle(forReadingAtPath: "/proc/self/smaps") else { throw HugePagesTestError.noSmaps }
        let smaps = String(decoding: handle.readDataToEndOfFile(), as: UTF8.self)
        let target = UInt(bitPattern: address)
        var inside = false
        for line in smaps.split(separator: "\n") {
            let fields = line.split(separator: " ", omittingEmptySubsequences: true)
            if let range = fields.first, range.contains("-"), !range.hasSuffix(":") {
                let bounds = range.split(separator: "-").compactMap { UInt($0, radix: 16) }
                inside = bounds.count == 2 && bounds[0] <= target && target < bounds[1]
            } else if inside, fields.first == "THPeligible:", fields.count > 1 {
                return fields[1] == "1"
            }
        }
        throw HugePagesTestError.noField(target)
    }

    enum HugePagesTestError: Error { case noSmaps, noField(UInt) }

    @Test(.enabled(if: transparentHugePageMode == "madvise", "needs Linux with transparent huge pages for advised memory"))
    func advisedArrayIsEligibleAndPlainOneIsNot() throws {
        let count = 16 << 20  // 64 MiB of Float: a fresh mapping, with whole aligned huge pages inside
        let advised: [Float] = uninitializedArray(count: count)
        let plain = [Float](unsafeUninitializedCapacity: count) { _, initialized in initialized = count }
        // The middle of each buffer lies inside its 2 MiB-aligned part.
        let advisedMiddle = advised.withUnsafeBufferPointer { UnsafeRawPointer($0.baseAddress! + count / 2) }
        let plainMiddle = plain.withUnsafeBufferPointer { UnsafeRawPointer($0.baseAddress! + count / 2) }
        let advisedEligible = try Self.hugePageEligible(advisedMiddle)
        let plainEligible = try Self.hugePageEligible(plainMiddle)
        withExtendedLifetime((advised, plain)) {}  // both mapped while smaps was read
        #expect(advisedEligible)
        #expect(!plainEligible)
    }

    @Test func fullFillsEveryElement() {
        let tensor = Tensor<Float>.full(2.5, shape: [4, 1 << 20])  // 16 MiB: advised
        #expect(tensor.scalars.allSatisfy { $0 == 2.5 })
    }
}
