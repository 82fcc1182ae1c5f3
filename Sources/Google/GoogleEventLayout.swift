public import CalendarProviders

extension EventLayout {
    /// Where Calendar API v3's `Event` resource keeps each field (discovery document
    /// `Event`): an `events.list` page is stored as Google sent it. Calworker marks its mirrors
    /// with the private extended properties `calworkerMirror: "1"` and `calworkerSource`,
    /// which Google keeps and returns only to this OAuth project.
    public static let google = EventLayout(
        id: ["id"], etag: ["etag"], status: ["status"], summary: ["summary"], startDate: ["start", "date"],
        startDateTime: ["start", "dateTime"], startTimeZone: ["start", "timeZone"], endDate: ["end", "date"],
        endDateTime: ["end", "dateTime"], endTimeZone: ["end", "timeZone"], recurrence: ["recurrence"], seriesID: ["recurringEventId"],
        originalStartDate: ["originalStartTime", "date"], originalStartDateTime: ["originalStartTime", "dateTime"],
        originalStartTimeZone: ["originalStartTime", "timeZone"], transparency: ["transparency"], eventType: ["eventType"],
        updated: ["updated"], mirrorMark: ["extendedProperties", "private", "calworkerMirror"], mirrorMarkValue: "1",
        mirrorSource: ["extendedProperties", "private", "calworkerSource"], iCalUID: ["iCalUID"], location: ["location"],
        visibility: ["visibility"], remindersUseDefault: ["reminders", "useDefault"], attendees: ["attendees"], attendeeIsSelf: ["self"],
        attendeeResponse: ["responseStatus"])
}
