/// An IPv4 or IPv6 address.
///
/// Both families share one 128-bit representation — IPv4 as the IPv4-mapped IPv6 address
/// `::ffff:a.b.c.d` — so that netblock matching and the stored index key are the same for both.
public struct IPAddress: Sendable, Hashable, Comparable, CustomStringConvertible {
    public enum Family: Sendable, Hashable {
        case v4
        case v6
    }

    public let family: Family
    /// The upper and lower 64 bits of the 128-bit form.
    public let high: UInt64
    public let low: UInt64

    static let mappedPrefix: UInt64 = 0x0000_FFFF_0000_0000

    public init(v4 value: UInt32) {
        family = .v4
        high = 0
        low = Self.mappedPrefix | UInt64(value)
    }

    public init(v6 high: UInt64, _ low: UInt64) {
        // An IPv4-mapped IPv6 address names an IPv4 host; treat it as one.
        if high == 0, low & 0xFFFF_FFFF_0000_0000 == Self.mappedPrefix {
            family = .v4
        } else {
            family = .v6
        }
        self.high = high
        self.low = low
    }

    /// The IPv4 address as a 32-bit number; only meaningful for `.v4`.
    public var v4Value: UInt32 { UInt32(truncatingIfNeeded: low) }

    /// Parses dotted-quad IPv4 or RFC 4291 IPv6 text (with `::` and an embedded IPv4 tail).
    /// Zone ids, leading zeros in IPv4 octets and other ambiguous forms are refused.
    public init?(_ text: some StringProtocol) {
        let utf8 = Array(text.utf8)
        if utf8.contains(UInt8(ascii: ":")) {
            guard let (high, low) = Self.parseV6(utf8) else { return nil }
            self.init(v6: high, low)
        } else {
            guard let value = Self.parseV4(utf8[...]) else { return nil }
            self.init(v4: value)
        }
    }

    public static func < (lhs: IPAddress, rhs: IPAddress) -> Bool {
        (lhs.high, lhs.low) < (rhs.high, rhs.low)
    }

    /// The canonical text: dotted quad, or RFC 5952 IPv6 (lower case, longest zero run as `::`).
    public var description: String {
        switch family {
        case .v4:
            let value = v4Value
            return "\(value >> 24).\(value >> 16 & 0xFF).\(value >> 8 & 0xFF).\(value & 0xFF)"
        case .v6:
            return Self.formatV6(high, low)
        }
    }

    /// A fixed-width, order-preserving key (32 hex digits) used to index and range-query addresses.
    public var indexKey: String {
        Self.hex(high) + Self.hex(low)
    }

    private static func hex(_ value: UInt64) -> String {
        let digits = String(value, radix: 16)
        return String(repeating: "0", count: 16 - digits.count) + digits
    }

    // MARK: Parsing

    static func parseV4(_ bytes: ArraySlice<UInt8>) -> UInt32? {
        var value: UInt32 = 0
        var octets = 0
        var current: UInt32 = 0
        var digits = 0
        var leadingZero = false
        for byte in bytes {
            if byte == UInt8(ascii: ".") {
                guard digits > 0, octets < 3 else { return nil }
                value = value << 8 | current
                octets += 1
                current = 0
                digits = 0
                leadingZero = false
            } else if byte >= UInt8(ascii: "0"), byte <= UInt8(ascii: "9") {
                if digits == 1, leadingZero { return nil }
                if digits == 0, byte == UInt8(ascii: "0") { leadingZero = true }
                current = current * 10 + UInt32(byte - UInt8(ascii: "0"))
                digits += 1
                guard current <= 255, digits <= 3 else { return nil }
            } else {
                return nil
            }
        }
        guard digits > 0, octets == 3 else { return nil }
        return value << 8 | current
    }

