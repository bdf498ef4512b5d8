import AbuseDeskCore
import Fluent
import Foundation
import Testing
import Vapor
import VaporTesting
@testable import AbuseDesk

/// An operator's browser without JavaScript: it keeps the console's cookies and posts forms with the
/// page's CSRF token, as the pages' forms do.
struct ConsoleBrowser {
    let app: Application
    var cookies: [String: String] = [:]
    var csrf: String?

    init(app: Application) {
        self.app = app
    }

    var cookieHeader: String { cookies.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: "; ") }

    @discardableResult
    mutating func get(_ path: String) async throws -> TestingHTTPResponse {
        var headers: HTTPHeaders = ["Accept": "text/html"]
        if !cookies.isEmpty { headers.replaceOrAdd(name: .cookie, value: cookieHeader) }
        let response = try await app.send(.GET, path, headers: headers)
        remember(response)
        return response
    }

    @discardableResult
    mutating func post(_ path: String, _ fields: [(String, String)], withToken: Bool = true, origin: String? = nil) async throws -> TestingHTTPResponse {
        var all = fields
        if withToken, let csrf, !all.contains(where: { $0.0 == "_csrf" }) { all.append(("_csrf", csrf)) }
        let body = all.map { "\(Self.encode($0.0))=\(Self.encode($0.1))" }.joined(separator: "&")
        var headers: HTTPHeaders = ["Accept": "text/html"]
        if !cookies.isEmpty { headers.replaceOrAdd(name: .cookie, value: cookieHeader) }
        if let origin { headers.replaceOrAdd(name: .origin, value: origin) }
        let response = try await app.send(.POST, path, headers: headers, body: body, contentType: "application/x-www-form-urlencoded")
        remember(response)
        return response
    }

    /// Signs in through the form and, when that worked, opens the queue as the redirect does (which
    /// gives the session's CSRF token); answers the sign-in's answer.
    @discardableResult
    mutating func signIn(_ email: String, password: String = "a long enough password") async throws -> TestingHTTPResponse {
        try await get("/console/login")
        let answer = try await post("/console/login", [("email", email), ("password", password), ("next", "/console/reports")])
        if answer.status == .seeOther { try await get("/console/reports") }
        return answer
    }

    private mutating func remember(_ response: TestingHTTPResponse) {
        for (name, value) in response.headers.setCookie?.all ?? [:] {
            cookies[name] = value.string.isEmpty ? nil : value.string
        }
        let html = response.body.string
        if let range = html.range(of: #"name="_csrf" value=""#) {
            csrf = String(html[range.upperBound...].prefix(while: { $0 != "\"" }))
        }
    }

    static func encode(_ text: String) -> String {
        text.addingPercentEncoding(withAllowedCharacters: .alphanumerics.union(CharacterSet(charactersIn: "-._~"))) ?? text
    }
}

extension TestingHTTPResponse {
    var location: String? { headers.first(name: .location) }
}

