import ArgumentParser

/// `xlstm bench`: the benchmark runner (ours against the PyTorch baselines,
/// same shapes, same run), and the single measurements it is made of.
struct BenchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench",
        abstract: "Benchmark against the PyTorch baselines (the runner), or time one measurement.",
        subcommands: [BenchRunCommand.self, BenchLayerCommand.self, BenchGemmCommand.self, BenchTrainCommand.self, BenchLanguageModelCommand.self],
        defaultSubcommand: BenchRunCommand.self)
}
