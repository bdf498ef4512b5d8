import Fluent
import Foundation

/// A filed report, as stored.
// Fluent models are classes with property wrappers that manage their own storage; Fluent requires
// them to be Sendable without being able to prove it, hence @unchecked.
final class ReportModel: Model, @unchecked Sendable {
    static let schema = "reports"

    @ID(custom: "id", generatedBy: .user) var id: String?
    @Field(key: "created_at") var createdAt: Date
    @Field(key: "updated_at") var updatedAt: Date
    @Field(key: "channel") var channel: String
    @Field(key: "status") var status: String
    @OptionalField(key: "denial_reason") var denialReason: String?
    @Field(key: "report_type") var reportType: String
    @OptionalField(key: "threat_type") var threatType: String?
    @OptionalField(key: "incident_type") var incidentType: String?
    @OptionalField(key: "attack_method") var attackMethod: String?
    @OptionalField(key: "incident_at") var incidentAt: Date?
    @OptionalField(key: "incident_date") var incidentDate: String?
    @OptionalField(key: "incident_time") var incidentTime: String?
    @OptionalField(key: "incident_time_zone") var incidentTimeZone: String?
    @OptionalField(key: "severity") var severity: String?
    @Field(key: "reporter_name") var reporterName: String
    @Field(key: "reporter_email") var reporterEmail: String
    @OptionalField(key: "reporter_phone") var reporterPhone: String?
    @OptionalField(key: "reporter_org") var reporterOrg: String?
    @Field(key: "anonymize") var anonymize: Bool
    @Field(key: "notes") var notes: String
    @OptionalField(key: "original_work") var originalWork: String?
    @OptionalField(key: "domain") var domain: String?
    @OptionalField(key: "account_id") var accountID: String?
    @Field(key: "routing") var routing: String
    @OptionalField(key: "submitter_account_id") var submitterAccountID: String?
    @Field(key: "target_count") var targetCount: Int
    /// The targets as JSON, in the reporter's order; `report_targets` indexes them.
    @Field(key: "targets") var targets: String
    @Field(key: "details") var details: String
    /// When an operator forwarded the report to the upstream host.
    @OptionalField(key: "forwarded_at") var forwardedAt: Date?
    /// The upstream host's address it was forwarded to.
    @OptionalField(key: "forwarded_to") var forwardedTo: String?
    /// The operator working the report.
    @OptionalField(key: "assigned_to") var assignedTo: String?

    @Children(for: \.$report) var indexedTargets: [ReportTargetModel]

    init() {}
}

extension ReportModel: StoredRecord {
    static let columns = keys.map(\.description)

    convenience init(row: any StoredRow) throws {
        self.init()
        id = try row.string("id")
        createdAt = try row.date("created_at")
        updatedAt = try row.date("updated_at")
        channel = try row.string("channel")
        status = try row.string("status")
        denialReason = try row.optionalString("denial_reason")
        reportType = try row.string("report_type")
        threatType = try row.optionalString("threat_type")
        incidentType = try row.optionalString("incident_type")
        attackMethod = try row.optionalString("attack_method")
        incidentAt = try row.optionalDate("incident_at")
        incidentDate = try row.optionalString("incident_date")
        incidentTime = try row.optionalString("incident_time")
        incidentTimeZone = try row.optionalString("incident_time_zone")
        severity = try row.optionalString("severity")
        reporterName = try row.string("reporter_name")
        reporterEmail = try row.string("reporter_email")
        reporterPhone = try row.optionalString("reporter_phone")
        reporterOrg = try row.optionalString("reporter_org")
        anonymize = try row.bool("anonymize")
        notes = try row.string("notes")
        originalWork = try row.optionalString("original_work")
        domain = try row.optionalString("domain")
        accountID = try row.optionalString("account_id")
        routing = try row.string("routing")
        submitterAccountID = try row.optionalString("submitter_account_id")
        targetCount = try row.integer("target_count")
        targets = try row.string("targets")
        details = try row.string("details")
        forwardedAt = try row.optionalDate("forwarded_at")
        forwardedTo = try row.optionalString("forwarded_to")
        assignedTo = try row.optionalString("assigned_to")
        $id.exists = true
    }
}

/// One URL or address a report names.
// See ReportModel for why this is @unchecked Sendable.
final class ReportTargetModel: Model, @unchecked Sendable {
    static let schema = "report_targets"

    @ID(custom: "id", generatedBy: .database) var id: Int64?
    @Parent(key: "report_id") var report: ReportModel
    @Field(key: "position") var position: Int
    @Field(key: "kind") var kind: String
    @Field(key: "source") var source: String
    @OptionalField(key: "source_port") var sourcePort: Int?
    @OptionalField(key: "host") var host: String?
    @OptionalField(key: "host_reversed") var hostReversed: String?
    @OptionalField(key: "ip_key") var ipKey: String?
    @OptionalField(key: "destination_ip") var destinationIP: String?
    @OptionalField(key: "destination_port") var destinationPort: Int?
    @OptionalField(key: "destination_url") var destinationURL: String?

    init() {}
}
