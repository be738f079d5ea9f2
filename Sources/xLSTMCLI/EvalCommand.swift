import ArgumentParser
import Foundation
import xLSTM

/// Evaluates the latest checkpoint of a `xlstm train` run: a classifier on
/// a formal task by length bucket (the paper's length-generalization table),
/// or a character language model on the held-out end of its text.
struct EvalCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "eval",
        abstract: "Evaluate a checkpoint: a classifier by length bucket, or a char-lm on held-out text.")

    @Option(help: "The run's checkpoint directory (its latest checkpoint is evaluated).")
    var checkpointDir: String
    @Option(help: "The task: \(TrainCommand.taskNames).")
    var task = ParityTask.name
    @Option(help: "Formal tasks: shortest and longest test strings, as MIN-MAX.")
    var testLengths = "40-256"
    @Option(help: "Formal tasks: length buckets of equal width over --test-lengths.")
    var buckets = 4
    @Option(help: "Formal tasks: test strings per bucket.")
    var count = 256
    @Option(help: "Formal tasks: seed of the test strings.")
    var seed: UInt64 = 7
    @Option(help: "char-lm: the text the model was trained on (its held-out last tenth is read); the built-in Genesis when omitted.")
    var text: String?
    @Option(help: "char-lm: characters per window (the state carries across windows).")
    var context = 128
    @Option(help: "Worker threads of the kernels.")
    var threads = ProcessInfo.processInfo.activeProcessorCount

    func validate() throws {
        try requireOption(
            TrainCommand.tasks.contains { $0.name == task } || task == CharacterLanguageModelTask.name, "--task",
            expected: "one of \(TrainCommand.taskNames)", received: task)
        let lengths = try lengthRange(testLengths, "--test-lengths")
        try requirePositive(buckets, "--buckets")
        try requireOption(
            buckets <= lengths.count, "--buckets", expected: "at most \(lengths.count) (one length per bucket)", received: buckets)
        try requirePositive(count, "--count")
        try requirePositive(context, "--context")
        try requirePositive(threads, "--threads")
    }

    func run() throws {
        Parallelism.threadCount = threads
        let store = try CheckpointStore(directory: URL(fileURLWithPath: checkpointDir))
        guard let checkpoint = try store.latest() else {
            throw ValidationError("--checkpoint-dir: expected a checkpoint in \(checkpointDir), found none")
        }
        let isLanguageModel = try checkpoint.modelName() == CharacterLanguageModel<Float>.modelName
        guard isLanguageModel == (task == CharacterLanguageModelTask.name) else {
            throw ValidationError(
                "--task: expected \(isLanguageModel ? "char-lm for a character language model" : "a formal task for a classifier") (the model in \(checkpoint.directory.path)), received \(task)")
        }
        if isLanguageModel { try evaluateLanguageModel(checkpoint) } else { try evaluateClassifier(checkpoint) }
    }

    private func evaluateClassifier(_ checkpoint: Checkpoint) throws {
        let model = try checkpoint.model(SequenceClassifier<Float>.self)
        model.eval()
        let kind = TrainCommand.tasks.first { $0.name == task }!
        let lengths = try lengthRange(testLengths, "--test-lengths")
        let probe = try kind.init(lengths: lengths)
        guard model.configuration.vocabularySize == probe.vocabularySize, model.configuration.classCount == probe.classCount
        else {
            throw ValidationError(
                "--task: \(task) has \(probe.vocabularySize) tokens and \(probe.classCount) classes; the checkpoint's model has \(model.configuration.vocabularySize) and \(model.configuration.classCount)")
        }
        var generator = Xoshiro256(seed: seed)
        print("\(task), \(checkpoint.directory.lastPathComponent), \(count) strings per bucket (chance \(String(format: "%.3f", probe.chanceAccuracy)))")
        print("| lengths | accuracy | scaled accuracy |")
        print("|---|---|---|")
        for bucket in lengthBuckets(lengths, count: buckets) {
            let (low, high) = (bucket.lowerBound, bucket.upperBound)
            let bucketAccuracy = try testAccuracy(of: model, on: probe, lengths: bucket, strings: count, using: &generator)
            print(String(format: "| %d-%d | %.3f | %.3f |", low, high, bucketAccuracy, probe.scaledAccuracy(bucketAccuracy)))
        }
    }

    private func evaluateLanguageModel(_ checkpoint: Checkpoint) throws {
        let model = try checkpoint.model(CharacterLanguageModel<Float>.self)
        model.eval()
        let languageTask = try characterTask(text: text)
        guard languageTask.vocabulary == model.vocabulary else {
            throw ValidationError(
                "--text: expected the text the model learned (\(model.vocabulary.count) distinct characters), received one of \(languageTask.vocabulary.count) distinct characters")
        }
        let loss = model.meanLoss(over: languageTask.heldOutWindows(length: context))
        print("\(task), \(checkpoint.directory.lastPathComponent), \(languageTask.heldOut.count) held-out characters")
        print(String(format: "held-out loss %.4f nats per character, %.3f bits per character", loss, loss / Foundation.log(2)))
    }
}
