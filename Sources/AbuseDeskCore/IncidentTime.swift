import Foundation

/// When an incident happened: a calendar date, a time of day and the UTC offset they were given in.
public struct IncidentTime: Sendable, Hashable, Codable {
    /// `YYYY-MM-DD`
    public var date: String
    /// `HH:mm:ss`
    public var time: String
    /// `+HH:MM` or `Z`
    public var timeZone: String
    /// The moment itself.
    public var instant: Date

    public init(date: String, time: String, timeZone: String, instant: Date) {
        self.date = date
        self.time = time
        self.timeZone = timeZone
        self.instant = instant
    }

    /// A calendar date `YYYY-MM-DD` that exists (no 2021-02-30), from 1970 on.
    public struct CalendarDate: Sendable, Hashable {
        public let year: Int, month: Int, day: Int

        public init?(_ text: some StringProtocol) {
            let bytes = Array(text.utf8)
            guard bytes.count == 10, bytes[4] == UInt8(ascii: "-"), bytes[7] == UInt8(ascii: "-"),
                  let year = Self.number(bytes[0..<4]), let month = Self.number(bytes[5..<7]), let day = Self.number(bytes[8..<10]),
                  year >= 1970, (1...12).contains(month), day >= 1, day <= Self.daysIn(month: month, year: year)
            else { return nil }
            (self.year, self.month, self.day) = (year, month, day)
        }

        /// Whether the text has the shape of a date, even if the date does not exist.
        public static func hasDateShape(_ text: some StringProtocol) -> Bool {
            let bytes = Array(text.utf8)
            return bytes.count == 10 && bytes[4] == UInt8(ascii: "-") && bytes[7] == UInt8(ascii: "-")
                && number(bytes[0..<4]) != nil && number(bytes[5..<7]) != nil && number(bytes[8..<10]) != nil
        }

        static let monthNames = ["January", "February", "March", "April", "May", "June", "July", "August",
                                 "September", "October", "November", "December"]

        /// Why `text` is not an acceptable date, or `nil` when it is one.
        public static func problem(with text: some StringProtocol) -> String? {
            guard hasDateShape(text) else { return "is not in the form YYYY-MM-DD" }
            let bytes = Array(text.utf8)
            guard let year = number(bytes[0..<4]), let month = number(bytes[5..<7]), let day = number(bytes[8..<10]) else {
                return "is not in the form YYYY-MM-DD"
            }
            if !(1...12).contains(month) { return "does not exist: there is no month \(month)" }
            if day < 1 || day > daysIn(month: month, year: year) {
                return "does not exist: \(monthNames[month - 1]) \(year) has \(daysIn(month: month, year: year)) days"
            }
            if year < 1970 { return "is before 1970" }
            return nil
        }

        static func number(_ bytes: ArraySlice<UInt8>) -> Int? {
            var value = 0
            for byte in bytes {
                guard byte >= UInt8(ascii: "0"), byte <= UInt8(ascii: "9") else { return nil }
                value = value * 10 + Int(byte - UInt8(ascii: "0"))
            }
            return value
        }

        static func daysIn(month: Int, year: Int) -> Int {
            switch month {
            case 2: (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 ? 29 : 28
            case 4, 6, 9, 11: 30
            default: 31
            }
        }

        /// Days since 1970-01-01 (H. Hinnant's days-from-civil).
        public var daysSinceEpoch: Int {
            let y = month <= 2 ? year - 1 : year
            let era = (y >= 0 ? y : y - 399) / 400
            let yearOfEra = y - era * 400
            let dayOfYear = (153 * (month + (month > 2 ? -3 : 9)) + 2) / 5 + day - 1
            let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
            return era * 146_097 + dayOfEra - 719_468
        }

        init(uncheckedYear year: Int, month: Int, day: Int) {
            (self.year, self.month, self.day) = (year, month, day)
        }

        /// The date `days` after 1970-01-01 (H. Hinnant's civil-from-days).
        public static func from(daysSinceEpoch days: Int) -> CalendarDate {
            let z = days + 719_468
            let era = (z >= 0 ? z : z - 146_096) / 146_097
            let dayOfEra = z - era * 146_097
            let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365
            let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
            let mp = (5 * dayOfYear + 2) / 153
            let day = dayOfYear - (153 * mp + 2) / 5 + 1
            let month = mp < 10 ? mp + 3 : mp - 9
            return CalendarDate(uncheckedYear: yearOfEra + era * 400 + (month <= 2 ? 1 : 0), month: month, day: day)
        }

        public var description: String {
            padded(year, 4) + "-" + padded(month, 2) + "-" + padded(day, 2)
        }
    }

