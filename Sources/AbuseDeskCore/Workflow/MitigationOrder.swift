import Foundation

/// A mitigation as an operator orders it, validated: what, on which entity, from when, and why.
public struct MitigationOrder: Sendable, Equatable {
    public var type: MitigationType
    public var entityType: MitigationEntityType
    public var entityID: String
    public var effectiveDate: Date
    public var statement: StatementOfReasons

    /// How far ahead a mitigation may be scheduled: a year.
    public static let maximumLead: TimeInterval = 366 * 86_400

    /// Whether it takes effect at once (otherwise it is pending until its effective date).
    public func isActive(at now: Date) -> Bool { MitigationStatus.inForce(effectiveDate: effectiveDate, at: now) == .active }

    /// Reads `{type, entity_type, entity_id, effective_date?, statement: {ground, facts, automated, appeal?}}`.
    /// A missing effective date means now; a past one is refused (a mitigation cannot begin before it is decided).
    public static func parse(_ body: JSONValue, now: Date) -> Result<MitigationOrder, ValidationFailure> {
        var check = FieldChecker()
        guard case .object(let object) = body else {
            check.problem("", .type, "The body must be a JSON object; got \(body.typeName).")
            return .failure(ValidationFailure(check.problems))
        }
        check.rejectUnknown(in: object, allowed: ["type", "entity_type", "entity_id", "effective_date", "statement"], removed: [:], path: "")
        func required<Value: RawRepresentable & CaseIterable>(_ key: String, _: Value.Type) -> Value? where Value.RawValue == String {
            let options = Value.allCases.map(\.rawValue)
            return check.choice(object, key, options, required: "one of \(quotedList(options))").flatMap(Value.init(rawValue:))
        }
        let type = required("type", MitigationType.self)
        let entityType = required("entity_type", MitigationEntityType.self)
        let entityID = check.string(object, "entity_id", required: "what the mitigation applies to: a URL pattern, a zone or an account id",
                                    length: 1...2048)
        var effective = now
        if let text = check.string(object, "effective_date", length: 1...64) {
            if let date = RFC3339.parse(text) {
                if date < now.addingTimeInterval(-60) {
                    check.problem("effective_date", .range, "Must be now or later; \(quoted(text)) has passed. Leave it out to apply the mitigation now.")
                } else if date > now.addingTimeInterval(Self.maximumLead) {
                    check.problem("effective_date", .range, "Must be within a year from now (by \(RFC3339.format(now.addingTimeInterval(Self.maximumLead)))); got \(quoted(text)). A mitigation is scheduled for a date the customer can act on.")
                } else {
                    effective = max(date, now)
                }
            } else {
                check.problem("effective_date", .format, "Must be an RFC 3339 time such as 2026-12-01T09:00:00Z; got \(quoted(text)).")
            }
        }
        var statement: StatementOfReasons?
        switch object["statement"] {
        case .object(let reasons)?:
            check.rejectUnknown(in: reasons, allowed: ["ground", "facts", "automated", "appeal"], removed: [:], path: "statement.")
            let ground = check.string(reasons, "ground", path: "statement.", required: "the legal or contractual ground, such as the terms of service clause",
                                      length: 1...2000, multiline: true)
            let facts = check.string(reasons, "facts", path: "statement.", required: "the facts the decision rests on", length: 1...5000, multiline: true)
            let appeal = check.string(reasons, "appeal", path: "statement.", length: 1...2000, multiline: true)
            var automated: Bool?
            switch reasons["automated"] {
            case .bool(let value)?: automated = value
            case .none, .null?: check.problem("statement.automated", .required, "Required: true if the decision was taken by automated means, false if a person took it.")
            case let other?: check.problem("statement.automated", .type, "Must be true or false; got \(other.typeName).")
            }
            if let ground, let facts, let automated {
                statement = StatementOfReasons(ground: ground, facts: facts, automated: automated, appeal: appeal ?? StatementOfReasons.defaultAppeal)
            }
        case .none, .null?:
            check.problem("statement", .required, "Required: the statement of reasons {ground, facts, automated, appeal?} that goes to the customer.")
        case let other?:
            check.problem("statement", .type, "Must be an object {ground, facts, automated, appeal?}; got \(other.typeName).")
        }
        guard check.problems.isEmpty, let type, let entityType, let entityID, let statement else {
            return .failure(ValidationFailure(check.problems))
        }
        return .success(MitigationOrder(type: type, entityType: entityType, entityID: entityID, effectiveDate: effective, statement: statement))
    }
}
