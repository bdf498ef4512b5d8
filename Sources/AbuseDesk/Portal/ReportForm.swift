import AbuseDeskCore
import Foundation

/// The portal's report form: its fields as a person filled them in, turned into the Report Abuse API's
/// shape for the one validator, and the validator's problems turned back into messages beside fields.
struct ReportForm: Sendable, Encodable {
    static let maximumRows = 10

    /// One offending address or URL with its optional target and ports.
    struct Row: Sendable, Equatable, Encodable {
        var source = ""
        var destination = ""
        var sourcePort = ""
        var destinationPort = ""

        var isEmpty: Bool {
            [source, destination, sourcePort, destinationPort].allSatisfy { $0.trimmingWhitespace().isEmpty }
        }
    }

    var reporterName = ""
    var reporterEmail = ""
    var reporterPhone = ""
    var reporterOrg = ""
    var anonymize = false
    var threatType = ""
    var incidentType = ""
    var attackMethod = ""
    var date = ""
    var time = ""
    var timeZone = "+00:00"
    var rows: [Row] = [Row()]
    var severity = ""
    var notes = ""

    /// The field names of the form, as the HTML and the error messages use them.
    enum Field {
        static func source(_ row: Int) -> String { "target-\(row)-source" }
        static func destination(_ row: Int) -> String { "target-\(row)-destination" }
        static func sourcePort(_ row: Int) -> String { "target-\(row)-sourcePort" }
        static func destinationPort(_ row: Int) -> String { "target-\(row)-destinationPort" }
    }

    /// Reads the submitted fields (`targetRows` says how many rows the form had).
    init(fields: [String: String]) {
        func value(_ name: String) -> String { fields[name] ?? "" }
        reporterName = value("reporterName")
        reporterEmail = value("reporterEmail")
        reporterPhone = value("reporterPhone")
        reporterOrg = value("reporterOrg")
        anonymize = !value("anonymizeReport").isEmpty
        threatType = value("threatType")
        incidentType = value("incidentType")
        attackMethod = value("attackMethod")
        date = value("date")
        time = value("time")
        timeZone = fields["timeZone"] ?? "+00:00"
        severity = value("severity")
        notes = value("reportNotes")
        let count = min(Self.maximumRows, max(1, Int(value("targetRows")) ?? 1))
        rows = (0..<count).map { index in
            Row(source: value(Field.source(index)), destination: value(Field.destination(index)),
                sourcePort: value(Field.sourcePort(index)), destinationPort: value(Field.destinationPort(index)))
        }
    }

    init() {}

    var isURLReport: Bool { threatType == "URL" }

    /// The report in the Report Abuse API's shape, and for each list entry the form row it came from.
    func apiBody(attachmentID: String?) -> (body: JSONValue, rowOfEntry: [Int]) {
        var report = JSONObject(minimumCapacity: 20)
        func put(_ key: String, _ text: String) {
            if !text.trimmingWhitespace().isEmpty { report[key] = .string(text) }
        }
        put("reporterName", reporterName)
        put("reporterEmail", reporterEmail)
        put("reporterPhone", reporterPhone)
        put("reporterOrg", reporterOrg)
        put("threatType", threatType)
        put("incidentType", incidentType)
        put("attackMethod", attackMethod)
        put("date", date)
        put("time", time)
        put("timeZone", timeZone)
        put("reportNotes", notes)
        put("severity", severity)
        if anonymize { report["anonymizeReport"] = true }
        var entries: [JSONValue] = []
        var rowOfEntry: [Int] = []
        for (index, row) in rows.enumerated() where !row.isEmpty {
            var entry = JSONObject()
            func putEntry(_ key: String, _ text: String) {
                if !text.trimmingWhitespace().isEmpty { entry[key] = .string(text) }
            }
            if isURLReport {
                putEntry("sourceUrl", row.source)
                putEntry("destinationUrl", row.destination)
            } else {
                putEntry("sourceIp", row.source)
                putEntry("destinationIp", row.destination)
                putEntry("sourcePort", row.sourcePort)
                putEntry("destinationPort", row.destinationPort)
            }
            entries.append(.object(entry))
            rowOfEntry.append(index)
        }
        if !entries.isEmpty { report[isURLReport ? "urlList" : "ipAddressList"] = .array(entries) }
        if let attachmentID { report["attachmentIds"] = [.string(attachmentID)] }
        return (.object(report), rowOfEntry)
    }

