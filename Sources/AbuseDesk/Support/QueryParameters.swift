import AbuseDeskCore
import Foundation

/// The query of a request as name–value pairs in order (names may repeat: `type=PHISH&type=GEN`), read
/// into typed values while every problem is collected: an unknown name, a repeated single value, a
/// value outside its list or range.
struct QueryParameters {
    private let pairs: [(name: String, value: String)]
    private(set) var problems: [ValidationProblem] = []

    /// The pairs of `query`; with `droppingEmpty`, those without a value are left out (an HTML form sends
    /// every field, filled in or not).
    init(_ query: String?, droppingEmpty: Bool = false) {
        let all: [(name: String, value: String)] = (query ?? "").split(separator: "&", omittingEmptySubsequences: true).map { item in
            let parts = item.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            func decode(_ text: Substring) -> String {
                let spaced = text.replacingOccurrences(of: "+", with: " ")
                return spaced.removingPercentEncoding ?? spaced
            }
            return (decode(parts[0]), parts.count > 1 ? decode(parts[1]) : "")
        }
        pairs = droppingEmpty ? all.filter { !$0.value.isEmpty } : all
    }

    /// Every name given, once each, in order.
    var names: [String] {
        var seen = Set<String>()
        return pairs.map(\.name).filter { seen.insert($0).inserted }
    }

    func values(_ name: String) -> [String] {
        pairs.filter { $0.name == name }.map(\.value)
    }

    mutating func problem(_ name: String, _ code: ValidationProblem.Code, _ message: String) {
        problems.append(ValidationProblem(path: name, code: code, message: message))
    }

    /// Names every parameter this endpoint does not take.
    mutating func rejectUnknown(allowed: [String]) {
        var reported = Set<String>()
        for (name, _) in pairs where !allowed.contains(name) && reported.insert(name).inserted {
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
