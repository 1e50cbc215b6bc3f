import Foundation

/// A key a business signs its own agents' tokens with, never the server's secret: an HS256
/// secret the server generated (shown once), or the public half of the business's RS256 / ES256
/// key (a JWK). Tokens it signs carry its `kid` and can only be agent tokens of its business.
package struct BusinessKey: Sendable, Equatable {
    package enum Material: Sendable, Equatable {
        case hs256(secret: String)
        /// A public JWK (JSON) and its algorithm, `RS256` or `ES256`.
        case publicJWK(json: String, algorithm: String)
    }

    package var kid: String
    package var businessID: UUID
    package var material: Material
    package var createdAt: Date
    package var revokedAt: Date?

    package init(kid: String, businessID: UUID, material: Material, createdAt: Date = WireTime.now(), revokedAt: Date? = nil) {
        self.kid = kid
        self.businessID = businessID
        self.material = material
        self.createdAt = createdAt
        self.revokedAt = revokedAt
    }

    package var algorithm: String {
        switch material {
        case .hs256: "HS256"
        case .publicJWK(_, let algorithm): algorithm
        }
    }
}
