import xLSTMTensor

/// A trainable component: named parameters, child modules and a
/// training/evaluation mode, like `torch.nn.Module`.
///
/// Parameter names are stable (`"layers.0.weight"`): they are the keys of
/// checkpoints. A conforming type lists its own parameters and children in a
/// fixed order; the extension walks the tree.
public protocol Module<Scalar>: AnyObject {
    /// The scalar type of every parameter (`Float` or `Double`).
    associatedtype Scalar: TensorScalar
    /// The parameters this module owns directly, in a stable order.
    var ownParameters: [(name: String, tensor: Tensor<Scalar>)] { get }
    /// The direct children, in a stable order.
    var children: [(name: String, module: any Module<Scalar>)] { get }
    /// `true` in training mode (dropout active), `false` in evaluation mode.
    var isTraining: Bool { get set }
}

extension Module {
    public var ownParameters: [(name: String, tensor: Tensor<Scalar>)] { [] }
    public var children: [(name: String, module: any Module<Scalar>)] { [] }

    /// Every parameter of the tree, depth first, named by its path.
    public var namedParameters: [(name: String, tensor: Tensor<Scalar>)] {
        var all = ownParameters
        for (childName, child) in children {
            all += child.namedParameters.map { ("\(childName).\($0.name)", $0.tensor) }
        }
        return all
    }

    /// Every parameter of the tree, in the order of `namedParameters`.
    public var parameters: [Tensor<Scalar>] { namedParameters.map(\.tensor) }

    /// The number of trainable scalars in the tree (the sum of the
    /// parameters' element counts).
    public var parameterCount: Int { parameters.reduce(0) { $0 + $1.count } }

    /// Switches the whole tree to training mode (`true`) or evaluation mode.
    public func train(_ training: Bool = true) {
        isTraining = training
        for (_, child) in children { child.train(training) }
    }

    /// Switches the whole tree to evaluation mode.
    public func eval() { train(false) }

    /// Clears the gradients of every parameter.
    public func zeroGrad() {
        for parameter in parameters { parameter.zeroGrad() }
    }
}
