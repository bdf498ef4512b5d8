import Foundation

/// The incident taxonomy: threat types, their incident types and those incident types' attack methods.
///
/// It is data (`Resources/taxonomy.json`), not code: the API serves it, the portal builds its choices
/// from it, the developer page renders it and the validator checks reports against it.
public struct Taxonomy: Sendable, Codable, Equatable {
    public struct AttackMethod: Sendable, Codable, Equatable {
        public var name: String
        public var definition: String
    }

    public struct IncidentType: Sendable, Codable, Equatable {
        public var name: String
        public var definition: String
        public var reportType: ReportType
        public var attackMethods: [AttackMethod]
        /// The channels that accept this incident type; `nil` means every channel.
        public var channels: [IntakeChannel]?
        /// Why an API refuses this incident type, when it does.
        public var apiRefusal: String?

        public func accepts(_ channel: IntakeChannel) -> Bool {
            channels?.contains(channel) ?? true
        }

        public func attackMethod(named name: String) -> AttackMethod? {
            attackMethods.first { $0.name == name }
        }
    }

    public struct ThreatType: Sendable, Codable, Equatable {
        public var name: String
        public var definition: String
        public var incidentTypes: [IncidentType]

        public func incidentType(named name: String) -> IncidentType? {
            incidentTypes.first { $0.name == name }
        }
    }

    public var version: String
    public var threatTypes: [ThreatType]

    /// Every incident type's name, once each (several threat types share some), sorted.
    public var incidentTypeNames: [String] {
        Array(Set(threatTypes.flatMap { $0.incidentTypes.map(\.name) })).sorted()
    }

    public func threatType(named name: String) -> ThreatType? {
        threatTypes.first { $0.name == name }
    }

    /// Reads a taxonomy from JSON; the default is the bundled file.
    public static func load(from url: URL? = nil) throws -> Taxonomy {
        guard let url = url ?? Bundle.module.url(forResource: "taxonomy", withExtension: "json") else {
            throw CocoaError(.fileNoSuchFile)
        }
        return try JSONDecoder().decode(Taxonomy.self, from: Data(contentsOf: url))
    }
}

/// A threat type, incident type and attack method that belong together.
public struct Classification: Sendable, Equatable, Hashable, Codable {
    public var threatType: String
    public var incidentType: String
    public var attackMethod: String?
    public var reportType: ReportType

    public init(threatType: String, incidentType: String, attackMethod: String?, reportType: ReportType) {
        self.threatType = threatType
        self.incidentType = incidentType
        self.attackMethod = attackMethod
        self.reportType = reportType
    }
}
