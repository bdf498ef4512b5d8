import AbuseDeskCore
import Foundation

/// How the admin API writes the queue and a report's case file.
extension AdminRepresentation {
    static func queueItem(_ item: QueueItem) -> JSONValue {
        ["id": .string(item.id), "created_at": .string(RFC3339.format(item.createdAt)), "updated_at": .string(RFC3339.format(item.updatedAt)),
         "status": .string(item.status.rawValue), "denial_reason": .optional(item.denialReason), "type": .string(item.reportType.rawValue),
         "threat_type": .optional(item.threatType), "incident_type": .optional(item.incidentType), "attack_method": .optional(item.attackMethod),
         "severity": .optional(item.severity), "domain": .optional(item.domain), "account_id": .optional(item.accountID),
         "account_name": .optional(item.accountName), "assigned_to": .optional(item.assignedTo), "assignee_email": .optional(item.assigneeEmail),
         "reporter_name": .string(item.reporterName), "target_count": .number(Double(item.targetCount)), "channel": .string(item.channel)]
    }

    /// Everything about one report, for operators: the reporter in full, whatever they asked the customer not to see.
    static func caseFile(_ file: CaseFile) -> JSONValue {
        let report = file.report
        let routing = file.routing
        let targets = (try? JSONParser.parse(Array(report.targets.utf8), maximumDepth: 8).arrayValue) ?? []
        let details = (try? JSONParser.parse(Array(report.details.utf8), maximumDepth: 16)) ?? .object(JSONObject())
        return [
            "id": .string(report.id ?? ""), "created_at": .string(RFC3339.format(report.createdAt)),
            "updated_at": .string(RFC3339.format(report.updatedAt)), "channel": .string(report.channel),
            "status": .string(report.status), "denial_reason": .optional(report.denialReason), "type": .string(report.reportType),
            "threat_type": .optional(report.threatType), "incident_type": .optional(report.incidentType),
            "attack_method": .optional(report.attackMethod), "severity": .optional(report.severity),
            "incident": ["date": .optional(report.incidentDate), "time": .optional(report.incidentTime), "time_zone": .optional(report.incidentTimeZone),
                         "at": .time(report.incidentAt)],
            "reporter": ["name": .string(report.reporterName), "email": .string(report.reporterEmail), "phone": .optional(report.reporterPhone),
                         "organization": .optional(report.reporterOrg), "anonymize": .bool(report.anonymize)],
            "notes": .string(report.notes), "original_work": .optional(report.originalWork), "domain": .optional(report.domain),
            "targets": .array(targets.map(target)),
            "details": details,
            "routing": ["account_id": .optional(report.accountID), "account_name": .optional(file.account?.name), "rule": .string(routing.rule),
                        "rule_value": .optional(routing.value), "matched": .optional(routing.matched)],
            "assigned_to": .optional(report.assignedTo), "assignee_email": .optional(file.assignee?.email),
            "submitter_account_id": .optional(report.submitterAccountID),
            "forwarded_at": .time(report.forwardedAt), "forwarded_to": .optional(report.forwardedTo),
            "attachments": .array(file.attachments.map(attachment)),
            "related_reports": .array(file.related.map(queueItem)),
            "emails": .array(file.emails.map(email)),
            "mitigations": .array(file.mitigations.map(mitigation)),
            "appeals": .array(file.appeals.map(appeal)),
            "history": .array(file.history.map(auditEntry)),
        ]
    }

    /// A stored target with the API's names.
    static func target(_ value: JSONValue) -> JSONValue {
        ["kind": value["kind"] ?? .null, "source": value["source"] ?? .null, "source_port": value["sourcePort"] ?? .null,
         "destination_ip": value["destinationIp"] ?? .null, "destination_port": value["destinationPort"] ?? .null,
         "destination_url": value["destinationUrl"] ?? .null]
    }

    static func attachment(_ attachment: AttachmentModel) -> JSONValue {
        let id = attachment.id ?? ""
        return ["id": .string(id), "name": .string(attachment.name), "size": .number(Double(attachment.size)),
                "sha256": .string(attachment.sha256), "media_type": .string(attachment.mediaType),
                "download": .string("/admin/v1/attachments/\(id)")]
    }

    /// An e-mail of the outbox with where its delivery stands.
    static func email(_ message: StoredEmail) -> JSONValue {
        ["id": .string(message.id), "report_id": .optional(message.reportID), "account_id": .optional(message.accountID),
         "audience": .string(message.audience), "recipient": .string(message.recipient), "subject": .string(message.subject),
         "body": .string(message.body), "state": .string(message.state.rawValue), "created_at": .string(RFC3339.format(message.createdAt)),
         "attempts": .number(Double(message.attempts)), "next_attempt_at": message.sentAt == nil && message.failedAt == nil ? .time(message.nextAttemptAt) : .null,
         "last_error": .optional(message.lastError), "sent_at": .time(message.sentAt), "failed_at": .time(message.failedAt)]
    }

    static func auditEntry(_ entry: AuditEntry) -> JSONValue {
        ["sequence": .number(Double(entry.sequence)), "occurred_at": .string(RFC3339.format(entry.occurredAt)), "actor": .string(entry.actor),
         "subject_type": .string(entry.subjectType), "subject_id": .string(entry.subjectID), "action": .string(entry.action),
         "before": entry.before, "after": entry.after, "hash": .string(entry.hash)]
    }

    static func operatorAccount(_ row: OperatorModel) -> JSONValue {
        ["id": .string(row.id ?? ""), "email": .string(row.email), "role": .string(row.role), "created_at": .string(RFC3339.format(row.createdAt)),
         "disabled_at": .time(row.disabledAt)]
    }
}

/// Where an outbox message stands: waiting for its first try, retrying after failures, sent, or given up.
enum OutboxState: String, CaseIterable, Sendable {
    case queued, retrying, sent, failed
}
