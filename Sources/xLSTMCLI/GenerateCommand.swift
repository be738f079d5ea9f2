import ArgumentParser
import Foundation
import xLSTM

/// Continues a prompt with an xLSTM-Large model from a Hugging Face
/// checkpoint directory, printing each new token id as soon as it is chosen.
/// (No tokenizer: prompts and continuations are token ids.)
struct GenerateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "generate",
        abstract: "Continue a prompt of token ids with an xLSTM-Large checkpoint (Hugging Face directory), streaming.")

    @Option(help: "A Hugging Face xLSTMForCausalLM directory (config.json, model.safetensors or shards).")
    var huggingFaceDirectory: String
    @Option(help: "The prompt as comma-separated token ids; read from standard input when omitted.")
    var prompt: String?
    @Option(help: "Tokens to generate.")
    var maxNewTokens = 32
    @Option(help: "Sampling temperature; 0 is greedy.")
    var temperature = 0.0
    @Option(help: "Sample among the K most likely tokens only.")
    var topK: Int?
    @Option(help: "Sample from the smallest set of tokens whose probability reaches P.")
    var topP: Double?
    @Option(help: "Seed of the sampling.")
    var seed: UInt64 = 0
    @Option(help: "Worker threads.")
    var threads = ProcessInfo.processInfo.activeProcessorCount

    func validate() throws {
        try requireOption(maxNewTokens >= 0, "--max-new-tokens", expected: "a whole number >= 0", received: maxNewTokens)
        try requireOption(temperature >= 0 && temperature.isFinite, "--temperature", expected: "a finite value >= 0", received: temperature)
        if let topK { try requirePositive(topK, "--top-k") }
        if let topP { try requireOption(topP > 0 && topP <= 1, "--top-p", expected: "a value in (0, 1]", received: topP) }
        try requirePositive(threads, "--threads")
        if let prompt { _ = try tokenIDs(prompt, "--prompt") }
    }

    func run() throws {
        Parallelism.threadCount = threads
        let text = prompt ?? (readLine(strippingNewline: true) ?? "")
        let ids = try tokenIDs(text, prompt == nil ? "standard input" : "--prompt")
        let model = try xLSTMLarge<Float>(huggingFaceDirectory: URL(fileURLWithPath: huggingFaceDirectory))
        let sampling: Sampling = temperature == 0 ? .greedy : .sample(temperature: temperature, topK: topK, topP: topP)
        // Unbuffered writes: each token appears the moment it is chosen.
        var first = true
        try model.generate(prompt: ids, maxNewTokens: maxNewTokens, sampling: sampling, seed: seed) { token in
            FileHandle.standardOutput.write(Data((first ? "\(token)" : ",\(token)").utf8))
            first = false
        }
        FileHandle.standardOutput.write(Data("\n".utf8))
    }
}

/// Parses comma-separated token ids.
func tokenIDs(_ text: String, _ source: String) throws -> [Int] {
    let parts = text.split(separator: ",", omittingEmptySubsequences: false).map { $0.trimmingCharacters(in: .whitespaces) }
    let ids = parts.compactMap { Int($0) }
    guard !parts.isEmpty, ids.count == parts.count, ids.allSatisfy({ $0 >= 0 }) else {
        throw ValidationError("\(source): expected comma-separated token ids (for example 1,5,3), received \(text)")
    }
    return ids
}
