public import Configuration
public import Crypto

/// `CALWORKER_TOKEN_KEY` (base64 of 32 random bytes) encrypts OAuth tokens and passwords at
/// rest; `CALWORKER_TOKEN_KEY_PREVIOUS` lists earlier keys, comma-separated, still accepted
/// for decryption until `calworker accounts rotate-key` has re-encrypted every token.
public struct TokenKeySettings: ConfigurationSection {
    public var key = ""
    public var previous = ""

    public init() {}

    /// Reads the keys without judging them: a bad key stops only the commands that need tokens
    /// (`cipher()`), so an operator can still look around.
    public init(reading reader: inout ConfigurationReader) throws(ConfigurationError) {
        key = try reader.secret("CALWORKER_TOKEN_KEY")
        previous = try reader.secret("CALWORKER_TOKEN_KEY_PREVIOUS")
    }

    /// The cipher these keys make; nil without a key.
    public func cipher() throws(ConfigurationError) -> TokenCipher? {
        guard !key.isEmpty else { return nil }
        do {
            let earlier = try previous.split(separator: ",").map { text throws(CryptoError) in try TokenCipher.Key(base64: String(text)) }
            return TokenCipher(current: try TokenCipher.Key(base64: key), previous: earlier)
        } catch {
            throw ConfigurationError(name: "CALWORKER_TOKEN_KEY or CALWORKER_TOKEN_KEY_PREVIOUS", message: error.message)
        }
    }
}
