import Fluent
import Foundation

/// A mitigation applied to an accepted report.
// See ReportModel for why this is @unchecked Sendable.
final class MitigationModel: Model, @unchecked Sendable {
    static let schema = "mitigations"

    @ID(custom: "id", generatedBy: .user) var id: String?
    @Field(key: "report_id") var reportID: String
    @OptionalField(key: "account_id") var accountID: String?
    @Field(key: "type") var type: String
    @Field(key: "entity_type") var entityType: String
    @Field(key: "entity_id") var entityID: String
    @Field(key: "status") var status: String
    @Field(key: "effective_date") var effectiveDate: Date
    /// The statement of reasons, as JSON.
    @Field(key: "statement") var statement: String
    @OptionalField(key: "created_by") var createdBy: String?
    @Field(key: "created_at") var createdAt: Date
    @Field(key: "updated_at") var updatedAt: Date

    init() {}
}

extension MitigationModel: StoredRecord {
    static let columns = keys.map(\.description)

    convenience init(row: any StoredRow) throws {
        self.init()
        id = try row.string("id")
        reportID = try row.string("report_id")
        accountID = try row.optionalString("account_id")
        type = try row.string("type")
        entityType = try row.string("entity_type")
        entityID = try row.string("entity_id")
        status = try row.string("status")
        effectiveDate = try row.date("effective_date")
        statement = try row.string("statement")
        createdBy = try row.optionalString("created_by")
        createdAt = try row.date("created_at")
        updatedAt = try row.date("updated_at")
        $id.exists = true
    }
}

/// A customer's request to review one mitigation.
// See ReportModel for why this is @unchecked Sendable.
final class AppealModel: Model, @unchecked Sendable {
    static let schema = "appeals"

    @ID(custom: "id", generatedBy: .user) var id: String?
    @Field(key: "report_id") var reportID: String
    @Field(key: "mitigation_id") var mitigationID: String
    @Field(key: "request_id") var requestID: String
    @OptionalField(key: "account_id") var accountID: String?
    @Field(key: "reason") var reason: String
    /// The counter-notice or other supporting data, as JSON.
    @OptionalField(key: "details") var details: String?
    @Field(key: "status") var status: String
    @Field(key: "created_at") var createdAt: Date
    @OptionalField(key: "decided_at") var decidedAt: Date?
    @OptionalField(key: "decision_reason") var decisionReason: String?

    init() {}
}
