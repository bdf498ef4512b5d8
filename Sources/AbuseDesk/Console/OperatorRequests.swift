import AbuseDeskCore
import Foundation

/// The operators' requests, read from a JSON object — the admin API's body, or the console's form fields
/// put into one — so that both interfaces take the same fields under the same rules, and every problem
/// of a request is named at once.
enum OperatorRequests {
    static func denial(_ object: JSONObject) -> Result<DenialReason, ValidationFailure> {
        var check = FieldChecker()
        let reasons = DenialReason.allCases.map(\.rawValue)
        let reason = check.choice(object, "reason", reasons, required: "why the report is denied, one of \(quotedList(reasons))")
            .flatMap(DenialReason.init(rawValue:))
        return finish(check, reason)
    }

    /// `{"operator_id": id | "me" | null}`: null (or blank) takes the report back from whoever had it.
    static func assignee(_ object: JSONObject, me operatorID: String) -> Result<String?, ValidationFailure> {
        var check = FieldChecker()
        guard !object["operator_id"].isAbsent else { return .success(nil) }
        guard let text = check.string(object, "operator_id", length: 1...64) else { return .failure(ValidationFailure(check.problems)) }
        if text == "me" { return .success(operatorID) }
        guard Identifier.isWellFormed(text) else {
            check.problem("operator_id", .format, "Must be an operator id, \"me\", or null to unassign; got \(quoted(text)).")
            return .failure(ValidationFailure(check.problems))
        }
        return .success(text)
    }

    static func route(_ object: JSONObject) -> Result<String, ValidationFailure> {
        var check = FieldChecker()
        var account = check.string(object, "account_id", required: "the id of the account the report is about", length: 1...64)
        if let text = account, !Identifier.isWellFormed(text) {
            check.problem("account_id", .format, "Must be an account id: 26 characters of digits and lower-case letters; got \(quoted(text)).")
            account = nil
        }
        return finish(check, account)
    }

    struct Forward: Sendable {
        var recipient: EmailAddress
        var note: String?
    }

    static func forward(_ object: JSONObject) -> Result<Forward, ValidationFailure> {
        var check = FieldChecker()
        let recipient = check.email(object, "recipient")
        let note = check.string(object, "note", length: 1...5000, multiline: true)
        return finish(check, recipient.map { Forward(recipient: $0, note: note) })
    }

    struct AppealAnswer: Sendable {
        var grant: Bool
        var reason: String
    }

    static func appealDecision(_ object: JSONObject) -> Result<AppealAnswer, ValidationFailure> {
        var check = FieldChecker()
        let decision = check.choice(object, "decision", ["grant", "reject"],
                                    required: "\"grant\" (the mitigation is removed) or \"reject\" (it stays)")
        let reason = check.string(object, "reason", required: "why, in words the customer will read", length: 1...2000, multiline: true)
        guard let decision, let reason else { return .failure(ValidationFailure(check.problems)) }
        return finish(check, AppealAnswer(grant: decision == "grant", reason: reason))
    }

    /// What a bulk request does to each of its reports.
    enum BulkAction: Sendable, Equatable {
        case accept
        case deny(DenialReason)
        case assign(String?)
    }

    static let maximumBulk = 100

    /// `{"action": "accept"|"deny"|"assign", "report_ids": [...], "reason"?, "operator_id"?}`.
    static func bulk(_ object: JSONObject, me operatorID: String) -> Result<(BulkAction, [String]), ValidationFailure> {
        var check = FieldChecker()
        let action = check.choice(object, "action", ["accept", "deny", "assign"], required: "\"accept\", \"deny\" or \"assign\"")
        var ids: [String] = []
        if check.required(object, "report_ids", "the ids of the reports, 1 to \(maximumBulk)") != nil {
            let items = check.list(object, "report_ids", maximum: maximumBulk)
            if case .array(let all)? = object["report_ids"], all.isEmpty {
                check.problem("report_ids", .length, "Must hold at least one report id.")
            }
            for (index, item) in items.enumerated() {
                guard let id = item.stringValue, Identifier.isWellFormed(id) else {
                    check.problem("report_ids[\(index)]", .format, "Must be a report id; got \(item.serialized()).")
                    continue
                }
                if !ids.contains(id) { ids.append(id) }
            }
        }
        // The action's own fields are read by its own reader; its problems join the others.
        var bulk: BulkAction?
        var problems = check.problems
        switch action {
        case "accept": bulk = .accept
        case "deny":
            switch denial(object) {
            case .success(let reason): bulk = .deny(reason)
            case .failure(let failure): problems += failure.problems
            }
        case "assign":
            switch assignee(object, me: operatorID) {
            case .success(let id): bulk = .assign(id)
            case .failure(let failure): problems += failure.problems
            }
        default: break
        }
        guard problems.isEmpty, let bulk else { return .failure(ValidationFailure(problems)) }
        return .success((bulk, ids))
    }

    /// `{"role": "admin"|"analyst"}`.
    static func role(_ object: JSONObject) -> Result<OperatorRole, ValidationFailure> {
        var check = FieldChecker()
        let roles = OperatorRole.allCases.map(\.rawValue)
        let role = check.choice(object, "role", roles, required: "the operator's role, \(quotedList(roles))").flatMap(OperatorRole.init(rawValue:))
        return finish(check, role)
    }

    private static func finish<Value>(_ check: FieldChecker, _ value: Value?) -> Result<Value, ValidationFailure> {
        guard check.problems.isEmpty, let value else { return .failure(ValidationFailure(check.problems)) }
        return .success(value)
    }
}
