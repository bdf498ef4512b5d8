import AbuseDeskCore
import Foundation
import Vapor

/// The OpenAPI 3.1 document served at `/openapi.json` and rendered on the developer page.
///
/// `Resources/openapi.json` is the hand-written description; what is data elsewhere is filled in at
/// start so that it cannot drift: the taxonomy's values and definitions, and the v1 sunset date.
struct OpenAPIDocument: Sendable {
    let document: JSONValue
    let serialized: ByteBuffer

    struct Unreadable: Error, CustomStringConvertible {
        var description: String
    }

    init(taxonomy: Taxonomy, v1Sunset: Date) throws {
        guard let url = Bundle.module.url(forResource: "openapi", withExtension: "json") else {
            throw Unreadable(description: "openapi.json is missing from the application's resources")
        }
        guard case .object(var root) = try JSONParser.parse(Array(try Data(contentsOf: url)), maximumDepth: 64) else {
            throw Unreadable(description: "openapi.json is not a JSON object")
        }
        Self.fillTaxonomy(taxonomy, into: &root)
        Self.fillSunset(v1Sunset, into: &root)
        document = .object(root)
        serialized = ByteBuffer(string: document.serialized(pretty: true))
    }

    private static func fillTaxonomy(_ taxonomy: Taxonomy, into root: inout JSONObject) {
        let apiIncidents = taxonomy.threatTypes.flatMap(\.incidentTypes).filter { $0.accepts(.reportAPI) }
        func unique(_ names: [String]) -> JSONValue {
            var seen = Set<String>()
            return .array(names.filter { seen.insert($0).inserted }.map(JSONValue.string))
        }
        update(&root, ["components", "schemas", "Report", "properties", "threatType", "enum"], unique(taxonomy.threatTypes.map(\.name)))
        update(&root, ["components", "schemas", "Report", "properties", "incidentType", "enum"], unique(apiIncidents.map(\.name)))
        update(&root, ["components", "schemas", "Report", "properties", "attackMethod", "enum"],
               unique(apiIncidents.flatMap(\.attackMethods).map(\.name)))
        // The whole taxonomy, for the developer page and for clients that build their own forms.
        let encoder = JSONEncoder()
        if let data = try? encoder.encode(taxonomy), let value = try? JSONParser.parse(Array(data), maximumDepth: 16) {
            root["x-taxonomy"] = value
        }
    }

    private static func fillSunset(_ sunset: Date, into root: inout JSONObject) {
        let day = String(ISO8601DateFormatter.string(from: sunset, timeZone: .gmt, formatOptions: [.withFullDate]))
        update(&root, ["paths", "/engage/cars", "post", "x-sunset"], .string(day))
    }

    /// Sets the value at a path of nested objects, creating none: a missing step means the document
    /// changed shape, and the start-up test of the document catches that.
    private static func update(_ object: inout JSONObject, _ path: [String], _ value: JSONValue) {
        guard let first = path.first else { return }
        if path.count == 1 {
            object[first] = value
            return
        }
        guard case .object(var child)? = object[first] else { return }
        update(&child, Array(path.dropFirst()), value)
        object[first] = .object(child)
    }
}
