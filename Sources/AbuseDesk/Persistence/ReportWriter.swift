import AbuseDeskCore
import Foundation
import SQLKit

/// The answer to remember for an `Idempotency-Key`, written in the same transaction as the reports.
struct IdempotencyClaim: Sendable {
    var key: String
    /// SHA-256 of the request body: a retry must send the same request.
    var requestHash: String
    var response: StoredResponse
}

/// An HTTP answer kept for replay.
struct StoredResponse: Sendable, Equatable {
    var status: Int
    var body: String
}

/// Reports that must be filed together (one request's worth), with its idempotency claim and the
/// e-mails that tell about them (written to the outbox in the same transaction).
struct IntakeJob: Sendable {
    var records: [ReportRecord]
    var claim: IdempotencyClaim? = nil
    var messages: [OutgoingMessage] = []
    /// The routing version of the table the records were routed by; nil keeps their routing as it is.
    var routingVersion: Int64? = nil
}

/// What became of an ``IntakeJob``.
enum IntakeOutcome: Sendable, Equatable {
    /// The reports are committed.
    case filed
    /// The key was used before for the same request: here is the first answer; nothing new was filed.
    case replayed(StoredResponse)
    /// The key was used before for a different request; nothing was filed.
    case keyReused
    /// An attachment was taken by another report in the meantime; nothing was filed.
    case attachmentTaken(String)
}

/// Writes whole batches of reports in one transaction with multi-row inserts.
///
/// Runs only on the intake queue's single writer, so the checks it makes (keys seen, attachments still
/// free) cannot race with another intake write of this process.
enum ReportWriter {
    static let idempotencyWindow: TimeInterval = 24 * 3600

    static let reportColumns = [
        "id", "created_at", "updated_at", "channel", "status", "report_type", "threat_type", "incident_type",
        "attack_method", "incident_at", "incident_date", "incident_time", "incident_time_zone", "severity",
        "reporter_name", "reporter_email", "reporter_phone", "reporter_org", "anonymize", "notes", "original_work",
        "domain", "account_id", "routing", "submitter_account_id", "target_count", "targets", "details",
    ]

    /// Files a batch in one transaction, with an entry of the audit log for each report filed. Reports
    /// that need no checks (no idempotency key, no attachment, no e-mail) are inserted by one statement;
    /// the database derives their target rows itself (see the migration's trigger). Anything else is
    /// checked first.
    /// What a batch came to: each job's outcome, and how many receipts the hourly budget left out.
    struct Written: Sendable {
        var outcomes: [IntakeOutcome]
        var receiptsSkipped = 0
    }

    static func write(_ jobs: [IntakeJob], to database: any IntakeDatabase, now: Date, receiptsPerHour: Int,
                      directory: AccountDirectory? = nil) async throws -> Written {
        let needsChecks = jobs.contains { job in
            job.claim != nil || !job.messages.isEmpty || job.records.contains { !$0.attachmentIDs.isEmpty }
        }
        if !needsChecks, jobs.reduce(0, { $0 + $1.records.count }) <= database.rowsPerStatement(columns: reportColumns.count) {
            try await database.transaction { statements in
                let records = try await routed(jobs, by: directory, with: statements).flatMap(\.records)
                try await statements.insert(into: "reports", columns: reportColumns, rows: records.map(reportRow))
                try await audit(records, with: statements, now: now)
            }
            return Written(outcomes: jobs.map { _ in .filed })
        }
        return try await database.transaction { statements in
            try await writeChecked(try await routed(jobs, by: directory, with: statements), with: statements, now: now,
                                   receiptsPerHour: receiptsPerHour)
        }
    }

    /// The jobs routed by the store's routing as this transaction sees it (another process may have
    /// changed an account since they were routed).
    private static func routed(_ jobs: [IntakeJob], by directory: AccountDirectory?, with statements: any IntakeStatements) async throws -> [IntakeJob] {
        guard let directory else { return jobs }
        return try await directory.rerouted(jobs, on: try statements.sql)
    }

