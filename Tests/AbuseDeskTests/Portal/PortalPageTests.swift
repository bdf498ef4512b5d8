import AbuseDeskCore
import Fluent
import Foundation
import Testing
import Vapor
@testable import AbuseDesk

@Suite struct PortalPageTests {
    @Test func everyPageHasTheNavigationBar() async throws {
        try await withTestApp { app in
            for (path, current) in [("/", "/"), ("/report/abuse", "/report/abuse"), ("/report/developer", "/report/developer")] {
                let response = try await app.send(.GET, path)
                #expect(response.status == .ok, "\(path)")
                #expect(response.headers.contentType == .html)
                let html = response.body.string
                #expect(html.contains(#"<a href="/">Home</a>"#) || html.contains(#"<a href="/" aria-current="page">Home</a>"#))
                #expect(html.contains(">Report Abuse</a>"))
                #expect(html.contains(">Abuse API</a>"))
                #expect(html.contains(#"<a href="\#(current)" aria-current="page">"#), "\(path) marks itself as the current page")
                #expect(response.headers.first(name: "Content-Security-Policy")?.contains("script-src 'self'") == true)
                #expect(response.headers.first(name: "X-Content-Type-Options") == "nosniff")
            }
        }
    }

    @Test func theHomePageSaysWhatBelongsHereAndWhatElsewhere() async throws {
        try await withTestApp { app in
            let html = try await app.send(.GET, "/").body.string
            #expect(html.contains("What you can report here"))
            #expect(html.contains("What belongs elsewhere"))
            #expect(html.contains("security vulnerability"))
        }
    }

    @Test func assetsAreServedHereAndNothingComesFromElsewhere() async throws {
        try await withTestApp { app in
            let css = try await app.send(.GET, "/css/site.css")
            #expect(css.status == .ok)
            #expect(css.headers.contentType?.subType == "css")
            let script = try await app.send(.GET, "/js/report-form.js")
            #expect(script.status == .ok)
            #expect(script.body.string.contains("getTimezoneOffset"))
            for path in ["/", "/report/abuse", "/report/developer"] {
                let html = try await app.send(.GET, path).body.string
                for attribute in ["src=\"http", "href=\"http", "src=\"//", "href=\"//"] {
                    #expect(!html.contains(attribute), "\(path) loads something from elsewhere")
                }
            }
        }
    }

    @Test func assetsCarryTheirTypeAnETagAndRevalidateCheaply() async throws {
        try await withTestApp { app in
            for (path, type) in [("/css/site.css", "text/css"), ("/js/report-form.js", "application/javascript"),
                                 ("/favicon.svg", "image/svg+xml")] {
                let response = try await app.send(.GET, path)
                #expect(response.status == .ok, "\(path)")
                #expect(response.headers.contentType.map { "\($0.type)/\($0.subType)" } == type, "\(path)")
                let etag = try #require(response.headers.first(name: .eTag))
                #expect(response.headers.first(name: .cacheControl) == "public, max-age=3600")
                let again = try await app.send(.GET, path, headers: ["If-None-Match": "\"other\", \(etag)"])
                #expect(again.status == .notModified, "\(path)")
                #expect(again.body.readableBytes == 0)
            }
            #expect(try await app.send(.GET, "/css/missing.css").status == .notFound)
            #expect(try await app.send(.GET, "/css/../Views/base.leaf").status == .notFound)
        }
    }

    @Test func unknownPagesAnswerAPageForBrowsers() async throws {
        try await withTestApp { app in
            let response = try await app.send(.GET, "/no/such/page", headers: ["Accept": "text/html"])
            #expect(response.status == .notFound)
            #expect(response.headers.contentType == .html)
            #expect(response.body.string.contains("Page not found"))
            let api = try await app.send(.GET, "/report/v2.0/nothing", headers: ["Accept": "text/html"])
            #expect(api.headers.contentType == .json)
        }
    }
}

