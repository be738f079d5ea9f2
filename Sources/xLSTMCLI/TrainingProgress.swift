import ConsoleKitTerminal
import Foundation

/// What a person watches while `xlstm train` runs. On a terminal: a live
/// progress bar (console-kit's) with the step, the recent loss and accuracy,
/// the speed and the time left. Otherwise (a pipe or a file): one plain line
/// every 50 steps, which a log keeps readable.
final class TrainingProgress {
    /// Steps between plain lines, and the window of the shown averages.
    static let interval = 50

    /// The run's last step.
    let totalSteps: Int
    private let unit: String
    private let started = Date()
    /// The step the run started from (non-zero when resumed).
    let firstStep: Int
    private let bar: ActivityIndicator<ProgressBar>?

    /// A display for a run of `totalSteps` that starts after `firstStep`
    /// (non-zero when resumed); `unit` names what the speed counts ("tokens").
    init(totalSteps: Int, firstStep: Int, unit: String) {
        self.totalSteps = totalSteps
        self.firstStep = firstStep
        self.unit = unit
        let terminal = Terminal()
        if terminal.supportsANSICommands {
            let bar = terminal.progressBar(title: "step \(firstStep)/\(totalSteps)")
            bar.start(refreshRate: 100)
            self.bar = bar
        } else {
            bar = nil
        }
    }

    /// Seconds since the display was made.
    var elapsed: Double { Date().timeIntervalSince(started) }

    /// Shows step `step` (1-based) with the mean `loss` and `accuracy` of
    /// the steps since the last window ended (every ``interval`` steps) and
    /// `units` processed since the display was made.
    func show(step: Int, loss: Float, accuracy: Double?, units: Int) {
        let seconds = elapsed
        let rate = Double(units) / max(seconds, 1e-9)
        let stepsPerSecond = Double(step - firstStep) / max(seconds, 1e-9)
        let remaining = Double(totalSteps - step) / max(stepsPerSecond, 1e-9)
        let accuracyText = accuracy.map { String(format: "  train accuracy %.3f", $0) } ?? ""
        if let bar {
            bar.activity.title = String(
                format: "step %d/%d  loss %.4f%@  %.0f %@/s  ETA %@", step, totalSteps, loss, accuracyText, rate, unit,
                Self.duration(remaining))
            bar.activity.currentProgress = Double(step) / Double(totalSteps)
        } else if step % Self.interval == 0 || step == totalSteps {
            print(String(format: "step %5d  loss %.4f%@  %.1fs", step, loss, accuracyText, seconds))
            // Flushed (every stream; nil: Swift 6 forbids naming the global
            // stdout): in a file, standard output is block-buffered, and a
            // person following the log would see nothing for minutes.
            fflush(nil)
        }
    }

    /// Ends the bar (the plain lines need no end).
    func finish() {
        bar?.succeed()
    }

    /// `seconds` as "42s", "3m05s" or "1h02m".
    static func duration(_ seconds: Double) -> String {
        let whole = Int(seconds.rounded())
        if whole < 60 { return "\(whole)s" }
        if whole < 3600 { return String(format: "%dm%02ds", whole / 60, whole % 60) }
        return String(format: "%dh%02dm", whole / 3600, (whole % 3600) / 60)
    }
}
