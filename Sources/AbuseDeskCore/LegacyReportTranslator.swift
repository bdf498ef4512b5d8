/// Reads the deprecated v1 format (`POST /engage/cars`) and files each of its threats as one report
/// of the current model, validated by the same ``ReportValidator`` as v2.0.
///
/// v1 sends every value as a string, booleans included; problems are reported under v1's own paths
/// (`reports[0].report.threats[1].threat.sourceIp`) so that a v1 client can find them.
public struct LegacyReportTranslator: Sendable {
    public struct Submission: Sendable {
        public var drafts: [ReportDraft]
        public var isTest: Bool
    }

    /// v1 `threatType` and `threatSubType` to v2 threat type, incident type and attack method.
    static let subTypes: [String: [String: (threat: String, incident: String, method: String?)]] = [
        "activity": [
            "DOS": ("IP Address", "Denial of Service", "Flooding"),
            "PORT_SCAN": ("IP Address", "Network Scanning", "Port Scan"),
            "WEB_CRAWL": ("IP Address", "Network Scanning", "Web Crawling"),
            "INTRUSION_ATTEMPT": ("IP Address", "Account Compromise/Unauthorized Access", "Brute Force"),
            "SPAM": ("IP Address", "Spam", nil),
            "CNC": ("IP Address", "Malware", "Command and Control"),
            "MALWARE": ("IP Address", "Malware", "Malware Distribution"),
        ],
        "content": [
            "PHISHING": ("URL", "Social Engineering", "Phishing Website"),
            "MALWARE": ("URL", "Malware", "Malware Hosting"),
            "FRAUD": ("URL", "Social Engineering", "Fraudulent Website"),
        ],
    ]
    static let topProperties = ["testSubmission", "reporterInfo", "reports"]
    static let reporterProperties = ["reporterEmail", "reporterName", "reporterPhone", "reporterOrg", "discloseEmail", "reporterNotes"]
    static let reportProperties = ["batchID", "reportNotes", "tlp", "threats"]
    static let threatProperties = ["threatType", "threatSubType", "sourceIp", "sourcePort", "destinationIp", "destinationPort",
                                   "sourceUrl", "destinationUrl", "date", "time", "timeZone"]
    public static let maximumThreats = 1000

    public let validator: ReportValidator

    public init(validator: ReportValidator) {
        self.validator = validator
    }

