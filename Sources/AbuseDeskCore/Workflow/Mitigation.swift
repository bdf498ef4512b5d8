import Foundation

/// What an operator does about an accepted report.
public enum MitigationType: String, Sendable, CaseIterable, Codable {
    case legalBlock = "legal_block"
    case phishingInterstitial = "phishing_interstitial"
    case malwareInterstitial = "malware_interstitial"
    case misleadingInterstitial = "misleading_interstitial"
    case copyrightInterstitial = "copyright_interstitial"
    case networkBlock = "network_block"
    case rateLimitCache = "rate_limit_cache"
    case geoBlock = "geo_block"
    case accountSuspend = "account_suspend"
    case userSuspend = "user_suspend"
    case redirectVideoStream = "redirect_video_stream"
    case registrarFreeze = "registrar_freeze"
}

/// What a mitigation applies to.
public enum MitigationEntityType: String, Sendable, CaseIterable, Codable {
    case urlPattern = "url_pattern"
    case zone
    case account

    /// The entity in words a customer reads: "the URLs matching example.com/x".
    public func describe(_ id: String) -> String {
        switch self {
        case .urlPattern: "the URLs matching \(id)"
        case .zone: "the zone \(id)"
        case .account: "the account \(id)"
        }
    }
}

/// Where a mitigation stands: `pending` until its effective date, then `active`; `in_review` while
/// an appeal is open; `removed` when an appeal was granted; `cancelled` when withdrawn before it began.
public enum MitigationStatus: String, Sendable, CaseIterable, Codable {
    case pending
    case active
    case inReview = "in_review"
    case cancelled
    case removed

    /// Whether the mitigation is, or is about to be, in force: pending, active or in review. A report with
    /// live mitigations cannot be denied.
    public var isLive: Bool { self == .pending || self == .active || self == .inReview }

    /// Whether the customer may ask for a review of a mitigation in this state.
    public var isAppealable: Bool { self == .pending || self == .active }

    /// A mitigation in force: `active` once its effective date has come, `pending` before. Where a new
    /// mitigation starts, where the scheduler moves a pending one, and where a rejected appeal puts it back.
    public static func inForce(effectiveDate: Date, at now: Date) -> MitigationStatus {
        effectiveDate <= now ? .active : .pending
    }

    /// Where an appealed mitigation goes when its appeal is answered.
    public static func afterAppeal(granted: Bool, effectiveDate: Date, at now: Date) -> MitigationStatus {
        granted ? .removed : inForce(effectiveDate: effectiveDate, at: now)
    }

    /// Whether an operator may withdraw a mitigation in this state: only one that has not begun.
    public var isCancellable: Bool { self == .pending }
}

/// Why the customer asks for a review of a mitigation.
public enum AppealReason: String, Sendable, CaseIterable, Codable {
    /// The content was removed, so the mitigation is no longer needed.
    case removed
    /// The report or the mitigation was wrong.
    case misclassified
    /// A counter-notice against a copyright or trademark notice.
    case counterNotice = "counter_notice"
    /// The content was removed (the whole-report form of `removed`).
    case contentRemoved = "content_removed"
}

/// Where an appeal stands.
public enum AppealStatus: String, Sendable, CaseIterable, Codable {
    case open
    case granted
    case rejected
}

/// How often a report's mitigations may be appealed, and whether they may be now.
public struct AppealEligibility: Sendable, Equatable {
    /// Appeals per report; after that, the customer writes to the abuse team.
    public static let maximumAppeals = 3

    public var hasAppealableMitigations: Bool
    public var hasOpenAppeal: Bool
    public var appealCount: Int
    public var maxAppeals: Int { Self.maximumAppeals }

    public init(mitigationStatuses: [MitigationStatus], hasOpenAppeal: Bool, appealCount: Int) {
        hasAppealableMitigations = mitigationStatuses.contains(where: \.isAppealable)
        self.hasOpenAppeal = hasOpenAppeal
        self.appealCount = appealCount
    }

    /// A new appeal can be made: something to appeal, and appeals left.
    public var appealable: Bool { hasAppealableMitigations && appealCount < maxAppeals }
}

/// The statement of reasons that goes with a mitigation (the ground, the facts, whether the decision
/// was automated, and how to appeal), as the customer receives it.
public struct StatementOfReasons: Sendable, Equatable, Codable {
    public var ground: String
    public var facts: String
    public var automated: Bool
    public var appeal: String

    public init(ground: String, facts: String, automated: Bool, appeal: String) {
        self.ground = ground
        self.facts = facts
        self.automated = automated
        self.appeal = appeal
    }

    /// How to appeal when the operator does not say otherwise; `{account_id}` and `{report_id}` are
    /// filled in when the mitigation is applied (`filledIn(accountID:reportID:)`).
    public static let defaultAppeal = "Ask for a review through the Accounts API, POST /client/v4/accounts/{account_id}/abuse-reports/{report_id}/mitigations/appeal, "
        + "saying why the mitigation should be lifted."

    /// The statement with the ids of the report (and its account) written where the texts name them.
    public func filledIn(accountID: String?, reportID: String) -> StatementOfReasons {
        func fill(_ text: String) -> String {
            var text = text.replacingOccurrences(of: "{report_id}", with: reportID)
            if let accountID { text = text.replacingOccurrences(of: "{account_id}", with: accountID) }
            return text
        }
        return StatementOfReasons(ground: fill(ground), facts: fill(facts), automated: automated, appeal: fill(appeal))
    }
}