@Suite struct DeveloperPageTests {
    @Test func isGeneratedFromTheServedDocument() async throws {
        try await withTestApp { app in
            let html = try await app.send(.GET, "/report/developer").body.string
            let document = try await app.send(.GET, "/openapi.json").json
            // Every operation of the public API, with its summary.
            for (path, item) in document["paths"]?.objectValue ?? JSONObject() {
                for (method, operation) in item.objectValue ?? JSONObject() {
                    #expect(html.contains("<code>\(path)</code>"), "\(method) \(path)")
                    if let summary = operation["summary"]?.stringValue { #expect(html.contains(InlineMarkdown.escape(summary)), "\(summary)") }
                }
            }
            // Every property of a report, with its type, whether it is required and its rules.
            let properties = try #require(document["components"]?["schemas"]?["Report"]?["properties"]?.objectValue)
            for key in properties.keys {
                #expect(html.contains("<th scope=\"row\"><code>\(key)</code></th>"), "\(key)")
            }
            #expect(html.contains("<th scope=\"row\"><code>reporterName</code></th><td>string</td><td>yes</td>"))
            #expect(html.contains("<th scope=\"row\"><code>severity</code></th><td>string</td><td>no</td>"))
            #expect(html.contains("<h5>IpAddressEntry</h5>"))
            // The three seed examples and their real answers.
            #expect(html.contains("Example 1: a phishing e-mail from an IP address, sent as a test"))
            #expect(html.contains("Example 2: a phishing website reported under IP Address"))
            #expect(html.contains("Example 3: an account compromise with a malformed date"))
            #expect(html.contains("The answer to example 2"))
            // The answer as JSON, with its escaped quotes, escaped again for HTML.
            #expect(html.contains(#"\&quot;Phishing Website\&quot; is not an attack method of IP Address / Social Engineering"#))
        }
    }

    @Test func showsTheTaxonomyAndTheV1Notice() async throws {
        try await withTestApp { app in
            let html = try await app.send(.GET, "/report/developer").body.string
            for threat in app.abuseDesk.taxonomy.threatTypes {
                for incident in threat.incidentTypes {
                    #expect(html.contains("<th scope=\"row\">\(incident.name)"), "\(incident.name)")
                    for method in incident.attackMethods { #expect(html.contains("<li>\(method.name): ")) }
                }
            }
            #expect(html.contains("Responsible AI <span class=\"badge\">Web form only</span>"))
            #expect(html.contains("The v1 API is deprecated"))
            #expect(html.contains("<strong>2027-03-01</strong>"))
        }
    }

    @Test func descriptionsShowCodeSpansAndNoMarkdownMarks() async throws {
        try await withTestApp { app in
            let html = try await app.send(.GET, "/report/developer").body.string
            #expect(html.contains("Set <code>testSubmission</code> to <code>true</code> to check a report without filing it.</p><p class=\"lead\">Customers"))
            #expect(html.contains("Send an <code>Idempotency-Key</code>"))
            #expect(html.contains("at least 1 character;"))
            let main = try #require(html.components(separatedBy: "<main").last)
            let outsideExamples = main.components(separatedBy: "<pre>").enumerated()
                .map { $0.offset == 0 ? $0.element : String($0.element.split(separator: "</pre>", maxSplits: 1).last ?? "") }
            #expect(!outsideExamples.joined().contains("`"), "a Markdown backtick is shown as text")
        }
    }

    @Test func inlineMarkdownEscapesEverythingButCodeSpans() {
        #expect(InlineMarkdown.html("Send `a<b>` & <i>x</i>") == "Send <code>a&lt;b&gt;</code> &amp; &lt;i&gt;x&lt;/i&gt;")
        #expect(InlineMarkdown.html("one ` alone") == "one ` alone")
        #expect(InlineMarkdown.html("empty `` pair") == "empty `` pair")
        #expect(InlineMarkdown.html("\"quoted\" 'too'") == "&quot;quoted&quot; &#39;too&#39;")
    }

    @Test func theSunsetDateFollowsTheConfiguration() async throws {
        try await withTestApp(configure: { $0.v1Sunset = Date(timeIntervalSince1970: 1_893_456_000) }) { app in
            let html = try await app.send(.GET, "/report/developer").body.string
            #expect(html.contains("<strong>2030-01-01</strong>"))
        }
    }
}
