import Foundation

/// Timestamps as the Accounts API writes and reads them (RFC 3339).
public enum RFC3339 {
    /// `2026-11-23T14:05:09Z`: UTC, whole seconds.
    public static func format(_ date: Date) -> String {
        let seconds = Int(date.timeIntervalSince1970.rounded(.down))
        let days = seconds >= 0 ? seconds / 86_400 : (seconds - 86_399) / 86_400
        let secondOfDay = seconds - days * 86_400
        let day = IncidentTime.CalendarDate.from(daysSinceEpoch: days)
        guard (0...9999).contains(day.year) else {
            return day.description + "T" + padded(secondOfDay / 3600, 2) + ":" + padded(secondOfDay / 60 % 60, 2) + ":"
                + padded(secondOfDay % 60, 2) + "Z"
        }
        // Twenty bytes written in place: a list formats two of these per row.
        return String(unsafeUninitializedCapacity: 20) { bytes in
            func put(_ value: Int, digits: Int, at end: Int) {
                var value = value
                for position in stride(from: end, to: end - digits, by: -1) {
                    bytes[position] = UInt8(ascii: "0") + UInt8(value % 10)
                    value /= 10
                }
            }
            put(day.year, digits: 4, at: 3)
            put(day.month, digits: 2, at: 6)
            put(day.day, digits: 2, at: 9)
            put(secondOfDay / 3600, digits: 2, at: 12)
            put(secondOfDay / 60 % 60, digits: 2, at: 15)
            put(secondOfDay % 60, digits: 2, at: 18)
            for (position, separator) in [(4, "-"), (7, "-"), (10, "T"), (13, ":"), (16, ":"), (19, "Z")] as [(Int, Unicode.Scalar)] {
                bytes[position] = UInt8(ascii: separator)
            }
            return 20
        }
    }

    /// `YYYY-MM-DDTHH:MM:SS[.fraction](Z|±HH:MM)`, `t`/`z` or a space accepted too; a bare `YYYY-MM-DD`
    /// means its midnight in UTC.
    public static func parse(_ text: some StringProtocol) -> Date? {
        let bytes = Array(text.utf8)
        guard bytes.count >= 10, let day = IncidentTime.CalendarDate(String(decoding: bytes[0..<10], as: UTF8.self)) else { return nil }
        var seconds = Double(day.daysSinceEpoch) * 86_400
        if bytes.count == 10 { return Date(timeIntervalSince1970: seconds) }
        guard bytes.count >= 20, [UInt8(ascii: "T"), UInt8(ascii: "t"), UInt8(ascii: " ")].contains(bytes[10]),
              bytes[13] == UInt8(ascii: ":"), bytes[16] == UInt8(ascii: ":"),
              let hour = number(bytes[11..<13]), let minute = number(bytes[14..<16]), let second = number(bytes[17..<19]),
              hour < 24, minute < 60, second < 61 else { return nil }
        seconds += Double(hour * 3600 + minute * 60 + second)
        var index = 19
        if bytes[index] == UInt8(ascii: ".") {
            let start = index + 1
            index = start
            while index < bytes.count, bytes[index] >= 48, bytes[index] <= 57 { index += 1 }
            guard index > start, index - start <= 9, let fraction = Double("0." + String(decoding: bytes[start..<index], as: UTF8.self)) else {
                return nil
            }
            seconds += fraction
        }
        guard index < bytes.count else { return nil }
        switch bytes[index] {
        case UInt8(ascii: "Z"), UInt8(ascii: "z"):
            guard index + 1 == bytes.count else { return nil }
        case UInt8(ascii: "+"), UInt8(ascii: "-"):
            guard index + 6 == bytes.count, bytes[index + 3] == UInt8(ascii: ":"),
                  let hours = number(bytes[(index + 1)..<(index + 3)]), let minutes = number(bytes[(index + 4)..<(index + 6)]),
                  hours < 24, minutes < 60 else { return nil }
            let offset = Double(hours * 3600 + minutes * 60)
            seconds += bytes[index] == UInt8(ascii: "+") ? -offset : offset
        default:
            return nil
        }
        return Date(timeIntervalSince1970: seconds)
    }

    private static func number(_ digits: ArraySlice<UInt8>) -> Int? {
        var value = 0
        for digit in digits {
            guard digit >= 48, digit <= 57 else { return nil }
            value = value * 10 + Int(digit - 48)
        }
        return value
    }
}
