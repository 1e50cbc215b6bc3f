import ChatDomain
import Foundation
import JWTKit

/// The contract's claims: `sub`, `role`, `business` (absent for a platform admin), `exp`, `iat`,
/// and `nbf` when the signer sets one.
struct JWTClaims: JWTPayload, Equatable {
    /// How far ahead of this server's clock an `iat` may be (the signer's clock runs ahead).
    static let clockSkew: TimeInterval = 60

    var sub: SubjectClaim
    var role: Role
    var business: UUID?
    var exp: ExpirationClaim
    var iat: IssuedAtClaim
    var nbf: NotBeforeClaim?
    var jti: IDClaim?
    /// Checked on tokens of a JWKS file's keys (`JWTTokenService`), never written by this server.
    var iss: IssuerClaim?
    var aud: AudienceClaim?

    private enum CodingKeys: String, CodingKey { case sub, role, business, exp, iat, nbf, jti, iss, aud }

    /// Ids are written in lowercase, as everywhere in the API.
    func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(sub, forKey: .sub)
        try c.encode(role, forKey: .role)
        try c.encodeIfPresent(business?.lowercasedText, forKey: .business)
        try c.encode(exp, forKey: .exp)
        try c.encode(iat, forKey: .iat)
        try c.encodeIfPresent(jti, forKey: .jti)
    }

    /// The last second of year 9999: a later `exp` cannot be stored (PostgreSQL's timestamps
    /// are microseconds in 64 bits) and is refused, not clamped.
    static let latestTime = Date(timeIntervalSince1970: 253_402_300_799)

    func verify(using algorithm: some JWTAlgorithm) async throws {
        let now = Date()
        try exp.verifyNotExpired(currentDate: now)
        guard exp.value <= Self.latestTime, iat.value.timeIntervalSince1970 >= 0, (nbf?.value ?? now) <= Self.latestTime else {
            throw JWTError.claimVerificationFailure(failedClaim: exp, reason: "times must fall between 1970 and 9999")
        }
        // RFC 7519 §4.1.5 and §4.1.6: not before `nbf`, and not issued in the future.
        try nbf?.verifyNotBefore(currentDate: now)
        guard iat.value <= now.addingTimeInterval(Self.clockSkew) else {
            throw JWTError.claimVerificationFailure(failedClaim: iat, reason: "issued in the future")
        }
        if let jti, jti.value.isEmpty || jti.value.utf8.count > 200 || jti.value.utf8.contains(0) {
            throw JWTError.claimVerificationFailure(failedClaim: jti, reason: "jti must hold 1 to 200 bytes, no NUL")
        }
        guard UUID(text: sub.value) != nil else { throw JWTError.claimVerificationFailure(failedClaim: sub, reason: "sub is not a UUID") }
        if role != .admin, business == nil {
            throw JWTError.claimVerificationFailure(failedClaim: nil, reason: "business claim missing")
        }
    }

    var claims: TokenClaims { TokenClaims(subject: sub.value, role: role, business: business, expiresAt: exp.value, tokenID: jti?.value) }
}

/// What a merchant's backend signs with the business's identity secret to prove a customer.
struct CustomerClaims: JWTPayload {
    var sub: SubjectClaim
    var exp: ExpirationClaim

    func verify(using algorithm: some JWTAlgorithm) async throws {
        try exp.verifyNotExpired()
        guard !sub.value.utf8.contains(0) else { throw JWTError.claimVerificationFailure(failedClaim: sub, reason: "sub holds NUL") }
    }
}
