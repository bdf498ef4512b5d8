import Testing
@testable import AbuseDeskCore

@Suite struct IPAddressTests {
    @Test(arguments: [
        ("203.0.113.7", "203.0.113.7"),
        ("0.0.0.0", "0.0.0.0"),
        ("255.255.255.255", "255.255.255.255"),
        ("2001:DB8::1", "2001:db8::1"),
        ("2001:db8:0:0:1:0:0:1", "2001:db8::1:0:0:1"),
        ("2001:0db8:0000:0000:0000:0000:0002:0001", "2001:db8::2:1"),
        ("::", "::"),
        ("::1", "::1"),
        ("fe80::", "fe80::"),
        ("::ffff:198.51.100.9", "198.51.100.9"),
        ("64:ff9b::192.0.2.33", "64:ff9b::c000:221"),
        ("1:2:3:4:5:6:7:8", "1:2:3:4:5:6:7:8"),
    ])
    func parsesAndWritesCanonically(text: String, canonical: String) throws {
        let address = try #require(IPAddress(text))
        #expect(address.description == canonical)
    }

    @Test(arguments: ["", "1.2.3", "1.2.3.4.5", "256.1.1.1", "01.2.3.4", "1.2.3.-4", "1..2.3", "a.b.c.d", " 1.2.3.4",
                      ":::", "1:2:3:4:5:6:7:8:9", "1::2::3", "12345::", "fe80::1%eth0", "2001:db8:", ":2001:db8::1",
                      "1:2:3:4:5:6:7::8:9", "::ffff:1.2.3", "g::1"])
    func refusesMalformedAddresses(text: String) {
        #expect(IPAddress(text) == nil)
    }

    @Test(arguments: ["203.0.113.7", "8.8.8.8", "198.51.100.1", "192.0.2.1", "2001:db8::1", "2606:4700::1111", "100.63.255.255", "172.32.0.1"])
    func publicAddresses(text: String) throws {
        #expect(try #require(IPAddress(text)).isPublicUnicast)
    }

    @Test(arguments: [
        ("10.1.2.3", "a private address (10.0.0.0/8)"),
        ("172.16.0.1", "a private address (172.16.0.0/12)"),
        ("172.31.255.255", "a private address (172.16.0.0/12)"),
        ("192.168.1.1", "a private address (192.168.0.0/16)"),
        ("127.0.0.1", "a loopback address (127.0.0.0/8)"),
        ("169.254.10.10", "a link-local address (169.254.0.0/16)"),
        ("100.64.0.1", "a shared carrier-grade NAT address (100.64.0.0/10)"),
        ("0.1.2.3", "a \"this network\" address (0.0.0.0/8)"),
        ("224.0.0.1", "a multicast address (224.0.0.0/4)"),
        ("255.255.255.255", "a reserved address (240.0.0.0/4)"),
        ("198.18.0.1", "a benchmarking address (198.18.0.0/15)"),
        ("::1", "the loopback address (::1/128)"),
        ("::", "the unspecified address (::/128)"),
        ("fd00::1", "a unique local address (fc00::/7)"),
        ("fe80::1", "a link-local address (fe80::/10)"),
        ("ff02::1", "a multicast address (ff00::/8)"),
        ("::ffff:10.0.0.1", "a private address (10.0.0.0/8)"),
        ("4000::1", "not a global unicast address (outside 2000::/3)"),
    ])
    func nonPublicAddressesSayWhy(text: String, reason: String) throws {
        #expect(try #require(IPAddress(text)).nonPublicReason == reason)
    }

    @Test func indexKeysSortLikeAddresses() throws {
        let addresses = try ["9.0.0.1", "10.0.0.1", "203.0.113.7", "2001:db8::1", "::1"].map { try #require(IPAddress($0)) }
        #expect(addresses.sorted().map(\.indexKey) == addresses.map(\.indexKey).sorted())
        #expect(try #require(IPAddress("1.2.3.4")).indexKey == "00000000000000000000ffff01020304")
    }
}

@Suite struct NetblockTests {
    @Test func parsesStrictlyAndContains() throws {
        let block = try #require(Netblock("203.0.113.0/24"))
        #expect(block.description == "203.0.113.0/24")
        #expect(block.contains(try #require(IPAddress("203.0.113.255"))))
        #expect(!block.contains(try #require(IPAddress("203.0.114.0"))))
        #expect(!block.contains(try #require(IPAddress("2001:db8::1"))))
        #expect(block.lastAddress.description == "203.0.113.255")
        #expect(Netblock("203.0.113.5/24") == nil)
        #expect(Netblock("203.0.113.5/24", strict: false)?.description == "203.0.113.0/24")
    }

    @Test func ipv6Blocks() throws {
        let block = try #require(Netblock("2001:db8::/32"))
        #expect(block.contains(try #require(IPAddress("2001:db8:ffff::1"))))
        #expect(!block.contains(try #require(IPAddress("2001:db9::1"))))
        #expect(block.lastAddress.description == "2001:db8:ffff:ffff:ffff:ffff:ffff:ffff")
        #expect(try #require(Netblock("::/0")).contains(try #require(IPAddress("2606:4700::1"))))
        #expect(try #require(Netblock("0.0.0.0/0")).contains(try #require(IPAddress("8.8.8.8"))))
    }

    @Test(arguments: ["203.0.113.0", "203.0.113.0/33", "2001:db8::/129", "203.0.113.0/", "x/8", "203.0.113.0/8/8", "10.0.0.0/-1", "10.0.0.0/ 8"])
    func refusesMalformedBlocks(text: String) {
        #expect(Netblock(text) == nil)
    }
}
