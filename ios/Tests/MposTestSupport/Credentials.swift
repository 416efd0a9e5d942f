/// A phone user as the merchant administrator created it, with what the user was sent.
public struct Credentials {
    /// The account name (from the activation e-mail).
    public let username: String
    /// The default password (from the activation e-mail).
    public let defaultPassword: String
    /// The activation code (from the SMS).
    public let activationCode: String
}