    /// `report.filed`, by the reporter (or the account whose token filed it), for each report.
    private static func audit(_ records: [ReportRecord], with statements: any IntakeStatements, now: Date) async throws {
        let changes = records.map { record -> (AuditChange, AuditActor) in
            let after: JSONValue = ["status": .string(record.status.rawValue), "channel": .string(record.channel.rawValue),
                                    "type": .string(record.reportType.rawValue), "account_id": .optional(record.routing.accountID),
                                    "routing": .string(record.routing.rule.rawValue)]
            return (AuditChange(subject: .report, subjectID: record.id, action: "report.filed", after: after),
                    record.submitterAccountID.map(AuditActor.account) ?? .reporter)
        }
        _ = try await AuditLog.append(changes, at: now, on: statements)
    }

    private static func writeChecked(_ jobs: [IntakeJob], with statements: any IntakeStatements, now: Date,
                                     receiptsPerHour: Int) async throws -> Written {
        let sql = try statements.sql
        var outcomes = [IntakeOutcome?](repeating: nil, count: jobs.count)

        // Keys answered before (within the window) or earlier in this batch.
        let keys = jobs.compactMap(\.claim?.key)
        var answered: [String: (hash: String, response: StoredResponse)] = [:]
        if !keys.isEmpty {
            let cutoff = now.addingTimeInterval(-idempotencyWindow)
            try await sql.delete(from: "idempotency_keys").where("key", .in, keys).where("created_at", .lessThanOrEqual, cutoff).run()
            let rows = try await sql.select().columns("key", "request_hash", "status", "response")
                .from("idempotency_keys").where("key", .in, keys).all()
            for row in rows {
                let key = try row.decode(column: "key", as: String.self)
                answered[key] = (try row.decode(column: "request_hash", as: String.self),
                                 StoredResponse(status: try row.decode(column: "status", as: Int.self),
                                                body: try row.decode(column: "response", as: String.self)))
            }
        }

        // Attachments must still be free when the report that names them is filed.
        let wanted = jobs.flatMap { $0.records.flatMap(\.attachmentIDs) }
        var free = Set<String>()
        if !wanted.isEmpty {
            let rows = try await sql.select().column("id").from("attachments")
                .where("id", .in, wanted).where("report_id", .is, SQLLiteral.null).all()
            free = Set(try rows.map { try $0.decode(column: "id", as: String.self) })
        }

        var filed: [ReportRecord] = []
        var claims: [IdempotencyClaim] = []
        var messages: [OutgoingMessage] = []
        for (position, job) in jobs.enumerated() {
            if let claim = job.claim, let previous = answered[claim.key] {
                outcomes[position] = previous.hash == claim.requestHash ? .replayed(previous.response) : .keyReused
                continue
            }
            let attachments = job.records.flatMap(\.attachmentIDs)
            if let taken = attachments.first(where: { !free.contains($0) }) {
                outcomes[position] = .attachmentTaken(taken)
                continue
            }
            free.subtract(attachments)
            filed.append(contentsOf: job.records)
            messages.append(contentsOf: job.messages)
            if let claim = job.claim {
                claims.append(claim)
                answered[claim.key] = (claim.requestHash, claim.response)
            }
            outcomes[position] = .filed
        }

        let (sent, skipped) = try await withinReceiptBudget(messages, perHour: receiptsPerHour, sql: sql, now: now)
        messages = sent

        try await statements.insert(into: "reports", columns: reportColumns, rows: filed.map(reportRow))
        for record in filed where !record.attachmentIDs.isEmpty {
            try await sql.update("attachments").set("report_id", to: record.id)
                .where("id", .in, record.attachmentIDs).run()
        }
        try await statements.insert(into: "idempotency_keys", columns: ["key", "request_hash", "status", "response", "created_at"],
                                    rows: claims.map { [.text($0.key), .text($0.requestHash), .integer($0.response.status), .text($0.response.body), .date(now)] })
        try await statements.insert(into: "outbox_messages", columns: Outbox.columns, rows: messages.map { Outbox.row($0, now: now) })
        try await audit(filed, with: statements, now: now)
        return Written(outcomes: outcomes.map { $0 ?? .filed }, receiptsSkipped: skipped)
    }

