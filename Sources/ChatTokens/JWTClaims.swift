import ChatDomain
import Foundation
import JWTKit

/// The contract's claims: `sub`, `role`, `business` (absent for a platform admin), `exp`, `iat`.
struct JWTClaims: JWTPayload, Equatable {
    var sub: SubjectClaim
    var role: Role
    var business: UUID?
    var exp: ExpirationClaim
    var iat: IssuedAtClaim

    private enum CodingKeys: String, CodingKey { case sub, role, business, exp, iat }

    /// Ids are written in lowercase, as everywhere in the API.
    func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(sub, forKey: .sub)
        try c.encode(role, forKey: .role)
        try c.encodeIfPresent(business?.lowercasedText, forKey: .business)
        try c.encode(exp, forKey: .exp)
        try c.encode(iat, forKey: .iat)
    }

    func verify(using algorithm: some JWTAlgorithm) async throws {
        try exp.verifyNotExpired()
        guard UUID(uuidString: sub.value) != nil else { throw JWTError.claimVerificationFailure(failedClaim: sub, reason: "sub is not a UUID") }
        if role != .admin, business == nil {
            throw JWTError.claimVerificationFailure(failedClaim: nil, reason: "business claim missing")
        }
    }

    var claims: TokenClaims { TokenClaims(subject: sub.value, role: role, business: business) }
}

/// What a merchant's backend signs with the business's identity secret to prove a customer.
struct CustomerClaims: JWTPayload {
    var sub: SubjectClaim
    var exp: ExpirationClaim

    func verify(using algorithm: some JWTAlgorithm) async throws {
        try exp.verifyNotExpired()
    }
}
