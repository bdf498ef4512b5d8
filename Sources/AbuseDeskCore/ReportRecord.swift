import Foundation

/// Where a report stands in the operators' workflow.
public enum ReportStatus: String, Sendable, Codable, CaseIterable {
    case new
    case triage
    case accepted
    case denied
    case closed
}

/// A report ready to be stored: a validated draft with its id, arrival time, channel and routing.
public struct ReportRecord: Sendable {
    public var id: String
    public var receivedAt: Date
    public var channel: IntakeChannel
    public var status: ReportStatus
    public var reportType: ReportType
    /// Threat type, incident type and attack method; reports submitted through the Accounts API have none.
    public var classification: Classification?
    public var incident: IncidentTime?
    public var reporter: Reporter
    public var anonymize: Bool
    public var severity: Severity?
    public var notes: String
    public var originalWork: String?
    public var targets: [ReportTarget]
    public var attachmentIDs: [String]
    public var routing: RoutingDecision
    /// The account that submitted the report, when one did (with its token).
    public var submitterAccountID: String?
    public var details: JSONObject

    public init(id: String? = nil, receivedAt: Date, channel: IntakeChannel, status: ReportStatus = .new,
                reportType: ReportType, classification: Classification?, incident: IncidentTime?, reporter: Reporter,
                anonymize: Bool, severity: Severity?, notes: String, originalWork: String? = nil, targets: [ReportTarget],
                attachmentIDs: [String], routing: RoutingDecision, submitterAccountID: String? = nil,
                details: JSONObject = [:]) {
        self.id = id ?? Identifier.make(at: receivedAt)
        self.receivedAt = receivedAt
        self.channel = channel
        self.status = status
        self.reportType = reportType
        self.classification = classification
        self.incident = incident
        self.reporter = reporter
        self.anonymize = anonymize
        self.severity = severity
        self.notes = notes
        self.originalWork = originalWork
        self.targets = targets
        self.attachmentIDs = attachmentIDs
        self.routing = routing
        self.submitterAccountID = submitterAccountID
        self.details = details
    }

    /// A record of a validated draft, routed by `router`.
    public init(draft: ReportDraft, channel: IntakeChannel, receivedAt: Date, router: AccountRouter, submitterAccountID: String? = nil) {
        self.init(receivedAt: receivedAt, channel: channel, reportType: draft.classification.reportType,
                  classification: draft.classification, incident: draft.incident, reporter: draft.reporter,
                  anonymize: draft.anonymize, severity: draft.severity, notes: draft.notes, targets: draft.targets,
                  attachmentIDs: draft.attachmentIDs, routing: router.route(draft.targets),
                  submitterAccountID: submitterAccountID, details: draft.details)
    }

    /// The host the report is mainly about: the first URL's host, or the first address.
    public var primaryHost: String? {
        for target in targets {
            if case .url(let url) = target.source { return url.host.description }
        }
        return targets.first?.ipAddress?.description
    }
}
