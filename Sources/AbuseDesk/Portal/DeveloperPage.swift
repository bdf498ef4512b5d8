import AbuseDeskCore
import Foundation

/// The developer page, read entirely from the OpenAPI document that `/openapi.json` serves: its
/// operations with their request schemas, answers and examples, the taxonomy and the v1 notice.
/// Nothing here is written twice: change the document and the page follows.
struct DeveloperPage: Encodable {
    struct Property: Encodable {
        var name: String
        var type: String
        var required: Bool
        var descriptionHTML: String
        var rulesHTML: String
    }

    struct Schema: Encodable {
        var name: String
        var descriptionHTML: String
        var properties: [Property]
    }

    struct Example: Encodable {
        var name: String
        var summary: String
        var descriptionHTML: String
        var json: String
    }

    struct Answer: Encodable {
        var status: String
        var descriptionHTML: String
        var headers: [String]
        var examples: [Example]
        var hasHeaders: Bool
    }

    struct Operation: Encodable {
        var anchor: String
        var method: String
        var path: String
        var summary: String
        var descriptionHTML: String
        var deprecated: Bool
        var contentType: String?
        var schemas: [Schema]
        var examples: [Example]
        var answers: [Answer]
        var parameters: [Property]
        var hasParameters: Bool
        var hasExamples: Bool
    }

    struct Group: Encodable {
        var name: String
        var descriptionHTML: String
        var operations: [Operation]
    }

    struct TaxonomyRow: Encodable {
        var threatType: String
        var incidentType: String
        var definition: String
        var attackMethods: [String]
        var reportType: String
        var note: String?
        var hasAttackMethods: Bool
    }

    let title = "Abuse API"
    let nav = "developer"
    let apiTitle: String
    let apiVersion: String
    /// The description's paragraphs (separated by blank lines), each as HTML.
    let apiParagraphsHTML: [String]
    let groups: [Group]
    let taxonomy: [TaxonomyRow]
    let sunset: String?
    let successor = "POST /report/v2.0/abuse"

    init(document: JSONValue) {
        let root = document.objectValue ?? JSONObject()
        apiTitle = root["info"]?["title"]?.stringValue ?? "API"
        apiVersion = root["info"]?["version"]?.stringValue ?? ""
        apiParagraphsHTML = (root["info"]?["description"]?.stringValue ?? "").components(separatedBy: "\n\n").map(InlineMarkdown.html)
        sunset = root["paths"]?["/engage/cars"]?["post"]?["x-sunset"]?.stringValue

        var operationsByTag: [String: [Operation]] = [:]
        for (path, item) in root["paths"]?.objectValue ?? JSONObject() {
            for (method, operation) in item.objectValue ?? JSONObject() {
                let tag = operation["tags"]?.arrayValue?.first?.stringValue ?? "Other"
                operationsByTag[tag, default: []].append(Self.operation(method: method, path: path, operation, root: document))
            }
        }
        groups = (root["tags"]?.arrayValue ?? []).compactMap { tag in
            guard let name = tag["name"]?.stringValue, let operations = operationsByTag[name] else { return nil }
            return Group(name: name, descriptionHTML: InlineMarkdown.html(tag["description"]?.stringValue ?? ""), operations: operations)
        }

        taxonomy = (root["x-taxonomy"]?["threatTypes"]?.arrayValue ?? []).flatMap { threat in
            (threat["incidentTypes"]?.arrayValue ?? []).map { incident in
                let channels = incident["channels"]?.arrayValue?.compactMap(\.stringValue)
                let methods: [String] = (incident["attackMethods"]?.arrayValue ?? []).compactMap { method in
                    guard let name = method["name"]?.stringValue else { return nil }
                    return name + (method["definition"]?.stringValue.map { ": " + $0 } ?? "")
                }
                return TaxonomyRow(
                    threatType: threat["name"]?.stringValue ?? "",
                    incidentType: incident["name"]?.stringValue ?? "",
                    definition: incident["definition"]?.stringValue ?? "",
                    attackMethods: methods,
                    reportType: incident["reportType"]?.stringValue ?? "",
                    note: channels == ["portal"] ? "Web form only" : nil,
                    hasAttackMethods: !methods.isEmpty)
            }
        }
    }

    private static func operation(method: String, path: String, _ operation: JSONValue, root: JSONValue) -> Operation {
        let content = operation["requestBody"]?["content"]?.objectValue
        let contentType = content?.keys.first
        let media = contentType.flatMap { content?[$0] }
        var schemas: [Schema] = []
        if let schema = media?["schema"] {
            collectSchemas(schema, name: "Request body", root: root, into: &schemas)
        }
        var examples = namedExamples(media)
        if examples.isEmpty, let example = media?["example"] {
            examples = [Example(name: "example", summary: "Example", descriptionHTML: "", json: example.serialized(pretty: true))]
        }
        let answers: [Answer] = (operation["responses"]?.objectValue ?? JSONObject()).map { status, answer in
            let resolved = resolve(answer, root: root)
            let json = resolved["content"]?["application/json"]
            var answerExamples = namedExamples(json)
            if answerExamples.isEmpty, let example = json?["example"] {
                answerExamples = [Example(name: "example", summary: "Example", descriptionHTML: "", json: example.serialized(pretty: true))]
            }
            let headers = resolved["headers"]?.objectValue?.keys ?? []
            return Answer(status: status, descriptionHTML: InlineMarkdown.html(resolved["description"]?.stringValue ?? ""),
                          headers: headers, examples: answerExamples, hasHeaders: !headers.isEmpty)
        }
        let parameters: [Property] = (operation["parameters"]?.arrayValue ?? []).map { parameter in
            let resolved = resolve(parameter, root: root)
            let place = resolved["in"]?.stringValue ?? ""
            return Property(name: resolved["name"]?.stringValue ?? "", type: typeName(resolved["schema"] ?? .null, root: root) + " in " + place,
                            required: resolved["required"] == true,
                            descriptionHTML: InlineMarkdown.html(resolved["description"]?.stringValue ?? ""),
                            rulesHTML: InlineMarkdown.html(rules(of: resolved["schema"] ?? .null, root: root)))
        }
        let method = method.uppercased()
        return Operation(
            anchor: (method + path).lowercased().map { $0.isLetter || $0.isNumber ? String($0) : "-" }.joined(),
            method: method, path: path, summary: operation["summary"]?.stringValue ?? "",
            descriptionHTML: InlineMarkdown.html(operation["description"]?.stringValue ?? ""), deprecated: operation["deprecated"] == true,
            contentType: contentType, schemas: schemas, examples: examples, answers: answers, parameters: parameters,
            hasParameters: !parameters.isEmpty, hasExamples: !examples.isEmpty)
    }

