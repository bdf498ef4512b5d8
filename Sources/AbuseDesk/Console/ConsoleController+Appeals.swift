import AbuseDeskCore
import Fluent
import Foundation
import Vapor

/// The appeals queue and the mail the service sends.
extension ConsoleController {
    struct AppealsPage: Encodable {
        struct Row: Encodable {
            var id: String
            var reportID: String
            var mitigationID: String
            var mitigation: String
            var account: String?
            var reason: String
            var details: String?
            var status: String
            var created: String
            var decided: String?
            var decisionReason: String?
            var isOpen: Bool
        }

        var statuses: [Option]
        var rows: [Row]
        var pager: ConsolePager
        var failedAppeal: String?
        var draftDecision: String
        var draftReason: String
    }

    @Sendable
    func appeals(_ request: Request) async throws -> Response {
        try await renderAppeals(request, notice: request.query["done"] == "appeal" ? Self.doneNotices["appeal"] : nil)
    }

    func renderAppeals(_ request: Request, notice: String? = nil, problems: [Problem] = [], failedAppeal: String? = nil,
                       submitted: JSONObject = [:], status: HTTPResponseStatus = .ok) async throws -> Response {
        var query = QueryParameters(request.url.query, droppingEmpty: true)
        let chosen = query.choice("status", AppealStatus.self) ?? .open
        let page = query.page()
        if request.method == .GET {
            query.rejectUnknown(allowed: ["status", "page", "per_page", "done"])
            try query.check()
        }
        // Open appeals oldest first, the longest waiting on top; answered ones newest first.
        let (appeals, total) = try await AppealReader(request.db).list(status: chosen, oldestFirst: chosen == .open, page: page)
        let mitigations = try await MitigationModel.query(on: request.db).filter(\.$id ~~ appeals.map(\.mitigationID)).all()
        let accountIDs = Set(appeals.compactMap(\.accountID))
        let accounts = accountIDs.isEmpty ? [] : try await AccountModel.query(on: request.db).filter(\.$id ~~ Array(accountIDs)).all()
        let rows = appeals.map { appeal in
            let mitigation = mitigations.first { $0.id == appeal.mitigationID }
            return AppealsPage.Row(id: appeal.id ?? "", reportID: appeal.reportID, mitigationID: appeal.mitigationID,
                                   mitigation: mitigation.map { "\(ConsoleFormat.words($0.type)) on \(ConsoleFormat.words($0.entityType)) \($0.entityID), \($0.status)" } ?? "",
                                   account: accounts.first { $0.id == appeal.accountID }?.name, reason: ConsoleFormat.words(appeal.reason),
                                   details: Self.readable(appeal.details), status: appeal.status, created: ConsoleFormat.time(appeal.createdAt),
                                   decided: appeal.decidedAt.map(ConsoleFormat.time), decisionReason: appeal.decisionReason,
                                   isOpen: appeal.status == AppealStatus.open.rawValue)
        }
        let content = AppealsPage(statuses: Option.list(AppealStatus.allCases.map(\.rawValue), selected: [chosen.rawValue]), rows: rows,
                                  pager: ConsolePager(page, total: .exact(total), path: "/console/appeals",
                                                      query: request.method == .GET ? request.url.query ?? "" : "status=\(chosen.rawValue)"),
                                  failedAppeal: failedAppeal,
                                  draftDecision: submitted["decision"]?.stringValue ?? "", draftReason: submitted["reason"]?.stringValue ?? "")
        return try await ConsoleView.render("appeals", title: "Appeals", nav: "appeals", page: content, notice: notice, problems: problems,
                                            status: status, for: request)
    }

    /// Grants or rejects an appeal, from the appeals queue or from the report's page (`from=report`).
    @Sendable
    func decideAppeal(_ request: Request) async throws -> Response {
        let signedIn = try request.signedInOperator()
        let id = request.parameters.get("appeal_id") ?? ""
        let form = try Self.form(request)
        do {
            let answer = try OperatorRequests.appealDecision(form).orRefuse(noun: "decision")
            let (appeal, _) = try await mitigations.decideAppeal(id, grant: answer.grant, reason: answer.reason, by: signedIn.actor, on: request.db)
            if form["from"]?.stringValue == "report" {
                return request.redirect(toLocal: "/console/reports/\(appeal.reportID)?done=appeal")
            }
            return request.redirect(toLocal: "/console/appeals?done=appeal")
        } catch let error as ClientError where error.status == .badRequest || error.status == .conflict {
            return try await renderAppeals(request, problems: Problem.from(error, labels: Self.reportLabels.merging(["reason": "Reason"]) { $1 }),
                                           failedAppeal: id, submitted: form, status: error.status)
        }
    }

    // MARK: Mail

    struct MailPage: Encodable {
        var states: [Option]
        var rows: [ReportPage.Email]
        var pager: ConsolePager
    }

    @Sendable
    func mail(_ request: Request) async throws -> Response {
        var query = QueryParameters(request.url.query, droppingEmpty: true)
        query.rejectUnknown(allowed: ["state", "page", "per_page"])
        var states = query.choices("state", OutboxState.self)
        let page = query.page()
        try query.check()
        if states.isEmpty, request.url.query == nil { states = [.failed, .retrying, .queued] }
        let (messages, total) = try await OutboxReader(database: request.db).list(states: states, audience: nil, page: page)
        let content = MailPage(states: Option.list(OutboxState.allCases.map(\.rawValue), selected: states.map(\.rawValue)),
                               rows: messages.map(Self.emailRow), pager: ConsolePager(page, total: total, path: "/console/mail", query: request.url.query ?? ""))
        let notice = request.query["done"] == "retry" ? "The e-mail is due again; the sender tries it within seconds." : nil
        return try await ConsoleView.render("mail", title: "Mail", nav: "mail", page: content, notice: notice, for: request)
    }

    @Sendable
    func retryMail(_ request: Request) async throws -> Response {
        _ = try request.signedInOperator()
        _ = try await MailDelivery.retry(request.parameters.get("email_id") ?? "", now: now(), on: request.db)
        return request.redirect(toLocal: "/console/mail?done=retry")
    }

    /// An appeal's details as the operator reads them: the customer's own words as they wrote them,
    /// anything else (a counter-notice's declaration) one field per line.
    static func readable(_ details: String?) -> String? {
        guard let details, case .object(let object)? = try? JSONParser.parse(Array(details.utf8), maximumDepth: 8) else { return details }
        return object.map { key, value in
            let text = value.stringValue ?? value.serialized()
            return key == "comments" && object.count == 1 ? text : "\(ConsoleFormat.words(key)): \(text)"
        }.joined(separator: "\n")
    }
}
