import AbuseDeskCore
import Fluent
import Foundation
import Testing
import Vapor
import VaporTesting
@testable import AbuseDesk

/// What strangers send, and what it may not do (QA findings 5, 6, 8–13, 23).
@Suite struct StrangerInputTests {
    /// Finding 5: `bücher.example` and `xn--bcher-kva.example` went to two accounts, by the reporter's spelling.
    @Test func oneNameInEverySpellingBelongsToOneAccount() async throws {
        try await withTestApp { app in
            let world = try await AccountsWorld(app)
            let first = try await world.send(.POST, "/admin/v1/accounts", token: world.adminToken, json: ["name": "A", "domains": ["bücher.example"]])
            #expect(first.status == .ok)
            #expect(try first.result["domains"]?[0]?["domain"] == "xn--bcher-kva.example")
            let second = try await world.send(.POST, "/admin/v1/accounts", token: world.adminToken, json: ["name": "B", "domains": ["xn--bcher-kva.example"]])
            #expect(second.status == .conflict)
            let account = try #require(try first.result["id"]?.stringValue)
            for spelling in ["https://bücher.example/x", "https://xn--bcher-kva.example/x", "https://BÜCHER.example./x"] {
                let id = try await world.fileURLReport(spelling)
                #expect(try await ReportModel.find(id, on: app.db)?.accountID == account, "\(spelling)")
            }
        }
    }

    /// Finding 6: `.hta` and other names were kept for text, and a right-to-left override disguised `exe.jpg`.
    @Test func attachmentNamesMatchWhatTheFilesAre() async throws {
        try await withTestApp { app in
            let text = Array("just some text".utf8)
            for (sent, kept) in [("evidence.hta", "evidence.hta.txt"), ("run.ps1", "run.ps1.txt"), ("x.bat", "x.bat.txt"), ("page.html", "page.html.txt"),
                                 ("notes.TXT", "notes.TXT"), ("\u{202E}gpj.exe", "gpj.exe.txt"), ("a\u{200B}b\u{2066}.log", "ab.log"), ("...", "attachment.txt")] {
                let response = try await UploadTests.upload(app, [("file", sent, text)])
                #expect(try response.json[0]?["name"]?.stringValue == kept, "\(sent)")
            }
            let png = try await UploadTests.upload(app, [("file", "photo.txt", UploadTests.png)])
            #expect(try png.json[0]?["name"] == "photo.txt.png")
            // A name stored before is made safe on the way out.
            let id = try #require(try png.json[0]?["id"]?.stringValue)
            let row = try #require(try await AttachmentModel.find(id, on: app.db))
            row.name = "\u{202E}gpj.exe"
            try await row.save(on: app.db)
            let world = try await AccountsWorld(app)
            let download = try await world.send(.GET, "/admin/v1/attachments/\(id)", token: world.analystToken)
            #expect(download.headers.first(name: .contentDisposition) == "attachment; filename=\"gpj.exe.png\"; filename*=UTF-8''gpj.exe.png")
        }
    }

