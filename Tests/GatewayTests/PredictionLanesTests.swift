import Domain
import Testing

@testable import GatewayService

/// How a batch is cut for scoring: whole users per lane, each user's rows in arrival order, lanes of about the
/// chunk size (so a batch of many users keeps its parallelism).
@Suite struct PredictionLanesTests {
    private func items(_ users: [String]) -> [PredictionItem] {
        users.enumerated().map { index, user in
            PredictionItem(
                transaction: Transaction(
                    transactionID: "t\(index)", userID: user, timestampMillis: Int64(index) * 1000, amount: 1),
                requestID: "r")
        }
    }

    private func ids(_ lanes: [[[PredictionItem]]]) -> [[[String]]] {
        lanes.map { $0.map { $0.map(\.transaction.transactionID) } }
    }

    @Test func aUsersRowsStayInOneLaneInArrivalOrder() {
        // a b a c b a: a = t0 t2 t5, b = t1 t4, c = t3.
        let lanes = PredictionPipeline.lanes(items(["a", "b", "a", "c", "b", "a"]), chunkSize: 3)
        #expect(ids(lanes) == [[["t0", "t2", "t5"]], [["t1", "t4", "t3"]]])
    }

    @Test func manyUsersKeepAboutCountOverChunkSizeLanes() {
        // 1,000 users with 2 rows each, interleaved: 2,000 rows in lanes of 100 rows (50 users each) → 20 lanes.
        let users = (0..<2000).map { "u\($0 % 1000)" }
        let lanes = PredictionPipeline.lanes(items(users), chunkSize: 100)
        #expect(lanes.count == 20)
        #expect(lanes.allSatisfy { $0.count == 1 && $0[0].count == 100 })
        let all = lanes.flatMap { $0.flatMap { $0 } }
        #expect(all.count == 2000)
        #expect(Set(all.map(\.transaction.transactionID)).count == 2000, "every row exactly once")
        // No user in two lanes.
        var laneOfUser: [String: Int] = [:]
        for (index, lane) in lanes.enumerated() {
            for item in lane.flatMap({ $0 }) {
                #expect(laneOfUser.updateValue(index, forKey: item.transaction.userID) ?? index == index)
            }
        }
    }

    @Test func aUserLargerThanAChunkIsScoredChunkAfterChunkInOneLane() {
        let users = ["big", "small"] + Array(repeating: "big", count: 6)
        let lanes = PredictionPipeline.lanes(items(users), chunkSize: 3)
        // big (7 rows) fills one lane cut into chunks of 3, 3, 1; small gets its own lane.
        #expect(ids(lanes) == [[["t0", "t2", "t3"], ["t4", "t5", "t6"], ["t7"]], [["t1"]]])
        #expect(PredictionPipeline.lanes([], chunkSize: 3).isEmpty)
    }
}
