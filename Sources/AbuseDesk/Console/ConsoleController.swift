import AbuseDeskCore
import Fluent
import Foundation
import Vapor

/// `/console`: the operators' pages. Signing in and out, the queue with its filters and bulk actions
/// (here), a report's case file and what can be done to it (+Report), the appeals and the mail
/// (+Appeals), and, for admins, accounts and operators (+Administration). Every action goes through the
/// same workflow as the admin API, and every form carries the session's CSRF token.
struct ConsoleController: RouteCollection {
    let sessions: ConsoleSessions
    let decisions: ReportDecisions
    let mitigations: Mitigations
    let administration: AccountAdministration
    let operators: OperatorAdministration
    let attachments: AttachmentStore
    let taxonomy: Taxonomy
    let trustForwardedFor: Bool
    let now: @Sendable () -> Date
    /// Sign-in attempts per client address: enough for people, too few for guessing.
    let signInLimiter = RateLimiter(perMinute: 10)

    func boot(routes: any RoutesBuilder) throws {
        let console = routes.grouped("console")
        console.get("login", use: signInPage)
        // A sign-in form is a few hundred bytes; nobody needs more than 8 KiB to send one.
        console.on(.POST, "login", body: .collect(maxSize: BodyLimits.signIn), use: signIn)
        let signedIn = console.grouped(inTask: ConsoleAuthentication(sessions: sessions))
        signedIn.get { $0.redirect(toLocal: "/console/reports") }
        signedIn.post("logout", use: signOut)
        signedIn.get("reports", use: queue)
        signedIn.post("reports", "bulk", use: bulk)
        signedIn.get("reports", ":report_id", use: report)
        signedIn.post("reports", ":report_id", ":action", use: reportAction)
        signedIn.post("mitigations", ":mitigation_id", "cancel", use: cancelMitigation)
        signedIn.get("appeals", use: appeals)
        signedIn.post("appeals", ":appeal_id", "decision", use: decideAppeal)
        signedIn.get("mail", use: mail)
        signedIn.post("mail", ":email_id", "retry", use: retryMail)
        signedIn.get("attachments", ":attachment_id", use: download)
        signedIn.get("accounts", use: accounts)
        signedIn.post("accounts", use: createAccount)
        signedIn.get("accounts", ":account_id", use: account)
        signedIn.post("accounts", ":account_id", ":action", use: accountAction)
        signedIn.post("accounts", ":account_id", ":action", ":item_id", use: accountAction)
        signedIn.get("operators", use: operatorsPage)
        signedIn.post("operators", use: createOperator)
        signedIn.get("operators", ":operator_id", use: operatorPage)
        signedIn.post("operators", ":operator_id", ":action", use: operatorAction)
        signedIn.post("operators", ":operator_id", ":action", ":item_id", use: operatorAction)
        signedIn.get("password", use: passwordPage)
        signedIn.post("password", use: changePassword)
    }

    // MARK: Signing in and out

    struct SignInPage: Encodable {
        var title = "Sign in"
        var nav = "console"
        var csrfField = FormProtection.fieldName
        var csrfToken: String
        var next: String
        var email: String
        var error: String?
    }

    @Sendable
    func signInPage(_ request: Request) async throws -> Response {
        if try await sessions.current(request) != nil { return request.redirect(toLocal: LocalRedirect.console(request.query["next"])) }
        return try await renderSignIn(request, email: "", error: nil, status: .ok)
    }

    /// Checks what costs nothing first: the per-address limit, where the form comes from and its CSRF
    /// token (the body is at most 8 KiB, read in linear time); only then the password, with Bcrypt.
    @Sendable
    func signIn(_ request: Request) async throws -> Response {
        if case .limited(let seconds) = signInLimiter.take(request.clientAddress(trustForwardedFor: trustForwardedFor)) {
            throw ClientError.rateLimited(retryAfter: seconds)
        }
        let form = FormProtection.sameOrigin(request) ? try Self.form(request) : [:]
        let email = form["email"]?.stringValue ?? ""
        guard FormProtection.verify(request, submitted: form[FormProtection.fieldName]?.stringValue) else {
            return try await renderSignIn(request, email: email, error: "The form was too old or not sent from this site. Try again.", status: .forbidden)
        }
        let account: OperatorModel
        switch try await sessions.verify(email: email, password: form["password"]?.stringValue ?? "", request: request) {
        case .operator(let found):
            account = found
        case .disabled:
            request.logger.notice("Console sign-in refused: the operator is disabled")
            return try await renderSignIn(request, email: email, error: "Your access to the console was turned off. Ask an admin of your team to turn it on again.",
                                          status: .unauthorized)
        case .refused:
            request.logger.notice("Console sign-in refused")
            return try await renderSignIn(request, email: email, error: "The e-mail address or the password is wrong.", status: .unauthorized)
        }
        let response = request.redirect(toLocal: LocalRedirect.console(form["next"]?.stringValue))
        try await sessions.start(for: account, on: response, request: request)
        request.logger.info("Operator signed in", metadata: ["operator.id": .string(account.id ?? "")])
        return response
    }

