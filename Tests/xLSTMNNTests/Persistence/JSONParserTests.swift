import Foundation
import Testing
@testable import xLSTMNN

/// The strict JSON parser against Foundation's `JSONSerialization` (an
/// independent parser) on valid and invalid texts, plus the rules
/// Foundation does not enforce: duplicate keys and a depth limit.
@Suite struct JSONParserTests {
    static let valid = [
        #"{}"#, #"[]"#, #"{"a":1,"b":[true,false,null],"c":{"d":"e"}}"#, #"  [1, -2.5e3, 0, -0, 1E+2, 0.125]  "#,
        #""\u00e9\ud83d\ude00\n\t\"\\\/""#, #"{"dtype":"F32","shape":[2,3],"data_offsets":[0,24]}"#, #"123"#,
    ]
    static let invalid = [
        #"{"#, #"{"a"}"#, #"{"a":}"#, #"01"#, #"1."#, #"-"#, #"1e"#, #"tru"#, #""abc"#,
        "\"a\u{01}b\"", #""\x""#, #""\ud800""#, #"[1] 2"#, #"{'a':1}"#, #"NaN"#,
    ]

    /// Invalid by RFC 8259, yet accepted by Foundation's parser on Linux.
    static let trailingCommas = [#"[1,]"#, #"{"a":1,}"#]

    @Test func rejectsTrailingCommas() throws {
        for text in Self.trailingCommas {
            #expect(throws: JSONParseError.self, "\(text)") { try JSONParser.parse(Array(text.utf8)) }
        }
    }

    @Test func agreesWithFoundationOnValidTexts() throws {
        for text in Self.valid {
            let ours = try JSONParser.parse(Array(text.utf8))
            let theirs = try JSONSerialization.jsonObject(with: Data(text.utf8), options: [.fragmentsAllowed])
            #expect(Self.bridge(ours) == Self.normalize(theirs), "\(text)")
        }
    }

    @Test func rejectsWhatFoundationRejects() throws {
        for text in Self.invalid {
            #expect(throws: JSONParseError.self, "\(text)") { try JSONParser.parse(Array(text.utf8)) }
            #expect((try? JSONSerialization.jsonObject(with: Data(text.utf8), options: [.fragmentsAllowed])) == nil, "\(text)")
        }
    }

    @Test func rejectsDuplicateKeysAtAnyDepth() throws {
        #expect(throws: JSONParseError(offset: 8, reason: "duplicate key \"a\"")) {
            try JSONParser.parse(Array(#"{"a":1, "a":2}"#.utf8))
        }
        #expect(throws: JSONParseError.self) { try JSONParser.parse(Array(#"{"x":{"b":1,"b":1}}"#.utf8)) }
    }

    @Test func limitsTheDepth() throws {
        let deep = String(repeating: "[", count: 100_000) + String(repeating: "]", count: 100_000)
        #expect(throws: JSONParseError(offset: JSONParser.maximumDepth, reason: "nesting deeper than 64 levels")) {
            try JSONParser.parse(Array(deep.utf8))
        }
        let allowed = String(repeating: "[", count: 64) + String(repeating: "]", count: 64)
        #expect(throws: Never.self) { try JSONParser.parse(Array(allowed.utf8)) }
    }

    /// Our value as text, numbers (and booleans) as Double, for comparison.
    static func bridge(_ value: JSONValue) -> String {
        switch value {
        case .null: "null"
        case .bool(let flag): flag ? "1.0" : "0.0"
        // + 0 turns -0 into 0, as Foundation's integers do.
        case .number(let text): "\(Double(text)! + 0)"
        case .string(let text): "s:" + text
        case .array(let items): "[" + items.map(bridge).joined(separator: ",") + "]"
        case .object(let object): "{" + object.keys.sorted().map { "\($0)=\(bridge(object[$0]!))" }.joined(separator: ",") + "}"
        }
    }

    static func normalize(_ value: Any) -> String {
        switch value {
        case is NSNull: return "null"
        // Booleans and numbers both arrive as NSNumber on Linux; compare them as numbers.
        case let number as NSNumber: return "\(number.doubleValue)"
        case let flag as Bool: return flag ? "1.0" : "0.0"
        case let text as String: return "s:" + text
        case let items as [Any]: return "[" + items.map(normalize).joined(separator: ",") + "]"
        case let object as [String: Any]:
            return "{" + object.keys.sorted().map { "\($0)=\(normalize(object[$0]!))" }.joined(separator: ",") + "}"
        default: return "?"
        }
    }
}
