import Testing
@testable import AbuseDeskCore

@Suite struct HostNameTests {
    @Test(arguments: [("Example.COM", "example.com"), ("www.example.com.", "www.example.com"), ("a-b.c_d.example.org", "a-b.c_d.example.org"),
                      ("xn--bcher-kva.example", "xn--bcher-kva.example"), ("1.2.3.example", "1.2.3.example"),
                      // QA finding 5: every spelling of an internationalised name is its A-label.
                      ("bücher.example", "xn--bcher-kva.example"), ("BÜCHER.Example.", "xn--bcher-kva.example"),
                      ("bu\u{308}cher.example", "xn--bcher-kva.example"), ("ｂüｃｈｅｒ．example", "xn--bcher-kva.example"),
                      ("münchen。example", "xn--mnchen-3ya.example"), ("例え.テスト", "xn--r8jz45g.xn--zckzah"),
                      ("пример.рф", "xn--e1afmkfd.xn--p1ai"), ("www.xn--bcher-kva.example", "www.xn--bcher-kva.example")])
    func acceptsAndNormalises(text: String, value: String) {
        #expect(HostName(text)?.value == value)
    }

    @Test(arguments: ["", "localhost", "example..com", ".example.com", "-a.example.com", "a-.example.com", "exa mple.com",
                      "example.123", String(repeating: "a", count: 64) + ".com", "ex%61mple.com", "a.b/c.com",
                      "bü cher.example", "-bücher.example", "bücher-.example", "b☃.example", String(repeating: "ü", count: 60) + ".example"])
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

@Suite struct PunycodeTests {
    /// RFC 3492's own samples, and the everyday ones.
    @Test(arguments: [("bücher", "bcher-kva"), ("münchen", "mnchen-3ya"), ("例え", "r8jz45g"), ("пример", "e1afmkfd"),
                      ("ليهمابتكلموشعربي؟", "egbpdaj6bu4bxfgehfvwxn"), ("他们为什么不说中文", "ihqwcrb4cv8a8dqg056pqjye"),
                      ("Pročprostěnemluvíčesky", "Proprostnemluvesky-uyb24dma41a")])
    func encodes(label: String, encoded: String) {
        #expect(Punycode.encode(label) == encoded)
    }
}

@Suite struct ReportedURLTests {
    @Test(arguments: [
        ("https://Example.com/Login?x=1#y", "https://example.com/Login?x=1#y", "example.com"),
        ("HTTP://user:pw@www.Example.org:8080/p", "http://user:pw@www.example.org:8080/p", "www.example.org"),
        ("http://203.0.113.7/x", "http://203.0.113.7/x", "203.0.113.7"),
        ("http://[2001:DB8::1]:8443/", "http://[2001:db8::1]:8443/", "[2001:db8::1]"),
        ("https://shop.example.com", "https://shop.example.com", "shop.example.com"),
        ("https://Bücher.example/x", "https://xn--bcher-kva.example/x", "xn--bcher-kva.example"),
        // QA finding 11: default ports and escapes of unreserved characters are written one way.
        ("https://www.beta.example.net:443/x1", "https://www.beta.example.net/x1", "www.beta.example.net"),
        ("http://a.example:80/%78%2f%7e?q=%e2%82%ac", "http://a.example/x%2F~?q=%E2%82%AC", "a.example"),
        ("http://[2001:db8::1]:80/", "http://[2001:db8::1]/", "[2001:db8::1]"),
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

@Suite struct CanonicalURLTests {
    /// QA finding 11: `:443`, `#frag` and `%78` spelled the same page three more ways past the 7-day rule.
    @Test func spellingsOfOnePageAreOneURL() throws {
        let spellings = ["https://www.beta.example.net/x1", "https://www.beta.example.net:443/x1", "https://www.beta.example.net/x1#f",
                         "https://www.beta.example.net/%781", "HTTPS://WWW.Beta.example.net./x1"]
        let canonical = try spellings.map { try #require(ReportedURL($0)).canonical }
        #expect(Set(canonical) == ["https://www.beta.example.net/x1"])
        #expect(try #require(ReportedURL("https://a.example")).canonical == "https://a.example/")
        #expect(try #require(ReportedURL("https://a.example?x=1#y")).canonical == "https://a.example/?x=1")
        #expect(try #require(ReportedURL("https://a.example/X1")).canonical != "https://a.example/x1", "paths keep their case")
    }
}
