// Trips one kind of trap, named by the first argument, so that the
// release-build tests (Tests/xLSTMReleaseTests) can check that its message
// reaches standard error in the build users run.
import Foundation
import xLSTM

let probes: [String: () -> Void] = [
    "broadcast": { _ = Tensor<Float>.zeros([2, 3]) + Tensor<Float>.zeros([2]) },
    "matmul": { _ = Tensor<Float>.matmul(.zeros([2, 3]), .zeros([4, 5])) },
    "index": { _ = Tensor<Float>.zeros([2, 3])[1, 3] },
    "scalar": { _ = Tensor<Float>.zeros([2]).scalar },
    "reshape": { _ = Tensor<Float>.zeros([2, 3]).reshaped([4]) },
    "slstm-heads": { _ = sLSTM(inputSize: 4, hiddenSize: 64, numHeads: 3) },
    "slstm-input": { _ = sLSTM(inputSize: 4, hiddenSize: 8)(.zeros([5, 2, 3])) },
    "cell-input": { _ = sLSTMCell(inputSize: 4, hiddenSize: 8)(.zeros([2, 5])) },
    "linear-input": { _ = Linear(inputFeatures: 3, outputFeatures: 2)(.zeros([2, 4])) },
    "embedding-index": { _ = Embedding(count: 4, dimension: 2)([1, 4], shape: [2]) },
    "cross-entropy": { _ = crossEntropy(logits: Tensor<Float>.zeros([2, 3]), targets: [0, 3]) },
    "mean-squared-error": { _ = meanSquaredError(Tensor<Float>.zeros([2, 3]), .zeros([3])) },
    "dropout": { _ = Dropout(probability: 1) },
    "threads": { Parallelism.threadCount = 0 },
    "backward-twice": {
        let x = Tensor<Float>([1, 2], requiresGrad: true)
        let loss = (x * x).sum()
        loss.backward()
        loss.backward()
    },
    "changed-after-forward": {
        let w = Tensor<Float>([1, 2], requiresGrad: true)
        let loss = (w * w).sum()
        w[0] = 3
        loss.backward()
    },
    "custom-backward": {
        let a = Tensor<Float>([1, 2], requiresGrad: true)
        let out = Tensor<Float>([0, 0])
        recordOperation(outputs: [out], inputs: [a]) { _ in [] }
        out.backward(.ones([2]))
    },
]

guard CommandLine.arguments.count == 2, let probe = probes[CommandLine.arguments[1]] else {
    print("usage: trap-probe \(probes.keys.sorted().joined(separator: "|"))")
    exit(2)
}
probe()
print("no trap")
