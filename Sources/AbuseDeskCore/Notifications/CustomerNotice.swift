import Foundation

/// What a customer's abuse contact is told about a report against the account: that it was accepted,
/// that a mitigation was applied with its statement of reasons, that an appeal was received.
/// The reporter's identity appears only when the reporter did not ask to stay hidden.
public enum CustomerNotice {
    /// The report as the customer may see it.
    public struct Report: Sendable {
        public var id: String
        public var type: ReportType
        public var domain: String?
        public var urls: [String]
        public var justification: String
        /// `nil` when the reporter asked to stay hidden from the customer.
        public var reporter: Reporter?

        public init(id: String, type: ReportType, domain: String?, urls: [String], justification: String, reporter: Reporter?) {
            self.id = id
            self.type = type
            self.domain = domain
            self.urls = urls
            self.justification = justification
            self.reporter = reporter
        }
    }

    public static func accepted(_ report: Report, to recipient: String, accountID: String) -> OutgoingMessage {
        var lines = ["Hello,", "",
                     "we received a report of \(report.type.title.lowercased()) about \(report.domain ?? "a service of your account"), "
                        + "reviewed it and found it to be valid.", ""]
        lines += describe(report)
        lines += ["", "Please remove the abusive content or stop the activity. If it continues, we will act on it ourselves,",
                  "and we will tell you what we did and why."]
        return message("Abuse report \(report.id) accepted: \(report.type.title)", lines, about: report, to: recipient, accountID: accountID)
    }

    public struct Mitigation: Sendable {
        public var id: String
        public var type: MitigationType
        public var entityType: MitigationEntityType
        public var entityID: String
        public var effectiveDate: Date
        public var isActive: Bool
        public var statement: StatementOfReasons

        public init(id: String, type: MitigationType, entityType: MitigationEntityType, entityID: String, effectiveDate: Date,
                    isActive: Bool, statement: StatementOfReasons) {
            self.id = id
            self.type = type
            self.entityType = entityType
            self.entityID = entityID
            self.effectiveDate = effectiveDate
            self.isActive = isActive
            self.statement = statement
        }
    }

    public static func mitigation(_ mitigation: Mitigation, report: Report, to recipient: String, accountID: String) -> OutgoingMessage {
        let what = mitigation.type.rawValue.replacingOccurrences(of: "_", with: " ")
        let when = mitigation.isActive ? "is in effect since \(RFC3339.format(mitigation.effectiveDate))"
                                       : "will take effect at \(RFC3339.format(mitigation.effectiveDate))"
        var lines = ["Hello,", "",
                     "because of abuse report \(report.id), a mitigation (\(what)) applies to \(mitigation.entityType.rawValue) "
                        + "\(mitigation.entityID). It \(when).", "",
                     "Mitigation id: \(mitigation.id)", "",
                     "Statement of reasons", "",
                     "Ground:     \(mitigation.statement.ground)",
                     "Facts:      \(mitigation.statement.facts)",
                     "Automated:  \(mitigation.statement.automated ? "yes, the decision was taken by automated means" : "no, a person decided")",
                     "How to appeal: \(mitigation.statement.appeal)", ""]
        lines += describe(report)
        return message("Mitigation \(mitigation.isActive ? "applied" : "scheduled") for abuse report \(report.id): \(what)", lines,
                       about: report, to: recipient, accountID: accountID)
    }

    public static func appealReceived(mitigationIDs: [String], reasons: [AppealReason], report: Report, to recipient: String,
                                      accountID: String) -> OutgoingMessage {
        let count = mitigationIDs.count
        var lines = ["Hello,", "",
                     "we received your request to review \(count) mitigation\(count == 1 ? "" : "s") of abuse report \(report.id) "
                        + "(reason: \(Set(reasons.map(\.rawValue)).sorted().joined(separator: ", ")))."]
        lines += mitigationIDs.map { "  - mitigation \($0)" }
        lines += ["", "While we review, the mitigation\(count == 1 ? " is" : "s are") marked in review. We will write to you with our decision."]
        return message("Appeal received for abuse report \(report.id)", lines, about: report, to: recipient, accountID: accountID)
    }

    /// The answer to an appeal, by where it left the mitigation: `removed` (granted), or back in force
    /// (rejected: `active` or `pending`), with why.
    public static func appealDecided(mitigationID: String, outcome: MitigationStatus, reason: String,
                                     report: Report, to recipient: String, accountID: String) -> OutgoingMessage {
        let granted = outcome == .removed
        let decision = granted
            ? "We granted your appeal: mitigation \(mitigationID) is removed."
            : "We rejected your appeal: mitigation \(mitigationID) stays \(outcome == .pending ? "scheduled" : "in effect")."
        var lines = ["Hello,", "", "we reviewed your appeal against a mitigation of abuse report \(report.id).", "", decision, "",
                     "Why: \(reason)", ""]
        lines += describe(report)
        return message("Appeal \(granted ? "granted" : "rejected") for abuse report \(report.id)", lines,
                       about: report, to: recipient, accountID: accountID)
    }

    /// A message to the customer's abuse contact about `report`, signed.
    private static func message(_ subject: String, _ lines: [String], about report: Report, to recipient: String,
                                accountID: String) -> OutgoingMessage {
        OutgoingMessage(audience: .customer, recipient: recipient, subject: subject,
                        body: (lines + ["", "AbuseDesk"]).joined(separator: "\n"), reportID: report.id, accountID: accountID)
    }

    static func describe(_ report: Report) -> [String] {
        var lines = ["Report id:  \(report.id)", "Type:       \(report.type.title)"]
        if let first = report.urls.first {
            lines.append("URLs:       \(first)")
            lines += report.urls.dropFirst().prefix(19).map { "            \($0)" }
            if report.urls.count > 20 { lines.append("            and \(report.urls.count - 20) more") }
        } else if let domain = report.domain {
            lines.append("Reported:   \(domain)")
        }
        if let reporter = report.reporter {
            lines.append("Reported by: \(reporter.name) <\(reporter.email)>" + (reporter.organization.map { ", \($0)" } ?? ""))
        } else {
            lines.append("Reported by: the reporter asked not to be named")
        }
        lines += ["", "What the reporter wrote:", report.justification]
        return lines
    }
}
