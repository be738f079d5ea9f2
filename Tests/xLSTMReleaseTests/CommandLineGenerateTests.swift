import Foundation
import Testing

/// `xlstm generate` continues a prompt with a Hugging Face checkpoint made by
/// transformers (a fixture of xLSTMTests) exactly as transformers' greedy
/// `generate` did; the prompt may come from standard input.
@Suite(.serialized) struct CommandLineGenerateTests {
    static let directory = ReleaseBuild.root.appendingPathComponent("Tests/xLSTMTests/Fixtures/hf/a_tiny_f32").path

    /// transformers' greedy continuation of the first prompt, from the fixture's expected.json.
    static func expected() throws -> (prompt: [Int], tokens: [Int]) {
        let data = try Data(contentsOf: URL(fileURLWithPath: directory + "/expected.json"))
        let greedy = try #require((try JSONSerialization.jsonObject(with: data) as? [String: Any])?["greedy"] as? [String: Any])
        let prompts = try #require(greedy["prompt_ids"] as? [[Int]])
        let tokens = try #require(greedy["new_tokens"] as? [[Int]])
        return (prompts[0], tokens[0])
    }

    @Test func greedyMatchesTransformersFromAnOptionAndFromStandardInput() throws {
        let xlstm = try ReleaseBuild.binary("xlstm")
        let (prompt, tokens) = try Self.expected()
        let ids = prompt.map(String.init).joined(separator: ",")
        let outcome = try ReleaseBuild.run(xlstm, [
            "generate", "--hugging-face-directory", Self.directory, "--prompt", ids, "--max-new-tokens", "\(tokens.count)",
            "--threads", "1",
        ])
        #expect(outcome.status == 0, "\(outcome.standardError)")
        #expect(outcome.standardOutput == tokens.map(String.init).joined(separator: ",") + "\n")
        let piped = try ReleaseBuild.run("/bin/bash", [
            "-c", "echo \(ids) | \(xlstm) generate --hugging-face-directory \(Self.directory) --max-new-tokens 3 --threads 1",
        ])
        #expect(piped.standardOutput == tokens.prefix(3).map(String.init).joined(separator: ",") + "\n", "\(piped.standardError)")
        let sampled = try ReleaseBuild.run(xlstm, [
            "generate", "--hugging-face-directory", Self.directory, "--prompt", ids, "--temperature", "0.8", "--top-p", "0.9",
            "--seed", "4", "--threads", "1",
        ])
        #expect(sampled.status == 0 && sampled.standardOutput.split(separator: ",").count == 32)
        let bad = try ReleaseBuild.run(xlstm, ["generate", "--hugging-face-directory", Self.directory, "--prompt", "1,x"])
        #expect(bad.status == 64 && bad.standardError.contains("Error: --prompt: expected comma-separated token ids (for example 1,5,3), received 1,x"))
    }
}
