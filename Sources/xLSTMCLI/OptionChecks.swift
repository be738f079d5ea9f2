import ArgumentParser

/// Throws ArgumentParser's `ValidationError` (printed as `Error: ...` with the
/// usage, exit status 64) unless `condition` holds; the message names the
/// option, what it takes and what it was given.
func requireOption(_ condition: Bool, _ option: String, expected: String, received: Any) throws {
    guard condition else { throw ValidationError("\(option): expected \(expected), received \(received)") }
}

/// Requires a positive count or size.
func requirePositive(_ value: Int, _ option: String) throws {
    try requireOption(value > 0, option, expected: "a positive whole number", received: value)
}

/// Parses `MIN-MAX` (for example `3-40`) into a range of lengths with 1 <= MIN <= MAX.
func lengthRange(_ text: String, _ option: String) throws -> ClosedRange<Int> {
    let parts = text.split(separator: "-", omittingEmptySubsequences: false)
    let bounds = parts.compactMap { Int($0) }
    guard parts.count == 2, bounds.count == 2, bounds[0] >= 1, bounds[0] <= bounds[1] else {
        throw ValidationError("\(option): expected MIN-MAX with 1 <= MIN <= MAX (for example 3-40), received \(text)")
    }
    return bounds[0]...bounds[1]
}
