import NIOPosix
import Vapor

/// Bcrypt on threads of its own. Hashing a password is meant to be slow (about a quarter of a second
/// of one core), so a flood of sign-ins queues here, on at most half the machine's cores, and never
/// takes the threads the store's connections run their statements on.
final class PasswordHasher: Sendable {
    /// Bcrypt reads no more than 72 bytes of a password; a longer one never matches and is never set.
    static let maximumBytes = 72

    private let threads: NIOThreadPool

    init(threads count: Int = max(1, System.coreCount / 2)) {
        threads = NIOThreadPool(numberOfThreads: count)
        threads.start()
    }

    func hash(_ password: String) async throws -> String {
        try await threads.runIfActive { try Bcrypt.hash(password) }
    }

    /// Whether `password` is the one `hash` was made from. A password longer than Bcrypt reads is not.
    func verify(_ password: String, against hash: String) async throws -> Bool {
        guard password.utf8.count <= Self.maximumBytes else { return false }
        return try await threads.runIfActive { (try? Bcrypt.verify(password, created: hash)) ?? false }
    }

    func shutdown() async {
        try? await threads.shutdownGracefully()
    }
}