    /// The form field a problem of the API shape belongs to, and the message a person filling in the
    /// form should read there.
    func fieldProblem(_ problem: ValidationProblem, rowOfEntry: [Int]) -> (field: String, message: String) {
        let path = problem.path
        for list in ["ipAddressList[", "urlList["] where path.hasPrefix(list) {
            let rest = path.dropFirst(list.count)
            guard let close = rest.firstIndex(of: "]"), let entry = Int(rest[..<close]), entry < rowOfEntry.count else { break }
            let row = rowOfEntry[entry]
            let property = rest[rest.index(after: close)...].dropFirst()
            switch property {
            case "sourceIp", "sourceUrl", "": return (Field.source(row), problem.message)
            case "destinationIp", "destinationUrl": return (Field.destination(row), problem.message)
            case "sourcePort": return (Field.sourcePort(row), Self.portMessage(problem))
            case "destinationPort": return (Field.destinationPort(row), Self.portMessage(problem))
            default: return (Field.source(row), problem.message)
            }
        }
        switch (path, problem.code) {
        case ("sourceIp", .required):
            return (Field.source(0), "Enter the IP address the abuse came from, for example 203.0.113.7.")
        case ("sourceUrl", .required):
            return (Field.source(0), "Enter the URL of the abusive page, for example https://example.com/login.")
        case ("ipAddressList", _), ("urlList", _):
            return (Field.source(0), problem.message)
        case ("reporterName", .required):
            return ("reporterName", "Enter your name.")
        case ("reporterEmail", .required):
            return ("reporterEmail", "Enter your e-mail address: the receipt and our decision go there.")
        case ("threatType", .required):
            return ("threatType", "Choose what the abuse comes from: an IP address or a URL.")
        case ("incidentType", .required):
            return ("incidentType", "Choose what happened.")
        case ("attackMethod", .required):
            return ("attackMethod", "Choose how it was done.")
        case ("date", .required):
            return ("date", "Enter the date of the incident.")
        case ("time", .required):
            return ("time", "Enter the time of the incident.")
        case ("reportNotes", .required):
            return ("reportNotes", "Describe what happened.")
        default:
            return (path.hasPrefix("attachmentIds") ? "attachment" : path, problem.message)
        }
    }

    private static func portMessage(_ problem: ValidationProblem) -> String {
        problem.code == .format ? "Enter a port number from 1 to 65535, or leave it empty." : problem.message
    }

    /// Where a field is on the page, counted from the top: the rows of targets come between the time
    /// zone and the severity, each row's fields in their order.
    static func position(of field: String) -> Int {
        let before = ["reporterName", "reporterEmail", "reporterPhone", "reporterOrg", "anonymizeReport", "threatType", "incidentType",
                      "attackMethod", "date", "time", "timeZone"]
        let after = ["severity", "reportNotes", "attachment"]
        let rowFields = ["source", "destination", "sourcePort", "destinationPort"]
        if let index = before.firstIndex(of: field) { return index }
        let parts = field.split(separator: "-")
        if parts.count == 3, parts[0] == "target", let row = Int(parts[1]) {
            return before.count + row * rowFields.count + (rowFields.firstIndex(of: String(parts[2])) ?? 0)
        }
        let afterRows = before.count + maximumRows * rowFields.count
        return afterRows + (after.firstIndex(of: field) ?? after.count)
    }

    /// What each field is called on the page, for the summary of problems.
    func label(of field: String) -> String {
        switch field {
        case "reporterName": return "Name"
        case "reporterEmail": return "E-mail address"
        case "reporterPhone": return "Telephone"
        case "reporterOrg": return "Organisation"
        case "threatType": return "Threat type"
        case "incidentType": return "Incident type"
        case "attackMethod": return "Attack method"
        case "date": return "Date"
        case "time": return "Time"
        case "timeZone": return "Time zone"
        case "severity": return "Severity"
        case "reportNotes": return "Description"
        case "attachment": return "Attachment"
        default:
            let parts = field.split(separator: "-")
            if parts.count == 3, parts[0] == "target", let row = Int(parts[1]) {
                let name = switch parts[2] {
                case "destination": "Destination"
                case "sourcePort": "Source port"
                case "destinationPort": "Destination port"
                default: isURLReport ? "Offending URL" : threatType.isEmpty ? "Offending IP address or URL" : "Offending IP address"
                }
                return "\(name) (row \(row + 1))"
            }
            return field
        }
    }
}
