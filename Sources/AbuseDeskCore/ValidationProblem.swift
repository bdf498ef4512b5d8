/// One thing wrong with what a user sent: where, which rule, and what would be right.
///
/// Every interface renders the same problems in its own dialect: the Report Abuse API groups messages
/// by path, the Accounts API lists `{code, message, field}`, the portal shows each beside its field.
public struct ValidationProblem: Sendable, Equatable, Hashable, CustomStringConvertible {
    /// The rule that was broken.
    public enum Code: String, Sendable, Codable {
        case required
        case type
        case length
        case format
        case notAllowed = "not_allowed"
        case unknownProperty = "unknown_property"
        case removedProperty = "removed_property"
        case range
        case tooMany = "too_many"
        case duplicate
        case notFound = "not_found"
        case mismatch
        /// No account of the provider serves the reported host.
        case notServedHere = "not_served_here"
        /// The same submitter reported this already, recently (the Accounts API's 7-day rule).
        case reportedAlready = "reported_already"
    }

    /// Where the problem is: a property name, or a path such as `ipAddressList[3].sourceIp`.
    public var path: String
    public var code: Code
    /// A sentence a person can act on: what is wrong and what would be right.
    public var message: String

    public init(path: String, code: Code, message: String) {
        self.path = path
        self.code = code
        self.message = message
    }

    public var description: String { "\(path): \(message)" }
}

/// The problems found in a request; thrown when there is at least one.
public struct ValidationFailure: Error, Sendable, Equatable {
    public var problems: [ValidationProblem]

    public init(_ problems: [ValidationProblem]) {
        self.problems = problems
    }

    /// The problems grouped by path, in the order they were found.
    public var messagesByPath: [(path: String, messages: [String])] {
        var order: [String] = []
        var grouped: [String: [String]] = [:]
        for problem in problems {
            if grouped[problem.path] == nil { order.append(problem.path) }
            grouped[problem.path, default: []].append(problem.message)
        }
        return order.map { ($0, grouped[$0] ?? []) }
    }
}