    private func renderSignIn(_ request: Request, email: String, error: String?, status: HTTPResponseStatus) async throws -> Response {
        let (token, isNew) = FormProtection.token(for: request)
        let page = SignInPage(csrfToken: token, next: LocalRedirect.console(request.query["next"] ?? (try? Self.form(request))?["next"]?.stringValue),
                              email: email, error: error)
        let response = try await PortalView.render("console/login", page, for: request, status: status)
        if isNew { FormProtection.setCookie(token, on: response, secure: request.isServedOverHTTPS) }
        return response
    }

    @Sendable
    func signOut(_ request: Request) async throws -> Response {
        let response = request.redirect(toLocal: "/console/login")
        try await sessions.end(request, on: response)
        return response
    }

    // MARK: The queue

    struct QueuePage: Encodable {
        struct Row: Encodable {
            var id: String
            var created: String
            var status: String
            var denialReason: String?
            var type: String
            var incident: String
            var severity: String?
            var domain: String?
            var account: String?
            var assignee: String?
            var reporter: String
            var targets: Int
            /// Targets beyond the first.
            var more: Int

            init(_ item: QueueItem) {
                id = item.id
                created = ConsoleFormat.time(item.createdAt)
                status = item.status.rawValue
                denialReason = item.denialReason.map(ConsoleFormat.words)
                type = item.reportType.rawValue
                incident = [item.threatType, item.incidentType, item.attackMethod].compactMap { $0 }.joined(separator: " / ")
                severity = item.severity
                domain = item.domain
                account = item.accountName
                assignee = item.assigneeEmail
                reporter = item.reporterName
                targets = item.targetCount
                more = max(0, item.targetCount - 1)
            }
        }

        struct Filters: Encodable {
            var statuses: [Option]
            var types: [Option]
            var threatTypes: [Option]
            var incidentTypes: [Option]
            /// The accounts to choose from, unless there are too many to list (`accountTyped`).
            var accounts: [Option]
            /// Whether the account's id is typed, and the id asked for.
            var accountTyped: Bool
            var accountID: String
            var assignees: [Option]
            var sorts: [Option]
            var perPage: [Option]
            var unassigned: Bool
            var domain: String
            var ip: String
            var q: String
            var createdAfter: String
            var createdBefore: String
        }

        var filters: Filters
        var rows: [Row]
        var pager: ConsolePager
        var operators: [Option]
        var denialReasons: [Option]
        var outcomes: [Outcome]
    }

    struct Outcome: Encodable {
        var id: String
        var success: Bool
        var text: String
    }

    @Sendable
    func queue(_ request: Request) async throws -> Response {
        try await renderQueue(request, outcomes: [], notice: nil)
    }

