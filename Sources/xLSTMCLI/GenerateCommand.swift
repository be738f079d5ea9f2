import ArgumentParser
import Foundation
import xLSTM

/// Continues a prompt, printing each new token (not the prompt) as soon as it is chosen:
/// characters with a character language model that `xlstm train --task
/// char-lm` saved, token ids with an xLSTM-Large model from a Hugging Face
/// directory (there is no tokenizer for those).
struct GenerateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "generate",
        abstract: "Continue a prompt with a char-lm checkpoint (text) or a Hugging Face xLSTM-Large directory (token ids), streaming.")

    @Option(help: "A checkpoint directory of `xlstm train --task char-lm` (its latest checkpoint); the prompt is text.")
    var checkpointDir: String?
    @Option(help: "A Hugging Face xLSTMForCausalLM directory (config.json, model.safetensors or shards); the prompt is token ids.")
    var huggingFaceDirectory: String?
    @Option(help: "The prompt: text for --checkpoint-dir, comma-separated token ids for --hugging-face-directory; read from standard input when omitted.")
    var prompt: String?
    @Option(help: "Characters or tokens to generate.")
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
        try requireOption(
            (checkpointDir == nil) != (huggingFaceDirectory == nil), "--checkpoint-dir, --hugging-face-directory",
            expected: "exactly one of the two", received: checkpointDir == nil && huggingFaceDirectory == nil ? "neither" : "both")
        try requireOption(maxNewTokens >= 0, "--max-new-tokens", expected: "a whole number >= 0", received: maxNewTokens)
        try requireOption(temperature >= 0 && temperature.isFinite, "--temperature", expected: "a finite value >= 0", received: temperature)
        if let topK { try requirePositive(topK, "--top-k") }
        if let topP { try requireOption(topP > 0 && topP <= 1, "--top-p", expected: "a value in (0, 1]", received: topP) }
        try requirePositive(threads, "--threads")
        if let prompt, huggingFaceDirectory != nil { _ = try tokenIDs(prompt, "--prompt") }
    }

    func run() throws {
        Parallelism.threadCount = threads
        let sampling: Sampling = temperature == 0 ? .greedy : .sample(temperature: temperature, topK: topK, topP: topP)
        let source = prompt == nil ? "standard input" : "--prompt"
        // Unbuffered writes: each token appears the moment it is chosen.
        let write = { (text: String) in FileHandle.standardOutput.write(Data(text.utf8)) }
        if let checkpointDir {
            let text = prompt ?? readStandardInput()
            let model = try languageModel(in: checkpointDir)
            // A prompt character outside the model's vocabulary is the user's input error.
            do { _ = try model.vocabulary.encode(text, argument: source) } catch {
                throw ValidationError("\(source): expected \(error.expected), received \(error.received)")
            }
            try model.generate(prompt: text, maxNewCharacters: maxNewTokens, sampling: sampling, seed: seed) { write(String($0)) }
        } else if let huggingFaceDirectory {
            let ids = try tokenIDs(prompt ?? (readLine(strippingNewline: true) ?? ""), source)
            let model = try xLSTMLarge<Float>(huggingFaceDirectory: URL(fileURLWithPath: huggingFaceDirectory))
            var first = true
            try model.generate(prompt: ids, maxNewTokens: maxNewTokens, sampling: sampling, seed: seed) { token in
                write(first ? "\(token)" : ",\(token)")
                first = false
            }
        }
        write("\n")
    }

    /// The latest checkpoint's character language model.
    private func languageModel(in directory: String) throws -> CharacterLanguageModel<Float> {
        guard let checkpoint = try CheckpointStore(directory: URL(fileURLWithPath: directory)).latest() else {
            throw ValidationError("--checkpoint-dir: expected a checkpoint in \(directory), found none")
        }
        let name = try checkpoint.modelName()
        guard name == CharacterLanguageModel<Float>.modelName else {
            throw ValidationError(
                "--checkpoint-dir: expected a character language model (xlstm train --task char-lm), received a \(name) checkpoint in \(checkpoint.directory.path)")
        }
        return try checkpoint.model(CharacterLanguageModel<Float>.self)
    }

    /// Standard input to its end, without one trailing newline.
    private func readStandardInput() -> String {
        var text = String(decoding: FileHandle.standardInput.readDataToEndOfFile(), as: UTF8.self)
        if text.hasSuffix("\n") { text.removeLast() }
        return text
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
