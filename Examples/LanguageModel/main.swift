// A character-level language model of the paper's blocks: trains briefly on
// a short text, saves a checkpoint, loads it back into a fresh model and
// generates, greedy and sampled.
// Run: swift run -c release language-model
import Foundation
import xLSTM

let text = """
    It was the best of times, it was the worst of times, it was the age of wisdom, it was the age of foolishness, \
    it was the epoch of belief, it was the epoch of incredulity, it was the season of Light, it was the season of \
    Darkness, it was the spring of hope, it was the winter of despair.
    """
let alphabet = Array(Set(text)).sorted()
let ids = text.map { alphabet.firstIndex(of: $0)! }
func decode(_ tokens: [Int]) -> String { String(tokens.map { alphabet[$0] }) }

Random.seed(1)
let configuration = xLSTMLanguageModel<Float>.Configuration(
    vocabularySize: alphabet.count, pattern: "ms",
    blocks: xLSTMBlockConfiguration(embeddingSize: 32, mLSTMHeads: 2, sLSTMHeads: 2, chunkSize: 16), tieWeights: true)
let model = try xLSTMLanguageModel<Float>(configuration: configuration)
let optimizer = try AdamW(parameters: model.parameters, learningRate: 1e-2)
let (batch, steps) = (8, 48)
var generator = Xoshiro256(seed: 2)
for step in 1...300 {
    let starts = (0..<batch).map { _ in Int.random(in: 0..<(ids.count - steps - 1), using: &generator) }
    let inputs = starts.map { Array(ids[$0..<($0 + steps)]) }
    let targets = starts.flatMap { Array(ids[($0 + 1)..<($0 + steps + 1)]) }
    optimizer.zeroGrad()
    let (logits, _) = model(inputs)
    let loss = crossEntropy(logits: logits.reshaped([batch * steps, alphabet.count]), targets: targets)
    loss.backward()
    try clipGradientNorm(model.parameters, maxNorm: 1)
    optimizer.step()
    if step % 100 == 0 { print("step \(step): loss \(loss.scalar)") }
}

// Save, then rebuild from the checkpoint alone.
let directory = FileManager.default.temporaryDirectory.appendingPathComponent("xlstm-language-model")
try? FileManager.default.removeItem(at: directory)
let store = try CheckpointStore(directory: directory)
try store.save(model: model, optimizer: optimizer, trainer: TrainerState(step: 300, random: Random.state))
let loaded = try store.latest()!.model(xLSTMLanguageModel<Float>.self)

let prompt = Array(ids.prefix(12))
print("prompt:  \(decode(prompt))")
print("greedy:  ", terminator: "")
try loaded.generate(prompt: prompt, maxNewTokens: 60) { print(alphabet[$0], terminator: "") }
print()
let sampled = try loaded.generate(prompt: prompt, maxNewTokens: 60, sampling: .sample(temperature: 0.8, topP: 0.9), seed: 3)
print("sampled: \(decode(sampled))")
