import xLSTMTensor

/// A module that a value describes completely: the configuration (written
/// to a checkpoint's `config.json`) rebuilds it without code, and its
/// parameters then load by name.
public protocol ConfigurableModule: Module {
    /// Every constructor argument, as a value.
    associatedtype Configuration: Codable & Equatable & Sendable
    /// The name `config.json` records, checked when a checkpoint is opened
    /// as this type (for example `"sLSTM"`).
    static var modelName: String { get }
    /// The configuration this module was built from.
    var configuration: Configuration { get }
    /// A freshly initialized module of `configuration`'s shape.
    ///
    /// - Throws: `xLSTMError` naming the first invalid field.
    init(configuration: Configuration) throws(xLSTMError)
}