    /// The queue for the request's query; without any, the open reports (new and in triage), newest first.
    func renderQueue(_ request: Request, outcomes: [Outcome], notice: String?, problems: [Problem] = [],
                     status: HTTPResponseStatus = .ok) async throws -> Response {
        let signedIn = try request.signedInOperator()
        let rawQuery = request.url.query ?? ""
        var query = QueryParameters(rawQuery.isEmpty ? "status=new&status=triage" : rawQuery, droppingEmpty: true)
        query.rejectUnknown(allowed: QueueFilter.parameters + ["sort"] + PageRequest.anchoredParameters)
        let filter = QueueFilter.read(&query, taxonomy: taxonomy, operatorID: signedIn.id)
        let sort = query.sort(QueueSortField.self, default: (.createdAt, descending: true))
        let page = query.page(anchored: true)
        let selected = { (name: String) in query.values(name) }
        var problems = problems
        problems += query.problems.map { Problem(field: $0.path, label: Self.filterLabels[$0.path] ?? $0.path, message: $0.message) }
        let (items, total) = query.problems.isEmpty ? try await QueueReader(request.db, hints: request.planHints).list(filter, sort: sort, page: page) : ([], .exact(0))
        let operators = try await OperatorModel.query(on: request.db).sort(\.$email).all()
        // A provider's customers are thousands: past a few hundred, the account's id is typed instead.
        let accounts = try await AccountModel.query(on: request.db).sort(\.$name).limit(Self.listedAccounts + 1).all()
        let accountTyped = accounts.count > Self.listedAccounts
        let sortValue = "\(sort.0.rawValue),\(sort.descending ? "desc" : "asc")"
        let filters = QueuePage.Filters(
            statuses: Option.list(ReportStatus.allCases.map(\.rawValue), selected: selected("status").flatMap { $0.split(separator: ",").map(String.init) }),
            types: [Option(value: "", label: "Any type", selected: false)] + Option.list(ReportType.allCases.map(\.rawValue), selected: selected("type")) {
                "\($0): \(ReportType(rawValue: $0)?.title ?? $0)"
            },
            threatTypes: [Option(value: "", label: "Any threat type", selected: false)]
                + Option.list(taxonomy.threatTypes.map(\.name), selected: selected("threat_type")),
            incidentTypes: [Option(value: "", label: "Any incident type", selected: false)]
                + Option.list(taxonomy.incidentTypeNames, selected: selected("incident_type")),
            accounts: accountTyped ? [] : [Option(value: "", label: "Any account", selected: false)]
                + accounts.map { Option(value: $0.id ?? "", label: $0.name, selected: selected("account_id").contains($0.id ?? "")) },
            accountTyped: accountTyped, accountID: selected("account_id").first ?? "",
            assignees: [Option(value: "", label: "Anyone or nobody", selected: false), Option(value: "me", label: "Me", selected: selected("assigned_to") == ["me"]),
                        Option(value: "none", label: "Nobody", selected: selected("assigned_to") == ["none"])]
                + operators.map { Option(value: $0.id ?? "", label: $0.email, selected: selected("assigned_to").contains($0.id ?? "")) },
            sorts: Self.sortOptions.map { Option(value: $0.0, label: $0.1, selected: $0.0 == sortValue) },
            perPage: Option.list(["20", "50", "100"], selected: [String(page.size)]),
            unassigned: filter.unassigned, domain: query.values("domain").first ?? "", ip: query.values("ip").first ?? "",
            q: query.values("q").first ?? "", createdAfter: query.values("created_after").first ?? "",
            createdBefore: query.values("created_before").first ?? "")
        let rows = items.map(QueuePage.Row.init)
        let pager = ConsolePager(page, total: total, path: "/console/reports", query: rawQuery.isEmpty ? "status=new&status=triage" : rawQuery,
                                 first: items.first?.id, last: items.last?.id)
        let content = QueuePage(filters: filters, rows: rows, pager: pager,
                                operators: [Option(value: "me", label: "Me", selected: false)]
                                    + operators.map { Option(value: $0.id ?? "", label: $0.email, selected: false) },
                                denialReasons: Option.list(DenialReason.allCases.map(\.rawValue), label: ConsoleFormat.words),
                                outcomes: outcomes)
        return try await ConsoleView.render("queue", title: "Report queue", nav: "queue", page: content, notice: notice, problems: problems,
                                            status: problems.isEmpty ? status : .badRequest, for: request)
    }

    /// Up to this many accounts are offered as a list in the queue's filter.
    static let listedAccounts = 300

    static let sortOptions = [("created_at,desc", "Newest first"), ("created_at,asc", "Oldest first"), ("updated_at,desc", "Recently changed"),
                              ("severity,asc", "Severity, highest first"), ("status,asc", "Status"), ("type,asc", "Type"), ("domain,asc", "Domain"),
                              ("relevance,desc", "Best match (with words)")]
    static let filterLabels = ["status": "Status", "type": "Type", "threat_type": "Threat type", "incident_type": "Incident type",
                               "account_id": "Account", "unassigned": "Unassigned", "assigned_to": "Assigned to", "domain": "Domain",
                               "ip": "IP address or CIDR", "q": "Search", "created_after": "Filed after", "created_before": "Filed before",
                               "sort": "Sort", "page": "Page", "per_page": "Per page"]

    /// Accept, deny or assign the reports ticked in the queue, each on its own.
    @Sendable
    func bulk(_ request: Request) async throws -> Response {
        let signedIn = try request.signedInOperator()
        let form = try Self.form(request, arrays: ["report_ids"])
        switch OperatorRequests.bulk(form, me: signedIn.id) {
        case .failure(let failure):
            return try await renderQueue(request, outcomes: [], notice: nil,
                                         problems: Problem.from(ClientError.validation(failure), labels: ["action": "Action", "report_ids": "Reports",
                                                                                                          "reason": "Denial reason", "operator_id": "Assign to"]))
        case .success(let (action, ids)):
            let results = await BulkOutcome.run(action, on: ids, decisions: decisions, by: signedIn.actor, database: request.db)
            let outcomes = results.map { Outcome(id: $0.reportID, success: $0.error == nil,
                                                 text: $0.error?.message ?? "now \($0.status.map(ConsoleFormat.words) ?? "changed")") }
            let done = results.filter { $0.error == nil }.count
            return try await renderQueue(request, outcomes: outcomes,
                                         notice: "\(done) of \(results.count) report\(results.count == 1 ? "" : "s") done.")
        }
    }

    // MARK: Forms

    /// An URL-encoded form's fields as a JSON object of strings (blank fields left out), with the fields
    /// named in `arrays` gathered into arrays: the shape the workflow's request readers take.
    static func form(_ request: Request, arrays: Set<String> = []) throws -> JSONObject {
        let query = try request.urlEncodedForm()
        var object = JSONObject()
        for name in query.names {
            let values = query.values(name)
            object[name] = arrays.contains(name) ? .array(values.map(JSONValue.string)) : values.last.map(JSONValue.string)
        }
        return object
    }
}