    static func parseV6(_ bytes: [UInt8]) -> (UInt64, UInt64)? {
        guard bytes.count <= 45 else { return nil }
        var groups: [UInt16] = []
        var compressionIndex: Int?
        var index = 0
        if bytes.starts(with: [UInt8(ascii: ":"), UInt8(ascii: ":")]) {
            compressionIndex = 0
            index = 2
        } else if bytes.first == UInt8(ascii: ":") {
            return nil
        }
        while index < bytes.count {
            // An embedded IPv4 address may end the text.
            let rest = bytes[index...]
            if !rest.contains(UInt8(ascii: ":")), rest.contains(UInt8(ascii: ".")) {
                guard let v4 = parseV4(rest) else { return nil }
                groups.append(UInt16(v4 >> 16))
                groups.append(UInt16(v4 & 0xFFFF))
                index = bytes.count
                break
            }
            var value: UInt32 = 0
            var digits = 0
            while index < bytes.count, let digit = hexValue(bytes[index]) {
                value = value << 4 | digit
                digits += 1
                index += 1
                guard digits <= 4 else { return nil }
            }
            guard digits > 0 else { return nil }
            groups.append(UInt16(value))
            if index == bytes.count { break }
            guard bytes[index] == UInt8(ascii: ":") else { return nil }
            index += 1
            if index < bytes.count, bytes[index] == UInt8(ascii: ":") {
                guard compressionIndex == nil else { return nil }
                compressionIndex = groups.count
                index += 1
            } else if index == bytes.count {
                return nil  // a single trailing colon
            }
        }
        if let compressionIndex {
            guard groups.count < 8 else { return nil }
            groups.insert(contentsOf: repeatElement(0, count: 8 - groups.count), at: compressionIndex)
        }
        guard groups.count == 8 else { return nil }
        var high: UInt64 = 0
        var low: UInt64 = 0
        for group in groups[0..<4] { high = high << 16 | UInt64(group) }
        for group in groups[4..<8] { low = low << 16 | UInt64(group) }
        return (high, low)
    }

    private static func hexValue(_ byte: UInt8) -> UInt32? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): UInt32(byte - UInt8(ascii: "0"))
        case UInt8(ascii: "a")...UInt8(ascii: "f"): UInt32(byte - UInt8(ascii: "a") + 10)
        case UInt8(ascii: "A")...UInt8(ascii: "F"): UInt32(byte - UInt8(ascii: "A") + 10)
        default: nil
        }
    }

    private static func formatV6(_ high: UInt64, _ low: UInt64) -> String {
        let groups: [UInt16] = (0..<8).map { position in
            let word = position < 4 ? high : low
            return UInt16(truncatingIfNeeded: word >> (UInt64(3 - position % 4) * 16))
        }
        // The longest run of two or more zero groups becomes "::" (the first, if tied).
        var bestStart = -1
        var bestLength = 1
        var runStart = -1
        for (position, group) in groups.enumerated() {
            if group == 0 {
                if runStart < 0 { runStart = position }
                let length = position - runStart + 1
                if length > bestLength {
                    bestStart = runStart
                    bestLength = length
                }
            } else {
                runStart = -1
            }
        }
        func text(_ range: Range<Int>) -> String {
            groups[range].map { String($0, radix: 16) }.joined(separator: ":")
        }
        guard bestStart >= 0 else { return text(0..<8) }
        return text(0..<bestStart) + "::" + text((bestStart + bestLength)..<8)
    }
}

// MARK: - Scope

extension IPAddress {
    /// Why an address cannot be the source of Internet abuse, or `nil` when it is public unicast.
    ///
    /// Documentation ranges (192.0.2.0/24, 198.51.100.0/24, 203.0.113.0/24, 2001:db8::/32) count as
    /// public so that integrators can exercise the API with the addresses of RFC 5737 and RFC 3849.
    public var nonPublicReason: String? {
        switch family {
        case .v4:
            for range in Self.specialV4 where range.block.contains(self) {
                return "\(range.name) (\(range.block))"
            }
            return nil
        case .v6:
            for range in Self.specialV6 where range.block.contains(self) {
                return "\(range.name) (\(range.block))"
            }
            // Outside 2000::/3 nothing is assigned as global unicast.
            if high >> 61 != 0b001 { return "not a global unicast address (outside 2000::/3)" }
            return nil
        }
    }

