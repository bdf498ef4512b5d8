/// Why a report was denied; the submitter sees it.
public enum DenialReason: String, Sendable, CaseIterable, Codable {
    case unableToConfirm = "unable_to_confirm"
    case incompleteReport = "incomplete_report"
    case notServedHere = "not_served_here"
    case duplicateReport = "duplicate_report"
    case contentRemoved = "content_removed"
    case reportDetailsMismatch = "report_details_mismatch"
    case noAbuseFound = "no_abuse_found"
    case missingOriginalWork = "missing_original_work"
    case directURLRequired = "direct_url_required"
    case wrongReportCategory = "wrong_report_category"
    case contentUnavailable = "content_unavailable"
    case lawEnforcementReferralRequired = "law_enforcement_referral_required"
    case domainDisputeProcessRequired = "domain_dispute_process_required"
}

/// A report's status as the reported customer sees it: under review until accepted. A denied report
/// is not shown to the customer at all.
public enum CustomerReportStatus: String, Sendable, CaseIterable, Codable {
    case inReview = "in_review"
    case accepted

    /// `nil` when the customer does not see the report (it was denied).
    public init?(status: ReportStatus, denialReason: String?) {
        switch status {
        case .new, .triage: self = .inReview
        case .accepted: self = .accepted
        case .denied: return nil
        case .closed: if denialReason == nil { self = .accepted } else { return nil }
        }
    }

    /// The workflow states behind this status (a closed report counts as what it was decided to be).
    public var workflowStatuses: [ReportStatus] {
        switch self {
        case .inReview: [.new, .triage]
        case .accepted: [.accepted, .closed]
        }
    }
}

/// A report's status as the account that submitted it sees it.
public enum SubmitterReportStatus: String, Sendable, CaseIterable, Codable {
    case submitted
    case accepted
    case denied

    public init(status: ReportStatus, denialReason: String?) {
        switch status {
        case .new, .triage: self = .submitted
        case .accepted: self = .accepted
        case .denied: self = .denied
        case .closed: self = denialReason == nil ? .accepted : .denied
        }
    }
}
