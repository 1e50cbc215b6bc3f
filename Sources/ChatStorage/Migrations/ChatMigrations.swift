import Fluent

/// Every migration, in order: the server applies the pending ones at boot (or `livechat migrate`).
package enum ChatMigrations {
    package static let all: [any Migration] = [
        Migration001CreateTenancy(), Migration002CreateSessions(), Migration003CreateMessages(), Migration004AgentSide(),
        Migration005AttachmentChunks(), Migration006LoginFailures(), Migration007Presence(), Migration008FeedNumbers(),
        Migration009BusinessKeys(), Migration010Revocations(), Migration011MerchantSettings(),
        Migration012CannedResponses(), Migration013Ratings(), Migration014Search(), Migration015Webhooks(), Migration016LastSeq(),
    ]
}
