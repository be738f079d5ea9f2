import ArgumentParser

/// `xlstm`: train the sLSTM on the paper's tasks and measure it.
@main
struct XLSTMCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "xlstm",
        abstract: "Train, evaluate, sample and benchmark xLSTM models (Beck et al. 2024).",
        subcommands: [TrainCommand.self, EvalCommand.self, GenerateCommand.self, BenchCommand.self])
}
