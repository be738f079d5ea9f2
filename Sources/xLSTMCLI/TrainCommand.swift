import ArgumentParser
import Foundation
import xLSTM

/// Trains a model on a built-in task: a formal-language task (report how
/// well it generalizes to longer strings than it saw in training) or the
/// character language model.
struct TrainCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "train",
        abstract: "Train a model on a formal-language task (accuracy on longer strings) or a character language model.")

    /// The formal tasks `--task` names; `char-lm` is the language model.
    static let tasks: [any FormalTask.Type] = [
        ParityTask.self, EvenPairsTask.self, CycleNavigationTask.self, ModularArithmeticTask.self, MajorityTask.self,
        MajorityCountTask.self,
    ]
    static var taskNames: String { (tasks.map { $0.name } + [CharacterLanguageModelTask.name]).joined(separator: ", ") }

    @Option(help: "The task: \(Self.taskNames).")
    var task = ParityTask.name
    @Option(help: "The model: \(ModelKind.names) (lstm classifies only; xlstm-large is a language model).")
    var model = ModelKind.slstm.rawValue
    @Option(help: "Train several models on the same data, one after another, and print one table (for example slstm,lstm).")
    var compare: String?
    @Option(name: .customLong("pattern"), help: "The blocks of --model xlstm, in order: m (mLSTM) and s (sLSTM) (default sm).")
    var patternOption: String?
    @Option(name: .customLong("blocks"), help: "Blocks of mlstm, of xlstm-large and of the slstm language model (default 2).")
    var blocksOption: Int?
    @Option(help: "Optimizer steps.")
    var steps = 1000
    @Option(name: .customLong("batch-size"), help: "Sequences per step (default 32; char-lm: 16 windows).")
    var batchSizeOption: Int?
    @Option(help: "Hidden size (the residual width of block models).")
    var hiddenSize = 64
    @Option(help: "Heads (must divide the hidden size).")
    var heads = 1
    @Option(help: "Peak learning rate of Adam (linear warm-up, then cosine decay).")
    var learningRate = 1e-2
    @Option(name: .customLong("train-lengths"), help: "Formal tasks: shortest and longest training strings, as MIN-MAX (default 3-40).")
    var trainLengthsOption: String?
    @Option(name: .customLong("test-lengths"), help: "Formal tasks: shortest and longest test strings, as MIN-MAX (default 40-256).")
    var testLengthsOption: String?
    @Option(name: .customLong("test-count"), help: "Formal tasks: test strings (default 1024).")
    var testCountOption: Int?
    @Option(help: "char-lm: a UTF-8 text file to learn instead of the built-in Book of Genesis (King James Version).")
    var text: String?
    @Option(name: .customLong("context"), help: "char-lm: characters per training window (default 128).")
    var contextOption: Int?
    @Option(help: "Seed of initialization and data.")
    var seed: UInt64 = 1
    @Option(help: "Worker threads of the kernels.")
    var threads = ProcessInfo.processInfo.activeProcessorCount
    @Option(help: "Write an HTML report with SVG charts (training loss; accuracy against test length) into this directory.")
    var report: String?
    @Option(help: "Append the progress and test results as JSON lines (JSONL) to this file.")
    var metrics: String?
    @Option(help: "Directory for checkpoints (step-N folders and a 'latest' pointer); none when omitted.")
    var checkpointDir: String?
    @Option(help: "Save a checkpoint every N steps (with --checkpoint-dir); multiples of 50 keep the progress lines of a resumed run identical.")
    var checkpointEvery = 100
    @Flag(help: "Continue from the latest checkpoint in --checkpoint-dir, with the same options as the run that wrote it.")
    var resume = false

    var isLanguageModel: Bool { task == CharacterLanguageModelTask.name }

    /// Sequences per step: `--batch-size`, or the task's default. A language
    /// model's window of 128 characters costs as much as several formal
    /// strings, so its default is smaller (about 3 minutes on 2 cores).
    var batchSize: Int { batchSizeOption ?? (isLanguageModel ? 16 : 32) }

    // The options only some tasks or models read: each is an error where
    // nothing would read it (see `validateApplicability`), so none is
    // silently ignored.
    var pattern: String { patternOption ?? "sm" }
    var blocks: Int { blocksOption ?? 2 }
    var trainLengths: String { trainLengthsOption ?? "3-40" }
    var testLengths: String { testLengthsOption ?? "40-256" }
    var testCount: Int { testCountOption ?? 1024 }
    var context: Int { contextOption ?? 128 }

    /// The models to train: `--compare`'s, or `--model`.
    var models: [String] {
        compare.map { $0.split(separator: ",", omittingEmptySubsequences: false).map(String.init) } ?? [model]
    }
    /// The models that name a kind (validation reports the others).
    private var kinds: Set<ModelKind> { Set(models.compactMap(ModelKind.init(rawValue:))) }
    /// The option that chose the models, for error messages.
    private var modelOption: String { compare == nil ? "--model" : "--compare" }

    func validate() throws {
        try requireOption(
            Self.tasks.contains { $0.name == task } || isLanguageModel, "--task", expected: "one of \(Self.taskNames)",
            received: task)
        try requireOption(ModelKind(rawValue: model) != nil, "--model", expected: "one of \(ModelKind.names)", received: model)
        if let compare {
            try requireOption(
                models.count >= 2 && models.allSatisfy { ModelKind(rawValue: $0) != nil } && Set(models).count == models.count,
                "--compare", expected: "two or more distinct models of \(ModelKind.names) separated by commas",
                received: compare)
            try requireOption(checkpointDir == nil, "--compare", expected: "no --checkpoint-dir (one run per model)", received: compare)
        }
        for kind in models.compactMap(ModelKind.init(rawValue:)) {  // in order: the first misfit is reported
            if isLanguageModel {
                try requireOption(kind.modelsLanguage, modelOption, expected: "a language model for char-lm (not lstm)", received: kind.rawValue)
            } else {
                try requireOption(kind.classifies, modelOption, expected: "a classifier for \(task) (xlstm-large needs --task char-lm)", received: kind.rawValue)
            }
            if kind == .lstm { try requireOption(heads == 1, "--heads", expected: "1 with lstm", received: heads) }
        }
        _ = try lengthRange(trainLengths, "--train-lengths")
        _ = try lengthRange(testLengths, "--test-lengths")
        for (value, name) in [
            (steps, "--steps"), (batchSize, "--batch-size"), (hiddenSize, "--hidden-size"), (heads, "--heads"),
            (testCount, "--test-count"), (threads, "--threads"), (checkpointEvery, "--checkpoint-every"),
            (blocks, "--blocks"), (context, "--context"),
        ] {
            try requirePositive(value, name)
        }
        try requireOption(
            hiddenSize % heads == 0, "--heads", expected: "a divisor of --hidden-size (\(hiddenSize))", received: heads)
        try requireOption(
            learningRate > 0 && learningRate.isFinite, "--learning-rate", expected: "a finite value > 0",
            received: learningRate)
        try requireOption(!resume || checkpointDir != nil, "--resume", expected: "a --checkpoint-dir to resume from", received: "none")
        try validateBlockSizes()
        try validateApplicability()
    }

    /// Rejects an option that neither the task nor any of the models reads.
    private func validateApplicability() throws {
        if let patternOption {
            try requireOption(kinds.contains(.xlstm), "--pattern", expected: "xlstm in \(modelOption)", received: patternOption)
        }
        if let blocksOption {
            let readers: Set<ModelKind> = isLanguageModel ? [.slstm, .mlstm, .xlstmLarge] : [.mlstm]
            try requireOption(
                !kinds.isDisjoint(with: readers), "--blocks",
                expected: isLanguageModel ? "slstm, mlstm or xlstm-large in \(modelOption)" : "mlstm in \(modelOption)",
                received: blocksOption)
        }
        let formalOnly: [(String, Any?)] = [
            ("--train-lengths", trainLengthsOption), ("--test-lengths", testLengthsOption), ("--test-count", testCountOption),
        ]
        let languageOnly: [(String, Any?)] = [("--text", text), ("--context", contextOption)]
        for (name, value) in isLanguageModel ? formalOnly : languageOnly {
            if let value {
                throw ValidationError(
                    "\(name): expected \(isLanguageModel ? "a formal task (char-lm reads none)" : "--task char-lm"), received \(value)")
            }
        }
    }

    /// The block models' pattern and sizes, the sizes checked by the library's own rules.
    private func validateBlockSizes() throws {
        if kinds.contains(.xlstm) {
            try requireOption(
                !pattern.isEmpty && pattern.allSatisfy { $0 == "m" || $0 == "s" }, "--pattern",
                expected: "letters m (mLSTM block) and s (sLSTM block), for example sm", received: pattern)
        }
        do {
            if kinds.contains(.mlstm) || kinds.contains(.xlstm) || (isLanguageModel && kinds.contains(.slstm)) {
                try blockConfiguration.validate()
            }
            if kinds.contains(.xlstmLarge) { try largeConfiguration(vocabularySize: 2).validate() }
        } catch {
            throw ValidationError(
                "--hidden-size, --heads: expected \(error.expected) for \(error.argument), received \(error.received)")
        }
    }

    func run() throws {
        Parallelism.threadCount = threads
        var results: [RunResult] = []
        for name in models {
            let kind = ModelKind(rawValue: name)!
            results.append(isLanguageModel ? try trainLanguageModel(kind) : try trainClassifier(kind))
            if models.count > 1 { print() }
        }
        let summary = isLanguageModel
            ? "\(task) on \(text ?? "the Book of Genesis (KJV)"), \(steps) steps of \(batchSize) × \(context) characters, H=\(hiddenSize), seed \(seed)"
            : "\(task), trained on \(trainLengths), tested on \(testLengths) (\(testCount) strings), \(steps) steps, H=\(hiddenSize), seed \(seed)"
        if models.count > 1 {
            print(summary + ":")
            for line in resultsTable(results) { print(line) }
        }
        if let report {
            if !isLanguageModel {
                print("accuracy by test length:")
                for line in bucketTable(results) { print(line) }
            }
            try TrainingReport(title: summary, results: results).write(to: URL(fileURLWithPath: report))
            print("report: \(report)/index.html")
        }
    }

    /// Builds a fresh session, or resumes the one in `--checkpoint-dir`.
    func session<Model: ConfigurableModule>(
        _ configuration: Model.Configuration, schedule: WarmupCosineSchedule, store: CheckpointStore?
    ) throws -> TrainingSession<Model> where Model.Scalar == Float {
        try resume
            ? TrainingSession(resumingFrom: store!, configuration: configuration, schedule: schedule, learningRate: learningRate)
            : TrainingSession(configuration: configuration, schedule: schedule, learningRate: learningRate, seed: seed)
    }

    /// The schedule of every run: warm-up over the first 5%, then cosine decay to a twentieth.
    func schedule() throws -> WarmupCosineSchedule {
        try WarmupCosineSchedule(
            peakLearningRate: learningRate, warmupSteps: steps / 20, totalSteps: steps, minimumLearningRate: learningRate / 20)
    }
}
