import xLSTMTensor

/// How the next token is chosen from the logits.
public enum Sampling: Equatable, Sendable {
    /// The most likely token (the first, on a tie).
    case greedy
    /// A draw from softmax(logits / temperature), limited to the `topK` most
    /// likely tokens and then to the smallest set whose probability reaches
    /// `topP` (nucleus sampling), renormalized.
    case sample(temperature: Double = 1, topK: Int? = nil, topP: Double? = nil)

    /// Checks the parameters.
    func validate() throws(xLSTMError) {
        guard case .sample(let temperature, let topK, let topP) = self else { return }
        try require(temperature > 0 && temperature.isFinite, "temperature", expected: "a finite value > 0", received: "\(temperature)")
        if let topK { try require(topK >= 1, "topK", expected: "at least 1", received: "\(topK)") }
        if let topP { try require(topP > 0 && topP <= 1, "topP", expected: "a value in (0, 1]", received: "\(topP)") }
    }

    /// The token chosen from `logits` (one per token of the vocabulary).
    func choose<Scalar: TensorScalar>(_ logits: [Scalar], using generator: inout Xoshiro256) -> Int {
        guard case .sample(let temperature, let topK, let topP) = self else {
            return logits.indices.max { logits[$0] < logits[$1] || (logits[$0] == logits[$1] && $0 > $1) }!
        }
        return Self.draw(from: Self.probabilities(logits, temperature: temperature, topK: topK, topP: topP), using: &generator)
    }

    /// The distribution a `.sample` draws from: (token, probability) pairs, most likely first.
    static func probabilities<Scalar: TensorScalar>(
        _ logits: [Scalar], temperature: Double, topK: Int?, topP: Double?
    ) -> [(token: Int, probability: Double)] {
        var ranked = logits.indices.map { (token: $0, logit: Double(logits[$0]) / temperature) }
            .sorted { $0.logit > $1.logit || ($0.logit == $1.logit && $0.token < $1.token) }
        if let topK { ranked = Array(ranked.prefix(topK)) }
        let top = ranked[0].logit
        var weights = ranked.map { (token: $0.token, probability: Double.exp($0.logit - top)) }
        var total = weights.reduce(0) { $0 + $1.probability }
        if let topP {
            var kept = 0
            var mass = 0.0
            while kept < weights.count && mass < topP * total {
                mass += weights[kept].probability
                kept += 1
            }
            weights = Array(weights.prefix(max(kept, 1)))
            total = weights.reduce(0) { $0 + $1.probability }
        }
        return weights.map { ($0.token, $0.probability / total) }
    }

    private static func draw(from distribution: [(token: Int, probability: Double)], using generator: inout Xoshiro256) -> Int {
        var remaining = Double.random(in: 0..<1, using: &generator)
        for (token, probability) in distribution {
            remaining -= probability
            if remaining < 0 { return token }
        }
        return distribution.last!.token
    }
}
