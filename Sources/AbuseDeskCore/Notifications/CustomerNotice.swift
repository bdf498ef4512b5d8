import Foundation

/// What the e-mails about a report may show of it to the reported customer or an upstream host.
public enum CustomerNotice {
    /// The report as the customer (or the upstream host) may see it.
    public struct Report: Sendable {
        public var id: String
        public var type: ReportType
        public var domain: String?
        public var urls: [String]
        public var justification: String
        /// `nil` when the reporter asked to stay hidden from the customer.
        public var reporter: Reporter?

        public init(id: String, type: ReportType, domain: String?, urls: [String], justification: String, reporter: Reporter?) {
            self.id = id
            self.type = type
            self.domain = domain
            self.urls = urls
            self.justification = justification
            self.reporter = reporter
        }
    }

    /// A mitigation as its e-mail tells it, with the statement of reasons.
    public struct Mitigation: Sendable {
        public var id: String
        public var type: MitigationType
        public var entityType: MitigationEntityType
        public var entityID: String
        public var effectiveDate: Date
        public var isActive: Bool
        public var statement: StatementOfReasons

        public init(id: String, type: MitigationType, entityType: MitigationEntityType, entityID: String, effectiveDate: Date,
                    isActive: Bool, statement: StatementOfReasons) {
            self.id = id
            self.type = type
            self.entityType = entityType
            self.entityID = entityID
            self.effectiveDate = effectiveDate
            self.isActive = isActive
            self.statement = statement
        }
    }
}

/// A report as the reporter's decision e-mail tells it.
public struct ReporterView: Sendable {
    public var id: String
    public var reporter: Reporter
    public var receivedAt: Date
    /// The incident type, or the report type for reports without one.
    public var headline: String

    public init(id: String, reporter: Reporter, receivedAt: Date, headline: String) {
        self.id = id
        self.reporter = reporter
        self.receivedAt = receivedAt
        self.headline = headline
    }
}