@Suite struct ConsoleTests {
    @Test func operatorsSignInAndOutAndPagesNeedASession() async throws {
        try await withTestApp { app in
            _ = try await AccountsWorld(app)
            var browser = ConsoleBrowser(app: app)
            let anonymous = try await browser.get("/console/reports?status=new")
            #expect(anonymous.status == .seeOther && anonymous.location == "/console/login?next=%2Fconsole%2Freports%3Fstatus%3Dnew")
            let wrong = try await browser.signIn("analyst@abusedesk.test", password: "not the password")
            #expect(wrong.status == .unauthorized)
            #expect(wrong.body.string.contains("The e-mail address or the password is wrong."))
            #expect(wrong.body.string.contains(#"value="analyst@abusedesk.test""#), "the address is kept")
            #expect(try await browser.signIn("nobody@abusedesk.test").status == .unauthorized)

            var forged = ConsoleBrowser(app: app)
            _ = try await forged.get("/console/login")
            let noToken = try await forged.post("/console/login", [("email", "analyst@abusedesk.test"), ("password", "a long enough password")],
                                                withToken: false)
            #expect(noToken.status == .forbidden, "sign-in needs the form's token")

            let signedIn = try await browser.signIn("analyst@abusedesk.test")
            #expect(signedIn.status == .seeOther && signedIn.location == "/console/reports")
            let cookie = try #require(browser.cookies[ConsoleSessions.cookieName])
            #expect(try await OperatorSessionModel.find(AccessToken.hash(cookie), on: app.db) != nil, "the store keeps only the hash")
            let queue = try await browser.get("/console/reports")
            #expect(queue.status == .ok && queue.body.string.contains("analyst@abusedesk.test"))
            #expect(!queue.body.string.contains(#"href="/console/accounts""#), "an analyst sees no administration")
            let forbidden = try await browser.get("/console/accounts")
            #expect(forbidden.status == .forbidden && forbidden.body.string.contains(#"<a class="button button-primary" href="/console/reports">Back to the queue</a>"#))
            #expect(try await browser.get("/console/operators").status == .forbidden)

            let out = try await browser.post("/console/logout", [])
            #expect(out.status == .seeOther && out.location == "/console/login")
            #expect(try await app.count("operator_sessions") == 0)
            #expect(try await browser.get("/console/reports").status == .seeOther)
            let stale = try await browser.post("/console/reports/bulk", [("action", "accept")], withToken: false)
            #expect(stale.status == .unauthorized && stale.body.string.contains(#"href="/console/login">Sign in again</a>"#))
        }
    }

    @Test func formsWithoutTheSessionsTokenOrFromElsewhereChangeNothing() async throws {
        try await withTestApp { app in
            let world = try await AccountsWorld(app)
            let report = try await world.fileURLReport()
            var browser = ConsoleBrowser(app: app)
            try await browser.signIn("analyst@abusedesk.test")
            #expect(try await browser.post("/console/reports/\(report)/accept", [], withToken: false).status == .forbidden)
            #expect(try await browser.post("/console/reports/\(report)/accept", [("_csrf", "forged")]).status == .forbidden)
            #expect(try await browser.post("/console/reports/\(report)/accept", [], origin: "https://evil.example").status == .forbidden)
            #expect(try await ReportModel.find(report, on: app.db)?.status == "new")
            let accepted = try await browser.post("/console/reports/\(report)/accept", [])
            #expect(accepted.status == .seeOther && accepted.location == "/console/reports/\(report)?done=accept")
            #expect(try await ReportModel.find(report, on: app.db)?.status == "accepted")
        }
    }

