import Testing

@testable import Console

/// The overview's shared snapshot: read once while it lasts, again after an action cleared it
/// or once it expired.
@Suite struct SharedSnapshotTests {
    @Test func aSnapshotIsReadOncePerLifetimeAndAgainAfterAClear() {
        var reads = 0
        func read() -> Int {
            reads += 1
            return reads
        }
        let lasting = SharedSnapshot<Int>(lifetime: .seconds(3600))
        #expect(lasting.value(read) == 1 && lasting.value(read) == 1 && reads == 1, "many viewers, one read")
        lasting.clear()
        #expect(lasting.value(read) == 2, "an action's effect shows at once")
        let expired = SharedSnapshot<Int>(lifetime: .zero)
        #expect(expired.value(read) == 3 && expired.value(read) == 4, "an expired snapshot is read again")
    }

    @Test func whileOneViewerReadsTheOthersGetTheValueBefore() {
        let snapshot = SharedSnapshot<Int>(lifetime: .zero)
        #expect(snapshot.value { 1 } == 1)
        let inner = snapshot.value { () -> Int in
            // A second viewer arriving while this read runs: no second read, the value before.
            #expect(
                snapshot.value {
                    Issue.record("a second read ran at once")
                    return -1
                } == 1)
            return 2
        }
        #expect(inner == 2 && snapshot.value { 3 } == 3)
    }

    @Test func aFailedReadKeepsNothing() {
        struct Down: Error {}
        let snapshot = SharedSnapshot<Int>(lifetime: .seconds(3600))
        #expect(throws: Down.self) { try snapshot.value { throw Down() } }
        #expect(snapshot.value { 7 } == 7, "the next viewer reads afresh")
    }
}
