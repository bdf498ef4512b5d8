import Foundation

/// Composes the e-mail of each event from its template: to the reporter (receipt, decision), to the
/// reported customer's abuse contact (acceptance and its withdrawal, mitigation, appeal received and decided) and to an
/// upstream host (a forwarded report). What the customer and the host read never names a reporter who
/// asked to stay hidden: their views of the report (`CustomerNotice.Report`) carry no reporter then.
public struct Notices: Sendable {
    public let templates: MailTemplates

    public init(templates: MailTemplates) {
        self.templates = templates
    }

    // MARK: To the reporter

    /// The most reports one receipt lists by id; a request that filed more says how many more.
    static let receiptListLimit = 50

    /// The one receipt of a request, whatever it filed (a v1 request may file many reports): its report
    /// ids and what was reported, with links defanged. It greets nobody by name and repeats no text the
    /// reporter wrote, since the address it goes to was never verified. Answers `nil` for no records.
    public func receipt(for records: [ReportRecord]) -> OutgoingMessage? {
        guard let record = records.first else { return nil }
        func incident(of record: ReportRecord) -> String {
            record.classification.map { [$0.threatType, $0.incidentType, $0.attackMethod].compactMap { $0 }.joined(separator: " / ") }
                ?? record.reportType.title
        }
        var context: [String: TemplateValue] = [
            "id": .text(record.id), "received": .text(Self.utcMinute(record.receivedAt)), "single": .flag(records.count == 1),
            "count": .number(records.count), "headline": .text(record.classification?.incidentType ?? record.reportType.title),
            "anonymize": .flag(records.contains(where: \.anonymize)),
            "defanged": .flag(records.contains { !$0.targets.isEmpty }),
        ]
        if records.count == 1 {
            let shown = record.targets.prefix(10).map(Defanged.target)
            context["incident"] = .text(incident(of: record))
            context["moreTargets"] = .texts(shown.dropFirst())
            context["hiddenTargetCount"] = .number(record.targets.count - shown.count)
            if let time = record.incident { context["happened"] = .text("\(time.date) \(time.time) \(time.timeZone)") }
            if let first = shown.first { context["firstTarget"] = .text(first) }
        } else {
            context["reports"] = .list(records.prefix(Self.receiptListLimit).map { record in
                var item: [String: TemplateValue] = ["id": .text(record.id), "incident": .text(incident(of: record))]
                if let first = record.targets.first { item["target"] = .text(Defanged.target(first)) }
                return .object(item)
            })
            context["hiddenReportCount"] = .number(max(0, records.count - Self.receiptListLimit))
        }
        var message = message(.reporterReceipt, context, audience: .reporter, to: record.reporter.email, reportID: record.id)
        message.isReceipt = true
        return message
    }

    /// The decision on a report, told to its reporter: accepted, or denied with the reason in plain words.
    public func decision(_ decision: ReportDecision, about report: ReporterView) -> OutgoingMessage {
        var context: [String: TemplateValue] = ["id": .text(report.id), "reporterName": .text(report.reporter.name),
                                                "received": .text(Self.utcMinute(report.receivedAt)), "headline": .text(report.headline)]
        switch decision {
        case .accept:
            context["accepted"] = true
        case .deny(let reason):
            context["reason"] = .text(reason.explanation)
            if let hint = reason.hint { context["hint"] = .text(hint) }
        }
        return message(.reporterDecision, context, audience: .reporter, to: report.reporter.email, reportID: report.id)
    }

    // MARK: To the customer

    public func accepted(_ report: CustomerNotice.Report, to recipient: String, accountID: String) -> OutgoingMessage {
        customer(.customerAccepted, ["report": Self.context(report)], about: report, to: recipient, accountID: accountID)
    }

    /// A report the customer was told was accepted, and that no longer concerns them: denied after all,
    /// or routed to another account (`routedAway`). It names nothing of the report but its id and type.
    public func withdrawn(_ report: CustomerNotice.Report, routedAway: Bool, to recipient: String, accountID: String) -> OutgoingMessage {
        var summary = Self.summary(report)
        summary["reporter"] = nil
        return customer(.customerWithdrawn, ["report": .object(summary), "routedAway": .flag(routedAway)], about: report, to: recipient,
                        accountID: accountID)
    }

    public func mitigation(_ mitigation: CustomerNotice.Mitigation, report: CustomerNotice.Report, to recipient: String,
                           accountID: String) -> OutgoingMessage {
        let statement = mitigation.statement
        let context: [String: TemplateValue] = [
            "report": Self.context(report),
            "mitigation": ["id": .text(mitigation.id), "type": .text(mitigation.type.rawValue.replacingOccurrences(of: "_", with: " ")),
                           "entity": .text(mitigation.entityType.describe(mitigation.entityID)),
                           "effectiveDate": .text(Self.utcMinute(mitigation.effectiveDate)), "isActive": .flag(mitigation.isActive)],
            "statement": ["ground": .text(statement.ground), "facts": .text(statement.facts), "automated": .flag(statement.automated),
                          "appeal": .text(statement.appeal)],
        ]
        return customer(.customerMitigation, context, about: report, to: recipient, accountID: accountID)
    }

