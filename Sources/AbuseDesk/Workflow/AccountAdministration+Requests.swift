import AbuseDeskCore
import Foundation

/// The requests that change accounts, read from a JSON object (the admin API's body, the console's form
/// fields put into one, the command line's options) with every problem of their form named.
extension AccountAdministration {
    /// A new account, validated.
    struct NewAccount: Sendable {
        var name: String
        var abuseEmail: String?
        var domains: [HostName]
        var netblocks: [Netblock]
    }

    /// What `parseNewAccount` could read, with the problems it found: a domain or netblock that parsed
    /// keeps its path, so that whether another account has it can be told in the same answer.
    struct NewAccountDraft: Sendable {
        var name: String?
        var abuseEmail: String?
        var domains: [(path: String, value: HostName)] = []
        var netblocks: [(path: String, value: Netblock)] = []
        var problems: [ValidationProblem] = []
    }

    /// Reads `{name, abuse_email?, domains?: [...], netblocks?: [...]}`, naming every problem of its form.
    static func parseNewAccount(_ body: JSONValue) -> NewAccountDraft {
        var check = FieldChecker()
        var draft = NewAccountDraft()
        guard case .object(let object) = body else {
            check.problem("", .type, "The body must be a JSON object {name, abuse_email?, domains?, netblocks?}; got \(body.typeName).")
            draft.problems = check.problems
            return draft
        }
        check.rejectUnknown(in: object, allowed: ["name", "abuse_email", "domains", "netblocks"], removed: [:], path: "")
        draft.name = check.string(object, "name", required: "the customer's name", length: 1...200)
        draft.abuseEmail = check.email(object, "abuse_email", required: false)?.value
        for (index, item) in check.list(object, "domains", maximum: 1000).enumerated() {
            let path = "domains[\(index)]"
            guard let domain = parseDomain(item, path: path, check: &check) else { continue }
            if draft.domains.contains(where: { $0.value == domain }) {
                check.problem(path, .duplicate, "\(quoted(domain.value)) is listed twice.")
            } else {
                draft.domains.append((path, domain))
            }
        }
        for (index, item) in check.list(object, "netblocks", maximum: 1000).enumerated() {
            let path = "netblocks[\(index)]"
            guard let netblock = parseNetblock(item, path: path, check: &check) else { continue }
            if draft.netblocks.contains(where: { $0.value == netblock }) {
                check.problem(path, .duplicate, "\(quoted(netblock.description)) is listed twice.")
            } else {
                draft.netblocks.append((path, netblock))
            }
        }
        draft.problems = check.problems
        return draft
    }

    static func parseDomain(_ value: JSONValue, path: String, check: inout FieldChecker) -> HostName? {
        guard let text = value.stringValue else {
            check.problem(path, .type, "Must be a domain name as a string; got \(value.typeName).")
            return nil
        }
        guard let domain = HostName(text.trimmingWhitespace()) else {
            check.problem(path, .format, "Must be a fully qualified domain name such as example.com; got \(quoted(text)).")
            return nil
        }
        return domain
    }

    static func parseNetblock(_ value: JSONValue, path: String, check: inout FieldChecker) -> Netblock? {
        guard let text = value.stringValue else {
            check.problem(path, .type, "Must be a CIDR block as a string; got \(value.typeName).")
            return nil
        }
        let trimmed = text.trimmingWhitespace()
        guard let netblock = Netblock(trimmed) else {
            let hint = Netblock(trimmed, strict: false).map { "; the block that holds it is \($0)" } ?? ""
            check.problem(path, .format, "Must be a CIDR block such as 203.0.113.0/24 or 2001:db8::/32, with no bits set after the prefix; got \(quoted(text))\(hint).")
            return nil
        }
        if let reason = netblock.nonPublicReason {
            check.problem(path, .notAllowed, "Must be a block of public addresses that reports can come from; \(netblock) \(reason).")
            return nil
        }
        return netblock
    }

    /// A change of an account's name or abuse contact: what is given changes, the rest stays.
    struct AccountChange: Sendable, Equatable {
        var name: String?
        /// `.some(nil)` removes the abuse contact.
        var abuseEmail: String??
    }

    /// Reads `{name?, abuse_email?}` (`abuse_email: null` removes the contact); at least one is needed.
    static func parseAccountChange(_ object: JSONObject) -> Result<AccountChange, ValidationFailure> {
        var check = FieldChecker()
        check.rejectUnknown(in: object, allowed: ["name", "abuse_email"], removed: [:], path: "")
        var change = AccountChange()
        if object["name"] != nil { change.name = check.string(object, "name", required: "the customer's name", length: 1...200) }
        switch object["abuse_email"] {
        case .none: break
        case .null?: change.abuseEmail = .some(nil)
        case .string(let text)? where text.trimmingWhitespace().isEmpty: change.abuseEmail = .some(nil)
        default: change.abuseEmail = check.email(object, "abuse_email").map { .some($0.value) }
        }
        if object["name"] == nil, object["abuse_email"] == nil {
            check.problem("name", .required, "Give the new name, the new abuse_email (null removes it), or both.")
        }
        guard check.problems.isEmpty else { return .failure(ValidationFailure(check.problems)) }
        return .success(change)
    }
}
