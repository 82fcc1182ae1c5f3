import Foundation
import Push
import Testing

/// The channel rules without Google or a database: what to create, renew, stop and expire.
struct ChannelPlannerTests {
    let now = Date(timeIntervalSince1970: 1_800_000_000)
    let day: TimeInterval = 86_400

    func channel(
        _ id: String, _ resource: PushChannel.Resource, expiresIn: TimeInterval?, state: PushChannel.State = .active,
        resourceID: String? = "r", age: TimeInterval = 60
    ) -> PushChannel {
        PushChannel(
            channelID: id, accountID: 1, resource: resource, resourceID: resourceID, state: state,
            expiresAt: expiresIn.map { now.addingTimeInterval($0) }, createdAt: now.addingTimeInterval(-age))
    }

    @Test func everyDesiredResourceWithoutAChannelGetsOne() {
        let plan = ChannelPlan.plan(
            desired: [.calendarList, .events(calendarID: "a"), .events(calendarID: "b")], channels: [],
            now: now, renewBefore: day)
        #expect(Set(plan.creates.keys) == [.calendarList, .events(calendarID: "a"), .events(calendarID: "b")])
        #expect(plan.creates.values.allSatisfy { $0.isEmpty })
        #expect(plan.stops.isEmpty && plan.expired.isEmpty)
    }

    @Test func aHealthyChannelIsKeptAndNothingHappens() {
        let plan = ChannelPlan.plan(
            desired: [.events(calendarID: "a")], channels: [channel("c1", .events(calendarID: "a"), expiresIn: 5 * day)],
            now: now, renewBefore: day)
        #expect(plan.isEmpty)
    }

    @Test func aChannelCloseToItsExpiryIsReplacedAndStoppedOnlyAfterItsSuccessor() {
        let old = channel("c1", .events(calendarID: "a"), expiresIn: day / 2)
        let plan = ChannelPlan.plan(desired: [.events(calendarID: "a")], channels: [old], now: now, renewBefore: day)
        #expect(plan.creates[.events(calendarID: "a")] == [old], "the old one is stopped after the new one exists")
        #expect(plan.stops.isEmpty, "nothing is stopped before its successor exists")
    }

    @Test func channelsOfResourcesNoLongerWantedAreStopped() {
        let excluded = channel("c1", .events(calendarID: "gone"), expiresIn: 5 * day)
        let list = channel("c2", .calendarList, expiresIn: 5 * day)
        let plan = ChannelPlan.plan(desired: [], channels: [excluded, list], now: now, renewBefore: day)
        #expect(plan.stops.map(\.channelID) == ["c1", "c2"])
        #expect(plan.creates.isEmpty)
    }

    @Test func expiredChannelsAreRecordedNotStoppedAndTheirResourceGetsANewOne() {
        let expired = channel("c1", .events(calendarID: "a"), expiresIn: -10)
        let plan = ChannelPlan.plan(desired: [.events(calendarID: "a")], channels: [expired], now: now, renewBefore: day)
        #expect(plan.expired == [expired])
        #expect(plan.stops.isEmpty)
        #expect(plan.creates[.events(calendarID: "a")] == [])
    }

    @Test func ofTwoLiveChannelsForOneResourceTheLongerLivedStays() {
        let older = channel("c1", .events(calendarID: "a"), expiresIn: 3 * day)
        let newer = channel("c2", .events(calendarID: "a"), expiresIn: 6 * day)
        let plan = ChannelPlan.plan(desired: [.events(calendarID: "a")], channels: [older, newer], now: now, renewBefore: day)
        #expect(plan.stops == [older])
        #expect(plan.creates.isEmpty)
    }

    @Test func aPendingChannelLeftByAKilledRunIsStoppedWhenItsResourceIsKnownAndFailedOtherwise() {
        let named = channel("c1", .events(calendarID: "a"), expiresIn: nil, state: .pending, resourceID: "r1", age: 3600)
        let unnamed = channel("c2", .events(calendarID: "b"), expiresIn: nil, state: .pending, resourceID: nil, age: 3600)
        let fresh = channel("c3", .calendarList, expiresIn: nil, state: .pending, resourceID: nil, age: 5)
        let plan = ChannelPlan.plan(
            desired: [.calendarList, .events(calendarID: "a"), .events(calendarID: "b")],
            channels: [named, unnamed, fresh], now: now, renewBefore: day)
        #expect(plan.stops == [named])
        #expect(plan.abandoned == [unnamed])
        #expect(Set(plan.creates.keys) == [.events(calendarID: "a"), .events(calendarID: "b")], "a fresh pending channel counts as on its way")
    }

    @Test func aChannelGoogleStillSendsOnAfterItsStopIsStoppedAgain() {
        let stopping = channel("c1", .events(calendarID: "a"), expiresIn: 5 * day, state: .stopping)
        let unnamed = channel("c2", .events(calendarID: "a"), expiresIn: 5 * day, state: .stopping, resourceID: nil)
        let live = channel("c3", .events(calendarID: "a"), expiresIn: 5 * day)
        let plan = ChannelPlan.plan(desired: [.events(calendarID: "a")], channels: [stopping, unnamed, live], now: now, renewBefore: day)
        #expect(plan.stops == [stopping] && plan.abandoned == [unnamed] && plan.creates.isEmpty)
    }

    @Test func aResourceGoogleRefusedWaitsBeforeTheNextTryUnlessItsChannelIsExpiring() {
        let expiring = channel("c1", .events(calendarID: "b"), expiresIn: day / 2)
        let plan = ChannelPlan.plan(
            desired: [.events(calendarID: "a"), .events(calendarID: "b"), .calendarList], channels: [expiring],
            now: now, renewBefore: day, failed: [.events(calendarID: "a"), .events(calendarID: "b")])
        #expect(
            Set(plan.creates.keys) == [.calendarList, .events(calendarID: "b")],
            "a refused resource is not asked for again at once; one whose channel runs out still is")
    }

    @Test func endedChannelsAreIgnored() {
        let stopped = channel("c1", .events(calendarID: "a"), expiresIn: 5 * day, state: .stopped)
        let plan = ChannelPlan.plan(desired: [], channels: [stopped], now: now, renewBefore: day)
        #expect(plan.isEmpty)
    }
}
