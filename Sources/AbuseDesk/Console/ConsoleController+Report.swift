import AbuseDeskCore
import Fluent
import Foundation
import Vapor

/// A report's case file and what an operator does to it: assign, route, accept, deny, forward, mitigate,
/// cancel a pending mitigation.
extension ConsoleController {
    struct ReportPage: Encodable {
        struct Field: Encodable {
            var label: String
            var value: String
        }

        struct Target: Encodable {
            var kind: String
            var source: String
            var port: String?
            var destination: String?
        }

        struct Attachment: Encodable {
            var id: String
            var name: String
            var size: Int64
            var mediaType: String
            var sha256: String
        }

        struct Mitigation: Encodable {
            var id: String
            var type: String
            var entity: String
            var status: String
            var effective: String
            var ground: String
            var facts: String
            var automated: Bool
            var appeal: String
            var cancellable: Bool
        }

        struct Appeal: Encodable {
            var id: String
            var mitigationID: String
            var reason: String
            var details: String?
            var status: String
            var created: String
            var decisionReason: String?
            var isOpen: Bool
        }

        struct Email: Encodable {
            var id: String
            var reportID: String?
            var audience: String
            var recipient: String
            var subject: String
            var body: String
            var state: String
            var created: String
            var sent: String?
            var attempts: Int
            var lastError: String?
        }

        struct HistoryEntry: Encodable {
            var sequence: Int
            var at: String
            var actor: String
            var action: String
            var change: String
        }

        /// What the mitigation form holds: its defaults, or what was sent when it was refused.
        struct MitigationDraft: Encodable {
            var types: [Option]
            var entityTypes: [Option]
            var entityID: String
            var effectiveDate: String
            var ground: String
            var facts: String
            var automated: Bool
            var appeal: String
        }

        var id: String
        var status: String
        var denialReason: String?
        var headline: String
        var overview: [Field]
        var reporter: [Field]
        var anonymize: Bool
        var notes: String
        var targets: [Target]
        var details: [Field]
        var attachments: [Attachment]
        var routing: [Field]
        var accountID: String?
        var related: [QueuePage.Row]
        var mitigations: [Mitigation]
        var appeals: [Appeal]
        var emails: [Email]
        var history: [HistoryEntry]
        var operators: [Option]
        var accounts: [Option]
        var denialReasons: [Option]
        var canDecide: Bool
        var canAccept: Bool
        var canClose: Bool
        var canRoute: Bool
        var canForward: Bool
        var canMitigate: Bool
        var forwardedTo: String?
        var forwardRecipient: String
        var forwardNote: String
        var failedForm: String?
        var draft: MitigationDraft
    }

    @Sendable
    func report(_ request: Request) async throws -> Response {
        try await renderReport(request, id: request.parameters.get("report_id") ?? "", notice: Self.doneNotices[request.query["done"] ?? ""])
    }

    static let doneNotices = ["accept": "The report is accepted. The reporter and the customer are told by e-mail.",
                              "deny": "The report is denied. The reporter is told why by e-mail.",
                              "assign": "The assignment is saved.", "route": "The report is routed to the account.",
                              "forward": "The report is forwarded; the upstream host is e-mailed.",
                              "mitigate": "The mitigation is applied; the customer is e-mailed its statement of reasons.",
                              "cancel": "The pending mitigation is cancelled.", "close": "The case is closed.", "appeal": "The appeal is answered; the customer is e-mailed."]

    static let mitigationLabels = ["type": "Mitigation type", "entity_type": "Applies to", "entity_id": "Entity", "effective_date": "Effective",
                                   "statement": "Statement of reasons", "statement.ground": "Ground", "statement.facts": "Facts",
                                   "statement.automated": "Automated", "statement.appeal": "How to appeal"]
    static let reportLabels = ["reason": "Denial reason", "operator_id": "Operator", "account_id": "Account", "recipient": "Host's e-mail address",
                               "note": "Note to the host", "decision": "Decision"]

