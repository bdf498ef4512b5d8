extension DenialReason {
    /// The reason in words the reporter reads.
    public var explanation: String {
        switch self {
        case .unableToConfirm: "we could not confirm the abuse you describe."
        case .incompleteReport: "the report does not hold enough detail for us to act on."
        case .notServedHere: "the reported content or address is not served by us."
        case .duplicateReport: "it repeats a report we have already received."
        case .contentRemoved: "the reported content has been removed already."
        case .reportDetailsMismatch: "what we found does not match the details of the report."
        case .noAbuseFound: "we found no abuse at the reported location."
        case .missingOriginalWork: "the report does not name the original work that was copied."
        case .directURLRequired: "the report does not give the direct URL of the content."
        case .wrongReportCategory: "the report was filed under a category that does not fit it."
        case .contentUnavailable: "the reported content could not be reached when we checked."
        case .lawEnforcementReferralRequired: "a matter like this must be referred to us by law enforcement."
        case .domainDisputeProcessRequired: "a dispute over a domain name belongs to the domain dispute process."
        }
    }

    /// What the reporter can do next, where there is something.
    public var hint: String? {
        switch self {
        case .incompleteReport, .directURLRequired, .missingOriginalWork, .reportDetailsMismatch:
            "You are welcome to file a new report with the missing details."
        case .wrongReportCategory:
            "You are welcome to file it again under the category that fits."
        case .notServedHere:
            "Contact the provider that hosts the content or address; a WHOIS or RDAP lookup names it."
        case .lawEnforcementReferralRequired:
            "Please ask the law enforcement agency handling the matter to contact us."
        case .domainDisputeProcessRequired:
            "The registrar of the domain or a dispute resolution provider (UDRP) can help."
        default:
            nil
        }
    }
}
