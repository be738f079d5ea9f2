/// One recorded operation of the define-by-run graph: its inputs (with the
/// version of each when it was read) and the function that maps gradients of
/// its outputs to gradients of its inputs. A backward pass frees it (see
/// ``Tensor/backward(_:retainGraph:)``).
package final class GradientNode<Scalar: TensorScalar> {
    private(set) var inputs: [Tensor<Scalar>]
    /// `inputs[i].version` when the operation read it.
    private let inputVersions: [Int]
    let outputShapes: [[Int]]
    /// `nil` once a backward pass has run through this node and freed it.
    private var backward: (([Tensor<Scalar>?]) -> [Tensor<Scalar>?])?

    init(
        inputs: [Tensor<Scalar>], outputShapes: [[Int]],
        backward: @escaping ([Tensor<Scalar>?]) -> [Tensor<Scalar>?]
    ) {
        self.inputs = inputs
        inputVersions = inputs.map(\.version)
        self.outputShapes = outputShapes
        self.backward = backward
    }

    var isFreed: Bool { backward == nil }

    /// Runs the recorded backward after checking that no input changed since
    /// the forward, then checks what it returned: one gradient (or `nil`) per
    /// input, each of its input's shape.
    func gradients(of outputGradients: [Tensor<Scalar>?]) -> [Tensor<Scalar>?] {
        guard let backward else { trap(Self.freedGraph) }
        for (input, version) in zip(inputs, inputVersions) where input.version != version {
            trap(
                xLSTMError(
                    argument: "backward()",
                    expected: "the tensors the forward pass read to be unchanged (one of shape \(shapeText(input.shape)) was read at version \(version))",
                    received: "version \(input.version): its values were changed after the forward pass (an optimizer step or an assignment); run the forward pass again after changing values"))
        }
        let gradients = backward(outputGradients)
        if gradients.count != inputs.count {
            trap(
                xLSTMError(
                    argument: "gradients of a recorded operation",
                    expected: "\(inputs.count) (one per input, nil for none)", received: "\(gradients.count)"))
        }
        for (index, (input, gradient)) in zip(inputs, gradients).enumerated() {
            if let gradient, gradient.shape != input.shape {
                trap(
                    xLSTMError(
                        argument: "gradients[\(index)] of a recorded operation",
                        expected: "shape \(shapeText(input.shape)) (its input's)",
                        received: "shape \(shapeText(gradient.shape))"))
            }
        }
        return gradients
    }

    /// Drops the backward and the inputs: what the forward saved for this
    /// node is released as soon as the backward pass is through it.
    func free() {
        backward = nil
        inputs = []
    }

    static var freedGraph: xLSTMError {
        xLSTMError(
            argument: "backward()",
            expected: "a graph that no earlier backward() has freed (pass retainGraph: true to the first backward() to run another through it; to carry a state across truncated-BPTT chunks, carry state.detached())",
            received: "a graph an earlier backward() freed")
    }

    /// Tears the graph above this node down with a loop instead of nested
    /// deinitializers: a graph thousands of operations deep (a long loop of
    /// cells) would otherwise overflow the stack when released.
    deinit {
        var stack = inputs
        inputs = []
        // The backward closure captures inputs too; drop it so that the stack
        // holds the only references.
        backward = nil
        while var tensor = stack.popLast() {
            guard isKnownUniquelyReferenced(&tensor), var node = tensor.producer?.node else { continue }
            tensor.producer = nil
            guard isKnownUniquelyReferenced(&node) else { continue }
            stack.append(contentsOf: node.inputs)
            node.free()
        }
    }
}

/// Whether operations record the graph; see ``withoutGradients(_:)``.
public enum GradientRecording {
    @TaskLocal static var isEnabled = true

    /// `true` unless inside ``withoutGradients(_:)``.
    public static var isActive: Bool { isEnabled }
}

/// Runs `body` without recording gradients (inference, optimizer updates).
/// Results computed inside never require gradients.
public func withoutGradients<R>(_ body: () throws -> R) rethrows -> R {
    try GradientRecording.$isEnabled.withValue(false, operation: body)
}

/// Records an operation with a hand-written backward: the way a fused kernel
/// (the sLSTM) enters the gradient engine as one node.
///
/// Compute the outputs without the engine (plain loops over `scalars`), then
/// call this. When recording is on and some input requires gradients, every
/// output is marked as produced by the new node.
///
/// - Parameters:
///   - outputs: the freshly computed results.
///   - inputs: the tensors the outputs depend on.
///   - backward: receives one gradient per output (`nil` where none flowed;
///     treat it as zeros) and returns one gradient per input (`nil` for
///     "no gradient"), each with its input's shape; the engine checks both
///     and stops with a message naming the mismatch. It runs with recording
///     off, at most once unless the caller of `backward()` retains the graph.
///     It may read the inputs' values: `backward()` stops with an error if
///     any input changed since this call (see ``Tensor/version``).
public func recordOperation<Scalar>(
    outputs: [Tensor<Scalar>], inputs: [Tensor<Scalar>],
    backward: @escaping ([Tensor<Scalar>?]) -> [Tensor<Scalar>?]
) {
    guard GradientRecording.isEnabled, inputs.contains(where: \.requiresGrad) else { return }
    let node = GradientNode(inputs: inputs, outputShapes: outputs.map(\.shape), backward: backward)
    for (index, output) in outputs.enumerated() {
        output.requiresGrad = true
        output.producer = (node, index)
    }
}