    func renderReport(_ request: Request, id: String, notice: String? = nil, problems: [Problem] = [], failedForm: String? = nil,
                      submitted: JSONObject = [:], status: HTTPResponseStatus = .ok) async throws -> Response {
        let file = try await CaseFile.load(id, on: request.db)
        let report = file.report
        let reportStatus = ReportStatus(rawValue: report.status) ?? .new
        let operators = try await OperatorModel.query(on: request.db).sort(\.$email).all()
        let accounts = try await AccountModel.query(on: request.db).sort(\.$name).all()
        let targets = CustomerContact.targets(of: report).map { target in
            ReportPage.Target(kind: target["kind"]?.stringValue ?? "", source: target["source"]?.stringValue ?? "",
                              port: Self.text(target["sourcePort"]),
                              destination: [Self.text(target["destinationIp"]), Self.text(target["destinationPort"]).map { "port " + $0 },
                                            Self.text(target["destinationUrl"])].compactMap { $0 }.joined(separator: " ").nilIfEmpty)
        }
        let routing = file.routing
        // What the page offers is what the workflow would allow.
        let live = file.mitigations.filter { MitigationStatus(rawValue: $0.status)?.isLive == true }.count
        let openAppeals = file.appeals.filter { $0.status == AppealStatus.open.rawValue }.count
        let page = ReportPage(
            id: report.id ?? "", status: report.status, denialReason: report.denialReason.map(ConsoleFormat.words),
            headline: [report.threatType, report.incidentType, report.attackMethod].compactMap { $0 }.joined(separator: " / ").nilIfEmpty
                ?? (ReportType(rawValue: report.reportType)?.title ?? report.reportType),
            overview: [ReportPage.Field(label: "Filed", value: ConsoleFormat.time(report.createdAt)),
                       ReportPage.Field(label: "Channel", value: ConsoleFormat.words(report.channel)),
                       ReportPage.Field(label: "Report type", value: report.reportType),
                       ReportPage.Field(label: "Severity", value: report.severity ?? "not given"),
                       ReportPage.Field(label: "Incident time", value: CustomerContact.incident(of: report) ?? "not given"),
                       ReportPage.Field(label: "Domain", value: report.domain ?? "none"),
                       ReportPage.Field(label: "Assigned to", value: file.assignee?.email ?? "nobody"),
                       ReportPage.Field(label: "Last change", value: ConsoleFormat.time(report.updatedAt))],
            reporter: [ReportPage.Field(label: "Name", value: report.reporterName), ReportPage.Field(label: "E-mail", value: report.reporterEmail),
                       ReportPage.Field(label: "Telephone", value: report.reporterPhone ?? ""),
                       ReportPage.Field(label: "Organisation", value: report.reporterOrg ?? "")].filter { !$0.value.isEmpty },
            anonymize: report.anonymize, notes: report.notes, targets: targets,
            details: Self.detailFields(report.details),
            attachments: file.attachments.map { ReportPage.Attachment(id: $0.id ?? "", name: $0.name, size: $0.size, mediaType: $0.mediaType, sha256: $0.sha256) },
            routing: [ReportPage.Field(label: "Account", value: file.account.map { "\($0.name) (\($0.id ?? ""))" } ?? "unassigned"),
                      ReportPage.Field(label: "Rule", value: Self.routingRule(routing.rule)),
                      ReportPage.Field(label: "Matched", value: [routing.matched, routing.value.map { "by " + $0 }].compactMap { $0 }.joined(separator: " "))]
                .filter { !$0.value.isEmpty },
            accountID: report.accountID,
            related: file.related.map(QueuePage.Row.init),
            mitigations: file.mitigations.map(Self.mitigationRow),
            appeals: file.appeals.map { appeal in
                ReportPage.Appeal(id: appeal.id ?? "", mitigationID: appeal.mitigationID, reason: ConsoleFormat.words(appeal.reason),
                                  details: appeal.details, status: appeal.status, created: ConsoleFormat.time(appeal.createdAt),
                                  decisionReason: appeal.decisionReason, isOpen: appeal.status == AppealStatus.open.rawValue)
            },
            emails: file.emails.map(Self.emailRow),
            history: file.history.map { entry in
                ReportPage.HistoryEntry(sequence: entry.sequence, at: ConsoleFormat.time(entry.occurredAt),
                                        actor: Self.actorName(entry.actor, operators: operators, accounts: accounts), action: entry.action,
                                        change: Self.describeChange(entry))
            },
            operators: [Option(value: "", label: "Nobody", selected: report.assignedTo == nil)]
                + operators.map { Option(value: $0.id ?? "", label: $0.email, selected: $0.id == report.assignedTo) },
            accounts: accounts.map { Option(value: $0.id ?? "", label: $0.name, selected: $0.id == report.accountID) },
            denialReasons: Option.list(DenialReason.allCases.map(\.rawValue), selected: [submitted["reason"]?.stringValue ?? ""], label: ConsoleFormat.words),
            canDecide: ReportDecision.deny(.noAbuseFound).refusal(from: reportStatus, liveMitigations: live) == nil,
            canAccept: ReportDecision.accept.refusal(from: reportStatus, liveMitigations: live) == nil,
            canClose: reportStatus.closeRefusal(openAppeals: openAppeals) == nil,
            canRoute: reportStatus.isOpenToAction && file.mitigations.isEmpty,
            canForward: reportStatus.isOpenToAction, canMitigate: reportStatus == .accepted,
            forwardedTo: report.forwardedAt.map { "\(report.forwardedTo ?? "the upstream host") on \(ConsoleFormat.time($0))" },
            forwardRecipient: failedForm == "forward" ? submitted["recipient"]?.stringValue ?? "" : "",
            forwardNote: failedForm == "forward" ? submitted["note"]?.stringValue ?? "" : "",
            failedForm: failedForm,
            draft: Self.mitigationDraft(report: report, submitted: failedForm == "mitigate" ? submitted : nil))
        return try await ConsoleView.render("report", title: "Report \(report.id ?? "")", nav: "queue", page: page, notice: notice,
                                            problems: problems, status: status, for: request)
    }

