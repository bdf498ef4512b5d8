import AbuseDeskCore
import Fluent
import Foundation
import Vapor

/// `/client/v4/accounts/{account_id}/abuse-reports...`: the reports against an account, their
/// mitigations, e-mails and appeals, and the reports the account submits. Every call needs the
/// account's token; every query is bounded by the account in the path.
struct AccountsAPIController: RouteCollection {
    let submissions: AccountSubmissions
    let mitigations: Mitigations
    let authentication: BearerAuthentication

    static let maximumSubmittedPerPage = 200

    func boot(routes: any RoutesBuilder) throws {
        let reports = routes.grouped("client", "v4", "accounts", ":account_id", "abuse-reports").grouped(inTask: authentication)
        reports.get(use: list)
        reports.get("submitted", use: submittedList)
        reports.get("submitted", ":report_id", use: submittedDetail)
        reports.get("submitted", ":report_id", "emails", use: submittedEmails)
        // One name at one position of the path (the router's rule): a report id, or for POST a report type.
        reports.get(":report_param", use: detail)
        reports.on(.POST, ":report_param", body: .collect(maxSize: BodyLimits.json), use: submit)
        reports.get(":report_param", "emails", use: emails)
        reports.get(":report_param", "mitigations", use: mitigationList)
        reports.on(.POST, ":report_param", "mitigations", "appeal", body: .collect(maxSize: BodyLimits.json), use: appeal)
        reports.get(":report_param", "appeals", "eligibility", use: eligibility)
    }

    // MARK: Reports against the account

    @Sendable
    func list(_ request: Request) async throws -> Response {
        let account = try request.authorizeAccount(try request.accountParameter, scope: .read)
        var query = QueryParameters(request.url.query)
        query.rejectUnknown(allowed: ["created_before", "created_after", "domain", "status", "type", "mitigation_status", "sort"]
                                + PageRequest.anchoredParameters)
        var filter = ReportFilter()
        filter.createdBefore = query.timestamp("created_before")
        filter.createdAfter = query.timestamp("created_after")
        filter.domains = query.domain("domain").map { [$0] } ?? []
        filter.customerStatus = query.choice("status", CustomerReportStatus.self)
        filter.types = query.choices("type", ReportType.self)
        filter.mitigationStatus = query.choice("mitigation_status", MitigationStatus.self)
        let sort = query.sort(ReportSortField.self, default: (.cdate, descending: true))
        let page = query.page(anchored: true)
        try query.check()

        let (reports, total) = try await ReportReader(request.db, hints: request.planHints)
            .list(.customer, accountID: account, filter: filter, sort: sort, page: page)
        let items = reports.map { AccountsRepresentation.customerReport($0) }
        return Envelope.success(["reports": .array(items)],
                                page: page, count: items.count, total: total)
    }

    @Sendable
    func detail(_ request: Request) async throws -> Response {
        let report = try await customerReport(request, scope: .read)
        return Envelope.success(AccountsRepresentation.customerReport(report))
    }

    @Sendable
    func emails(_ request: Request) async throws -> Response {
        let report = try await customerReport(request, scope: .read)
        return try await emailPage(of: report.id, audience: .customer, accountID: report.accountID, request: request)
    }

    @Sendable
    func mitigationList(_ request: Request) async throws -> Response {
        let report = try await customerReport(request, scope: .read)
        var query = QueryParameters(request.url.query)
        query.rejectUnknown(allowed: ["status", "type", "entity_type", "effective_before", "effective_after", "sort", "page", "per_page"])
        var filter = MitigationFilter()
        filter.status = query.choice("status", MitigationStatus.self)
        filter.types = query.choices("type", MitigationType.self)
        filter.entityType = query.choice("entity_type", MitigationEntityType.self)
        filter.effectiveBefore = query.timestamp("effective_before")
        filter.effectiveAfter = query.timestamp("effective_after")
        let sort = query.sort(MitigationSortField.self, default: (.effectiveDate, descending: false))
        let page = query.page()
        try query.check()
        let (items, total) = try await CaseReader(request.db).mitigations(of: report.id, filter: filter, sort: sort, page: page)
        return Envelope.success(["mitigations": .array(items.map(AccountsRepresentation.mitigation))],
                                page: page, count: items.count, total: total)
    }