    /// `messages` without the receipts that would pass an address's budget of receipts in the last hour
    /// (counted in the store, so that every process counts the same, one at a time), and how many were left out. Reports
    /// are filed all the same; only their receipts are skipped.
    private static func withinReceiptBudget(_ messages: [OutgoingMessage], perHour budget: Int, sql: any SQLDatabase,
                                            now: Date) async throws -> (sent: [OutgoingMessage], skipped: Int) {
        let addresses = Set(messages.filter(\.isReceipt).map { $0.recipient.lowercased() })
        guard !addresses.isEmpty else { return (messages, 0) }
        if sql.dialect.name == "postgresql" {
            // Writers of other processes count the same addresses at the same time: each address is
            // counted by one transaction at a time (a lock per address until commit, all taken by one
            // statement in one order, the locks being evaluated after the sort).
            try await sql.raw("""
                SELECT pg_advisory_xact_lock(hashtextextended(address, 0))
                FROM unnest(\(bind: addresses.sorted())::text[]) AS address ORDER BY address
                """).run()
        }
        var used: [String: Int] = [:]
        let rows = try await sql.select().column("receipt_to").column(SQLFunction("COUNT", args: SQLLiteral.all), as: "n")
            .from("outbox_messages").where("receipt_to", .in, Array(addresses)).where("created_at", .greaterThan, now.addingTimeInterval(-3600))
            .groupBy("receipt_to").all()
        for row in rows { used[try row.decode(column: "receipt_to", as: String.self)] = try row.decode(column: "n", as: Int.self) }
        var skipped = 0
        let sent = messages.filter { message in
            guard message.isReceipt else { return true }
            let address = message.recipient.lowercased()
            guard used[address, default: 0] < budget else {
                skipped += 1
                return false
            }
            used[address, default: 0] += 1
            return true
        }
        return (sent, skipped)
    }

    static func reportRow(_ record: ReportRecord) -> [SQLValue] {
        let routing: JSONValue = [
            "accountID": .optional(record.routing.accountID),
            "rule": .string(record.routing.rule.rawValue),
            "ruleValue": .optional(record.routing.ruleValue),
            "matched": .optional(record.routing.matched),
        ]
        return [
            .text(record.id), .date(record.receivedAt), .date(record.receivedAt), .text(record.channel.rawValue),
            .text(record.status.rawValue), .text(record.reportType.rawValue), SQLValue(record.classification?.threatType),
            SQLValue(record.classification?.incidentType), SQLValue(record.classification?.attackMethod),
            SQLValue(record.incident?.instant), SQLValue(record.incident?.date), SQLValue(record.incident?.time),
            SQLValue(record.incident?.timeZone), SQLValue(record.severity?.rawValue), .text(record.reporter.name),
            .text(record.reporter.email), SQLValue(record.reporter.phone), SQLValue(record.reporter.organization),
            .bool(record.anonymize), .text(record.notes), SQLValue(record.originalWork), SQLValue(record.primaryHost),
            SQLValue(record.routing.accountID), .text(routing.serialized()), SQLValue(record.submitterAccountID),
            .integer(record.targets.count), .text(JSONValue.array(record.targets.map(targetJSON)).serialized()),
            .text(JSONValue.object(record.details).serialized()),
        ]
    }

    /// A target as the `targets` column keeps it; the database indexes these properties into
    /// `report_targets` (the property names are the trigger's contract).
    static func targetJSON(_ target: ReportTarget) -> JSONValue {
        var object = JSONObject(minimumCapacity: 9)
        switch target.source {
        case .ip(let address, let port):
            object["kind"] = "ip"
            object["source"] = .string(address.description)
            if let port { object["sourcePort"] = .number(Double(port)) }
        case .url(let url):
            object["kind"] = "url"
            object["source"] = .string(url.text)
        }
        if let host = target.hostName {
            object["host"] = .string(host.value)
            object["hostReversed"] = .string(host.reversed)
        }
        if let address = target.ipAddress { object["ipKey"] = .string(address.indexKey) }
        if let address = target.destinationIP { object["destinationIp"] = .string(address.description) }
        if let port = target.destinationPort { object["destinationPort"] = .number(Double(port)) }
        if let url = target.destinationURL { object["destinationUrl"] = .string(url.text) }
        return .object(object)
    }
}