    @Test func theQueueShowsFiltersAndReportsAndActsOnSeveral() async throws {
        try await withTestApp { app in
            let world = try await AccountsWorld(app)
            let first = try await world.fileURLReport("https://login.example.com/<script>")
            let second = try await world.fileIPReport("203.0.113.8")
            let stray = try await world.fileIPReport("192.0.2.1")
            var browser = ConsoleBrowser(app: app)
            try await browser.signIn("analyst@abusedesk.test")
            let queue = try await browser.get("/console/reports")
            let html = queue.body.string
            #expect(html.contains("<strong id=\"total\">3</strong> reports"))
            for id in [first, second, stray] { #expect(html.contains(#"href="/console/reports/\#(id)""#)) }
            #expect(html.contains(#"<label for="f-ip">IP address or CIDR</label>"#) && html.contains(#"<label for="f-domain">Domain</label>"#))
            #expect(html.contains(#"value="new" checked"#) && html.contains(#"value="triage" checked"#), "the open queue by default")

            let filtered = try await browser.get("/console/reports?ip=203.0.113.0%2F24&domain=&q=")
            #expect(filtered.body.string.contains("<strong id=\"total\">1</strong> report ") && filtered.body.string.contains(second))
            #expect(filtered.body.string.contains(#"value="203.0.113.0/24""#), "the filter keeps its value")
            let bad = try await browser.get("/console/reports?ip=nonsense")
            #expect(bad.status == .badRequest && bad.body.string.contains("IP address or CIDR: Must be an address or a CIDR block"))

            let refused = try await browser.post("/console/reports/bulk", [("action", "deny"), ("report_ids", first), ("reason", "")])
            #expect(refused.status == .badRequest && refused.body.string.contains("Denial reason: Required"))
            let bulk = try await browser.post("/console/reports/bulk", [("action", "deny"), ("reason", "not_served_here"),
                                                                        ("report_ids", stray), ("report_ids", second), ("operator_id", "me")])
            #expect(bulk.status == .ok)
            #expect(bulk.body.string.contains("2 of 2 reports done."))
            #expect(try await ReportModel.find(stray, on: app.db)?.denialReason == "not_served_here")
            #expect(try await ReportModel.find(second, on: app.db)?.status == "denied")
            let assigned = try await browser.post("/console/reports/bulk", [("action", "assign"), ("operator_id", "me"), ("report_ids", first)])
            #expect(assigned.body.string.contains("1 of 1 report done."))
            #expect(try await browser.get("/console/reports?assigned_to=me&status=triage").body.string.contains(first))
            #expect(!html.contains("<script>"), "what reporters wrote is escaped")
        }
    }

    @Test func aCaseIsWorkedFromItsPage() async throws {
        let clock = TestClock()
        try await withTestApp(clock: clock) { app in
            let world = try await AccountsWorld(app)
            let report = try await world.fileURLReport("https://login.example.com/kit", anonymize: true)
            var browser = ConsoleBrowser(app: app)
            try await browser.signIn("analyst@abusedesk.test")
            let page = try await browser.get("/console/reports/\(report)")
            #expect(page.status == .ok)
            let html = page.body.string
            for text in ["Jane Doe", "jane@example.org", "Asked to stay hidden from the customer", "https://login.example.com/kit",
                         "Acme Hosting", "the longest matching domain of an account", "Accept the report", "Deny the report", "Forward to the upstream host"] {
                #expect(html.contains(text), "\(text)")
            }
            #expect(!html.contains("Apply a mitigation"), "only an accepted report is mitigated")

            let noReason = try await browser.post("/console/reports/\(report)/deny", [("reason", "")])
            #expect(noReason.status == .badRequest && noReason.body.string.contains("Denial reason: Required"))
            #expect(try await browser.post("/console/reports/\(report)/accept", []).status == .seeOther)
            let accepted = try await browser.get("/console/reports/\(report)?done=accept")
            #expect(accepted.body.string.contains("The report is accepted.") && accepted.body.string.contains("Apply a mitigation"))

            // A refused mitigation comes back with its problems and every value kept.
            let refused = try await browser.post("/console/reports/\(report)/mitigate", [
                ("type", "geo_block"), ("entity_type", "zone"), ("entity_id", "example.com"), ("effective_date", "2020-01-01T00:00"),
                ("statement_ground", ""), ("statement_facts", "Seen on <b>two</b> checks"), ("statement_automated", "true")])
            #expect(refused.status == .badRequest)
            let again = refused.body.string
            #expect(again.contains("Ground: Required") && again.contains("Effective: Must be now or later"))
            #expect(again.contains(#"<option value="geo_block" selected>"#) && again.contains("Seen on &lt;b&gt;two&lt;/b&gt; checks"))
            #expect(try await app.count("mitigations") == 0)

            let applied = try await browser.post("/console/reports/\(report)/mitigate", [
                ("type", "phishing_interstitial"), ("entity_type", "url_pattern"), ("entity_id", "login.example.com/kit*"),
                ("effective_date", "2026-11-24T09:30"), ("statement_ground", "Terms of service 4.2"), ("statement_facts", "A phishing kit."),
                ("statement_automated", "false"), ("statement_appeal", "Reply to this e-mail.")])
            #expect(applied.status == .seeOther, "\(applied.body.string)")
            let mitigation = try #require(try await MitigationModel.query(on: app.db).first())
            #expect(mitigation.status == "pending" && mitigation.effectiveDate == RFC3339.parse("2026-11-24T09:30:00Z"))
            let withMitigation = try await browser.get("/console/reports/\(report)").body.string
            #expect(withMitigation.contains("Ground: Terms of service 4.2") && withMitigation.contains("mitigation.applied"))
            #expect(try await browser.post("/console/mitigations/\(try #require(mitigation.id))/cancel", []).status == .seeOther)
            #expect(try await MitigationModel.find(mitigation.id, on: app.db)?.status == "cancelled")

            let forwarded = try await browser.post("/console/reports/\(report)/forward", [("recipient", "abuse@upstream.example"), ("note", "Please act.")])
            #expect(forwarded.status == .seeOther)
            let final = try await browser.get("/console/reports/\(report)").body.string
            #expect(final.contains("forwarded to abuse@upstream.example"))
            #expect(final.contains("report.forwarded") && final.contains("mitigation.cancelled"))
            #expect(final.contains("Abuse report \(report) forwarded to you: Phishing"), "the host's e-mail is listed")
            #expect(final.contains("Close the case"))
            #expect(try await browser.post("/console/reports/\(report)/close", []).location == "/console/reports/\(report)?done=close")
            let closed = try await browser.get("/console/reports/\(report)?done=close").body.string
            #expect(closed.contains("The case is closed.") && closed.contains(#"<span class="status status-closed" id="report-status">closed</span>"#))
            #expect(!closed.contains("Close the case") && !closed.contains("Forward to the upstream host"))
        }
    }

    @Test func appealsAreAnsweredFromTheirQueue() async throws {
        try await withTestApp { app in
            let world = try await AccountsWorld(app)
            let report = try await world.fileURLReport()
            try await world.accept(report)
            let mitigation = try await world.mitigate(report)
            let appealed = try await world.send(.POST, world.reports(world.acme) + "/\(report)/mitigations/appeal", token: world.acmeToken,
                                                json: ["appeals": [["id": .string(mitigation), "reason": "removed"]]])
            #expect(appealed.status == .ok)
            let appeal = try #require(try await AppealModel.query(on: app.db).first()?.id)
            var browser = ConsoleBrowser(app: app)
            try await browser.signIn("analyst@abusedesk.test")
            let queue = try await browser.get("/console/appeals")
            #expect(queue.body.string.contains(#"<span class="badge" aria-label="1 open">1</span>"#))
            #expect(queue.body.string.contains("Acme Hosting") && queue.body.string.contains("reason <strong>removed</strong>"))
            let refused = try await browser.post("/console/appeals/\(appeal)/decision", [("decision", "grant"), ("reason", "")])
            #expect(refused.status == .badRequest && refused.body.string.contains("Reason: Required"))
            #expect(refused.body.string.contains(#"value="grant" checked"#), "the choice is kept")
            let granted = try await browser.post("/console/appeals/\(appeal)/decision", [("decision", "grant"), ("reason", "The page is gone.")])
            #expect(granted.status == .seeOther)
            #expect(try await MitigationModel.find(mitigation, on: app.db)?.status == "removed")
            #expect(try await browser.get("/console/appeals?status=granted").body.string.contains("The page is gone."))
            #expect(try await browser.post("/console/appeals/\(appeal)/decision", [("decision", "reject"), ("reason", "x")]).status == .conflict)
        }
    }

    @Test func adminsManageAccountsTokensAndOperatorsFromTheConsole() async throws {
        try await withTestApp { app in
            _ = try await AccountsWorld(app)
            var browser = ConsoleBrowser(app: app)
            try await browser.signIn("admin@abusedesk.test")
            let refused = try await browser.post("/console/accounts", [("name", ""), ("domains", "example.com\nnot a domain")])
            #expect(refused.status == .badRequest)
            #expect(refused.body.string.contains("Name: Required") && refused.body.string.contains("not a domain"))
            // QA finding 14: every problem at once, counted as people count lines.
            #expect(refused.body.string.contains("Domains, line 2: Must be a fully qualified domain name")
                    && refused.body.string.contains("Domains, line 1: &quot;example.com&quot; already belongs to account"))
            let created = try await browser.post("/console/accounts", [("name", "Console Customer"), ("abuse_email", "abuse@console.example"),
                                                                       ("domains", "console.example\nshop.console.example"), ("netblocks", "192.0.2.0/28")])
            #expect(created.status == .seeOther)
            let account = try #require(try await AccountModel.query(on: app.db).filter(\.$name == "Console Customer").first()?.id)
            let token = try await browser.post("/console/accounts/\(account)/tokens", [("name", "ci"), ("scopes", "read"), ("scopes", "edit")])
            let secret = try #require(token.body.string.range(of: #"<code id="new-token">"#).map {
                String(token.body.string[$0.upperBound...].prefix(while: { $0 != "<" }))
            })
            #expect(AccessToken.isWellFormed(secret))
            let list = try await app.send(.GET, "/client/v4/accounts/\(account)/abuse-reports", headers: ["Authorization": "Bearer \(secret)"])
            #expect(list.status == .ok, "the token works at once")
            #expect(!(try await browser.get("/console/accounts/\(account)")).body.string.contains(secret), "shown once")