    /// `POST /console/reports/{id}/{action}`: does it, then shows the report again with what happened;
    /// a refused form is shown again with its problems and every value kept.
    @Sendable
    func reportAction(_ request: Request) async throws -> Response {
        let signedIn = try request.signedInOperator()
        let id = request.parameters.get("report_id") ?? ""
        let action = request.parameters.get("action") ?? ""
        let form = try Self.form(request)
        do {
            switch action {
            case "accept":
                _ = try await decisions.decide(.accept, reportID: id, by: signedIn.actor, on: request.db)
            case "close":
                _ = try await decisions.close(id, by: signedIn.actor, on: request.db)
            case "deny":
                _ = try await decisions.decide(.deny(try OperatorRequests.denial(form).orRefuse()), reportID: id, by: signedIn.actor, on: request.db)
            case "assign":
                _ = try await decisions.assign(id, to: try OperatorRequests.assignee(form, me: signedIn.id).orRefuse(), by: signedIn.actor, on: request.db)
            case "route":
                _ = try await decisions.route(id, to: try OperatorRequests.route(form).orRefuse(), by: signedIn.actor, on: request.db)
            case "forward":
                let forward = try OperatorRequests.forward(form).orRefuse()
                _ = try await decisions.forward(id, to: forward.recipient, note: forward.note, by: signedIn.actor, on: request.db)
            case "mitigate":
                let order = try MitigationOrder.parse(Self.mitigationBody(form), now: now()).orRefuse(noun: "mitigation")
                _ = try await mitigations.apply(order, to: id, by: signedIn.actor, on: request.db)
            default:
                throw ClientError.notFound("There is no action \(quoted(action)) for reports.")
            }
        } catch let error as ClientError where error.status == .badRequest || error.status == .conflict {
            let labels = action == "mitigate" ? Self.mitigationLabels : Self.reportLabels
            return try await renderReport(request, id: id, problems: Problem.from(error, labels: labels), failedForm: action, submitted: form,
                                          status: error.status)
        }
        return request.redirect(toLocal: "/console/reports/\(id)?done=\(action)")
    }

    @Sendable
    func cancelMitigation(_ request: Request) async throws -> Response {
        let signedIn = try request.signedInOperator()
        let id = request.parameters.get("mitigation_id") ?? ""
        guard Identifier.isWellFormed(id), let found = try await MitigationModel.find(id, on: request.db) else {
            throw ClientError.notFound("There is no mitigation \(id).")
        }
        do {
            _ = try await mitigations.cancel(id, by: signedIn.actor, on: request.db)
        } catch let error as ClientError where error.status == .conflict {
            return try await renderReport(request, id: found.reportID, problems: Problem.from(error), status: .conflict)
        }
        return request.redirect(toLocal: "/console/reports/\(found.reportID)?done=cancel")
    }

    @Sendable
    func download(_ request: Request) async throws -> Response {
        try await attachments.download(request.parameters.get("attachment_id") ?? "", for: request)
    }

    // MARK: Pieces

    /// The mitigation form's fields as the admin API's body: `statement_*` fields become the statement,
    /// and a time picked in the form (`2026-12-01T09:30`, UTC) becomes RFC 3339.
    static func mitigationBody(_ form: JSONObject) -> JSONValue {
        var body = JSONObject()
        for key in ["type", "entity_type", "entity_id"] { if let value = form[key] { body[key] = value } }
        if let text = form["effective_date"]?.stringValue {
            let local = text.count == 16 ? text + ":00Z" : text.count == 19 && !text.hasSuffix("Z") ? text + "Z" : text
            body["effective_date"] = .string(local)
        }
        var statement = JSONObject()
        for key in ["ground", "facts", "appeal"] { if let value = form["statement_" + key] { statement[key] = value } }
        switch form["statement_automated"]?.stringValue {
        case "true"?: statement["automated"] = true
        case "false"?: statement["automated"] = false
        default: break
        }
        body["statement"] = .object(statement)
        return .object(body)
    }

