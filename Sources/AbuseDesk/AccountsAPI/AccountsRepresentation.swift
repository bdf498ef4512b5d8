import AbuseDeskCore
import Foundation

/// How the Accounts API writes reports, mitigations and e-mails (snake_case, RFC 3339 times). The
/// reporter's identity is left out of the customer's view when the reporter asked for that.
enum AccountsRepresentation {
    static func number(_ value: Int) -> JSONValue { .number(Double(value)) }

    static func submitter(_ reporter: Reporter?) -> JSONValue {
        ["name": .optional(reporter?.name), "email": .optional(reporter?.email),
         "company": .optional(reporter?.organization), "telephone": .optional(reporter?.phone)]
    }

    /// A report against the account, as its customer sees it (read with its mitigations' statuses).
    static func customerReport(_ report: StoredReport) -> JSONValue {
        let counts = report.mitigationCounts ?? [:]
        let status = CustomerReportStatus(status: report.status, denialReason: report.denialReason) ?? .inReview
        let urls = report.urls
        let summary: JSONValue = [
            "accepted_url_count": number(status == .accepted ? urls.count : 0),
            "active_count": number(counts[.active] ?? 0),
            "external_host_notified": .bool(report.forwardedAt != nil),
            "in_review_count": number(counts[.inReview] ?? 0),
            "pending_count": number(counts[.pending] ?? 0),
        ]
        return [
            "id": .string(report.id),
            "cdate": .string(RFC3339.format(report.createdAt)),
            "domain": .string(report.domain ?? ""),
            "type": .string(report.reportType.rawValue),
            "status": .string(status.rawValue),
            "justification": .string(report.notes),
            "original_work": .optional(report.originalWork),
            "urls": .array(urls.map(JSONValue.string)),
            "submitter": submitter(report.anonymize ? nil : report.reporter),
            "mitigation_summary": summary,
        ]
    }

    /// A report the account submitted, as the list shows it.
    static func submittedSummary(_ report: StoredReport) -> JSONObject {
        let status = SubmitterReportStatus(status: report.status, denialReason: report.denialReason)
        return [
            "id": .string(report.id),
            "cdate": .string(RFC3339.format(report.createdAt)),
            "domain": .string(report.domain ?? ""),
            "type": .string(report.reportType.rawValue),
            "status": .string(status.rawValue),
            "denial_reason": status == .denied ? .optional(report.denialReason) : .null,
            "submitter": submitter(report.reporter),
        ]
    }

    /// What a submitted report's details may show of what was sent, besides the summary.
    static let submittedFields = ["agent_name", "comments", "court", "destination_ips", "host_notification", "justification",
                                  "ncmec_notification", "ncsei_subject_representation", "original_work", "owner_notification",
                                  "ports_protocols", "reg_who_request", "reported_country", "reported_user_agent", "source_ips",
                                  "title", "address1", "city", "state", "country", "signature", "trademark_number",
                                  "trademark_office", "trademark_symbol", "agree"]

    /// A report the account submitted, with every field it sent.
    static func submittedDetail(_ report: StoredReport) -> JSONValue {
        var object = submittedSummary(report)
        let details = report.detailsObject
        object["urls"] = .array(report.urls.map(JSONValue.string))
        object["dsa_attestation"] = details["dsa_attestation"] ?? false
        for key in submittedFields {
            if let value = details[key] { object[key] = value }
        }
        if object["justification"] == nil, !report.notes.isEmpty { object["justification"] = .string(report.notes) }
        if object["original_work"] == nil, let work = report.originalWork { object["original_work"] = .string(work) }
        return .object(object)
    }

    /// A mitigation with its statement of reasons: the customer reads why, on what ground, and how to appeal.
    static func mitigation(_ mitigation: MitigationModel) -> JSONValue {
        [
            "id": .string(mitigation.id ?? ""),
            "type": .string(mitigation.type),
            "entity_type": .string(mitigation.entityType),
            "entity_id": .string(mitigation.entityID),
            "status": .string(mitigation.status),
            "effective_date": .string(RFC3339.format(mitigation.effectiveDate)),
            "statement": statement(mitigation.statement),
        ]
    }

    /// The stored statement (Swift property names) with the API's names.
    static func statement(_ stored: String) -> JSONValue {
        guard let value = try? JSONParser.parse(Array(stored.utf8), maximumDepth: 8) else { return .null }
        return ["ground": value["ground"] ?? .null, "facts": value["facts"] ?? .null, "automated": value["automated"] ?? .null,
                "appeal": value["appeal"] ?? .null]
    }

    static func email(_ message: StoredEmail) -> JSONValue {
        [
            "id": .string(message.id),
            "recipient": .string(message.recipient),
            "subject": .string(message.subject),
            "body": .string(message.body),
            "sent_at": .string(RFC3339.format(message.sentAt ?? message.createdAt)),
        ]
    }

    static func eligibility(_ value: AppealEligibility) -> JSONValue {
        [
            "appealable": .bool(value.appealable),
            "has_appealable_mitigations": .bool(value.hasAppealableMitigations),
            "has_open_appeal": .bool(value.hasOpenAppeal),
            "appeal_count": number(value.appealCount),
            "max_appeals": number(value.maxAppeals),
        ]
    }
}
