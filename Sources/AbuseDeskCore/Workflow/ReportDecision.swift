/// The decisions an operator takes on a report, and which states allow them.
public enum ReportDecision: Sendable, Equatable {
    case accept
    case deny(DenialReason)

    /// Why a decision is not possible now, or nil when it is.
    /// `liveMitigations` counts the report's mitigations that are pending, active or in review.
    public func refusal(from status: ReportStatus, liveMitigations: Int) -> String? {
        switch (self, status) {
        case (_, .new), (_, .triage):
            return nil
        case (.accept, .accepted):
            return "The report is already accepted."
        case (.deny, .accepted):
            return liveMitigations == 0 ? nil
                : "The report has \(liveMitigations) mitigation\(liveMitigations == 1 ? "" : "s") pending, active or in review; cancel or remove \(liveMitigations == 1 ? "it" : "them") before denying the report."
        case (.accept, .denied):
            return "The report was denied; it cannot be accepted now."
        case (.deny, .denied):
            return "The report is already denied."
        case (_, .closed):
            return "The report is closed."
        }
    }
}

extension ReportStatus {
    /// Whether the report may still be forwarded upstream or routed to an account: not once it is
    /// denied or closed.
    public var isOpenToAction: Bool { self != .denied && self != .closed }

    /// Why a report cannot be closed now, or nil when it can: only a decided report is closed, once no
    /// appeal of its mitigations waits for an answer. Mitigations in force stay in force.
    public func closeRefusal(openAppeals: Int) -> String? {
        switch self {
        case .new, .triage: "The report is not decided yet; accept or deny it first."
        case .closed: "The report is already closed."
        case .accepted, .denied:
            openAppeals == 0 ? nil
                : "The report has \(openAppeals) open appeal\(openAppeals == 1 ? "" : "s"); answer \(openAppeals == 1 ? "it" : "them") before closing the report."
        }
    }
}