extension Tensor {
    /// Back-propagates from this tensor, accumulating into `grad` of every
    /// leaf that requires gradients, as PyTorch's `backward()`.
    ///
    /// The pass frees the graph as it goes (what the forward saved is
    /// released), so a second `backward()` through the same operations stops
    /// with an error, unless the first passed `retainGraph: true`; then the
    /// second adds its gradients to the first's.
    ///
    /// - Parameters:
    ///   - upstream: the gradient of the final objective with respect to
    ///     `self` (same shape). Omit it for a one-element tensor: it is 1.
    ///   - retainGraph: keep the graph for another backward pass.
    /// - Precondition: `upstream` has this tensor's shape; no tensor the
    ///   forward read has changed since (``version``); the graph is not freed.
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    public func backward(_ upstream: Tensor? = nil, retainGraph: Bool = false) {
        let seed = orTrap { () throws(xLSTMError) -> Tensor in
            if let upstream {
                try require(
                    upstream.shape == shape, "upstream",
                    expected: "shape \(shapeText(shape))", received: "shape \(shapeText(upstream.shape))")
                return upstream
            }
            try require(
                count == 1, "upstream",
                expected: "a gradient for a tensor of shape \(shapeText(shape)) (omit it only for one element)",
                received: "nil")
            return Tensor.ones(shape)
        }
        withoutGradients { propagate(seed, retainGraph: retainGraph) }
    }

    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    private func propagate(_ seed: Tensor, retainGraph: Bool) {
        guard let producer else {
            if requiresGrad { accumulateGrad(seed) }
            return
        }
        let (root, rootOutput) = producer
        var pending: [ObjectIdentifier: [Tensor?]] = [:]
        pending[ObjectIdentifier(root)] = root.outputShapes.indices.map { $0 == rootOutput ? seed : nil }
        for node in topologicalOrder(from: root) {
            guard let outputGrads = pending.removeValue(forKey: ObjectIdentifier(node)) else { continue }
            let inputGrads = node.gradients(of: outputGrads)
            for (input, gradient) in zip(node.inputs, inputGrads) {
                guard let gradient, input.requiresGrad else { continue }
                if let edge = input.producer {
                    let (parent, output) = (edge.node, edge.output)
                    let key = ObjectIdentifier(parent)
                    var slots = pending[key] ?? Array(repeating: nil, count: parent.outputShapes.count)
                    slots[output] = slots[output].map { $0.adding(gradient) } ?? gradient
                    pending[key] = slots
                } else {
                    input.accumulateGrad(gradient)
                }
            }
            if !retainGraph { node.free() }
        }
    }

    /// Nodes reachable from `root`, each before every node it depends on.
    /// Iterative, so a graph thousands of steps deep cannot overflow the stack.
    private func topologicalOrder(from root: GradientNode<Scalar>) -> [GradientNode<Scalar>] {
        var postOrder: [GradientNode<Scalar>] = []
        var visited: Set<ObjectIdentifier> = [ObjectIdentifier(root)]
        var stack: [(node: GradientNode<Scalar>, nextInput: Int)] = [(root, 0)]
        while let top = stack.last {
            if top.node.isFreed { trap(GradientNode<Scalar>.freedGraph) }
            let (node, nextInput) = (top.node, top.nextInput)
            if nextInput == node.inputs.count {
                postOrder.append(node)
                stack.removeLast()
                continue
            }
            stack[stack.count - 1].nextInput += 1
            if let parent = node.inputs[nextInput].producer?.node,
                visited.insert(ObjectIdentifier(parent)).inserted
            {
                stack.append((parent, 0))
            }
        }
        return postOrder.reversed()
    }

    private func accumulateGrad(_ gradient: Tensor) {
        grad = grad.map { $0.adding(gradient) } ?? gradient.detached()
    }

    /// Elementwise sum of two same-shaped tensors, outside the engine.
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    func adding(_ other: Tensor) -> Tensor {
        // The broadcasting loop with equal shapes: one run, split over the workers.
        let strides = contiguousStrides(shape)
        return Tensor(validatedShape: shape, scalars: Tensor.broadcastLoop(scalars, other.scalars, shape, strides, strides, .sum))
    }
}
