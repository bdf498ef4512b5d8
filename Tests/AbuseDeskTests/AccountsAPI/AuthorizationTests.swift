import AbuseDeskCore
import Fluent
import Foundation
import Testing
import Vapor
@testable import AbuseDesk

@Suite struct AuthorizationTests {
    /// Every endpoint of the Accounts API for `account`, with the scope it needs and a body where it takes one.
    private func endpoints(_ world: AccountsWorld, account: String, report: String, submitted: String, mitigation: String)
        -> [(method: HTTPMethod, path: String, scope: TokenScope, body: JSONValue?)] {
        let base = world.reports(account)
        return [
            (.GET, base, .read, nil),
            (.GET, base + "/\(report)", .read, nil),
            (.GET, base + "/\(report)/emails", .read, nil),
            (.GET, base + "/\(report)/mitigations", .read, nil),
            (.GET, base + "/\(report)/appeals/eligibility", .read, nil),
            (.POST, base + "/\(report)/mitigations/appeal", .edit, ["appeals": [["id": .string(mitigation), "reason": "removed"]]]),
            (.POST, base + "/abuse_threat", .edit, ["act": "abuse_threat"]),
            (.GET, base + "/submitted", .read, nil),
            (.GET, base + "/submitted/\(submitted)", .read, nil),
            (.GET, base + "/submitted/\(submitted)/emails", .read, nil),
        ]
    }

    @Test func everyEndpointChecksTheToken() async throws {
        try await withTestApp { app in
            let world = try await AccountsWorld(app)
            let report = try await world.fileURLReport()
            try await world.accept(report)
            let mitigation = try await world.mitigate(report)
            let submitted = try await world.fileURLReport("https://login.example.com/mine", token: world.acmeToken)
            let unauthenticated: JSONValue = ["success": false, "errors": [["code": 10000, "message": "Authentication error"]], "messages": [], "result": .null]

            for endpoint in endpoints(world, account: world.acme, report: report, submitted: submitted, mitigation: mitigation) {
                let name = "\(endpoint.method) \(endpoint.path)"
                for token: String? in [nil, String(repeating: "x", count: 43), "not-a-token"] {
                    let response = try await world.send(endpoint.method, endpoint.path, token: token, json: endpoint.body)
                    #expect(response.status == .unauthorized, "\(name) with \(token ?? "no token")")
                    #expect(try response.json == unauthenticated, "\(name)")
                }
                let revoked = try await app.abuseDesk.administration.createToken(for: world.acme, scopes: [.read, .edit], name: nil, by: .commandLine, on: app.db)
                _ = try await app.abuseDesk.administration.revokeToken(revoked.0.id ?? "", of: world.acme, by: .commandLine, on: app.db)
                #expect(try await world.send(endpoint.method, endpoint.path, token: revoked.1, json: endpoint.body).status == .unauthorized, "\(name) revoked")

                for (token, who) in [(world.otherToken, "another account"), (world.adminToken, "an operator")] {
                    let response = try await world.send(endpoint.method, endpoint.path, token: token, json: endpoint.body)
                    #expect(response.status == .forbidden, "\(name) with \(who)")
                    #expect(try response.json["errors"]?[0]?["code"] == 10001, "\(name)")
                }
                let wrongScope = endpoint.scope == .read ? world.acmeEditOnly : world.acmeReadOnly
                let scoped = try await world.send(endpoint.method, endpoint.path, token: wrongScope, json: endpoint.body)
                #expect(scoped.status == .forbidden, "\(name) without \(endpoint.scope)")
                #expect(try scoped.json["errors"]?[0]?["code"] == 10002, "\(name)")
                #expect(try scoped.json["errors"]?[0]?["message"]?.stringValue?.contains("\"\(endpoint.scope.rawValue)\" scope") == true)

                let right = try await world.send(endpoint.method, endpoint.path, token: world.acmeToken, json: endpoint.body)
                #expect(![.unauthorized, .forbidden, .notFound, .internalServerError].contains(right.status), "\(name): \(right.status) \(right.body.string)")
            }
            #expect(try await MitigationModel.find(mitigation, on: app.db)?.status == "in_review", "the right token appealed")
        }
    }

    @Test func noIdReachesAnotherAccountsData() async throws {
        try await withTestApp { app in
            let world = try await AccountsWorld(app)
            // other's report, mitigated and appealable, and one other submitted.
            let theirs = try await world.fileIPReport("198.51.100.20")
            try await world.accept(theirs)
            let theirMitigation = try await world.mitigate(theirs)
            let theirSubmission = try await world.fileURLReport("https://login.example.com/theirs", token: world.otherToken)
            try await world.deliverMail()

            for path in ["/\(theirs)", "/\(theirs)/emails", "/\(theirs)/mitigations", "/\(theirs)/appeals/eligibility",
                         "/submitted/\(theirSubmission)", "/submitted/\(theirSubmission)/emails",
                         "/\(theirMitigation)", "/x", "/'%20OR%201=1", "/\(String(repeating: "z", count: 300))"] {
                let response = try await world.send(.GET, world.reports(world.acme) + path, token: world.acmeToken)
                #expect(response.status == .notFound, "\(path): \(response.status)")
                #expect(try response.json["success"] == false)
                #expect(!response.body.string.contains("198.51.100.20"))
            }
            let appeal = try await world.send(.POST, world.reports(world.acme) + "/\(theirs)/mitigations/appeal", token: world.acmeToken,
                                              json: ["appeals": [["id": .string(theirMitigation), "reason": "removed"]]])
            #expect(appeal.status == .notFound)
            // acme's own report, with the other account's mitigation id.
            let ours = try await world.fileURLReport()
            try await world.accept(ours)
            _ = try await world.mitigate(ours)
            let crossed = try await world.send(.POST, world.reports(world.acme) + "/\(ours)/mitigations/appeal", token: world.acmeToken,
                                               json: ["appeals": [["id": .string(theirMitigation), "reason": "removed"]]])
            #expect(crossed.status == .badRequest)
            #expect(try crossed.errorFields == ["appeals[0].id"])
            #expect(try await MitigationModel.find(theirMitigation, on: app.db)?.status == "active")
            // A malformed account id in the path is never the token's account.
            #expect(try await world.send(.GET, "/client/v4/accounts/'; DROP TABLE reports; --/abuse-reports".replacingOccurrences(of: " ", with: "%20"),
                                         token: world.acmeToken).status == .forbidden)
            #expect(try await world.send(.GET, "/client/v4/accounts/nope/abuse-reports", token: nil).status == .unauthorized)
        }
    }

    @Test func unknownRoutesAnswerTheEnvelope() async throws {
        try await withTestApp { app in
            let world = try await AccountsWorld(app)
            let response = try await world.send(.GET, "/client/v4/accounts/\(world.acme)/nothing", token: world.acmeToken)
            #expect(response.status == .notFound)
            #expect(try response.json["success"] == false)
            #expect(try response.json["errors"]?[0]?["code"] == 10003)
            let tooLarge = try await app.sendLive(.POST, world.reports(world.acme) + "/abuse_threat",
                                                  headers: ["Authorization": "Bearer \(world.acmeToken)", "Content-Type": "application/json"],
                                                  body: ByteBuffer(repeating: UInt8(ascii: " "), count: 1_100_000))
            #expect(tooLarge.status == .payloadTooLarge)
            #expect(try tooLarge.json["errors"]?[0]?["code"] == 10007)
        }
    }
}
