import Foundation

/// Who an e-mail is for: the reporter, the reported customer, or the upstream host.
public enum MessageAudience: String, Sendable, Codable, CaseIterable {
    case reporter
    case customer
    case host
}

/// An e-mail to be sent about a report, as the workflow composes it (before any transport concerns).
public struct OutgoingMessage: Sendable, Equatable {
    public var audience: MessageAudience
    public var recipient: String
    public var subject: String
    public var body: String
    public var reportID: String?
    /// The customer account a customer e-mail goes to.
    public var accountID: String?
    /// A receipt to a reporter's address, which nobody verified: it counts against that address's
    /// hourly budget of receipts.
    public var isReceipt = false

    public init(audience: MessageAudience, recipient: String, subject: String, body: String, reportID: String?, accountID: String? = nil) {
        self.audience = audience
        self.recipient = recipient
        self.subject = subject
        self.body = body
        self.reportID = reportID
        self.accountID = accountID
    }
}
