import AbuseDeskCore
import Fluent
import Foundation
import SQLKit

/// Reports an account submits through the Accounts API: validated by the rules of their type, refused
/// when no account of the provider serves their host or the same URL came from the same account within
/// seven days, then filed like every other report, with a receipt to the submitter.
struct AccountSubmissions: Sendable {
    let intake: ReportIntake
    let validator = SubmissionValidator()
    static let duplicateWindow: TimeInterval = 7 * 24 * 3600

    /// Files the submission and answers the report id, or throws the validation failure with every problem.
    func submit(_ body: JSONValue, act: SubmissionAct, submitterAccountID: String, on database: any Database) async throws -> String {
        let draft: SubmissionDraft
        switch validator.validate(body, act: act) {
        case .failure(let failure):
            intake.metrics.validationFailed(channel: .accountsAPI)
            throw failure
        case .success(let valid):
            draft = valid
        }
        let now = intake.now()
        // Whether a customer of ours serves the host is asked of the store's routing as it is now.
        guard let sql = database as? any SQLDatabase else { throw StoreError.notSQL }
        let table = try await intake.directory.fresh(on: sql).table
        let routing = table.router.route(draft.targets)
        var problems: [ValidationProblem] = []
        if routing.accountID == nil, let host = draft.urls.first?.host {
            problems.append(ValidationProblem(path: "urls", code: .notServedHere,
                                              message: "\(quoted(host.description)) is not served here: no customer of ours hosts it. Report it to the host or registrar that serves it."))
        }
        if let earlier = try await earlierSubmission(of: draft.urls, by: submitterAccountID, since: now.addingTimeInterval(-Self.duplicateWindow), on: database) {
            problems.append(ValidationProblem(path: "urls", code: .reportedAlready,
                                              message: "You reported \(quoted(earlier.url)) in report \(earlier.reportID) within the last 7 days; it is being handled."))
        }
        guard problems.isEmpty else {
            intake.metrics.validationFailed(channel: .accountsAPI)
            throw ValidationFailure(problems)
        }
        let record = ReportRecord(receivedAt: now, channel: .accountsAPI, reportType: act.reportType, classification: nil, incident: nil,
                                  reporter: draft.reporter, anonymize: draft.hidesIdentityFromOwner, severity: nil,
                                  notes: draft.justification ?? draft.details["comments"]?.stringValue ?? "",
                                  originalWork: draft.originalWork, targets: draft.targets, attachmentIDs: [], routing: routing,
                                  submitterAccountID: submitterAccountID, details: draft.details)
        return try await intake.file(record, routedBy: table)
    }

    /// A report this account filed about one of `urls` since `date`, if any. URLs are compared in their
    /// canonical form (`:443`, `#fragment` and `%78` spell the same page), among the account's reports of
    /// the last seven days about the same host: a submission's URLs share one host, which an index finds.
    private func earlierSubmission(of urls: [ReportedURL], by accountID: String, since date: Date,
                                   on database: any Database) async throws -> (url: String, reportID: String)? {
        guard let first = urls.first, let sql = database as? any SQLDatabase else { return nil }
        let wanted = Dictionary(urls.map { ($0.canonical, $0.text) }, uniquingKeysWith: { first, _ in first })
        let target = ReportTarget(source: .url(first))
        let sameHost: SQLQueryString = if let host = target.hostName {
            "t.host_reversed = \(bind: host.reversed)"
        } else {
            "t.ip_key = \(bind: target.ipAddress?.indexKey ?? "")"
        }
        let rows = try await sql.raw("""
            SELECT t.source AS source, r.id AS id FROM report_targets t JOIN reports r ON r.id = t.report_id
            WHERE \(sameHost) AND t.kind = 'url' AND r.submitter_account_id = \(bind: accountID) AND r.created_at > \(bind: date)
            """).all()
        for row in rows {
            guard let earlier = ReportedURL(try row.decode(column: "source", as: String.self)), let url = wanted[earlier.canonical] else { continue }
            return (url, try row.decode(column: "id", as: String.self))
        }
        return nil
    }
}
