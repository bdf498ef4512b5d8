/// The category of a report as the Accounts API shows it.
public enum ReportType: String, Sendable, Codable, CaseIterable {
    case phishing = "PHISH"
    case general = "GEN"
    case threat = "THREAT"
    case dmca = "DMCA"
    case emergency = "EMER"
    case trademark = "TM"
    case registrarWhois = "REG_WHO"
    case ncsei = "NCSEI"
    case network = "NETWORK"

    /// The type as a person reads it in an e-mail.
    public var title: String {
        switch self {
        case .phishing: "Phishing"
        case .general: "General abuse"
        case .threat: "Violent threat"
        case .dmca: "Copyright infringement (DMCA)"
        case .emergency: "Child sexual abuse material"
        case .trademark: "Trademark infringement"
        case .registrarWhois: "Registrar WHOIS request"
        case .ncsei: "Non-consensual intimate imagery"
        case .network: "Network abuse"
        }
    }
}

/// Where a report came in.
public enum IntakeChannel: String, Sendable, Codable, CaseIterable {
    /// The public web form.
    case portal
    /// `POST /report/v2.0/abuse`.
    case reportAPI = "report_api"
    /// The deprecated `POST /engage/cars`.
    case legacyAPI = "legacy_api"
    /// `POST /client/v4/accounts/{id}/abuse-reports/{type}`.
    case accountsAPI = "accounts_api"
}

/// How urgent the reporter thinks the report is.
public enum Severity: String, Sendable, Codable, CaseIterable {
    case high = "High"
    case medium = "Medium"
    case low = "Low"
}
