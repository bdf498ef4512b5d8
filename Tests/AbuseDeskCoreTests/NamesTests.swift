import Testing
@testable import AbuseDeskCore

@Suite struct HostNameTests {
    @Test(arguments: [("Example.COM", "example.com"), ("www.example.com.", "www.example.com"), ("a-b.c_d.example.org", "a-b.c_d.example.org"),
                      ("xn--bcher-kva.example", "xn--bcher-kva.example"), ("bücher.example", "bücher.example"), ("1.2.3.example", "1.2.3.example")])
    func acceptsAndNormalises(text: String, value: String) {
        #expect(HostName(text)?.value == value)
    }

    @Test(arguments: ["", "localhost", "example..com", ".example.com", "-a.example.com", "a-.example.com", "exa mple.com",
                      "example.123", String(repeating: "a", count: 64) + ".com", "ex%61mple.com", "a.b/c.com"])
    func refuses(text: String) {
        #expect(HostName(text) == nil)
    }

    @Test func suffixesAndReversal() throws {
        let host = try #require(HostName("a.b.example.com"))
        #expect(host.suffixes == ["a.b.example.com", "b.example.com", "example.com", "com"])
        #expect(host.reversed == "com.example.b.a")
        #expect(host.isWithin(try #require(HostName("example.com"))))
        #expect(!host.isWithin(try #require(HostName("ample.com"))))
    }
}

@Suite struct ReportedURLTests {
    @Test(arguments: [
        ("https://Example.com/Login?x=1#y", "https://example.com/Login?x=1#y", "example.com"),
        ("HTTP://user:pw@www.Example.org:8080/p", "http://user:pw@www.example.org:8080/p", "www.example.org"),
        ("http://203.0.113.7/x", "http://203.0.113.7/x", "203.0.113.7"),
        ("http://[2001:DB8::1]:8443/", "http://[2001:db8::1]:8443/", "[2001:db8::1]"),
        ("https://shop.example.com", "https://shop.example.com", "shop.example.com"),
    ])
    func parses(text: String, normalised: String, host: String) throws {
        let url = try #require(ReportedURL(text))
        #expect(url.text == normalised)
        #expect(url.host.description == host)
    }

    @Test(arguments: [
        ("example.com/login", "must be an absolute URL starting with http:// or https://"),
        ("ftp://example.com/x", "must use http or https; \"ftp\" is not accepted"),
        ("https:///path", "has no host"),
        ("https://", "has no host"),
        ("https://exa mple.com/", "contains a space; encode it as %20"),
        ("https://example.com:99999/", "has the port \"99999\"; a port is a number from 1 to 65535"),
        ("https://localhost/", "has \"localhost\" as its host, which is not a valid, fully qualified host name"),
        ("https://300.1.1.1/", "has \"300.1.1.1\" as its host, which is not a valid IPv4 address"),
        ("https://[::g]/", "has \"[::g]\" as its host, which is not an IPv6 address"),
        ("https://example.com/\u{7}", "contains a control character"),
    ])
    func refusesWithAReason(text: String, reason: String) {
        #expect(ReportedURL.problem(with: text) == reason)
    }

    @Test func aLongHostIsShortenedInTheMessageAndTheRuleNamed() throws {
        let host = String(repeating: "a", count: 300) + ".example"
        let reason = try #require(ReportedURL.problem(with: "https://\(host)/"))
        #expect(!reason.contains(String(repeating: "a", count: 81)), "the host is shortened")
        #expect(reason.contains("…\" as its host"))
        #expect(reason.hasSuffix("(a label is at most 63 characters, the whole name at most 253)"))
    }

    @Test func refusesOverlongURLs() {
        let url = "https://example.com/" + String(repeating: "a", count: 2048)
        #expect(ReportedURL.problem(with: url)?.contains("at most 2048") == true)
    }
}

@Suite struct EmailAddressTests {
    @Test(arguments: ["jane@example.org", "jane.doe+abuse@Mail.Example.ORG", "o'brien@example.ie", "x@sub.domain.example"])
    func accepts(text: String) {
        #expect(EmailAddress(text) != nil)
    }

    @Test(arguments: ["", "jane", "@example.org", "jane@", "jane@localhost", "jane@example", "jane..doe@example.org",
                      ".jane@example.org", "jane.@example.org", "ja ne@example.org", "jane@exa mple.org", "jane@example.c"])
    func refuses(text: String) {
        #expect(EmailAddress(text) == nil)
    }

    @Test func lowersTheDomainOnly() {
        #expect(EmailAddress("Jane@Example.ORG")?.value == "Jane@example.org")
    }
}

@Suite struct IdentifierTests {
    @Test func formAndUniqueness() {
        let ids = (0..<10_000).map { _ in Identifier.make() }
        #expect(Set(ids).count == ids.count)
        #expect(ids.allSatisfy { Identifier.isWellFormed($0) && $0.count == 26 })
    }

    @Test func growWithTime() {
        let earlier = Identifier.make(at: .init(timeIntervalSince1970: 1_700_000_000))
        let later = Identifier.make(at: .init(timeIntervalSince1970: 1_700_000_001))
        #expect(earlier < later)
        #expect(!Identifier.isWellFormed("ILOU" + String(repeating: "0", count: 22)))
    }
}
