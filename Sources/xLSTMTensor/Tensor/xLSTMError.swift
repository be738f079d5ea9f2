/// The error every check in the library reports: which argument was wrong,
/// what was expected and what was received.
///
/// Throwing entry points (`sLSTM.forward`, `sLSTM(configuration:)`,
/// `Tensor(shape:scalars:)`, optimizers, schedules, ...) throw it; operators
/// and initializers that Swift's conventions make non-throwing (`a + b`,
/// `Linear(...)`, `slstm(x)`) stop the process with this error's
/// `description` on standard error, in debug and release builds alike.
public struct xLSTMError: Error, Equatable, CustomStringConvertible, Sendable {
    /// The argument at fault, as the caller spelled it (`"input"`, `"dropout"`).
    public let argument: String
    /// What the library expected, in words or as a shape.
    public let expected: String
    /// What it received.
    public let received: String

    /// An error about `argument`: what was expected and what was received.
    public init(argument: String, expected: String, received: String) {
        self.argument = argument
        self.expected = expected
        self.received = received
    }

    public var description: String {
        "invalid \(argument): expected \(expected), received \(received)"
    }
}

/// Throws an ``xLSTMError`` unless `condition` holds.
@inline(__always)
package func require(
    _ condition: Bool, _ argument: @autoclosure () -> String,
    expected: @autoclosure () -> String, received: @autoclosure () -> String
) throws(xLSTMError) {
    if !condition {
        throw xLSTMError(argument: argument(), expected: expected(), received: received())
    }
}

/// Runs a check and turns its error into a trap carrying the error's
/// message: the non-throwing entry points use it.
@inline(__always)
package func orTrap<T>(_ body: () throws(xLSTMError) -> T) -> T {
    do {
        return try body()
    } catch {
        trap(error)
    }
}

/// Stops the process with `error`'s message on standard error.
///
/// `fatalError`, not `precondition`: `-O` builds drop the message of
/// `precondition` and `preconditionFailure` ("precondition failure", no
/// text), and a release build is what users run.
package func trap(_ error: xLSTMError) -> Never {
    fatalError(error.description)
}

/// Formats a shape the way error messages and descriptions show it: `[2, 3]`.
package func shapeText(_ shape: [Int]) -> String {
    "[" + shape.map(String.init).joined(separator: ", ") + "]"
}