    public func appealReceived(mitigationIDs: [String], reasons: [AppealReason], report: CustomerNotice.Report, to recipient: String,
                               accountID: String) -> OutgoingMessage {
        let context: [String: TemplateValue] = [
            "report": Self.context(report), "count": .number(mitigationIDs.count), "single": .flag(mitigationIDs.count == 1),
            "mitigationIDs": .texts(mitigationIDs), "reasons": .text(Set(reasons.map(\.rawValue)).sorted().joined(separator: ", ")),
        ]
        return customer(.customerAppealReceived, context, about: report, to: recipient, accountID: accountID)
    }

    /// The answer to an appeal, by where it left the mitigation: `removed` (granted), or back in force
    /// (rejected: `active` or `pending`), with why.
    public func appealDecided(mitigationID: String, outcome: MitigationStatus, reason: String, report: CustomerNotice.Report,
                              to recipient: String, accountID: String) -> OutgoingMessage {
        let context: [String: TemplateValue] = ["report": Self.context(report), "mitigationID": .text(mitigationID),
                                                "granted": .flag(outcome == .removed), "scheduled": .flag(outcome == .pending),
                                                "reason": .text(reason)]
        return customer(.customerAppealDecided, context, about: report, to: recipient, accountID: accountID)
    }

    // MARK: To the upstream host

    /// A report forwarded to the host upstream of the reported service, with the operator's note.
    public func forwarded(_ report: CustomerNotice.Report, addresses: [String], incident: String?, note: String?,
                          to recipient: String) -> OutgoingMessage {
        var summary = Self.summary(report)
        summary["subject"] = .text(report.domain ?? addresses.first ?? "a service you provide")
        var context: [String: TemplateValue] = ["report": .object(summary), "addresses": .texts(addresses), "hasAddresses": .flag(!addresses.isEmpty)]
        if let note { context["note"] = .text(note) }
        if let incident { context["incident"] = .text(incident) }
        return message(.hostForward, context, audience: .host, to: recipient, reportID: report.id)
    }

    // MARK: Composition

    private func customer(_ event: MailTemplates.Event, _ context: [String: TemplateValue], about report: CustomerNotice.Report,
                          to recipient: String, accountID: String) -> OutgoingMessage {
        message(event, context, audience: .customer, to: recipient, reportID: report.id, accountID: accountID)
    }

    private func message(_ event: MailTemplates.Event, _ context: [String: TemplateValue], audience: MessageAudience, to recipient: String,
                         reportID: String, accountID: String? = nil) -> OutgoingMessage {
        let (subject, body) = templates.render(event, context)
        return OutgoingMessage(audience: audience, recipient: recipient, subject: subject, body: body, reportID: reportID, accountID: accountID)
    }

    /// The report's part of a template's context (`report-summary` reads it); 20 URLs at most are listed.
    static func context(_ report: CustomerNotice.Report) -> TemplateValue {
        .object(summary(report))
    }

    private static func summary(_ report: CustomerNotice.Report) -> [String: TemplateValue] {
        var summary: [String: TemplateValue] = [
            "id": .text(report.id), "type": .text(report.type.title), "typeLowercased": .text(report.type.title.lowercased()),
            "subject": .text(report.domain ?? "a service of your account"), "justification": .text(report.justification),
            "moreURLs": .texts(report.urls.dropFirst().prefix(19)), "hiddenURLCount": .number(max(report.urls.count - 20, 0)),
        ]
        if let first = report.urls.first { summary["firstURL"] = .text(first) }
        if let domain = report.domain { summary["domain"] = .text(domain) }
        if let reporter = report.reporter {
            var who: [String: TemplateValue] = ["name": .text(reporter.name), "email": .text(reporter.email)]
            if let organization = reporter.organization { who["organization"] = .text(organization) }
            summary["reporter"] = .object(who)
        }
        return summary
    }

    /// `2026-11-23 14:05`
    public static func utcMinute(_ date: Date) -> String {
        let seconds = Int(date.timeIntervalSince1970)
        let day = IncidentTime.CalendarDate.from(daysSinceEpoch: seconds >= 0 ? seconds / 86_400 : (seconds - 86_399) / 86_400)
        let secondOfDay = ((seconds % 86_400) + 86_400) % 86_400
        return day.description + " " + padded(secondOfDay / 3600, 2) + ":" + padded(secondOfDay / 60 % 60, 2)
    }
}
