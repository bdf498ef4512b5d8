import Foundation

/// Who filed a report.
public struct Reporter: Sendable, Hashable, Codable {
    public var name: String
    public var email: String
    public var phone: String?
    public var organization: String?

    public init(name: String, email: String, phone: String? = nil, organization: String? = nil) {
        self.name = name
        self.email = email
        self.phone = phone
        self.organization = organization
    }
}

/// One offending thing a report names: an address (with its port) or a URL, and optionally its target.
public struct ReportTarget: Sendable, Hashable {
    public enum Source: Sendable, Hashable {
        case ip(IPAddress, port: Int?)
        case url(ReportedURL)
    }

    public var source: Source
    public var destinationIP: IPAddress?
    public var destinationPort: Int?
    public var destinationURL: ReportedURL?

    public init(source: Source, destinationIP: IPAddress? = nil, destinationPort: Int? = nil, destinationURL: ReportedURL? = nil) {
        self.source = source
        self.destinationIP = destinationIP
        self.destinationPort = destinationPort
        self.destinationURL = destinationURL
    }

    /// The host name this target is about, if it is a URL with a named host.
    public var hostName: HostName? {
        if case .url(let url) = source, case .name(let name) = url.host { return name }
        return nil
    }

    /// The address this target is about: the source address, or a URL's literal address host.
    public var ipAddress: IPAddress? {
        switch source {
        case .ip(let address, _): address
        case .url(let url): if case .address(let address) = url.host { address } else { nil }
        }
    }
}

/// A report that passed validation and is ready to be filed.
public struct ReportDraft: Sendable {
    public var reporter: Reporter
    public var classification: Classification
    public var incident: IncidentTime
    public var notes: String
    public var severity: Severity?
    /// Hide the reporter's identity from the reported customer and upstream hosts.
    public var anonymize: Bool
    public var targets: [ReportTarget]
    public var attachmentIDs: [String]
    /// Validate fully, file nothing.
    public var isTest: Bool
    /// Properties a channel keeps that have no column of their own (such as v1's `tlp`).
    public var details: JSONObject

    public init(reporter: Reporter, classification: Classification, incident: IncidentTime, notes: String,
                severity: Severity?, anonymize: Bool, targets: [ReportTarget], attachmentIDs: [String],
                isTest: Bool, details: JSONObject = [:]) {
        self.reporter = reporter
        self.classification = classification
        self.incident = incident
        self.notes = notes
        self.severity = severity
        self.anonymize = anonymize
        self.targets = targets
        self.attachmentIDs = attachmentIDs
        self.isTest = isTest
        self.details = details
    }
}
