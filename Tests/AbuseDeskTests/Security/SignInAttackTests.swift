import AbuseDeskCore
import Foundation
import Testing
import Vapor
import VaporTesting
@testable import AbuseDesk

/// The sign-in page, as an attacker meets it (QA findings 1 and 2).
@Suite struct SignInAttackTests {
    static let injected = "/console/login?next=%2Fconsole%0D%0ASet-Cookie%3A%20pwned%3D1%3B%20Path%3D%2F"

    /// Finding 1: `next` carried a line break into the `Location` header after sign-in.
    @Test func aRedirectTargetCannotSplitTheAnswer() async throws {
        try await withTestApp { app in
            _ = try await AccountsWorld(app)
            // Signed out: the form keeps only a safe target, and signing in goes there.
            var browser = ConsoleBrowser(app: app)
            let form = try await browser.get(Self.injected)
            #expect(form.status == .ok && form.body.string.contains(#"name="next" value="/console""#))
            _ = try await browser.get("/console/login")
            let signedIn = try await browser.post("/console/login", [("email", "analyst@abusedesk.test"), ("password", "a long enough password"),
                                                                    ("next", "/console\r\nSet-Cookie: pwned=1; Path=/")])
            #expect(signedIn.status == .seeOther && signedIn.location == "/console")
            #expect(signedIn.headers.setCookie?["pwned"] == nil)
            #expect(!signedIn.headers.contains(where: { $0.value.contains("\r") || $0.value.contains("\n") }))
            // Signed in: the page itself redirects, to a safe target only.
            let again = try await browser.get(Self.injected)
            #expect(again.status == .seeOther && again.location == "/console" && again.headers.setCookie?["pwned"] == nil)
            for (next, expected) in [("%2Fconsole%2Freports%3Fstatus%3Dnew", "/console/reports?status=new"), ("%2F%2Fevil.example", "/console"),
                                     ("https%3A%2F%2Fevil.example%2Fconsole", "/console"), ("%2Fconsole%5C%5Cevil", "/console"),
                                     ("%2Fconsolex", "/console"), ("%2Fconsole%2F%22%3E%3Cscript%3E", "/console"),
                                     ("%2Fconsole%2Freports%2F%E2%80%AE", "/console")] {
                #expect(try await browser.get("/console/login?next=\(next)").location == expected, "\(next)")
            }
        }
    }

    @Test func onlyPlainLocalPathsAreRedirectTargets() {
        #expect(LocalRedirect.isLocalPath("/console/reports/1m8?done=accept&x=%0D"))
        for refused in ["//evil.example", "/\\evil.example", "https://evil.example", "/console\r\nX: 1", "/a b", "/\u{202E}", "", "console"] {
            #expect(!LocalRedirect.isLocalPath(refused), "\(refused)")
        }
    }

    /// Every answer is checked on its way out: a header with a line break never leaves.
    @Test func noAnswerLeavesWithALineBreakInAHeader() async throws {
        try await withTestApp { app in
            app.get("split") { _ -> Response in
                let response = Response(status: .ok)
                response.headers.add(name: "X-Test", value: "a\r\nSet-Cookie: pwned=1")
                return response
            }
            let answer = try await app.send(.GET, "/split")
            #expect(answer.status == .internalServerError && answer.headers.first(name: "X-Test") == nil)
        }
    }

    /// Finding 2: 48,000 form fields to the sign-in took 11.6 s of CPU before the 403.
    @Test func aHugeFormBodyIsRefusedBeforeItIsRead() async throws {
        try await withTestApp { app in
            _ = try await AccountsWorld(app)
            let body = (0..<48_000).map { "k\($0)=v" }.joined(separator: "&")
            let flood = try await app.sendLive(.POST, "/console/login", headers: ["Content-Type": "application/x-www-form-urlencoded"],
                                               body: ByteBuffer(string: body))
            #expect(flood.status == .payloadTooLarge)
            // Within its 8 KiB a sign-in form is read once, and an unknown or missing token stops it before Bcrypt.
            let small = (0..<900).map { "k\($0)=v" }.joined(separator: "&")
            let refused = try await app.send(.POST, "/console/login", body: small, contentType: "application/x-www-form-urlencoded")
            #expect(refused.status == .forbidden)
        }
    }

    /// The console's other forms take up to 1 MiB, each field found through an index of the names: 50,000
    /// fields are read in a moment (read as before, every name looked for again through all pairs, they
    /// took minutes). What a flood of them costs the service is measured by `scripts/bench`.
    @Test func formsAreReadInLinearTime() async throws {
        let pairs = (0..<60_000).map { "k\($0 % 50_000)=v\($0)" }.joined(separator: "&")
        let query = QueryParameters(pairs)
        #expect(query.names.count == 50_000 && query.values("k7") == ["v7", "v50007"])
        try await withTestApp { app in
            _ = try await AccountsWorld(app)
            var browser = ConsoleBrowser(app: app)
            try await browser.signIn("analyst@abusedesk.test")
            let fields = (0..<2_000).map { ("k\($0)", "v") }
            let answer = try await browser.post("/console/reports/bulk", fields + [("action", "accept")])
            #expect(answer.status == .badRequest && answer.body.string.contains("Reports"))
        }
    }

    @Test func formFieldsAreDecodedAsBrowsersEncodeThem() {
        let query = QueryParameters("a=1+2%2B3&b=%E2%82%AC&c=%zz&d&=x&e=%4")
        #expect(query.values("a") == ["1 2+3"] && query.values("b") == ["€"] && query.values("c") == ["%zz"])
        #expect(query.values("d") == [""] && query.values("") == ["x"] && query.values("e") == ["%4"])
    }
}