    /// Finding 10: unclaimed 10 MiB uploads had no quota (about 36 GB an hour from one address).
    @Test func unclaimedUploadsCountAgainstTheAddressQuota() async throws {
        let clock = TestClock()
        try await withTestApp(clock: clock, configure: { $0.uploadQuotaBytes = 3 * 1024 * 1024; $0.trustForwardedFor = true }) { app in
            let megabyte = [UInt8](repeating: UInt8(ascii: "a"), count: 1024 * 1024)
            func upload(from address: String) async throws -> TestingHTTPResponse {
                var response: TestingHTTPResponse?
                try await app.testing().test(.POST, "/report/v2.0/file", headers: ["Content-Type": "multipart/form-data; boundary=XyZ123",
                                                                                   "X-Forwarded-For": address],
                                             body: UploadTests.multipart([("file", "a.txt", megabyte)])) { response = $0 }
                return try #require(response)
            }
            for _ in 0..<3 { #expect(try await upload(from: "198.51.100.1").status == .ok) }
            let refused = try await upload(from: "198.51.100.1")
            #expect(try refused.status == .tooManyRequests && (refused.json["code"]) == "UploadQuotaExceeded")
            #expect(refused.headers.first(name: "Retry-After").flatMap(Int.init).map { (1...3600).contains($0) } == true)
            #expect(try await upload(from: "198.51.100.2").status == .ok, "another address has its own quota")
            clock.advance(by: 3601)
            #expect(try await upload(from: "198.51.100.1").status == .ok, "an hour later the quota is back")
        }
    }

    /// Finding 9: an anonymous key replayed to an account's token, and a stranger could squat a key.
    @Test func idempotencyKeysBelongToTheirCaller() async throws {
        try await withTestApp { app in
            let world = try await AccountsWorld(app)
            var headers: HTTPHeaders = ["Idempotency-Key": "shared-key-1"]
            let anonymous = try await app.send(.POST, "/report/v2.0/abuse", headers: headers, json: Reports.url())
            #expect(anonymous.status == .ok)
            headers.add(name: .authorization, value: "Bearer \(world.otherToken)")
            let withToken = try await app.send(.POST, "/report/v2.0/abuse", headers: headers, json: Reports.url())
            #expect(withToken.status == .ok && withToken.headers.first(name: "Idempotent-Replayed") == nil)
            #expect(try withToken.json["reportId"] != anonymous.json["reportId"])
            #expect(try await world.send(.GET, world.reports(world.other) + "/submitted", token: world.otherToken).ids().count == 1)
            let replay = try await app.send(.POST, "/report/v2.0/abuse", headers: headers, json: Reports.url())
            #expect(try replay.headers.first(name: "Idempotent-Replayed") == "true" && (replay.json["reportId"]) == (withToken.json["reportId"]))
        }
    }

    /// Finding 11: `:443`, `#f` and `%78` spellings of a URL passed the 7-day duplicate rule.
    @Test func theSevenDayRuleSeesThroughSpellings() async throws {
        try await withTestApp { app in
            let world = try await AccountsWorld(app)
            let examples = try await SubmitTests.examples(app)
            var body = try #require(examples["abuse_phishing"]?.objectValue)
            body["urls"] = "https://www.example.com/x1"
            #expect(try await world.send(.POST, world.reports(world.other) + "/abuse_phishing", token: world.otherToken, json: .object(body)).status == .ok)
            for spelling in ["https://www.example.com:443/x1", "https://www.example.com/x1#f", "https://www.example.com/%781", "HTTPS://WWW.EXAMPLE.COM/x1"] {
                body["urls"] = .string(spelling)
                let again = try await world.send(.POST, world.reports(world.other) + "/abuse_phishing", token: world.otherToken, json: .object(body))
                #expect(try again.status == .badRequest && (again.json["err_code"]) == "duplicate_report", "\(spelling)")
            }
            body["urls"] = "https://www.example.com/x2"
            #expect(try await world.send(.POST, world.reports(world.other) + "/abuse_phishing", token: world.otherToken, json: .object(body)).status == .ok)
        }
    }

    /// Finding 13: a known path with another method was a 404.
    @Test func aKnownPathWithAnotherMethodIs405WithAllow() async throws {
        try await withTestApp { app in
            let health = try await app.send(.POST, "/healthz")
            #expect(health.status == .methodNotAllowed && health.headers.first(name: .allow) == "GET, HEAD")
            let options = try await app.send(.OPTIONS, "/report/v2.0/abuse")
            #expect(options.status == .methodNotAllowed && options.headers.first(name: .allow) == "POST")
            #expect(try options.json["code"] == "MethodNotAllowed")
            let envelope = try await app.send(.DELETE, "/admin/v1/reports")
            #expect(envelope.status == .methodNotAllowed && envelope.headers.first(name: .allow) == "GET, HEAD")
            #expect(try envelope.json["errors"]?[0]?["code"] == 10009)
            let withParameter = try await app.send(.PUT, "/client/v4/accounts/x/abuse-reports/y/mitigations")
            #expect(withParameter.status == .methodNotAllowed && withParameter.headers.first(name: .allow) == "GET, HEAD")
            #expect(try await app.send(.GET, "/nothing/here").status == .notFound)
        }
    }

    /// Finding 8: cookies were never `Secure`, and no page sent HSTS.
    @Test func anHTTPSDeploymentMarksItsCookiesSecure() async throws {
        try await withTestApp(configure: { $0.publicURL = "https://abuse.example.net" }) { app in
            _ = try await AccountsWorld(app)
            var browser = ConsoleBrowser(app: app)
            let form = try await browser.get("/console/login")
            #expect(form.headers.first(name: "Strict-Transport-Security") == "max-age=31536000")
            #expect(form.headers.setCookie?[FormProtection.cookieName]?.isSecure == true)
            let signedIn = try await browser.signIn("analyst@abusedesk.test")
            #expect(signedIn.headers.setCookie?[ConsoleSessions.cookieName]?.isSecure == true)
        }
        try await withTestApp { app in
            let form = try await app.send(.GET, "/report/abuse")
            #expect(form.headers.first(name: "Strict-Transport-Security") == nil)
            #expect(form.headers.setCookie?[FormProtection.cookieName]?.isSecure == false)
        }
    }

    /// Finding 23: the console's 403 and 404 pages used the public portal's layout.
    @Test func consoleErrorsStayInTheConsole() async throws {
        try await withTestApp { app in
            _ = try await AccountsWorld(app)
            var browser = ConsoleBrowser(app: app)
            try await browser.signIn("analyst@abusedesk.test")
            let forbidden = try await browser.get("/console/accounts")
            #expect(forbidden.status == .forbidden && forbidden.body.string.contains("AbuseDesk console") && forbidden.body.string.contains("/console/appeals"))
            let missing = try await browser.get("/console/no-such-page")
            #expect(missing.status == .notFound && missing.body.string.contains("AbuseDesk console") && missing.body.string.contains("Back to the queue"))
            var stranger = ConsoleBrowser(app: app)
            let outside = try await stranger.get("/console/no-such-page")
            #expect(outside.status == .notFound && !outside.body.string.contains("/console/appeals"))
        }
    }

    /// Finding 12: a 100 KB URL, header or `Authorization` closed the connection without an answer. Up to
    /// SwiftNIO's own cut (80 KiB, where its parser closes the connection before any of ours runs), a
    /// request too large is answered, over a real connection.
    @Test func oversizedAddressesAndHeadersAreAnswered() async throws {
        try await withTestApp { app in
            let query = String(repeating: "a", count: 60_000)
            let url = try await app.sendLive(.GET, "/report/abuse?x=" + query, body: ByteBuffer())
            #expect(url.status == .uriTooLong)
            let header = try await app.sendLive(.GET, "/healthz", headers: ["X-Padding": String(repeating: "b", count: 20_000)], body: ByteBuffer())
            #expect(header.status == .requestHeaderFieldsTooLarge && header.body.string.contains("X-Padding"))
            let authorization = try await app.sendLive(.GET, "/admin/v1/reports", headers: ["Authorization": "Bearer " + String(repeating: "c", count: 20_000)],
                                                       body: ByteBuffer())
            #expect(try authorization.status == .requestHeaderFieldsTooLarge && authorization.json["errors"]?[0]?["code"] == 10014)
            let many = HTTPHeaders((0..<8).map { ("X-Many-\($0)", String(repeating: "d", count: 5_000)) })
            #expect(try await app.sendLive(.GET, "/healthz", headers: many, body: ByteBuffer()).status == .requestHeaderFieldsTooLarge)
            #expect(try await app.sendLive(.GET, "/healthz", body: ByteBuffer()).status == .ok)
        }
    }
}
