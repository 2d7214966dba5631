package org.medfl.common.secagg;

/**
 * Stage 1, one sealed envelope from site {@code from} to site {@code to}, which the server routes without being able
 * to read: AES-GCM of (from, to, share x-coordinate, share of from's self-mask seed b, share of from's masking key s).
 *
 * @param from the sending site
 * @param to the recipient site
 * @param ciphertext 12-byte nonce, then the AES-256-GCM ciphertext and tag; not copied
 */
public record EncryptedShareFor(String from, String to, byte[] ciphertext) {
  private static final int TAG = 0x52;

  /** The deterministic encoding, for a protobuf {@code bytes} field. */
  public byte[] toBytes() {
    return new Wire.Writer(TAG).string(from).string(to).bytes(ciphertext).toBytes();
  }

  /** Decodes {@link #toBytes()}; a {@link SecAggException} if malformed. */
  public static EncryptedShareFor fromBytes(byte[] bytes) {
    Wire.Reader in = new Wire.Reader(bytes, TAG, "encrypted share");
    EncryptedShareFor message = new EncryptedShareFor(in.string(), in.string(), in.bytes());
    in.end();
    return message;
  }
}
