import AbuseDeskCore
import Foundation

extension JSONValue {
    /// A string, or null: how the APIs write a value that may be missing.
    static func optional(_ text: String?) -> JSONValue { text.map(JSONValue.string) ?? .null }

    /// An RFC 3339 time, or null.
    static func time(_ date: Date?) -> JSONValue { date.map { .string(RFC3339.format($0)) } ?? .null }
}