            let short = try await browser.post("/console/operators", [("email", "third@abusedesk.test"), ("role", "analyst"), ("password", "short")])
            #expect(short.status == .badRequest && short.body.string.contains("Password: Must be at least 12 characters"))
            #expect(short.body.string.contains(#"value="third@abusedesk.test""#))
            #expect(try await browser.post("/console/operators", [("email", "third@abusedesk.test"), ("role", "analyst"),
                                                                   ("password", "a third long password")]).status == .seeOther)
            var third = ConsoleBrowser(app: app)
            #expect(try await third.signIn("third@abusedesk.test", password: "a third long password").status == .seeOther)
        }
    }

    @Test func attachmentsAreDownloadsNeverPages() async throws {
        try await withTestApp { app in
            _ = try await AccountsWorld(app)
            let stored = try await app.abuseDesk.attachments.store(name: "évidence\".html", bytes: Array("<html><script>alert(1)</script>".utf8),
                                                                   kind: .text, now: app.abuseDesk.now(), on: app.db)
            var browser = ConsoleBrowser(app: app)
            #expect(try await browser.get("/console/attachments/\(stored.id)").status == .seeOther, "only for operators")
            try await browser.signIn("analyst@abusedesk.test")
            let download = try await browser.get("/console/attachments/\(stored.id)")
            #expect(download.status == .ok && download.headers.contentType == .binary)
            #expect(download.headers.first(name: .contentDisposition) == "attachment; filename=\"_vidence_.html.txt\"; filename*=UTF-8''%C3%A9vidence%22.html.txt")
            #expect(download.headers.first(name: "X-Content-Type-Options") == "nosniff")
            #expect(try await browser.get("/console/attachments/\(Identifier.make(at: Date()))").status == .notFound)
        }
    }

    /// Every destructive action asks first; the answer to the question does it.
    @Test func adminsLetOperatorsGoAndCloseAccountsWithAConfirmationStep() async throws {
        try await withTestApp { app in
            let world = try await AccountsWorld(app)
            var admin = ConsoleBrowser(app: app)
            try await admin.signIn("admin@abusedesk.test")
            var analyst = ConsoleBrowser(app: app)
            try await analyst.signIn("analyst@abusedesk.test")
            let analystID = try #require(try await app.abuseDesk.operators.find(email: "analyst@abusedesk.test", on: app.db).id)

            let list = try await admin.get("/console/operators")
            #expect(list.body.string.contains(#"href="/console/operators/\#(analystID)""#) && list.body.string.contains("enabled"))
            let page = try await admin.get("/console/operators/\(analystID)")
            #expect(page.status == .ok && page.body.string.contains("Disable…") && page.body.string.contains("Tokens of the admin API"))
            let question = try await admin.post("/console/operators/\(analystID)/disable", [])
            #expect(question.status == .ok && question.body.string.contains("Disable analyst@abusedesk.test?")
                    && question.body.string.contains(#"name="confirmed" value="yes""#) && question.body.string.contains(#"href="/console/operators/\#(analystID)""#))
            #expect(try await analyst.get("/console/reports").status == .ok, "asking changed nothing")
            let done = try await admin.post("/console/operators/\(analystID)/disable", [("confirmed", "yes")])
            #expect(done.status == .seeOther && done.location == "/console/operators/\(analystID)?done=disable")
            #expect(try await analyst.get("/console/reports").status == .seeOther, "their open session is refused on the next click")
            #expect(try await admin.get("/console/operators/\(analystID)").body.string.contains("disabled"))
            let me = try #require(try await app.abuseDesk.operators.find(email: "admin@abusedesk.test", on: app.db).id)
            let selfDisable = try await admin.post("/console/operators/\(me)/disable", [("confirmed", "yes")])
            #expect(selfDisable.status == .conflict && selfDisable.body.string.contains("You cannot disable yourself"))
            #expect(try await admin.post("/console/operators/\(analystID)/enable", []).status == .seeOther, "enabling needs no question")

            let tokens = try await app.abuseDesk.operators.tokens(of: analystID, on: app.db)
            let tokenID = try #require(tokens.first?.id)
            #expect(try await admin.post("/console/operators/\(analystID)/tokens/\(tokenID)", []).body.string.contains("Revoke the token \(tokenID)"))
            #expect(try await admin.post("/console/operators/\(analystID)/tokens/\(tokenID)", [("confirmed", "yes")]).status == .seeOther)
            #expect(try await world.send(.GET, "/admin/v1/reports", token: world.analystToken).status == .unauthorized)
            #expect(try await admin.post("/console/operators/\(analystID)/role", [("role", "admin")]).status == .seeOther)
            #expect(try await app.abuseDesk.operators.find(analystID, on: app.db).role == "admin")

            // Accounts: renamed and re-contacted at once; a token revoked and the account closed after a question each.
            let saved = try await admin.post("/console/accounts/\(world.other)/update", [("name", "Other Cloud GmbH"), ("abuse_email", "")])
            #expect(saved.status == .seeOther)
            let other = try #require(try await AccountModel.find(world.other, on: app.db))
            #expect(other.name == "Other Cloud GmbH" && other.abuseEmail == nil)
            let accountToken = try #require(try await app.abuseDesk.administration.tokens(of: world.other, on: app.db).first?.id)
            #expect(try await admin.post("/console/accounts/\(world.other)/tokens/\(accountToken)", []).body.string.contains("Revoke the token"))
            #expect(try await world.send(.GET, world.reports(world.other), token: world.otherToken).status == .ok)
            #expect(try await admin.post("/console/accounts/\(world.other)/tokens/\(accountToken)", [("confirmed", "yes")]).status == .seeOther)
            #expect(try await world.send(.GET, world.reports(world.other), token: world.otherToken).status == .unauthorized)
            let domain = try #require(try await app.abuseDesk.administration.account(world.other, on: app.db).domains.first?.id)
            #expect(try await admin.post("/console/accounts/\(world.other)/domains/\(domain)", []).body.string.contains("Remove example.net from"))
            let close = try await admin.post("/console/accounts/\(world.other)/close", [])
            #expect(close.body.string.contains("Close the account Other Cloud GmbH?") && close.body.string.contains("1 domain(s)"))
            #expect(try await AccountModel.find(world.other, on: app.db)?.closedAt == nil)
            let closed = try await admin.post("/console/accounts/\(world.other)/close", [("confirmed", "yes")])
            #expect(closed.status == .seeOther && closed.location == "/console/accounts/\(world.other)?done=closed")
            let closedPage = try await admin.get("/console/accounts/\(world.other)")
            #expect(closedPage.body.string.contains(#"id="closed""#) && !closedPage.body.string.contains("Close the account…"))
        }
    }

    /// QA finding 20: the mail page said "281 e-mails" and showed 20, with no way to the rest.
    /// The appeals queue is paged like the mail: every open appeal is reachable, oldest first, with its
    /// total; the admin API pages the same list.
    @Test func theAppealsQueueIsPaged() async throws {
        try await withTestApp { app in
            let world = try await AccountsWorld(app)
            let report = try await world.fileURLReport()
            try await world.accept(report)
            let mitigation = try await world.mitigate(report)
            #expect(try await world.send(.POST, world.reports(world.acme) + "/\(report)/mitigations/appeal", token: world.acmeToken,
                                         json: ["appeals": [["id": .string(mitigation), "reason": "removed"]]]).status == .ok)
            let sql = try app.sql
            // Twenty-four more, each filed a minute after the one before.
            for index in 1...24 {
                try await sql.raw("""
                    INSERT INTO appeals (id, report_id, mitigation_id, request_id, account_id, reason, status, created_at)
                    VALUES (\(bind: "appeal\(index)"), \(bind: report), \(bind: mitigation), \(bind: "request\(index)"), \(bind: world.acme),
                            'other', 'open', \(bind: Date().addingTimeInterval(Double(index) * 60)))
                    """).run()
            }
            var browser = ConsoleBrowser(app: app)
            try await browser.signIn("analyst@abusedesk.test")
            let first = try await browser.get("/console/appeals").body.string
            #expect(first.contains("<strong>25</strong> appeals") && first.contains("Page 1 of 2") && !first.contains("id=\"appeal-appeal24\""))
            #expect(first.contains(#"href="/console/appeals?page=2" rel="next""#))
            let second = try await browser.get("/console/appeals?page=2").body.string
            #expect(second.contains("id=\"appeal-appeal24\"") && second.components(separatedBy: "class=\"card\" id=\"appeal-").count - 1 == 5)
            #expect(try await browser.get("/console/appeals?status=bogus").status == .badRequest)

            let listed = try await world.send(.GET, "/admin/v1/appeals?status=open&per_page=10&page=3", token: world.analystToken).json
            #expect(listed["result_info"]?["total_count"] == 25 && listed["result"]?.arrayValue?.count == 5)
            #expect(listed["result"]?[4]?["id"] == "appeal24", "oldest first, the newest last")
        }
    }

    /// A provider's thousands of customers are not a list in every queue page: past a few hundred, the
    /// account filter is the account's id, typed.
    @Test func theQueueListsAccountsToChooseOnlyWhileTheyAreFew() async throws {
        try await withTestApp { app in
            let world = try await AccountsWorld(app)
            _ = try await world.fileURLReport("https://login.example.com/a")
            var browser = ConsoleBrowser(app: app)
            try await browser.signIn("analyst@abusedesk.test")
            let few = try await browser.get("/console/reports").body.string
            #expect(few.contains(#"<select id="f-account" name="account_id">"#) && few.contains(">Acme Hosting</option>"))
            let sql = try app.sql
            for index in 0..<ConsoleController.listedAccounts {
                try await sql.raw("INSERT INTO accounts (id, name, created_at) VALUES (\(bind: "bulk\(index)"), \(bind: "Customer \(index)"), \(bind: Date()))").run()
            }
            let many = try await browser.get("/console/reports?account_id=\(world.acme)").body.string
            #expect(!many.contains(#"<select id="f-account""#) && !many.contains(">Customer 7</option>"))
            #expect(many.contains(#"<input type="text" id="f-account" name="account_id" value="\#(world.acme)""#))
            #expect(many.contains(#"<strong id="total">1</strong> report"#), "the typed account still filters")
        }
    }

    @Test func theMailPageIsPaged() async throws {
        try await withTestApp { app in
            _ = try await AccountsWorld(app)
            for index in 0..<21 {
                #expect(try await app.send(.POST, "/report/v2.0/abuse", json: Reports.ip(["reporterEmail": .string("r\(index)@example.org")])).status == .ok)
            }
            var browser = ConsoleBrowser(app: app)
            try await browser.signIn("analyst@abusedesk.test")
            let first = try await browser.get("/console/mail?state=queued")
            #expect(first.body.string.contains("<strong>21</strong> e-mails") && first.body.string.contains("Page 1 of 2"))
            #expect(first.body.string.contains(#"href="/console/mail?state=queued&amp;page=2" rel="next""#))
            let second = try await browser.get("/console/mail?state=queued&page=2")
            #expect(second.body.string.components(separatedBy: "<details>").count - 1 == 1 && second.body.string.contains(#"rel="prev""#))
        }
    }
}
