import AbuseDeskCore
import Fluent
import Foundation
import Testing
@testable import AbuseDesk

/// Every model read as a record names every column Fluent knows it by, and reads back what Fluent wrote.
@Suite struct StoredRecordTests {
    @Test func everyRecordReadsEveryColumnOfItsModel() {
        func check<R: StoredRecord>(_ type: R.Type) {
            #expect(R.columns.sorted() == R.keys.map(\.description).sorted(), "\(R.schema)")
            #expect(Set(R.columns).count == R.columns.count, "\(R.schema) names a column twice")
        }
        check(ReportModel.self)
        check(MitigationModel.self)
        check(AppealModel.self)
        check(AttachmentModel.self)
        check(AccountModel.self)
        check(OperatorModel.self)
        // The outbox's e-mails are read as plain values, each of whose columns the model stores.
        #expect(Set(StoredEmail.columnNames).isSubset(of: OutboxMessageModel.keys.map(\.description)))
        #expect(Set(StoredEmail.columnNames).count == StoredEmail.columnNames.count, "outbox_messages names a column twice")
    }

    @Test func aCaseFileReadAsRecordsHoldsWhatFluentReads() async throws {
        try await withTestApp { app in
            let world = try await AccountsWorld(app)
            let id = try await world.fileURLReport("https://login.example.com/verify")
            let sql = try app.sql
            let fluent = try #require(try await ReportModel.find(id, on: app.db))
            let record = try #require(try await sql.records(ReportModel.self, "WHERE id = \(bind: id)").first)
            // Fluent's encoding of a model is its fields by name: the same for both, field by field.
            let (fromFluent, fromRecord) = (try fields(of: fluent), try fields(of: record))
            #expect(fromFluent.count == ReportModel.columns.count)
            for column in ReportModel.columns { #expect(fromFluent[column] == fromRecord[column], "\(column)") }
            #expect(record.anonymize == false && record.targetCount == 1 && record.accountID == world.acme)
            #expect(try await sql.records(ReportModel.self, "WHERE id = \(bind: "1nonexistent0000000000000")").isEmpty)
        }
    }

    @Test func aCaseFileReadsItsAccountAndAssigneeInTheSameStatement() async throws {
        try await withTestApp { app in
            let world = try await AccountsWorld(app)
            let routed = try await world.fileURLReport("https://login.example.com/verify")
            let stray = try await world.fileURLReport("https://nobody.example.org/verify")
            let assigned = try await world.send(.POST, "/admin/v1/reports/\(routed)/assign", token: world.analystToken, json: ["operator_id": "me"])
            #expect(assigned.status == .ok)
            let file = try await CaseFile.load(routed, on: app.db)
            #expect(file.report.id == routed && file.report.accountID == world.acme)
            #expect(file.account?.id == world.acme && file.account?.name == "Acme Hosting" && file.account?.abuseEmail == "abuse@example.com")
            #expect(file.assignee?.email == "analyst@abusedesk.test" && file.assignee?.id == file.report.assignedTo)
            // The account's columns are named apart from the report's own account_id.
            #expect(file.account?.createdAt != nil && file.report.reporterName == "Jane Doe")
            let unrouted = try await CaseFile.load(stray, on: app.db)
            #expect(unrouted.account == nil && unrouted.assignee == nil && unrouted.report.id == stray)
            await #expect(throws: ClientError.self) { try await CaseFile.load(Identifier.make(at: Date()), on: app.db) }
            await #expect(throws: ClientError.self) { try await CaseFile.load("not an id", on: app.db) }
        }
    }

    /// A model's fields by name, each as JSON text.
    private func fields(of model: ReportModel) throws -> [String: String] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        let object = try #require(try JSONSerialization.jsonObject(with: encoder.encode(model)) as? [String: Any])
        return try object.mapValues { value in
            value is NSNull ? "null" : String(decoding: try JSONSerialization.data(withJSONObject: [value], options: .sortedKeys), as: UTF8.self)
        }
    }
}
