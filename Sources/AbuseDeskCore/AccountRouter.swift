/// Decides which customer account a report is about.
///
/// A report belongs to the account serving its URLs' host names — the longest matching domain
/// suffix wins, so `shop.example.com` beats `example.com` — or, failing that, its addresses, by the
/// longest matching netblock. URL targets are tried before address targets, each in the order the
/// reporter gave them. A report nothing matches is left unassigned for an operator to route.
public struct AccountRouter: Sendable {
    public struct DomainEntry: Sendable {
        public var accountID: String
        public var domain: HostName
        public init(accountID: String, domain: HostName) {
            self.accountID = accountID
            self.domain = domain
        }
    }

    public struct NetblockEntry: Sendable {
        public var accountID: String
        public var netblock: Netblock
        public init(accountID: String, netblock: Netblock) {
            self.accountID = accountID
            self.netblock = netblock
        }
    }

    private let accountByDomain: [String: String]
    /// Netblocks keyed by their 128-bit prefix length, longest first, then by first address.
    private let netblocksByLength: [(length: Int, blocks: [IPAddress: (Netblock, String)])]

    public init(domains: [DomainEntry] = [], netblocks: [NetblockEntry] = []) {
        var byDomain: [String: String] = [:]
        for entry in domains { byDomain[entry.domain.value] = entry.accountID }
        accountByDomain = byDomain
        var byLength: [Int: [IPAddress: (Netblock, String)]] = [:]
        for entry in netblocks {
            byLength[entry.netblock.storedPrefixLength, default: [:]][entry.netblock.address] = (entry.netblock, entry.accountID)
        }
        netblocksByLength = byLength.sorted { $0.key > $1.key }.map { (length: $0.key, blocks: $0.value) }
    }

    public var isEmpty: Bool { accountByDomain.isEmpty && netblocksByLength.isEmpty }

    public func route(_ targets: [ReportTarget]) -> RoutingDecision {
        route(hosts: targets.compactMap(\.hostName), addresses: targets.compactMap(\.ipAddress))
    }

    public func route(hosts: [HostName], addresses: [IPAddress]) -> RoutingDecision {
        for host in hosts {
            if let decision = match(host) { return decision }
        }
        for address in addresses {
            if let decision = match(address) { return decision }
        }
        return .unassigned
    }

    public func match(_ host: HostName) -> RoutingDecision? {
        for suffix in host.suffixes {
            if let account = accountByDomain[String(suffix)] {
                return RoutingDecision(accountID: account, rule: .domain, ruleValue: String(suffix), matched: host.value)
            }
        }
        return nil
    }

    public func match(_ address: IPAddress) -> RoutingDecision? {
        for (length, blocks) in netblocksByLength {
            let key = Netblock(address: address, prefixLength: address.family == .v4 ? length - 96 : length).address
            if let (block, account) = blocks[key], block.contains(address) {
                return RoutingDecision(accountID: account, rule: .netblock, ruleValue: block.description, matched: address.description)
            }
        }
        return nil
    }
}

/// Where a report was routed, and why.
public struct RoutingDecision: Sendable, Equatable, Codable {
    public enum Rule: String, Sendable, Equatable, Codable {
        /// A host name of the report lies within a domain of the account.
        case domain
        /// An address of the report lies within a netblock of the account.
        case netblock
        /// An operator routed the report by hand.
        case manual
        /// Nothing matched: the report is unassigned.
        case none
    }

    public var accountID: String?
    public var rule: Rule
    /// The domain or netblock that matched, or the operator who routed by hand.
    public var ruleValue: String?
    /// The host name or address of the report that matched.
    public var matched: String?

    public init(accountID: String?, rule: Rule, ruleValue: String? = nil, matched: String? = nil) {
        self.accountID = accountID
        self.rule = rule
        self.ruleValue = ruleValue
        self.matched = matched
    }

    public static let unassigned = RoutingDecision(accountID: nil, rule: .none)

    /// A sentence for operators: why the report went where it went.
    public var explanation: String {
        let value = ruleValue ?? "?"
        return switch rule {
        case .domain: "\(matched ?? value) is within the account's domain \(value)"
        case .netblock: "\(matched ?? value) is within the account's netblock \(value)"
        case .manual: "routed by hand by \(value)"
        case .none: "no account serves the report's host names or addresses"
        }
    }
}
