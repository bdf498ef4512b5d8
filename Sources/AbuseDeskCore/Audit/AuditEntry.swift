import Foundation

/// One change of state as the audit log keeps it: who did what to which thing, when, with the thing's
/// state before and after. Entries are chained: each one's hash covers its own content and the hash of
/// the entry before it, so altering, removing or reordering any entry breaks every link after it.
public struct AuditEntry: Sendable, Equatable {
    /// Position in the log, from 1, without gaps.
    public var sequence: Int
    public var occurredAt: Date
    /// `operator:<id>`, `account:<id>`, `reporter`, `system` or `command-line`.
    public var actor: String
    /// What was changed: `report`, `mitigation`, `appeal`, `account`, `token`, `operator`.
    public var subjectType: String
    public var subjectID: String
    /// What happened, e.g. `report.accepted`, `mitigation.applied`, `token.revoked`.
    public var action: String
    public var before: JSONValue
    public var after: JSONValue
    public var previousHash: String
    public var hash: String

    /// The hash the first entry links to.
    public static let genesisHash = String(repeating: "0", count: 64)

    /// A new entry linked to `previous` (nil for the first), with its hash computed.
    public init(following previous: AuditEntry?, occurredAt: Date, actor: String, subjectType: String, subjectID: String,
                action: String, before: JSONValue, after: JSONValue) {
        self.init(sequence: (previous?.sequence ?? 0) + 1, previousHash: previous?.hash ?? Self.genesisHash, occurredAt: occurredAt,
                  actor: actor, subjectType: subjectType, subjectID: subjectID, action: action, before: before, after: after)
    }

    /// A new entry at `sequence` after the entry whose hash is `previousHash`, with its hash computed. The
    /// time is kept to the millisecond, as it is hashed.
    public init(sequence: Int, previousHash: String, occurredAt: Date, actor: String, subjectType: String, subjectID: String,
                action: String, before: JSONValue, after: JSONValue) {
        let milliseconds = (occurredAt.timeIntervalSince1970 * 1000).rounded()
        self.init(sequence: sequence, occurredAt: Date(timeIntervalSince1970: milliseconds / 1000), actor: actor, subjectType: subjectType,
                  subjectID: subjectID, action: action, before: before, after: after, previousHash: previousHash, hash: "")
        hash = computedHash
    }

    /// An entry as stored, hash included, to be checked with ``AuditChain``.
    public init(sequence: Int, occurredAt: Date, actor: String, subjectType: String, subjectID: String, action: String,
                before: JSONValue, after: JSONValue, previousHash: String, hash: String) {
        self.sequence = sequence
        self.occurredAt = occurredAt
        self.actor = actor
        self.subjectType = subjectType
        self.subjectID = subjectID
        self.action = action
        self.before = before
        self.after = after
        self.previousHash = previousHash
        self.hash = hash
    }

    /// SHA-256 over the entry's content in one fixed form: a JSON array of its fields in a fixed order,
    /// the time in whole milliseconds (what every store keeps exactly), and the previous hash.
    public var computedHash: String {
        let milliseconds = (occurredAt.timeIntervalSince1970 * 1000).rounded()
        let content: JSONValue = [.number(Double(sequence)), .number(milliseconds), .string(actor), .string(subjectType),
                                  .string(subjectID), .string(action), before, after, .string(previousHash)]
        return sha256Hex(content.serializedBytes())
    }
}

/// Checks a log read in sequence order, one entry at a time, so that a long log is checked as it is read.
public struct AuditChain: Sendable {
    /// Why an entry does not belong where it is.
    public enum Break: Sendable, Equatable, CustomStringConvertible {
        /// A sequence number is missing or repeated before this entry.
        case gap(expected: Int, found: Int)
        /// The entry's content no longer gives its stored hash: it was altered.
        case altered(sequence: Int)
        /// The entry does not link to the hash of the one before it.
        case unlinked(sequence: Int)
        /// The log ends before (or after) the head recorded beside it: the newest entries were removed.
        case truncated(head: Int, last: Int)

        public var description: String {
            switch self {
            case let .gap(expected, found): "entry \(expected) is missing: the log goes on at entry \(found)"
            case let .altered(sequence): "entry \(sequence) was changed after it was written: its content does not match its hash"
            case let .unlinked(sequence): "entry \(sequence) does not follow entry \(sequence - 1): the hashes do not link"
            case let .truncated(head, last): "the log ends at entry \(last), but its head records entry \(head)"
            }
        }
    }

    public private(set) var lastSequence = 0
    public private(set) var lastHash = AuditEntry.genesisHash

    public init() {}

    /// Checks the next entry; nil when it follows the ones before it.
    public mutating func check(_ entry: AuditEntry) -> Break? {
        guard entry.sequence == lastSequence + 1 else { return .gap(expected: lastSequence + 1, found: entry.sequence) }
        guard entry.hash == entry.computedHash else { return .altered(sequence: entry.sequence) }
        guard entry.previousHash == lastHash else { return .unlinked(sequence: entry.sequence) }
        lastSequence = entry.sequence
        lastHash = entry.hash
        return nil
    }

    /// After the last entry: whether the log ends where its recorded head says.
    public func checkEnd(headSequence: Int, headHash: String) -> Break? {
        headSequence == lastSequence && headHash == lastHash ? nil : .truncated(head: headSequence, last: lastSequence)
    }

    /// The first broken link of a whole log, or nil when every entry follows the one before it.
    public static func firstBreak(in entries: some Sequence<AuditEntry>) -> Break? {
        var chain = AuditChain()
        for entry in entries {
            if let broken = chain.check(entry) { return broken }
        }
        return nil
    }
}
