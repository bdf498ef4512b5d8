import Foundation

/// Checks a report as sent to the Report Abuse API (or built from the portal's form or a v1 threat)
/// against every rule at once, and turns it into a ``ReportDraft``.
///
/// Each problem is named by its path (`reporterEmail`, `ipAddressList[3].sourceIp`) with a message
/// that says what is wrong and what would be right. Nothing stops at the first problem.
public struct ReportValidator: Sendable {
    public struct Context: Sendable {
        public var channel: IntakeChannel
        public var now: Date
        /// Attachments that exist and belong to no report yet; other ids are refused.
        public var availableAttachmentIDs: Set<String>

        public init(channel: IntakeChannel, now: Date = Date(), availableAttachmentIDs: Set<String> = []) {
            self.channel = channel
            self.now = now
            self.availableAttachmentIDs = availableAttachmentIDs
        }
    }

    /// The properties of a report, in the order problems are reported.
    public static let properties = [
        "reporterName", "reporterEmail", "reporterPhone", "reporterOrg",
        "threatType", "incidentType", "attackMethod",
        "date", "time", "timeZone", "reportNotes",
        "sourceIp", "sourcePort", "destinationIp", "destinationPort", "sourceUrl", "destinationUrl",
        "ipAddressList", "urlList", "severity", "anonymizeReport", "attachmentIds", "testSubmission",
    ]
    static let ipEntryProperties = ["sourceIp", "sourcePort", "destinationIp", "destinationPort"]
    static let urlEntryProperties = ["sourceUrl", "destinationUrl"]

    /// Properties of the v1 format that v2.0 dropped, with what to do instead.
    static let removedProperties: [String: String] = [
        "tlp": "Was removed in v2.0: the Traffic Light Protocol is no longer used. Leave it out.",
        "threatSubType": "Was removed in v2.0: use incidentType and attackMethod instead.",
        "reporterInfo": "Was removed in v2.0: send reporterName, reporterEmail, reporterPhone and reporterOrg at the top level.",
        "reports": "Was removed in v2.0: send one report per request, its properties at the top level.",
        "discloseEmail": "Was removed in v2.0: use anonymizeReport (true hides your identity from the reported customer).",
        "reporterNotes": "Was removed in v2.0: use reportNotes.",
        "batchID": "Was removed in v2.0: every request files one report and answers its id.",
    ]

    public static let maximumListEntries = 1000
    public static let maximumAttachments = 10
    public static let maximumFutureSkew: TimeInterval = 24 * 3600

    public let taxonomy: Taxonomy

    public init(taxonomy: Taxonomy) {
        self.taxonomy = taxonomy
    }

    /// The attachment ids a body refers to, so that the caller can look them up before validating.
    public static func attachmentIDs(in body: JSONValue) -> [String] {
        guard case .object(let object) = body, case .array(let items)? = object["attachmentIds"] else { return [] }
        return items.prefix(maximumAttachments + 1).compactMap { if case .string(let id) = $0 { id } else { nil } }
    }

    public func validate(_ body: JSONValue, context: Context) -> Result<ReportDraft, ValidationFailure> {
        var check = FieldChecker()
        guard case .object(let object) = body else {
            check.problem("body", .type, "Must be a JSON object with the report's properties; got \(body.typeName).")
            return .failure(ValidationFailure(check.problems))
        }
        check.rejectUnknown(in: object, allowed: Self.properties, removed: Self.removedProperties, path: "")

        let reporterName = check.string(object, "reporterName", required: "the name of the person filing the report", length: 1...200)
        let reporterEmail = check.email(object, "reporterEmail")
        let reporterPhone = check.phone(object, "reporterPhone", length: 1...32)
        let reporterOrg = check.string(object, "reporterOrg", length: 1...200)
        let classification = checkClassification(object, channel: context.channel, check: &check)
        let incident = checkIncidentTime(object, now: context.now, check: &check)
        let notes = check.string(object, "reportNotes", required: "a description of what happened", length: 1...10_000, multiline: true)
        let targets = checkTargets(object, threatType: classification?.threatType, check: &check)
        let severity = check.choice(object, "severity", Severity.allCases.map(\.rawValue)).flatMap(Severity.init(rawValue:))
        let anonymize = check.bool(object, "anonymizeReport") ?? false
        let attachments = checkAttachments(object, available: context.availableAttachmentIDs, check: &check)
        let isTest = check.bool(object, "testSubmission") ?? false

        guard check.problems.isEmpty, let reporterName, let reporterEmail, let classification, let incident, let notes else {
            return .failure(ValidationFailure(check.problems))
        }
        return .success(ReportDraft(
            reporter: Reporter(name: reporterName, email: reporterEmail.value, phone: reporterPhone, organization: reporterOrg),
            classification: classification, incident: incident, notes: notes, severity: severity,
            anonymize: anonymize, targets: targets, attachmentIDs: attachments, isTest: isTest
        ))
    }

