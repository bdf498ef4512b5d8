import AbuseDeskCore
import Foundation

/// The query of a request as name–value pairs in order (names may repeat: `type=PHISH&type=GEN`), read
/// into typed values while every problem is collected: an unknown name, a repeated single value, a
/// value outside its list or range.
struct QueryParameters: Sendable {
    private let pairs: [(name: String, value: String)]
    /// Where each name's values are in `pairs`, so that reading a name costs its own values only: a
    /// body of many thousands of fields is read in time linear in its size.
    private let positions: [String: [Int]]
    /// Every name given, once each, in order.
    let names: [String]
    private(set) var problems: [ValidationProblem] = []

    /// The pairs of `query`; with `droppingEmpty`, those without a value are left out (an HTML form sends
    /// every field, filled in or not).
    init(_ query: String?, droppingEmpty: Bool = false) {
        var pairs: [(name: String, value: String)] = []
        var positions: [String: [Int]] = [:]
        var names: [String] = []
        for item in (query ?? "").utf8.split(separator: UInt8(ascii: "&"), omittingEmptySubsequences: true) {
            let equals = item.firstIndex(of: UInt8(ascii: "="))
            let name = FormDecoding.decode(item[..<(equals ?? item.endIndex)])
            let value = equals.map { FormDecoding.decode(item[item.index(after: $0)...]) } ?? ""
            if droppingEmpty, value.isEmpty { continue }
            if positions[name] == nil { names.append(name) }
            positions[name, default: []].append(pairs.count)
            pairs.append((name, value))
        }
        self.pairs = pairs
        self.positions = positions
        self.names = names
    }

    func values(_ name: String) -> [String] {
        positions[name].map { $0.map { pairs[$0].value } } ?? []
    }

    mutating func problem(_ name: String, _ code: ValidationProblem.Code, _ message: String) {
        problems.append(ValidationProblem(path: name, code: code, message: message))
    }

    /// Names every parameter this endpoint does not take.
    mutating func rejectUnknown(allowed: [String]) {
        for name in names where !allowed.contains(name) {
            let hint = FieldChecker.closest(to: name, in: allowed).map { "; did you mean \"\($0)\"?" }
                ?? (allowed.isEmpty ? "; this endpoint takes none." : "; the parameters are \(allowed.map { "\"\($0)\"" }.joined(separator: ", ")).")
            problem(name, .unknownProperty, "Is not a parameter here" + hint)
        }
    }

    /// The single value of `name`, or nil; a repeated name is a problem.
    mutating func single(_ name: String) -> String? {
        let found = values(name)
        if found.count > 1 {
            problem(name, .tooMany, "Give \(name) once; it was given \(found.count) times.")
            return nil
        }
        return found.first
    }

    mutating func integer(_ name: String, default value: Int, range: ClosedRange<Int>) -> Int {
        guard let text = single(name) else { return value }
        guard let number = Int(text), range.contains(number) else {
            problem(name, .range, "Must be a whole number from \(range.lowerBound) to \(range.upperBound); got \"\(text)\".")
            return value
        }
        return number
    }

    mutating func timestamp(_ name: String) -> Date? {
        guard let text = single(name) else { return nil }
        guard let date = RFC3339.parse(text) else {
            problem(name, .format, "Must be an RFC 3339 time such as 2026-11-23T14:05:00Z (or a date, 2026-11-23); got \"\(text)\".")
            return nil
        }
        return date
    }

    /// One value of a fixed list.
    mutating func choice<Value: RawRepresentable & CaseIterable>(_ name: String, _: Value.Type) -> Value? where Value.RawValue == String {
        guard let text = single(name) else { return nil }
        return parse(text, name: name)
    }

    /// Any number of values of a fixed list (the name repeated, or values separated by commas).
    mutating func choices<Value: RawRepresentable & CaseIterable>(_ name: String, _: Value.Type) -> [Value] where Value.RawValue == String {
        values(name).flatMap { $0.split(separator: ",").map(String.init) }.compactMap { parse($0, name: name) }
    }

    private mutating func parse<Value: RawRepresentable & CaseIterable>(_ text: String, name: String) -> Value? where Value.RawValue == String {
        if let value = Value(rawValue: text) { return value }
        let options = Value.allCases.map { "\"\($0.rawValue)\"" }.joined(separator: ", ")
        problem(name, .notAllowed, "Must be one of \(options); got \"\(text)\".")
        return nil
    }

    /// `field,asc` or `field,desc` (or just `field`, ascending) over `fields`.
    mutating func sort<Field: RawRepresentable & CaseIterable>(_: Field.Type, name: String = "sort",
                                                               default fallback: (Field, descending: Bool)) -> (Field, descending: Bool) where Field.RawValue == String {
        guard let text = single(name) else { return fallback }
        let parts = text.split(separator: ",", omittingEmptySubsequences: false).map { $0.trimmingCharacters(in: .whitespaces) }
        let fields = Field.allCases.map(\.rawValue)
        guard (1...2).contains(parts.count), let field = Field(rawValue: parts[0]),
              parts.count == 1 || ["asc", "desc"].contains(parts[1].lowercased()) else {
            problem(name, .notAllowed, "Must be a field and a direction such as \"\(fields[0]),desc\"; fields: \(fields.joined(separator: ", ")); directions: asc, desc. Got \"\(text)\".")
            return fallback
        }
        return (field, parts.count == 2 && parts[1].lowercased() == "desc")
    }
}

/// `application/x-www-form-urlencoded` decoding of one name or value: `+` is a space, `%XX` a byte;
/// a `%` not followed by two hex digits stays as it is, and bytes that are not UTF-8 become U+FFFD.
enum FormDecoding {
    static func decode(_ bytes: Substring.UTF8View.SubSequence) -> String {
        var needsWork = false
        for byte in bytes where byte == UInt8(ascii: "+") || byte == UInt8(ascii: "%") {
            needsWork = true
            break
        }
        guard needsWork else { return String(decoding: bytes, as: UTF8.self) }
        var output: [UInt8] = []
        output.reserveCapacity(bytes.count)
        var index = bytes.startIndex
        while index < bytes.endIndex {
            let byte = bytes[index]
            if byte == UInt8(ascii: "+") {
                output.append(UInt8(ascii: " "))
            } else if byte == UInt8(ascii: "%"), let high = bytes.index(index, offsetBy: 1, limitedBy: bytes.endIndex), high < bytes.endIndex,
                      let low = bytes.index(high, offsetBy: 1, limitedBy: bytes.endIndex), low < bytes.endIndex,
                      let value = hex(bytes[high]).flatMap({ h in hex(bytes[low]).map { h << 4 | $0 } }) {
                output.append(value)
                index = low
            } else {
                output.append(byte)
            }
            index = bytes.index(after: index)
        }
        return String(decoding: output, as: UTF8.self)
    }

    private static func hex(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): byte - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): byte - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): byte - UInt8(ascii: "A") + 10
        default: nil
        }
    }
}
