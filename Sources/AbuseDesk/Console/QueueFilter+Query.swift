import AbuseDeskCore
import Foundation

extension QueueFilter {
    /// The query parameters of the queue, in the admin API and the console alike.
    static let parameters = ["status", "type", "threat_type", "incident_type", "account_id", "unassigned", "assigned_to", "domain", "ip",
                             "q", "created_after", "created_before"]

    /// Reads the queue's filters from `query`, collecting every problem there. `assigned_to=me` means
    /// `operatorID`; `assigned_to=none`, reports nobody works yet.
    static func read(_ query: inout QueryParameters, taxonomy: Taxonomy, operatorID: String) -> QueueFilter {
        var filter = QueueFilter()
        filter.statuses = query.choices("status", ReportStatus.self)
        filter.types = query.choices("type", ReportType.self)
        if let threat = query.single("threat_type"), !threat.isEmpty {
            if taxonomy.threatType(named: threat) != nil {
                filter.threatType = threat
            } else {
                query.problem("threat_type", .notAllowed, "Must be a threat type of the taxonomy, one of \(quotedList(taxonomy.threatTypes.map(\.name))); got \(quoted(threat)).")
            }
        }
        if let incident = query.single("incident_type"), !incident.isEmpty {
            let names = taxonomy.incidentTypeNames
            if names.contains(incident) {
                filter.incidentType = incident
            } else {
                query.problem("incident_type", .notAllowed, "Must be an incident type of the taxonomy, one of \(quotedList(names)); got \(quoted(incident)).")
            }
        }
        if let account = query.single("account_id"), !account.isEmpty {
            if Identifier.isWellFormed(account) {
                filter.accountID = account
            } else {
                query.problem("account_id", .format, "Must be an account id: 26 characters of digits and lower-case letters; got \(quoted(account)).")
            }
        }
        switch query.single("unassigned") {
        case nil, ""?, "false"?: break
        case "true"?: filter.unassigned = true
        case let other?: query.problem("unassigned", .notAllowed, "Must be true or false; got \(quoted(other)).")
        }
        switch query.single("assigned_to") {
        case nil, ""?: break
        case "none"?: filter.assignee = .nobody
        case "me"?: filter.assignee = .operator(operatorID)
        case let id? where Identifier.isWellFormed(id): filter.assignee = .operator(id)
        case let other?: query.problem("assigned_to", .format, "Must be \"me\", \"none\" or an operator id; got \(quoted(other)).")
        }
        if let text = query.single("domain"), !text.isEmpty {
            if let host = HostName(text) {
                filter.domain = host
            } else {
                query.problem("domain", .format, "Must be a host name such as example.com; got \(quoted(text)).")
            }
        }
        if let text = query.single("ip"), !text.isEmpty {
            if let address = IPAddress(text) {
                filter.netblock = Netblock(address: address, prefixLength: address.family == .v4 ? 32 : 128)
            } else if let block = Netblock(text, strict: false) {
                filter.netblock = block
            } else {
                query.problem("ip", .format, "Must be an address or a CIDR block such as 203.0.113.7 or 203.0.113.0/24; got \(quoted(text)).")
            }
        }
        if let text = query.single("q")?.trimmingWhitespace(), !text.isEmpty {
            if text.count > 200 {
                query.problem("q", .length, "Must be at most 200 characters; got \(text.count).")
            } else if let words = SearchWords(text) {
                filter.words = words
            } else {
                query.problem("q", .format, "Must hold a word to look for (letters or digits); got \(quoted(text)).")
            }
        }
        filter.createdAfter = query.timestamp("created_after")
        filter.createdBefore = query.timestamp("created_before")
        return filter
    }
}