    /// A 24-hour time of day, `HH:mm:ss` or `HH:mm`.
    public struct TimeOfDay: Sendable, Hashable {
        public let hour: Int, minute: Int, second: Int

        public init?(_ text: some StringProtocol) {
            let bytes = Array(text.utf8)
            guard bytes.count == 5 || bytes.count == 8, bytes[2] == UInt8(ascii: ":"),
                  let hour = CalendarDate.number(bytes[0..<2]), let minute = CalendarDate.number(bytes[3..<5]),
                  hour < 24, minute < 60
            else { return nil }
            var second = 0
            if bytes.count == 8 {
                guard bytes[5] == UInt8(ascii: ":"), let value = CalendarDate.number(bytes[6..<8]), value < 60 else { return nil }
                second = value
            }
            (self.hour, self.minute, self.second) = (hour, minute, second)
        }

        public var secondsIntoDay: Int { hour * 3600 + minute * 60 + second }
        public var description: String { padded(hour, 2) + ":" + padded(minute, 2) + ":" + padded(second, 2) }
    }

    /// A UTC offset: `Z`, `+HH:MM`, `+HHMM` or `+HH`, from -12:00 to +14:00.
    public struct UTCOffset: Sendable, Hashable {
        public let seconds: Int

        public static let range = -12 * 3600...14 * 3600

        public init?(_ text: some StringProtocol) {
            guard let seconds = Self.parse(text), Self.range.contains(seconds) else { return nil }
            self.seconds = seconds
        }

        /// The offset in seconds if the text has the shape of one, even out of range.
        public static func parse(_ text: some StringProtocol) -> Int? {
            if text == "Z" || text == "z" { return 0 }
            let bytes = Array(text.utf8)
            guard let sign = bytes.first, sign == UInt8(ascii: "+") || sign == UInt8(ascii: "-") else { return nil }
            let digits: ArraySlice<UInt8>
            switch bytes.count {
            case 3, 5: digits = bytes[1...]
            case 6 where bytes[3] == UInt8(ascii: ":"): digits = bytes[1..<3] + bytes[4..<6]
            default: return nil
            }
            guard let hours = CalendarDate.number(digits.prefix(2)) else { return nil }
            var minutes = 0
            if digits.count == 4 {
                guard let value = CalendarDate.number(digits.suffix(2)), value < 60 else { return nil }
                minutes = value
            }
            let magnitude = hours * 3600 + minutes * 60
            return sign == UInt8(ascii: "-") ? -magnitude : magnitude
        }

        public var description: String {
            if seconds == 0 { return "+00:00" }
            let magnitude = abs(seconds)
            return (seconds < 0 ? "-" : "+") + padded(magnitude / 3600, 2) + ":" + padded(magnitude % 3600 / 60, 2)
        }
    }

    public init(date: CalendarDate, time: TimeOfDay, offset: UTCOffset) {
        let local = date.daysSinceEpoch * 86_400 + time.secondsIntoDay
        self.init(date: date.description, time: time.description, timeZone: offset.description,
                  instant: Date(timeIntervalSince1970: TimeInterval(local - offset.seconds)))
    }
}

/// `value` in decimal with leading zeros to `width` digits.
func padded(_ value: Int, _ width: Int) -> String {
    let digits = String(value)
    return digits.count >= width ? digits : String(repeating: "0", count: width - digits.count) + digits
}
