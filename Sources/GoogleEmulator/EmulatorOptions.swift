/// Switches for behaviour Google shows only sometimes, off by default so plain tests are
/// simple, on when a test wants to prove the client copes.
public struct EmulatorOptions: Sendable, Equatable {
    /// The token endpoint returns a new `refresh_token` with each refresh (Google may rotate
    /// refresh tokens). The old one stays valid too.
    public var rotateRefreshTokens = false
    /// Pages of `events.list` and `calendarList.list` are randomly shorter than `maxResults`,
    /// sometimes empty while still carrying a `nextPageToken`: Google documents that a page
    /// "may be less than this value, or none at all, even if there are more events".
    public var shortPages = false
    /// Seed of the short-page sizes, so a failing run can be repeated.
    public var shortPagesSeed: UInt64 = 1
    /// Seconds an access token lives (`expires_in`); Google's is 3599.
    public var accessTokenLifetime = 3599
    /// Google's per-user quota: more API requests than this from one account within any 60
    /// seconds are answered 403 `userRateLimitExceeded`. 0 (the default) means no limit.
    /// Google's default is 600.
    public var userRequestsPerMinute = 0
    /// Google's per-project quota: more API requests than this from all accounts together
    /// within any 60 seconds are answered 403 `rateLimitExceeded`. 0 (the default) means no
    /// limit. Counted in one-second buckets, so a high limit stays cheap.
    public var projectRequestsPerMinute = 0

    /// Longest life a watch channel is granted, in seconds: a longer (or no) requested
    /// expiration is cut to now plus this. Google's default for Calendar is 604800 (7 days).
    public var channelLifetimeSeconds = 604_800
    /// Probability (0 to 1) that a push message is silently lost, as notifications sometimes
    /// are: its number is used up and it is never sent. Drawn reproducibly from `pushSeed`.
    public var pushDropRate = 0.0
    /// Seed of the drop draws, so a failing run can be repeated.
    public var pushSeed: UInt64 = 1
    /// Milliseconds every push message waits before its first delivery attempt (Google's
    /// notifications arrive seconds after the change, not at once).
    public var pushDelayMillis = 0
    /// Milliseconds before the first redelivery of a message its receiver failed with 5xx (or
    /// could not be reached); each further one waits twice as long.
    public var pushRetryBaseMillis = 1000
    /// Delivery attempts per message, the first included, before it is given up.
    public var pushMaxAttempts = 8

    public init(
        rotateRefreshTokens: Bool = false, shortPages: Bool = false, shortPagesSeed: UInt64 = 1,
        accessTokenLifetime: Int = 3599
    ) {
        self.rotateRefreshTokens = rotateRefreshTokens
        self.shortPages = shortPages
        self.shortPagesSeed = shortPagesSeed
        self.accessTokenLifetime = accessTokenLifetime
    }

    var json: JSONValue {
        .object([
            "rotateRefreshTokens": .bool(rotateRefreshTokens), "shortPages": .bool(shortPages),
            "shortPagesSeed": .int(Int64(bitPattern: shortPagesSeed)), "accessTokenLifetime": .int(Int64(accessTokenLifetime)),
            "userRequestsPerMinute": .int(Int64(userRequestsPerMinute)), "projectRequestsPerMinute": .int(Int64(projectRequestsPerMinute)),
            "channelLifetimeSeconds": .int(Int64(channelLifetimeSeconds)), "pushDropRate": .double(pushDropRate),
            "pushSeed": .int(Int64(bitPattern: pushSeed)), "pushDelayMillis": .int(Int64(pushDelayMillis)),
            "pushRetryBaseMillis": .int(Int64(pushRetryBaseMillis)), "pushMaxAttempts": .int(Int64(pushMaxAttempts)),
        ])
    }

    /// Applies the keys present in an admin request body; the others keep their value.
    mutating func apply(_ object: [String: JSONValue]) throws(GoogleAPIError) {
        for (key, value) in object {
            switch key {
            case "rotateRefreshTokens": rotateRefreshTokens = try Self.bool(value, key)
            case "shortPages": shortPages = try Self.bool(value, key)
            case "shortPagesSeed":
                guard let seed = value.int else { throw .invalid("shortPagesSeed must be an integer") }
                shortPagesSeed = UInt64(bitPattern: seed)
            case "userRequestsPerMinute":
                guard let limit = value.int, limit >= 0 else { throw .invalid("userRequestsPerMinute must be 0 (off) or a positive integer") }
                userRequestsPerMinute = Int(limit)
            case "projectRequestsPerMinute": projectRequestsPerMinute = try Self.int(value, key, atLeast: 0)
            case "channelLifetimeSeconds": channelLifetimeSeconds = try Self.int(value, key, atLeast: 1)
            case "pushDropRate":
                guard let rate = value.double, (0...1).contains(rate) else { throw .invalid("pushDropRate must be a number from 0 to 1") }
                pushDropRate = rate
            case "pushSeed":
                guard let seed = value.int else { throw .invalid("pushSeed must be an integer") }
                pushSeed = UInt64(bitPattern: seed)
            case "pushDelayMillis": pushDelayMillis = try Self.int(value, key, atLeast: 0)
            case "pushRetryBaseMillis": pushRetryBaseMillis = try Self.int(value, key, atLeast: 1)
            case "pushMaxAttempts": pushMaxAttempts = try Self.int(value, key, atLeast: 1)
            case "accessTokenLifetime":
                guard let seconds = value.int, seconds > 0 else { throw .invalid("accessTokenLifetime must be a positive integer") }
                accessTokenLifetime = Int(seconds)
            default: throw .invalid("unknown option \(key)")
            }
        }
    }

    private static func int(_ value: JSONValue, _ key: String, atLeast minimum: Int) throws(GoogleAPIError) -> Int {
        guard let number = value.int, number >= minimum, number <= Int64(Int32.max) else {
            throw .invalid("\(key) must be an integer of at least \(minimum)")
        }
        return Int(number)
    }

    private static func bool(_ value: JSONValue, _ key: String) throws(GoogleAPIError) -> Bool {
        guard let flag = value.bool else { throw .invalid("\(key) must be true or false") }
        return flag
    }
}

/// A small deterministic generator (SplitMix64): faults and short pages repeat for a seed.
struct SplitMix64: RandomNumberGenerator, Sendable {
    private var state: UInt64

    init(seed: UInt64) { state = seed }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var value = state
        value = (value ^ (value >> 30)) &* 0xBF58_476D_1CE4_E5B9
        value = (value ^ (value >> 27)) &* 0x94D0_49BB_1331_11EB
        return value ^ (value >> 31)
    }

    /// Uniform in [0, 1).
    mutating func unit() -> Double { Double(next() >> 11) / Double(1 << 53) }
}
