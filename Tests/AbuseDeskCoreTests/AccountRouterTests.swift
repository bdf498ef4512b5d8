import Testing
@testable import AbuseDeskCore

@Suite struct AccountRouterTests {
    let router = AccountRouter(
        domains: [
            .init(accountID: "broad", domain: HostName("example.com")!),
            .init(accountID: "shop", domain: HostName("shop.example.com")!),
            .init(accountID: "other", domain: HostName("example.net")!),
        ],
        netblocks: [
            .init(accountID: "big", netblock: Netblock("203.0.112.0/22")!),
            .init(accountID: "small", netblock: Netblock("203.0.113.0/24")!),
            .init(accountID: "v6", netblock: Netblock("2001:db8:1::/48")!),
        ])

    @Test func longestDomainSuffixWins() {
        #expect(router.match(HostName("a.shop.example.com")!)?.accountID == "shop")
        #expect(router.match(HostName("shop.example.com")!)?.accountID == "shop")
        #expect(router.match(HostName("www.example.com")!)?.accountID == "broad")
        #expect(router.match(HostName("example.com")!)?.accountID == "broad")
        #expect(router.match(HostName("notexample.com")!) == nil)
        #expect(router.match(HostName("example.org")!) == nil)
    }

    @Test func longestNetblockWins() {
        #expect(router.match(IPAddress("203.0.113.9")!)?.accountID == "small")
        #expect(router.match(IPAddress("203.0.112.9")!)?.accountID == "big")
        #expect(router.match(IPAddress("203.0.116.1")!) == nil)
        #expect(router.match(IPAddress("2001:db8:1:ffff::1")!)?.accountID == "v6")
        #expect(router.match(IPAddress("2001:db8:2::1")!) == nil)
    }

    @Test func urlsBeforeAddressesAndInOrder() {
        let decision = router.route(hosts: [HostName("unknown.example.org")!, HostName("x.example.net")!], addresses: [IPAddress("203.0.113.1")!])
        #expect(decision.accountID == "other")
        #expect(decision.rule == .domain)
        #expect(decision.ruleValue == "example.net")
        #expect(decision.matched == "x.example.net")
        #expect(decision.explanation == "x.example.net is within the account's domain example.net")
    }

    @Test func addressesWhenNoHostMatches() {
        let decision = router.route(hosts: [HostName("unknown.example.org")!], addresses: [IPAddress("203.0.113.1")!])
        #expect(decision == RoutingDecision(accountID: "small", rule: .netblock, ruleValue: "203.0.113.0/24", matched: "203.0.113.1"))
    }

    @Test func unassignedWhenNothingMatches() {
        #expect(router.route(hosts: [], addresses: [IPAddress("8.8.8.8")!]) == .unassigned)
        #expect(AccountRouter().route(hosts: [HostName("example.com")!], addresses: []) == .unassigned)
    }

    @Test func urlWithAnAddressHostRoutesByNetblock() throws {
        let target = ReportTarget(source: .url(try #require(ReportedURL("http://203.0.113.50/phish"))))
        #expect(router.route([target]).accountID == "small")
    }
}
