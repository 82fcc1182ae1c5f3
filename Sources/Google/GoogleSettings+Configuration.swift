public import Configuration

extension GoogleSettings: ConfigurationSection {
    /// `CALWORKER_GOOGLE_*`: the API and token endpoints (the emulator's locally), the OAuth
    /// client, and the request budgets below Google's own limits (600 a minute per user,
    /// 10,000 per project).
    public init(reading reader: inout ConfigurationReader) throws(ConfigurationError) {
        self.init(
            apiURL: try reader.string("CALWORKER_GOOGLE_API_URL", default: "https://www.googleapis.com/calendar/v3"),
            tokenURL: try reader.string("CALWORKER_GOOGLE_TOKEN_URL", default: "https://oauth2.googleapis.com/token"),
            clientID: try reader.string("CALWORKER_GOOGLE_CLIENT_ID"),
            clientSecret: try reader.secret("CALWORKER_GOOGLE_CLIENT_SECRET"),
            requestsPerMinute: try reader.integer("CALWORKER_GOOGLE_REQUESTS_PER_MINUTE", default: 500, in: 1...6000))
        projectRequestsPerMinute = try reader.integer(
            "CALWORKER_GOOGLE_PROJECT_REQUESTS_PER_MINUTE", default: projectRequestsPerMinute, in: 0...1_000_000)
    }
}
