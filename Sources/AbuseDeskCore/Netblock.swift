/// A CIDR block of addresses, such as `203.0.113.0/24` or `2001:db8::/32`.
public struct Netblock: Sendable, Hashable, CustomStringConvertible {
    /// The first address of the block.
    public let address: IPAddress
    /// The prefix length as written for the address family: 0–32 for IPv4, 0–128 for IPv6.
    public let prefixLength: Int

    /// A block from an address and prefix length; bits of the address beyond the prefix are cleared.
    public init(address: IPAddress, prefixLength: Int) {
        let width = address.family == .v4 ? 32 : 128
        let length = max(0, min(prefixLength, width))
        let (high, low) = Self.mask(Self.storedLength(length, family: address.family))
        self.address = address.family == .v4
            ? IPAddress(v4: UInt32(truncatingIfNeeded: address.low & low))
            : IPAddress(v6: address.high & high, address.low & low)
        self.prefixLength = length
    }

    /// Parses `address/length`. With `strict`, bits set beyond the prefix (`203.0.113.5/24`) are refused;
    /// otherwise they are cleared.
    public init?(_ text: some StringProtocol, strict: Bool = true) {
        let parts = text.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 2, let address = IPAddress(parts[0]),
              !parts[1].isEmpty, parts[1].count <= 3, parts[1].allSatisfy(\.isASCII),
              let length = Int(parts[1]), length >= 0, length <= (address.family == .v4 ? 32 : 128)
        else { return nil }
        let block = Netblock(address: address, prefixLength: length)
        if strict, block.address != address { return nil }
        self = block
    }

    /// The prefix length in the shared 128-bit representation.
    public var storedPrefixLength: Int { Self.storedLength(prefixLength, family: address.family) }

    /// The last address of the block.
    public var lastAddress: IPAddress {
        let (high, low) = Self.mask(storedPrefixLength)
        return address.family == .v4
            ? IPAddress(v4: UInt32(truncatingIfNeeded: address.low | ~low))
            : IPAddress(v6: address.high | ~high, address.low | ~low)
    }

    public func contains(_ candidate: IPAddress) -> Bool {
        guard candidate.family == address.family else { return false }
        let (high, low) = Self.mask(storedPrefixLength)
        return candidate.high & high == address.high && candidate.low & low == address.low
    }

    public var description: String { "\(address)/\(prefixLength)" }

    /// Why the block is not all public unicast (it overlaps a private, loopback, multicast or reserved
    /// range), or `nil`.
    public var nonPublicReason: String? { IPAddress.nonPublicReason(of: self) }

    static func storedLength(_ length: Int, family: IPAddress.Family) -> Int {
        family == .v4 ? length + 96 : length
    }

    /// The network mask for a 128-bit prefix length, as high and low words.
    static func mask(_ length: Int) -> (UInt64, UInt64) {
        switch length {
        case ...0: (0, 0)
        case 1..<64: (~UInt64(0) << UInt64(64 - length), 0)
        case 64: (~UInt64(0), 0)
        case 65..<128: (~UInt64(0), ~UInt64(0) << UInt64(128 - length))
        default: (~UInt64(0), ~UInt64(0))
        }
    }
}
