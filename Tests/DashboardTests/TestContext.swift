import Auth
import Hummingbird

/// A request context for naming the generic routes type in tests.
struct TestContext: PrincipalRequestContext {
    var coreContext: CoreRequestContextStorage
    var principal: Principal?
    var requestID = "test"

    init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
    }
}