    @Sendable
    func appeal(_ request: Request) async throws -> Response {
        let report = try await customerReport(request, scope: .edit)
        try rejectAnyQuery(request)
        let body = try request.jsonBody()
        let appealRequest: AppealRequest
        switch AppealRequest.parse(body) {
        case .success(let parsed): appealRequest = parsed
        case .failure(let failure): throw ClientError.validation(failure, noun: "appeal")
        }
        let appealed = try await mitigations.appeal(appealRequest, reportID: report.id, reportType: report.reportType,
                                                    accountID: report.accountID ?? "", on: request.db)
        request.logger[metadataKey: "report.id"] = .string(report.id)
        return Envelope.success(.array(appealed.map(AccountsRepresentation.mitigation)))
    }

    @Sendable
    func eligibility(_ request: Request) async throws -> Response {
        let report = try await customerReport(request, scope: .read)
        try rejectAnyQuery(request)
        return Envelope.success(AccountsRepresentation.eligibility(try await mitigations.eligibility(of: report.id, on: request.db)))
    }

    // MARK: Reports the account submits

    @Sendable
    func submit(_ request: Request) async throws -> Response {
        let account = try request.authorizeAccount(try request.accountParameter, scope: .edit)
        let typeText = request.parameters.get("report_param") ?? ""
        guard let act = SubmissionAct(rawValue: typeText) else {
            let types = SubmissionAct.allCases.map(\.rawValue)
            return SubmitResponse.failure(act: typeText, errorCode: "invalid_report_type", problems: [
                ValidationProblem(path: "report_type", code: .notAllowed,
                                  message: "\(quoted(typeText)) is not a report type; the types are \(quotedList(types)).")])
        }
        let body: JSONValue
        do {
            body = try request.jsonBody()
        } catch let error as ClientError where error.status == .badRequest || error.status == .unsupportedMediaType {
            return SubmitResponse.failure(act: act.rawValue, errorCode: error.code == "MalformedJSON" ? "malformed_json" : "unsupported_media_type",
                                          problems: [ValidationProblem(path: "", code: .format, message: error.message)], status: error.status)
        }
        do {
            let id = try await submissions.submit(body, act: act, submitterAccountID: account, on: request.db)
            request.logger[metadataKey: "report.id"] = .string(id)
            return SubmitResponse.success(act: act.rawValue, id: id)
        } catch let failure as ValidationFailure {
            let code = failure.problems.contains { $0.code == .notServedHere } ? "not_served_here"
                : failure.problems.contains { $0.code == .reportedAlready } ? "duplicate_report"
                : "validation_failed"
            return SubmitResponse.failure(act: act.rawValue, errorCode: code, problems: failure.problems)
        }
    }

    @Sendable
    func submittedList(_ request: Request) async throws -> Response {
        let account = try request.authorizeAccount(try request.accountParameter, scope: .read)
        var query = QueryParameters(request.url.query)
        query.rejectUnknown(allowed: ["id", "domain", "status", "type", "created_before", "created_after", "sort"] + PageRequest.anchoredParameters)
        var filter = ReportFilter()
        if let id = query.single("id") { filter.ids = [id] }
        filter.domains = query.values("domain").compactMap { query.domainValue($0, name: "domain") }
        filter.submitterStatuses = query.choices("status", SubmitterReportStatus.self)
        filter.types = query.choices("type", ReportType.self)
        filter.createdBefore = query.timestamp("created_before")
        filter.createdAfter = query.timestamp("created_after")
        let sort = query.sort(ReportSortField.self, default: (.cdate, descending: true))
        let page = query.page(maximumSize: Self.maximumSubmittedPerPage, anchored: true)
        try query.check()
        let (reports, total) = try await ReportReader(request.db, hints: request.planHints).list(.submitter, accountID: account, filter: filter, sort: sort, page: page)
        return Envelope.success(["reports": .array(reports.map { .object(AccountsRepresentation.submittedSummary($0)) })],
                                page: page, count: reports.count, total: total)
    }

    @Sendable
    func submittedDetail(_ request: Request) async throws -> Response {
        let report = try await submittedReport(request)
        try rejectAnyQuery(request)
        return Envelope.success(AccountsRepresentation.submittedDetail(report))
    }

