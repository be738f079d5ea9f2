import xLSTMNN
import xLSTMTensor

/// How the forget-gate pre-activation `f~` becomes `log f`.
public enum ForgetGate: String, Sendable, CaseIterable, Codable {
    /// `log f = f~`: the paper's exponential forget gate (the default).
    case exponential
    /// `log f = logsigmoid(f~)`, computed directly (never `log(sigmoid(f~))`).
    case sigmoid
}
