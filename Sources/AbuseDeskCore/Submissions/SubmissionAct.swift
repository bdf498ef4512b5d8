/// The kinds of report an account submits through the Accounts API (`act`), each with its own rules.
public enum SubmissionAct: String, Sendable, CaseIterable, Codable {
    case dmca = "abuse_dmca"
    case trademark = "abuse_trademark"
    case general = "abuse_general"
    case phishing = "abuse_phishing"
    case children = "abuse_children"
    case threat = "abuse_threat"
    case registrarWhois = "abuse_registrar_whois"
    case ncsei = "abuse_ncsei"

    /// The report type the reported customer sees.
    public var reportType: ReportType {
        switch self {
        case .dmca: .dmca
        case .trademark: .trademark
        case .general: .general
        case .phishing: .phishing
        case .children: .emergency
        case .threat: .threat
        case .registrarWhois: .registrarWhois
        case .ncsei: .ncsei
        }
    }

    /// Whether the submitter wants the reported party told, and whether with their identity.
    public enum Notification: String, Sendable, CaseIterable, Codable {
        case send
        case sendAnonymously = "send-anon"
        case none
    }

    /// The notification choices a type takes, and which values each allows. Every listed one is required.
    public var notifications: [(field: String, allowed: [Notification])] {
        switch self {
        case .dmca, .trademark:
            [("host_notification", [.send]), ("owner_notification", [.send])]
        case .general, .phishing, .threat:
            [("host_notification", [.send, .sendAnonymously]), ("owner_notification", [.send, .sendAnonymously])]
        case .children:
            [("host_notification", [.send, .sendAnonymously]), ("owner_notification", [.send, .sendAnonymously, .none]),
             ("ncmec_notification", [.send, .sendAnonymously])]
        case .registrarWhois:
            [("owner_notification", [.send, .sendAnonymously, .none])]
        case .ncsei:
            [("host_notification", [.send, .sendAnonymously]), ("owner_notification", [.send, .sendAnonymously, .none])]
        }
    }
}

/// The registrar WHOIS data elements a disclosure request may name.
public enum WhoisDataElement: String, Sendable, CaseIterable {
    case registrantName = "registrant_name", registrantOrganization = "registrant_organization"
    case registrantEmail = "registrant_email", registrantPhone = "registrant_phone"
    case registrantAddress = "registrant_address", registrantAddressCountry = "registrant_address_country"
    case registrantAddressPostalCode = "registrant_address_postal_code"
    case adminName = "admin_name", adminOrganization = "admin_organization", adminEmail = "admin_email"
    case adminPhone = "admin_phone", adminAddress = "admin_address"
    case techName = "tech_name", techOrganization = "tech_organization", techEmail = "tech_email"
    case techPhone = "tech_phone", techAddress = "tech_address"
}
