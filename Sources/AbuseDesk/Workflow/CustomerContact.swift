import AbuseDeskCore
import Fluent
import Foundation

/// Who hears about a report, and what of it each may see.
enum CustomerContact {
    /// The account's abuse contact, if the report is routed to an account that has one.
    static func recipient(of report: ReportModel, on database: any Database) async throws -> (accountID: String, email: String)? {
        guard let accountID = report.accountID, let account = try await AccountModel.find(accountID, on: database),
              let email = account.abuseEmail else { return nil }
        return (accountID, email)
    }

    /// The report as the customer (or an upstream host) may see it: the reporter only when they did not
    /// ask to stay hidden.
    static func view(of report: ReportModel) -> CustomerNotice.Report {
        let reporter = report.anonymize ? nil
            : Reporter(name: report.reporterName, email: report.reporterEmail, phone: report.reporterPhone, organization: report.reporterOrg)
        return CustomerNotice.Report(id: report.id ?? "", type: ReportType(rawValue: report.reportType) ?? .general, domain: report.domain,
                                     urls: targets(of: report).compactMap { $0["kind"] == "url" ? $0["source"]?.stringValue : nil },
                                     justification: report.notes, reporter: reporter)
    }

    /// The report as its reporter's e-mails tell it.
    static func reporterView(of report: ReportModel) -> ReporterView {
        ReporterView(id: report.id ?? "", reporter: Reporter(name: report.reporterName, email: report.reporterEmail),
                     receivedAt: report.createdAt,
                     headline: report.incidentType ?? (ReportType(rawValue: report.reportType) ?? .general).title)
    }

    /// The reported addresses, with their ports, as the host reads them.
    static func addresses(of report: ReportModel) -> [String] {
        targets(of: report).compactMap { target in
            guard target["kind"] == "ip", let address = target["source"]?.stringValue else { return nil }
            if case .number(let port)? = target["sourcePort"] { return "\(address) port \(Int(port))" }
            return address
        }
    }

    /// When the incident happened, as the reporter gave it.
    static func incident(of report: ReportModel) -> String? {
        guard let date = report.incidentDate, let time = report.incidentTime else { return nil }
        return [date, time, report.incidentTimeZone].compactMap { $0 }.joined(separator: " ")
    }

    static func targets(of report: ReportModel) -> [JSONValue] {
        (try? JSONParser.parse(Array(report.targets.utf8), maximumDepth: 8).arrayValue) ?? []
    }
}