    // MARK: Classification

    private func checkClassification(_ object: JSONObject, channel: IntakeChannel, check: inout FieldChecker) -> Classification? {
        let threatName = check.string(object, "threatType", required: "the kind of thing reported: \(quotedList(taxonomy.threatTypes.map(\.name)))", length: 1...100)
        let incidentName = check.string(object, "incidentType", required: "what happened, an incident type of the threat type", length: 1...100)
        let methodName = check.string(object, "attackMethod", length: 1...100)

        guard let threatName else { return nil }
        guard let threat = taxonomy.threatType(named: threatName) else {
            check.problem("threatType", .notAllowed, "Must be one of \(quotedList(taxonomy.threatTypes.map(\.name))); got \(quoted(threatName)).")
            return nil
        }
        guard let incidentName else { return nil }
        guard let incident = threat.incidentType(named: incidentName) else {
            check.problem("incidentType", .notAllowed, "Must be an incident type of threat type \(quoted(threat.name)): \(quotedList(threat.incidentTypes.filter { $0.accepts(channel) }.map(\.name))); got \(quoted(incidentName)).")
            return nil
        }
        guard incident.accepts(channel) else {
            check.problem("incidentType", .notAllowed, incident.apiRefusal ?? "\(quoted(incident.name)) cannot be reported here.")
            return nil
        }
        let methods = incident.attackMethods.map(\.name)
        if methods.isEmpty {
            if let methodName {
                check.problem("attackMethod", .notAllowed, "\(threat.name) / \(incident.name) has no attack methods; leave attackMethod out (got \(quoted(methodName))).")
                return nil
            }
        } else if let methodName {
            guard methods.contains(methodName) else {
                check.problem("attackMethod", .notAllowed, "\(quoted(methodName)) is not an attack method of \(threat.name) / \(incident.name); valid attack methods are \(quotedList(methods)).")
                return nil
            }
        } else if object["attackMethod"].isAbsent {
            check.problem("attackMethod", .required, "Required for \(threat.name) / \(incident.name): one of \(quotedList(methods)).")
            return nil
        } else {
            return nil  // present but not a usable string: already reported
        }
        return Classification(threatType: threat.name, incidentType: incident.name, attackMethod: methodName, reportType: incident.reportType)
    }

    // MARK: Date and time

    private func checkIncidentTime(_ object: JSONObject, now: Date, check: inout FieldChecker) -> IncidentTime? {
        let dateText = check.string(object, "date", required: "the date of the incident as YYYY-MM-DD, e.g. 2021-02-01", length: 1...40)
        let timeText = check.string(object, "time", required: "the time of the incident as HH:mm:ss (24-hour), e.g. 14:30:00", length: 1...40)
        let zoneText = check.string(object, "timeZone", required: "the UTC offset of the date and time, e.g. +0000, -05:00 or Z", length: 1...40)

        var date: IncidentTime.CalendarDate?
        if let dateText {
            date = IncidentTime.CalendarDate(dateText)
            if date == nil {
                let reason = IncidentTime.CalendarDate.problem(with: dateText) ?? "is not a valid date"
                check.problem("date", .format, "Must be a real calendar date written YYYY-MM-DD, e.g. 2021-02-01; \(quoted(dateText)) \(reason).")
            }
        }
        var time: IncidentTime.TimeOfDay?
        if let timeText {
            time = IncidentTime.TimeOfDay(timeText)
            if time == nil {
                check.problem("time", .format, "Must be a 24-hour time written HH:mm:ss or HH:mm, e.g. 14:30:00; got \(quoted(timeText)).")
            }
        }
        var offset: IncidentTime.UTCOffset?
        if let zoneText {
            offset = IncidentTime.UTCOffset(zoneText)
            if offset == nil {
                if IncidentTime.UTCOffset.parse(zoneText) != nil {
                    check.problem("timeZone", .range, "Must be a UTC offset from -12:00 to +14:00; got \(quoted(zoneText)).")
                } else {
                    check.problem("timeZone", .format, "Must be a UTC offset such as +0000, -05:00 or Z; got \(quoted(zoneText)).")
                }
            }
        }
        guard let date, let time, let offset else { return nil }
        let incident = IncidentTime(date: date, time: time, offset: offset)
        if incident.instant.timeIntervalSince(now) > Self.maximumFutureSkew {
            check.problem("date", .range, "The date and time \(incident.date)T\(incident.time)\(incident.timeZone) lie more than 24 hours in the future; give when the incident happened.")
            return nil
        }
        return incident
    }