    public func validate(_ body: JSONValue, context: ReportValidator.Context) -> Result<Submission, ValidationFailure> {
        var check = FieldChecker()
        guard case .object(let top) = body else {
            check.problem("body", .type, "Must be a JSON object with testSubmission, reporterInfo and reports; got \(body.typeName).")
            return .failure(ValidationFailure(check.problems))
        }
        check.rejectUnknown(in: top, allowed: Self.topProperties, removed: [:], path: "")
        let isTest = legacyBool(top, "testSubmission", path: "", check: &check) ?? false

        var reporter: JSONObject = [:]
        var reporterNotes: String?
        switch top["reporterInfo"] {
        case .object(let info)?:
            check.rejectUnknown(in: info, allowed: Self.reporterProperties, removed: [:], path: "reporterInfo.")
            for key in ["reporterName", "reporterEmail", "reporterPhone", "reporterOrg"] { reporter[key] = info[key] }
            if let disclose = legacyBool(info, "discloseEmail", path: "reporterInfo.", check: &check) {
                reporter["anonymizeReport"] = .bool(!disclose)
            }
            reporterNotes = check.string(info, "reporterNotes", path: "reporterInfo.", length: 1...10_000, multiline: true)
        case .none, .null?:
            check.problem("reporterInfo", .required, "Required: an object with reporterName and reporterEmail.")
        case let other?:
            check.problem("reporterInfo", .type, "Must be an object with reporterName and reporterEmail; got \(other.typeName).")
        }

        var threats: [(body: JSONObject, details: JSONObject, path: String, reportPath: String)] = []
        let reports = check.list(top, "reports", maximum: Self.maximumThreats)
        if reports.isEmpty, check.problems.allSatisfy({ $0.path != "reports" }) {
            check.problem("reports", .required, "Required: at least one report with at least one threat.")
        }
        for (reportIndex, item) in reports.enumerated() {
            let reportPath = "reports[\(reportIndex)].report"
            guard case .object(let wrapper) = item, case .object(let report)? = wrapper["report"] else {
                check.problem("reports[\(reportIndex)]", .type, "Must be an object of the form {\"report\": {...}}.")
                continue
            }
            check.rejectUnknown(in: wrapper, allowed: ["report"], removed: [:], path: "reports[\(reportIndex)].")
            check.rejectUnknown(in: report, allowed: Self.reportProperties, removed: [:], path: reportPath + ".")
            var shared = reporter
            let notes = [check.string(report, "reportNotes", path: reportPath + ".", length: 1...10_000, multiline: true), reporterNotes]
                .compactMap { $0 }.joined(separator: "\n\n")
            if !notes.isEmpty { shared["reportNotes"] = .string(notes) }
            let batchID = check.string(report, "batchID", path: reportPath + ".", length: 1...200)
            let tlp = check.string(report, "tlp", path: reportPath + ".", length: 1...20)
            let threatList = check.list(report, "threats", path: reportPath + ".", maximum: Self.maximumThreats)
            if threatList.isEmpty, check.problems.allSatisfy({ $0.path != reportPath + ".threats" }) {
                check.problem(reportPath + ".threats", .required, "Required: at least one threat.")
            }
            for (threatIndex, entry) in threatList.enumerated() {
                let threatPath = "\(reportPath).threats[\(threatIndex)].threat"
                guard case .object(let threatWrapper) = entry, case .object(let threat)? = threatWrapper["threat"] else {
                    check.problem("\(reportPath).threats[\(threatIndex)]", .type, "Must be an object of the form {\"threat\": {...}}.")
                    continue
                }
                check.rejectUnknown(in: threat, allowed: Self.threatProperties, removed: [:], path: threatPath + ".")
                var v2 = shared
                for key in ["sourceIp", "sourcePort", "destinationIp", "destinationPort", "sourceUrl", "destinationUrl", "date", "time", "timeZone"] {
                    v2[key] = threat[key]
                }
                if let mapped = classification(threat, path: threatPath, check: &check) {
                    v2["threatType"] = .string(mapped.threat)
                    v2["incidentType"] = .string(mapped.incident)
                    if let method = mapped.method { v2["attackMethod"] = .string(method) }
                }
                var details: JSONObject = [:]
                if let tlp { details["tlp"] = .string(tlp) }
                if let batchID { details["batchID"] = .string(batchID) }
                threats.append((v2, details, threatPath, reportPath))
            }
        }
        guard threats.count <= Self.maximumThreats else {
            check.problem("reports", .tooMany, "Must hold at most \(Self.maximumThreats) threats in all; got \(threats.count). Split the request.")
            return .failure(ValidationFailure(check.problems))
        }

        var drafts: [ReportDraft] = []
        var problems = check.problems
        for threat in threats {
            switch validator.validate(.object(threat.body), context: context) {
            case .success(var draft):
                draft.details = threat.details
                draft.isTest = isTest
                drafts.append(draft)
            case .failure(let failure):
                for problem in failure.problems {
                    let path = legacyPath(for: problem.path, threatPath: threat.path, reportPath: threat.reportPath)
                    // Reporter problems are the same for every threat: report them once.
                    if !problems.contains(where: { $0.path == path && $0.message == problem.message }) {
                        problems.append(ValidationProblem(path: path, code: problem.code, message: problem.message))
                    }
                }
            }
        }
        guard problems.isEmpty else { return .failure(ValidationFailure(problems)) }
        return .success(Submission(drafts: drafts, isTest: isTest))
    }

    private func classification(_ threat: JSONObject, path: String, check: inout FieldChecker) -> (threat: String, incident: String, method: String?)? {
        let kinds = Self.subTypes.keys.sorted()
        guard let kind = check.string(threat, "threatType", path: path + ".", required: "\(quotedList(kinds))", length: 1...40) else { return nil }
        guard let subTypes = Self.subTypes[kind.lowercased()] else {
            check.problem(path + ".threatType", .notAllowed, "Must be one of \(quotedList(kinds)); got \(quoted(kind)).")
            return nil
        }
        let valid = subTypes.keys.sorted()
        guard let subType = check.string(threat, "threatSubType", path: path + ".", required: "one of \(quotedList(valid))", length: 1...40) else { return nil }
        guard let mapped = subTypes[subType.uppercased()] else {
            check.problem(path + ".threatSubType", .notAllowed, "Must be one of \(quotedList(valid)) for threatType \(quoted(kind)); got \(quoted(subType)).")
            return nil
        }
        return mapped
    }

    /// v1 sends booleans as the strings "true" and "false"; real booleans are accepted too.
    private func legacyBool(_ object: JSONObject, _ key: String, path: String, check: inout FieldChecker) -> Bool? {
        switch object[key] {
        case .none, .null?: return nil
        case .bool(let value)?: return value
        case .string(let text)? where text.lowercased() == "true": return true
        case .string(let text)? where text.lowercased() == "false": return false
        case .string(let text)?: check.problem(path + key, .format, "Must be \"true\" or \"false\"; got \(quoted(text)).")
        case let other?: check.problem(path + key, .type, "Must be \"true\" or \"false\"; got \(other.typeName).")
        }
        return nil
    }

    /// Where a v2.0 property came from in the v1 request.
    private func legacyPath(for path: String, threatPath: String, reportPath: String) -> String {
        switch path {
        case "reporterName", "reporterEmail", "reporterPhone", "reporterOrg": "reporterInfo." + path
        case "anonymizeReport": "reporterInfo.discloseEmail"
        case "reportNotes": reportPath + ".reportNotes"
        case "incidentType", "attackMethod": threatPath + ".threatSubType"
        case "testSubmission": path
        default: threatPath + "." + path
        }
    }
}