    static func mitigationDraft(report: ReportModel, submitted: JSONObject?) -> ReportPage.MitigationDraft {
        let urls = CustomerContact.view(of: report).urls
        let type = submitted?["type"]?.stringValue ?? (report.reportType == ReportType.phishing.rawValue ? MitigationType.phishingInterstitial.rawValue : "")
        let entityType = submitted?["entity_type"]?.stringValue ?? (urls.isEmpty ? "" : MitigationEntityType.urlPattern.rawValue)
        return ReportPage.MitigationDraft(
            types: Option.list(MitigationType.allCases.map(\.rawValue), selected: [type], label: ConsoleFormat.words),
            entityTypes: Option.list(MitigationEntityType.allCases.map(\.rawValue), selected: [entityType], label: ConsoleFormat.words),
            entityID: submitted?["entity_id"]?.stringValue ?? urls.first ?? report.domain ?? "",
            effectiveDate: submitted?["effective_date"]?.stringValue ?? "",
            ground: submitted?["statement_ground"]?.stringValue ?? "", facts: submitted?["statement_facts"]?.stringValue ?? "",
            automated: submitted?["statement_automated"]?.stringValue == "true",
            appeal: submitted?["statement_appeal"]?.stringValue ?? StatementOfReasons.defaultAppeal)
    }

    static func mitigationRow(_ mitigation: MitigationModel) -> ReportPage.Mitigation {
        let statement = (try? JSONParser.parse(Array(mitigation.statement.utf8), maximumDepth: 4)) ?? .null
        return ReportPage.Mitigation(id: mitigation.id ?? "", type: ConsoleFormat.words(mitigation.type),
                                     entity: "\(ConsoleFormat.words(mitigation.entityType)) \(mitigation.entityID)", status: mitigation.status,
                                     effective: ConsoleFormat.time(mitigation.effectiveDate), ground: statement["ground"]?.stringValue ?? "",
                                     facts: statement["facts"]?.stringValue ?? "", automated: statement["automated"] == true,
                                     appeal: statement["appeal"]?.stringValue ?? "",
                                     cancellable: MitigationStatus(rawValue: mitigation.status)?.isCancellable == true)
    }

    static func emailRow(_ message: StoredEmail) -> ReportPage.Email {
        ReportPage.Email(id: message.id, reportID: message.reportID, audience: message.audience, recipient: message.recipient, subject: message.subject, body: message.body,
                         state: message.state.rawValue, created: ConsoleFormat.time(message.createdAt),
                         sent: message.sentAt.map(ConsoleFormat.time), attempts: message.attempts, lastError: message.lastError)
    }

    /// Who acted, as people know them: an operator's e-mail address, an account's name.
    static func actorName(_ actor: String, operators: [OperatorModel], accounts: [AccountModel]) -> String {
        if actor.hasPrefix("operator:"), let found = operators.first(where: { "operator:" + ($0.id ?? "") == actor }) { return found.email }
        if actor.hasPrefix("account:"), let found = accounts.first(where: { "account:" + ($0.id ?? "") == actor }) { return "customer " + found.name }
        return actor == "system" ? "the service" : actor
    }

    static func routingRule(_ rule: String) -> String {
        switch rule {
        case "domain": "the longest matching domain of an account"
        case "netblock": "the longest matching netblock of an account"
        case "manual": "routed by hand"
        default: "nothing matched: unassigned"
        }
    }

    /// An audit entry's change in one line: `status: new → accepted`.
    static func describeChange(_ entry: AuditEntry) -> String {
        let before = entry.before.objectValue ?? JSONObject()
        let after = entry.after.objectValue ?? JSONObject()
        let keys = after.keys + before.keys.filter { !after.keys.contains($0) }
        return keys.compactMap { key -> String? in
            let old = before[key].map(text) ?? nil
            let new = after[key].map(text) ?? nil
            guard old != new || before[key] == nil else { return nil }
            if key == "statement" { return "statement of reasons given" }
            return "\(ConsoleFormat.words(key)): " + [old, new ?? "none"].compactMap { $0 }.joined(separator: " → ")
        }.joined(separator: "; ")
    }

    static func text(_ value: JSONValue?) -> String? {
        switch value {
        case .string(let text)?: text
        case .number(let number)?: number == number.rounded() ? String(Int(number)) : String(number)
        case .bool(let flag)?: flag ? "yes" : "no"
        default: nil
        }
    }

    /// What an Accounts API submission sent besides the common fields, one line each.
    static func detailFields(_ details: String) -> [ReportPage.Field] {
        guard let object = (try? JSONParser.parse(Array(details.utf8), maximumDepth: 16))?.objectValue else { return [] }
        return object.map { key, value in ReportPage.Field(label: ConsoleFormat.words(key), value: text(value) ?? value.serialized()) }
    }
}

extension String {
    var nilIfEmpty: String? { isEmpty ? nil : self }
}
