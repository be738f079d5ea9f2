import ArgumentParser
import Foundation
import xLSTM

/// The character language-model task of `--text` (a UTF-8 file), or of the
/// built-in Book of Genesis when it is omitted; `train` and `eval` split it
/// the same way, so `eval` reads the held-out end that `train` held out.
func characterTask(text path: String?) throws -> CharacterLanguageModelTask {
    var text = genesisText
    if let path {
        let data: Data
        do { data = try Data(contentsOf: URL(fileURLWithPath: path)) } catch {
            throw ValidationError("--text: expected a readable file, received \(path) (\(error.localizedDescription))")
        }
        guard let contents = String(data: data, encoding: .utf8) else {
            throw ValidationError("--text: expected UTF-8 text, received \(path), which is not valid UTF-8")
        }
        text = contents
    }
    do { return try CharacterLanguageModelTask(text: text) } catch {
        throw ValidationError("--text: expected \(error.expected), received \(error.received)")
    }
}
