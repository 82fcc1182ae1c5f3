public import Configuration
public import Foundation

/// Where the job definitions are (`CALWORKER_JOBS_DIR`, default `jobs`) and the zone their
/// schedules are read in (`CALWORKER_SCHEDULE_TIME_ZONE`, default UTC).
public struct ScheduleSettings: ConfigurationSection {
    public var jobsDirectory = "jobs"
    public var timeZoneName = "UTC"
    public var timeZone: TimeZone { TimeZone(identifier: timeZoneName) ?? .gmt }

    public init() {}

    public init(reading reader: inout ConfigurationReader) throws(ConfigurationError) {
        timeZoneName = try reader.string("CALWORKER_SCHEDULE_TIME_ZONE", default: timeZoneName)
        guard TimeZone(identifier: timeZoneName) != nil else {
            throw ConfigurationError(
                name: "CALWORKER_SCHEDULE_TIME_ZONE", message: "'\(timeZoneName)' is not a time zone like UTC or Europe/Berlin")
        }
        jobsDirectory = try reader.string("CALWORKER_JOBS_DIR", default: jobsDirectory)
    }
}