    private static func namedExamples(_ media: JSONValue?) -> [Example] {
        (media?["examples"]?.objectValue ?? JSONObject()).map { name, example in
            Example(name: name, summary: example["summary"]?.stringValue ?? name,
                    descriptionHTML: InlineMarkdown.html(example["description"]?.stringValue ?? ""),
                    json: (example["value"] ?? .null).serialized(pretty: true))
        }
    }

    /// The object schema's property table, then the tables of the object schemas its properties refer to.
    private static func collectSchemas(_ schema: JSONValue, name: String, root: JSONValue, into schemas: inout [Schema]) {
        let resolved = resolve(schema, root: root)
        // One of several shapes: a table for each.
        if let alternatives = resolved["oneOf"]?.arrayValue {
            for alternative in alternatives { collectSchemas(alternative, name: name, root: root, into: &schemas) }
            return
        }
        guard let properties = resolved["properties"]?.objectValue else { return }
        let required = Set(resolved["required"]?.arrayValue?.compactMap(\.stringValue) ?? [])
        let title = schema["$ref"]?.stringValue.map { String($0.split(separator: "/").last ?? "") } ?? name
        guard !schemas.contains(where: { $0.name == title }) else { return }
        schemas.append(Schema(name: title, descriptionHTML: InlineMarkdown.html(resolved["description"]?.stringValue ?? ""), properties: properties.map { key, property in
            Property(name: key, type: typeName(property, root: root), required: required.contains(key),
                     descriptionHTML: InlineMarkdown.html(resolve(property, root: root)["description"]?.stringValue ?? ""),
                     rulesHTML: InlineMarkdown.html(rules(of: property, root: root)))
        }))
        for (key, property) in properties {
            let items = resolve(property, root: root)["items"]
            if let items, items["$ref"] != nil { collectSchemas(items, name: key, root: root, into: &schemas) }
            if property["$ref"] != nil || property["oneOf"]?.arrayValue?.contains(where: { $0["$ref"] != nil }) == true {
                collectSchemas(property, name: key, root: root, into: &schemas)
            }
        }
    }

    private static func typeName(_ schema: JSONValue, root: JSONValue) -> String {
        if let reference = schema["$ref"]?.stringValue { return String(reference.split(separator: "/").last ?? "object") }
        if let alternatives = schema["oneOf"]?.arrayValue {
            return alternatives.map { typeName($0, root: root) }.joined(separator: " or ")
        }
        if let values = schema["enum"]?.arrayValue, schema["type"] == nil {
            return values.allSatisfy { $0.stringValue != nil } ? "string" : "enum"
        }
        switch schema["type"] {
        case .string(let type)?:
            if type == "array", let items = schema["items"] { return "array of " + typeName(items, root: root) }
            return type
        case .array(let types)?:
            return types.compactMap(\.stringValue).joined(separator: " or ")
        default:
            if let constant = schema["const"] { return "constant " + constant.serialized() }
            return "any"
        }
    }

    /// The written rules (`x-rules`), or what the schema's constraints say.
    private static func rules(of schema: JSONValue, root: JSONValue) -> String {
        let schema = resolve(schema, root: root)
        if let written = schema["x-rules"]?.stringValue { return written }
        var rules: [String] = []
        if let values = schema["enum"]?.arrayValue { rules.append("One of " + values.map { $0.serialized() }.joined(separator: ", ")) }
        func count(_ value: JSONValue, _ one: String, _ many: String) -> String {
            value.serialized() + " " + (value == .number(1) ? one : many)
        }
        if let minimum = schema["minLength"] { rules.append("at least " + count(minimum, "character", "characters")) }
        if let maximum = schema["maxLength"] { rules.append("at most " + count(maximum, "character", "characters")) }
        if let maximum = schema["maxItems"] { rules.append("at most " + count(maximum, "entry", "entries")) }
        if let pattern = schema["pattern"]?.stringValue { rules.append("matches \(pattern)") }
        switch (schema["minimum"], schema["maximum"]) {
        case (let low?, let high?): rules.append("from \(low.serialized()) to \(high.serialized())")
        case (let low?, nil): rules.append("at least \(low.serialized())")
        case (nil, let high?): rules.append("at most \(high.serialized())")
        case (nil, nil): break
        }
        if let fallback = schema["default"] { rules.append("default \(fallback.serialized())") }
        return rules.joined(separator: "; ")
    }

    private static func resolve(_ value: JSONValue, root: JSONValue) -> JSONValue {
        guard let reference = value["$ref"]?.stringValue, reference.hasPrefix("#/") else { return value }
        var node: JSONValue? = root
        for step in reference.dropFirst(2).split(separator: "/") { node = node?[String(step)] }
        return node ?? value
    }
}
