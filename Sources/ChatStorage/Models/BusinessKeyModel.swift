import ChatDomain
import Fluent
import Foundation

/// A business's signing key (`BusinessKey`): an HS256 secret or a public JWK, by `kid`.
/// `@unchecked Sendable`: see `BusinessModel`.
final class BusinessKeyModel: Model, @unchecked Sendable {
    static let schema = "business_keys"

    @ID(custom: "kid", generatedBy: .user) var id: String?
    @Field(key: "business_id") var businessID: UUID
    @Field(key: "algorithm") var algorithm: String
    @OptionalField(key: "secret") var secret: String?
    @OptionalField(key: "jwk") var jwk: String?
    @Field(key: "created_at") var createdAt: Date
    @OptionalField(key: "revoked_at") var revokedAt: Date?

    init() {}

    init(_ key: BusinessKey) {
        id = key.kid
        businessID = key.businessID
        algorithm = key.algorithm
        switch key.material {
        case .hs256(let value): secret = value
        case .publicJWK(let json, _): jwk = json
        }
        createdAt = key.createdAt
        revokedAt = key.revokedAt
    }

    var record: BusinessKey? {
        guard let id else { return nil }
        let material: BusinessKey.Material
        if let secret, algorithm == "HS256" {
            material = .hs256(secret: secret)
        } else if let jwk {
            material = .publicJWK(json: jwk, algorithm: algorithm)
        } else {
            return nil
        }
        return BusinessKey(kid: id, businessID: businessID, material: material, createdAt: createdAt, revokedAt: revokedAt)
    }
}
