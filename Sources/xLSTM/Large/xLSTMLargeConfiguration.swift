import Foundation
import xLSTMTensor

/// The configuration of an xLSTM-Large language model (the architecture of
/// NX-AI's xLSTM-7B), read from a Hugging Face `config.json` of
/// `"model_type": "xlstm"` under its own field names.
public struct xLSTMLargeConfiguration: Codable, Equatable, Sendable {
    /// Tokens.
    public var vocabularySize: Int
    /// The residual stream's width D.
    public var embeddingSize: Int
    /// Blocks (each an mLSTM layer and a feed-forward network).
    public var blocks: Int
    /// mLSTM heads.
    public var heads: Int
    /// q and k width as a multiple of D (0.5 in xLSTM-7B).
    public var qkFactor: Double
    /// v width as a multiple of D.
    public var vFactor: Double
    /// Feed-forward width as a multiple of D before rounding (2.667).
    public var feedForwardFactor: Double
    /// The feed-forward width is rounded up to a multiple of this (64).
    public var feedForwardMultiple: Int
    /// Whether the projections have biases (the gates always do).
    public var useBias: Bool
    /// Soft-cap of the gate pre-activations, `cap tanh(x / cap)` (15).
    public var gateSoftCap: Double
    /// Soft-cap of the output logits (30).
    public var logitSoftCap: Double
    /// Added to the mLSTM normalizer's denominator.
    public var epsilon: Double
    /// Epsilon of the RMS and multi-head norms.
    public var normEpsilon: Double
    /// Steps per chunk of the chunkwise form.
    public var chunkSize: Int

    /// q and k width per head.
    public var qkHeadSize: Int { Int(Double(embeddingSize) * qkFactor) / heads }
    /// v width per head.
    public var vHeadSize: Int { Int(Double(embeddingSize) * vFactor) / heads }
    /// The feed-forward width, `floor((factor * D + r - 1) / r) * r` with r =
    /// `feedForwardMultiple`, exactly as the checkpoints' code rounds (on the
    /// unrounded product: 64.5 with r = 64 gives 64).
    public var feedForwardSize: Int {
        let r = Double(feedForwardMultiple)
        return Int(((feedForwardFactor * Double(embeddingSize) + r - 1) / r).rounded(.down)) * feedForwardMultiple
    }

    /// The fields of a Hugging Face `config.json` this reader understands;
    /// any other field is an error that names it.
    static let knownFields: Set<String> = [
        "add_out_norm", "architectures", "autocast_kernel_dtype", "bos_token_id", "chunk_size", "chunkwise_kernel",
        "dtype", "torch_dtype", "embedding_dim", "eos_token_id", "eps", "ffn_proj_factor", "ffn_round_up_to_multiple_of",
        "gate_soft_cap", "hidden_size", "inference_state_dtype", "max_inference_chunksize", "mode", "model_type",
        "norm_eps", "norm_reduction_force_float32", "num_blocks", "num_heads", "num_hidden_layers",
        "output_logit_soft_cap", "pad_token_id", "qk_dim_factor", "return_last_states", "sequence_kernel", "step_kernel",
        "tie_word_embeddings", "transformers_version", "use_bias", "use_cache", "v_dim_factor", "vocab_size",
        "weight_mode",
    ]

    /// A configuration of these sizes (the defaults are xLSTM-7B's).
    public init(
        vocabularySize: Int, embeddingSize: Int, blocks: Int, heads: Int, qkFactor: Double = 0.5, vFactor: Double = 1,
        feedForwardFactor: Double = 2.667, feedForwardMultiple: Int = 64, useBias: Bool = false, gateSoftCap: Double = 15,
        logitSoftCap: Double = 30, epsilon: Double = 1e-6, normEpsilon: Double = 1e-6, chunkSize: Int = 64
    ) {
        self.vocabularySize = vocabularySize
        self.embeddingSize = embeddingSize
        self.blocks = blocks
        self.heads = heads
        self.qkFactor = qkFactor
        self.vFactor = vFactor
        self.feedForwardFactor = feedForwardFactor
        self.feedForwardMultiple = feedForwardMultiple
        self.useBias = useBias
        self.gateSoftCap = gateSoftCap
        self.logitSoftCap = logitSoftCap
        self.epsilon = epsilon
        self.normEpsilon = normEpsilon
        self.chunkSize = chunkSize
    }