    @Sendable
    func submittedEmails(_ request: Request) async throws -> Response {
        let report = try await submittedReport(request)
        return try await emailPage(of: report.id, audience: .reporter, accountID: nil, request: request)
    }

    // MARK: Helpers

    /// The report in the path, if the account's customer may see it; 404 for any other id.
    private func customerReport(_ request: Request, scope: TokenScope) async throws -> StoredReport {
        let account = try request.authorizeAccount(try request.accountParameter, scope: scope)
        let id = request.parameters.get("report_param") ?? ""
        guard let report = try await ReportReader(request.db).find(.customer, accountID: account, id: id) else {
            throw ClientError.notFound("Account \(account) has no report \(quoted(id)). Report ids come from the list, GET .../abuse-reports.")
        }
        return report
    }

    private func submittedReport(_ request: Request) async throws -> StoredReport {
        let account = try request.authorizeAccount(try request.accountParameter, scope: .read)
        let id = request.parameters.get("report_id") ?? ""
        guard let report = try await ReportReader(request.db).find(.submitter, accountID: account, id: id) else {
            throw ClientError.notFound("Account \(account) submitted no report \(quoted(id)). Report ids come from GET .../abuse-reports/submitted.")
        }
        return report
    }

    private func emailPage(of reportID: String, audience: MessageAudience, accountID: String?, request: Request) async throws -> Response {
        var query = QueryParameters(request.url.query)
        query.rejectUnknown(allowed: ["page", "per_page"])
        let page = query.page()
        try query.check()
        let (items, total) = try await CaseReader(request.db).emails(of: reportID, audience: audience, accountID: accountID,
                                                                               page: page)
        return Envelope.success(["emails": .array(items.map(AccountsRepresentation.email))],
                                page: page, count: items.count, total: total)
    }

    private func rejectAnyQuery(_ request: Request) throws {
        var query = QueryParameters(request.url.query)
        query.rejectUnknown(allowed: [])
        try query.check()
    }
}

/// The answers of the submit endpoint, which has its own shape (not the envelope).
enum SubmitResponse {
    static func success(act: String, id: String) -> Response {
        ReportAPIResponses.json(["success": true, "abuse_rand": .string(id), "request": ["act": .string(act)], "result": "success"])
    }

    static func failure(act: String, errorCode: String, problems: [ValidationProblem], status: HTTPResponseStatus = .badRequest) -> Response {
        let first = problems.first.map { $0.path.isEmpty ? $0.message : "\($0.path): \($0.message)" } ?? "The report could not be submitted."
        let errors: [JSONValue] = problems.map {
            ["code": .string($0.code.rawValue), "message": .string($0.message), "field": .string($0.path)]
        }
        return ReportAPIResponses.json([
            "success": false, "result": "error", "msg": .string(first), "err_code": .string(errorCode), "error_code": .string(errorCode),
            "request": ["act": .string(act)], "errors": .array(errors),
        ], status: status)
    }
}

extension Request {
    /// The `account_id` of the path: an account id has the shape of our ids.
    var accountParameter: String {
        get throws {
            let id = parameters.get("account_id") ?? ""
            guard Identifier.isWellFormed(id) else {
                // A token is for one account; a malformed id cannot be it.
                if principal == nil { throw ClientError.authentication }
                throw ClientError.forbidden("This token cannot act for account \(quoted(id)): it is not this token's account.")
            }
            return id
        }
    }
}

extension QueryParameters {
    /// A domain filter: a host name (lower-cased) or an IP address.
    mutating func domainValue(_ text: String, name: String) -> String? {
        if let host = HostName(text) { return host.value }
        if let address = IPAddress(text) { return address.description }
        problem(name, .format, "Must be a domain name such as example.com or an IP address; got \"\(text.prefix(80))\".")
        return nil
    }

    mutating func domain(_ name: String) -> String? {
        single(name).flatMap { domainValue($0, name: name) }
    }

    /// Throws every problem found, as one 400 naming each parameter.
    func check() throws {
        if !problems.isEmpty { throw ClientError.invalidParameters(problems) }
    }
}
