import AbuseDeskCore
import Foundation
import Testing
import Vapor
@testable import AbuseDesk

@Suite struct OpenAPIDocumentTests {
    @Test func servesOpenAPI31WithTheTaxonomyFilledIn() async throws {
        try await withTestApp { app in
            let response = try await app.send(.GET, "/openapi.json")
            #expect(response.status == .ok)
            let document = try response.json
            #expect(document["openapi"] == "3.1.0")
            let report = try #require(document["components"]?["schemas"]?["Report"]?["properties"])
            #expect(report["threatType"]?["enum"] == ["IP Address", "URL"])
            let incidents = try #require(report["incidentType"]?["enum"]?.arrayValue)
            #expect(incidents.contains("Account Compromise/Unauthorized Access"))
            #expect(!incidents.contains("Responsible AI"))
            #expect(report["attackMethod"]?["enum"]?.arrayValue?.contains("Phishing Website") == true)
            #expect(document["x-taxonomy"]?["threatTypes"]?.arrayValue?.count == 2)
            #expect(document["paths"]?["/engage/cars"]?["post"]?["x-sunset"] == "2027-03-01")
            // Every property the validator knows is documented, and nothing else.
            #expect(Set(report.objectValue?.keys ?? []) == Set(ReportValidator.properties))
        }
    }

    /// Every route of the APIs is in the document with its method, and the document names no route that is not there.
    @Test func everyAPIRouteIsDocumented() async throws {
        try await withTestApp { app in
            let paths = try #require(try await app.send(.GET, "/openapi.json").json["paths"]?.objectValue)
            var documented = Set<String>()
            for (path, item) in paths {
                for method in item.objectValue?.keys ?? [] where ["get", "post", "put", "patch", "delete"].contains(method) {
                    documented.insert(method.uppercased() + " " + path.replacingOccurrences(of: #"\{[^}]+\}"#, with: "{}", options: .regularExpression))
                }
            }
            var routed = Set<String>()
            for route in app.routes.all {
                let path = "/" + route.path.map { $0.description.hasPrefix(":") ? "{}" : $0.description }.joined(separator: "/")
                guard ["/report/v2.0/", "/engage/", "/client/v4/", "/admin/v1/"].contains(where: path.hasPrefix) else { continue }
                routed.insert(route.method.rawValue + " " + path)
            }
            #expect(routed.count > 30 && routed.contains("POST /admin/v1/reports/{}/forward"))
            #expect(routed.subtracting(documented).isEmpty, "not documented: \(routed.subtracting(documented).sorted())")
            let apiDocumented = documented.filter { entry in ["/report/v2.0/", "/engage/", "/client/v4/", "/admin/v1/"].contains { entry.contains(" " + $0) } }
            #expect(apiDocumented.subtracting(routed).isEmpty, "documented but not routed: \(apiDocumented.subtracting(routed).sorted())")
        }
    }

    @Test func everyReferenceResolves() async throws {
        try await withTestApp { app in
            let document = try await app.send(.GET, "/openapi.json").json
            var references: [String] = []
            func collect(_ value: JSONValue) {
                switch value {
                case .object(let object):
                    for (key, child) in object {
                        if key == "$ref", let ref = child.stringValue { references.append(ref) } else { collect(child) }
                    }
                case .array(let items): items.forEach(collect)
                default: break
                }
            }
            collect(document)
            #expect(!references.isEmpty)
            for reference in references {
                var node: JSONValue? = document
                for step in reference.dropFirst(2).split(separator: "/") { node = node?[String(step)] }
                #expect(node != nil, "\(reference) does not resolve")
            }
        }
    }

    /// The examples on the developer page are the service's real answers.
    @Test func theSeedExamplesAnswerAsDocumented() async throws {
        try await withTestApp { app in
            let document = try await app.send(.GET, "/openapi.json").json
            let operation = try #require(document["paths"]?["/report/v2.0/abuse"]?["post"])
            let requests = try #require(operation["requestBody"]?["content"]?["application/json"]?["examples"]?.objectValue)
            #expect(requests.keys == ["phishingEmailTest", "phishingWebsiteFromIp", "accountCompromiseBadDate"])
            for (name, example) in requests {
                let answer = try await app.send(.POST, "/report/v2.0/abuse", json: try #require(example["value"]))
                let status = String(answer.status.code)
                let documented = try #require(operation["responses"]?[status]?["content"]?["application/json"]?["examples"]?[name]?["value"],
                                              "no \(status) example named \(name)")
                #expect(try answer.json == documented, "\(name)")
            }
            #expect(try await app.count("reports") == 0)
        }
    }

    @Test func theLegacyExampleIsValid() async throws {
        try await withTestApp { app in
            let document = try await app.send(.GET, "/openapi.json").json
            let example = try #require(document["paths"]?["/engage/cars"]?["post"]?["requestBody"]?["content"]?["application/json"]?["example"])
            let response = try await app.send(.POST, "/engage/cars", json: example)
            #expect(response.status == .accepted)
        }
    }
}
