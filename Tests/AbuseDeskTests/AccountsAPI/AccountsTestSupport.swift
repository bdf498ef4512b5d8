import AbuseDeskCore
import Foundation
import Testing
import Vapor
import VaporTesting
@testable import AbuseDesk

/// Two customers and an operator, with tokens of every kind.
struct AccountsWorld {
    let app: Application
    /// Serves example.com and 203.0.113.0/24; abuse contact abuse@example.com.
    let acme: String
    /// Serves example.net and 198.51.100.0/24; abuse contact abuse@example.net.
    let other: String
    /// acme's tokens: read and edit, read only, edit only.
    let acmeToken: String
    let acmeReadOnly: String
    let acmeEditOnly: String
    let otherToken: String
    let adminToken: String
    let analystToken: String

    init(_ app: Application) async throws {
        self.app = app
        let administration = app.abuseDesk.administration
        func account(_ name: String, _ domain: String, _ netblock: String, _ email: String) async throws -> String {
            let new = AccountAdministration.NewAccount(name: name, abuseEmail: email, domains: [try #require(HostName(domain))],
                                                       netblocks: [try #require(Netblock(netblock))])
            return try #require(try await administration.createAccount(new, by: .commandLine, on: app.db).id)
        }
        acme = try await account("Acme Hosting", "example.com", "203.0.113.0/24", "abuse@example.com")
        other = try await account("Other Cloud", "example.net", "198.51.100.0/24", "abuse@example.net")
        acmeToken = try await administration.createToken(for: acme, scopes: [.read, .edit], name: nil, by: .commandLine, on: app.db).1
        acmeReadOnly = try await administration.createToken(for: acme, scopes: [.read], name: nil, by: .commandLine, on: app.db).1
        acmeEditOnly = try await administration.createToken(for: acme, scopes: [.edit], name: nil, by: .commandLine, on: app.db).1
        otherToken = try await administration.createToken(for: other, scopes: [.read, .edit], name: nil, by: .commandLine, on: app.db).1
        let operators = app.abuseDesk.operators
        let admin = try await operators.createOperator(email: "admin@abusedesk.test", role: .admin, password: "a long enough password", by: .commandLine, on: app.db)
        let analyst = try await operators.createOperator(email: "analyst@abusedesk.test", role: .analyst, password: "a long enough password", by: .commandLine, on: app.db)
        adminToken = try await operators.createToken(for: admin, by: .commandLine, on: app.db).1
        analystToken = try await operators.createToken(for: analyst, by: .commandLine, on: app.db).1
    }

    /// Sends a request with a bearer token (none when nil).
    @discardableResult
    func send(_ method: HTTPMethod, _ path: String, token: String?, json: JSONValue? = nil, body: String? = nil) async throws -> TestingHTTPResponse {
        var headers: HTTPHeaders = [:]
        if let token { headers.add(name: .authorization, value: "Bearer \(token)") }
        return try await app.send(method, path, headers: headers, json: json, body: body)
    }

    func reports(_ account: String) -> String { "/client/v4/accounts/\(account)/abuse-reports" }

    /// Files a Report Abuse API report about `url` (a phishing site) and answers its id.
    func fileURLReport(_ url: String = "https://login.example.com/secure", anonymize: Bool = false, token: String? = nil) async throws -> String {
        let response = try await send(.POST, "/report/v2.0/abuse", token: token,
                                      json: Reports.url(["sourceUrl": .string(url), "anonymizeReport": .bool(anonymize)]))
        #expect(response.status == .ok, "\(response.body.string)")
        return try #require(try response.json["reportId"]?.stringValue)
    }

    func fileIPReport(_ address: String) async throws -> String {
        let response = try await send(.POST, "/report/v2.0/abuse", token: nil, json: Reports.ip(["sourceIp": .string(address)]))
        #expect(response.status == .ok, "\(response.body.string)")
        return try #require(try response.json["reportId"]?.stringValue)
    }

    func accept(_ id: String) async throws {
        let response = try await send(.POST, "/admin/v1/reports/\(id)/accept", token: analystToken)
        #expect(response.status == .ok, "\(response.body.string)")
    }

    func deny(_ id: String, reason: String = "no_abuse_found") async throws {
        let response = try await send(.POST, "/admin/v1/reports/\(id)/deny", token: analystToken, json: ["reason": .string(reason)])
        #expect(response.status == .ok, "\(response.body.string)")
    }

    /// Applies a mitigation (effective now unless `effective` is given) and answers its id.
    func mitigate(_ id: String, type: String = "phishing_interstitial", entityType: String = "url_pattern", effective: String? = nil) async throws -> String {
        var body: JSONObject = ["type": .string(type), "entity_type": .string(entityType), "entity_id": "login.example.com/*",
                                "statement": ["ground": "Terms of service 4.2", "facts": "A phishing page.", "automated": false]]
        if let effective { body["effective_date"] = .string(effective) }
        let response = try await send(.POST, "/admin/v1/reports/\(id)/mitigations", token: analystToken, json: .object(body))
        #expect(response.status == .ok, "\(response.body.string)")
        return try #require(try response.json["result"]?["id"]?.stringValue)
    }

    /// Delivers queued mail (as .eml files), as the background sender would.
    func deliverMail() async throws {
        try await app.abuseDesk.mail.deliverDue(on: app.db, logger: app.logger)
    }
}

extension TestingHTTPResponse {
    /// The `result` of an envelope answer.
    var result: JSONValue {
        get throws { try json["result"] ?? .null }
    }

    /// The ids of `result.<key>`.
    func ids(_ key: String = "reports") throws -> [String] {
        (try result[key]?.arrayValue ?? []).compactMap { $0["id"]?.stringValue }
    }

    /// The fields named by the envelope's errors.
    var errorFields: [String] {
        get throws { (try json["errors"]?.arrayValue ?? []).compactMap { $0["field"]?.stringValue } }
    }
}