    // MARK: Offending addresses and URLs

    private func checkTargets(_ object: JSONObject, threatType: String?, check: inout FieldChecker) -> [ReportTarget] {
        var targets: [ReportTarget] = []
        if let target = check.ipTarget(object, path: "") { targets.append(target) }
        if let target = check.urlTarget(object, path: "") { targets.append(target) }

        let ipEntries = check.list(object, "ipAddressList")
        for (position, entry) in ipEntries.enumerated() {
            let path = "ipAddressList[\(position)]"
            guard case .object(let fields) = entry else {
                check.problem(path, .type, "Must be an object with sourceIp, sourcePort, destinationIp and destinationPort; got \(entry.typeName).")
                continue
            }
            check.rejectUnknown(in: fields, allowed: Self.ipEntryProperties, removed: [:], path: path + ".")
            if fields["sourceIp"].isAbsent {
                check.problem(path + ".sourceIp", .required, "Required: the address the abuse came from, e.g. 203.0.113.7.")
            }
            if let target = check.ipTarget(fields, path: path + ".") { targets.append(target) }
        }
        let urlEntries = check.list(object, "urlList")
        for (position, entry) in urlEntries.enumerated() {
            let path = "urlList[\(position)]"
            guard case .object(let fields) = entry else {
                check.problem(path, .type, "Must be an object with sourceUrl and destinationUrl; got \(entry.typeName).")
                continue
            }
            check.rejectUnknown(in: fields, allowed: Self.urlEntryProperties, removed: [:], path: path + ".")
            if fields["sourceUrl"].isAbsent {
                check.problem(path + ".sourceUrl", .required, "Required: the abusive URL, e.g. https://example.com/login.")
            }
            if let target = check.urlTarget(fields, path: path + ".") { targets.append(target) }
        }

        switch threatType {
        case "IP Address" where object["sourceIp"].isAbsent && ipEntries.isEmpty:
            check.problem("sourceIp", .required, "Required for threat type IP Address: give sourceIp or at least one ipAddressList entry.")
        case "URL" where object["sourceUrl"].isAbsent && urlEntries.isEmpty:
            check.problem("sourceUrl", .required, "Required for threat type URL: give sourceUrl or at least one urlList entry.")
        default:
            break
        }
        var seen = Set<ReportTarget>()
        return targets.filter { seen.insert($0).inserted }
    }

    // MARK: Attachments

    private func checkAttachments(_ object: JSONObject, available: Set<String>, check: inout FieldChecker) -> [String] {
        guard !object["attachmentIds"].isAbsent, let value = object["attachmentIds"] else { return [] }
        guard case .array(let items) = value else {
            check.problem("attachmentIds", .type, "Must be an array of ids answered by POST /report/v2.0/file; got \(value.typeName).")
            return []
        }
        guard items.count <= Self.maximumAttachments else {
            check.problem("attachmentIds", .tooMany, "Must list at most \(Self.maximumAttachments) attachments; got \(items.count).")
            return []
        }
        var ids: [String] = []
        for (position, item) in items.enumerated() {
            let path = "attachmentIds[\(position)]"
            guard case .string(let id) = item else {
                check.problem(path, .type, "Must be a string id answered by POST /report/v2.0/file; got \(item.typeName).")
                continue
            }
            if ids.contains(id) {
                check.problem(path, .duplicate, "Repeats the attachment \(quoted(id)); list each attachment once.")
            } else if !available.contains(id) {
                check.problem(path, .notFound, "No uploaded attachment \(quoted(id)) is waiting for a report: upload the file with POST /report/v2.0/file first (uploads expire after 24 hours and belong to one report).")
            } else {
                ids.append(id)
            }
        }
        return ids
    }
}

extension Optional where Wrapped == JSONValue {
    /// Absent, `null` and the empty string all mean "not given" (HTML forms send empty strings).
    public var isAbsent: Bool {
        switch self {
        case .none, .null?: true
        case .string(let text)?: text.allSatisfy(\.isWhitespace)
        default: false
        }
    }
}