    public var isPublicUnicast: Bool { nonPublicReason == nil }

    /// Loopback, or an address of a private network (RFC 1918, shared NAT, unique local, link-local):
    /// the neighbours of a service that may read its internals.
    public var isLoopbackOrPrivate: Bool {
        let ranges = family == .v4 ? Self.privateV4 : Self.privateV6
        return ranges.contains { $0.contains(self) }
    }

    private static let privateV4 = [Netblock(address: v4(127, 0), prefixLength: 8), Netblock(address: v4(10, 0), prefixLength: 8),
                                    Netblock(address: v4(172, 16), prefixLength: 12), Netblock(address: v4(192, 168), prefixLength: 16),
                                    Netblock(address: v4(100, 64), prefixLength: 10), Netblock(address: v4(169, 254), prefixLength: 16)]
    private static let privateV6 = [Netblock(address: IPAddress(v6: 0, 1), prefixLength: 128),
                                    Netblock(address: IPAddress(v6: 0xFC00 << 48, 0), prefixLength: 7),
                                    Netblock(address: IPAddress(v6: 0xFE80 << 48, 0), prefixLength: 10)]

    /// Why a block holds addresses that cannot be a customer's on the Internet (private, loopback,
    /// multicast, reserved ...), or `nil` when all of it is public unicast.
    public static func nonPublicReason(of block: Netblock) -> String? {
        let ranges = block.address.family == .v4 ? specialV4 : specialV6
        for range in ranges where range.block.contains(block.address) || block.contains(range.block.address) {
            return "overlaps \(range.block), \(range.name) range"
        }
        if block.address.family == .v6, block.address.high >> 61 != 0b001 || block.prefixLength < 3 {
            return "reaches outside global unicast (2000::/3)"
        }
        return nil
    }

    private struct SpecialRange: Sendable {
        let name: String
        let block: Netblock
        init(_ name: String, _ address: IPAddress, _ prefixLength: Int) {
            self.name = name
            self.block = Netblock(address: address, prefixLength: prefixLength)
        }
    }

    private static func v4(_ a: UInt32, _ b: UInt32) -> IPAddress { IPAddress(v4: a << 24 | b << 16) }

    private static let specialV4: [SpecialRange] = [
        SpecialRange("a \"this network\" address", v4(0, 0), 8),
        SpecialRange("a private address", v4(10, 0), 8),
        SpecialRange("a shared carrier-grade NAT address", v4(100, 64), 10),
        SpecialRange("a loopback address", v4(127, 0), 8),
        SpecialRange("a link-local address", v4(169, 254), 16),
        SpecialRange("a private address", v4(172, 16), 12),
        SpecialRange("an IETF protocol assignment", v4(192, 0), 24),
        SpecialRange("a private address", v4(192, 168), 16),
        SpecialRange("a benchmarking address", v4(198, 18), 15),
        SpecialRange("a multicast address", v4(224, 0), 4),
        SpecialRange("a reserved address", v4(240, 0), 4),
    ]

    private static let specialV6: [SpecialRange] = [
        SpecialRange("the unspecified address", IPAddress(v6: 0, 0), 128),
        SpecialRange("the loopback address", IPAddress(v6: 0, 1), 128),
        SpecialRange("a unique local address", IPAddress(v6: 0xFC00 << 48, 0), 7),
        SpecialRange("a link-local address", IPAddress(v6: 0xFE80 << 48, 0), 10),
        SpecialRange("a multicast address", IPAddress(v6: 0xFF00 << 48, 0), 8),
    ]
}
