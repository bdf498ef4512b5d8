import AbuseDeskCore
import Fluent
import Foundation

/// Who at a customer account hears about reports against it, and what of a report they may see.
enum CustomerContact {
    /// The account's abuse contact, if the report is routed to an account that has one.
    static func recipient(of report: ReportModel, on database: any Database) async throws -> (accountID: String, email: String)? {
        guard let accountID = report.accountID, let account = try await AccountModel.find(accountID, on: database),
              let email = account.abuseEmail else { return nil }
        return (accountID, email)
    }

    /// The report as the customer may see it: the reporter only when they did not ask to stay hidden.
    static func view(of report: ReportModel) -> CustomerNotice.Report {
        let targets = (try? JSONParser.parse(Array(report.targets.utf8), maximumDepth: 8).arrayValue) ?? []
        let urls = targets.compactMap { $0["kind"] == "url" ? $0["source"]?.stringValue : nil }
        let reporter = report.anonymize ? nil
            : Reporter(name: report.reporterName, email: report.reporterEmail, phone: report.reporterPhone, organization: report.reporterOrg)
        return CustomerNotice.Report(id: report.id ?? "", type: ReportType(rawValue: report.reportType) ?? .general, domain: report.domain,
                                     urls: urls, justification: report.notes, reporter: reporter)
    }
}