    /// Reads a Hugging Face `config.json`.
    ///
    /// - Throws: `CheckpointError` naming the file and the field: an unknown
    ///   field, a missing or mistyped one, a `model_type` other than "xlstm",
    ///   a `weight_mode` other than "single", or sizes that do not fit.
    public init(huggingFaceConfig url: URL) throws(CheckpointError) {
        func fail(_ reason: String) -> CheckpointError { CheckpointError(file: url.path, reason: reason) }
        let object: [String: Any]
        do {
            guard let parsed = try JSONSerialization.jsonObject(with: Data(contentsOf: url)) as? [String: Any] else {
                throw fail("is not a JSON object")
            }
            object = parsed
        } catch let error as CheckpointError {
            throw error
        } catch {
            throw fail("cannot be read as JSON: \(error.localizedDescription)")
        }
        let unknown = object.keys.filter { !Self.knownFields.contains($0) }.sorted()
        guard unknown.isEmpty else { throw fail("unknown fields \(unknown.joined(separator: ", ")) (not an xLSTM-Large configuration this reader understands)") }
        func number(_ key: String, default value: Double? = nil) throws(CheckpointError) -> Double {
            guard let field = object[key] else {
                if let value { return value }
                throw fail("missing field \(key)")
            }
            guard let number = field as? NSNumber else { throw fail("field \(key) is not a number") }
            return number.doubleValue
        }
        func integer(_ key: String, default value: Int? = nil) throws(CheckpointError) -> Int {
            let number = try number(key, default: value.map(Double.init))
            guard number == number.rounded(), abs(number) < 1e15 else { throw fail("field \(key) is not a whole number") }
            return Int(number)
        }
        func flag(_ key: String, default value: Bool) throws(CheckpointError) -> Bool {
            guard let field = object[key] else { return value }
            guard let flag = field as? Bool else { throw fail("field \(key) is not true or false") }
            return flag
        }
        if let type = object["model_type"] as? String, type != "xlstm" { throw fail("model_type is \(type), not xlstm") }
        if let mode = object["weight_mode"] as? String, mode != "single" {
            throw fail("weight_mode \(mode) is not supported (only \"single\": separate q, k, v and gate weights)")
        }
        vocabularySize = try integer("vocab_size")
        embeddingSize = try integer("embedding_dim", default: try integer("hidden_size"))
        blocks = try integer("num_blocks", default: try integer("num_hidden_layers"))
        heads = try integer("num_heads")
        qkFactor = try number("qk_dim_factor", default: 0.5)
        vFactor = try number("v_dim_factor", default: 1)
        feedForwardFactor = try number("ffn_proj_factor", default: 2.667)
        feedForwardMultiple = try integer("ffn_round_up_to_multiple_of", default: 64)
        useBias = try flag("use_bias", default: false)
        gateSoftCap = try number("gate_soft_cap", default: 15)
        logitSoftCap = try number("output_logit_soft_cap", default: 30)
        epsilon = try number("eps", default: 1e-6)
        normEpsilon = try number("norm_eps", default: 1e-6)
        chunkSize = try integer("chunk_size", default: 64)
        // transformers (5.24) ignores `tie_word_embeddings` and `add_out_norm`: the
        // checkpoints always hold lm_head.weight and the backbone always ends with
        // out_norm. Both fields are accepted and, as there, have no effect.
        _ = try flag("tie_word_embeddings", default: false)
        _ = try flag("add_out_norm", default: true)
        do { try validate() } catch { throw fail(error.description) }
    }

    /// Positive sizes; head sizes that divide.
    public func validate() throws(xLSTMError) {
        for (name, value) in [
            ("vocab_size", vocabularySize), ("embedding_dim", embeddingSize), ("num_blocks", blocks), ("num_heads", heads),
            ("chunk_size", chunkSize), ("ffn_round_up_to_multiple_of", feedForwardMultiple),
        ] {
            try require(value > 0, name, expected: "a positive value", received: "\(value)")
        }
        for (name, width) in [("qk_dim_factor", Double(embeddingSize) * qkFactor), ("v_dim_factor", Double(embeddingSize) * vFactor)] {
            try require(
                width >= Double(heads) && width == width.rounded() && Int(width) % heads == 0, name,
                expected: "a width (embedding_dim x factor) that num_heads (\(heads)) divides", received: "\(width)")
        }
        for (name, value) in [("gate_soft_cap", gateSoftCap), ("output_logit_soft_cap", logitSoftCap), ("ffn_proj_factor", feedForwardFactor)] {
            try require(value > 0 && value.isFinite, name, expected: "a finite value > 0", received: "\(value)")
        }
        for (name, value) in [("eps", epsilon), ("norm_eps", normEpsilon)] {
            try require(value >= 0 && value.isFinite, name, expected: "a finite value >= 0", received: "\(value)")
        }
    }
}
