package org.medfl.common.secagg;

/**
 * Stage 0, site to server to every site: a site's two X25519 public keys for one round, signed with its certificate
 * key. Byte arrays are not copied; do not change them after construction.
 *
 * @param jobId the job
 * @param round the round
 * @param site the sending site's name, as in its certificate
 * @param cPublicKey the encryption key c (raw X25519, 32 bytes), used to encrypt shares to this site
 * @param sPublicKey the masking key s (raw X25519, 32 bytes), used to agree on pairwise masks with this site
 * @param signature SHA256withECDSA by the site's certificate key over job, round, site, both keys and the
 *     round's {@link SecAggParameters}
 */
public record AdvertiseKeys(String jobId, int round, String site, byte[] cPublicKey, byte[] sPublicKey,
    byte[] signature) {
  private static final int TAG = 0x51;

  /** The canonical bytes the signature covers. */
  static byte[] signedBytes(String jobId, int round, String site, byte[] cPublicKey, byte[] sPublicKey,
      SecAggParameters params) {
    return Wire.Writer.untagged().string("medfl-secagg/v1/advertise").string(jobId).int32(round).string(site)
        .bytes(cPublicKey).bytes(sPublicKey).bytes(params.toBytes()).toBytes();
  }

  /** The deterministic encoding, for a protobuf {@code bytes} field. */
  public byte[] toBytes() {
    return new Wire.Writer(TAG).string(jobId).int32(round).string(site).bytes(cPublicKey).bytes(sPublicKey)
        .bytes(signature).toBytes();
  }

  /** Decodes {@link #toBytes()}; a {@link SecAggException} if malformed. */
  public static AdvertiseKeys fromBytes(byte[] bytes) {
    Wire.Reader in = new Wire.Reader(bytes, TAG, "key advertisement");
    AdvertiseKeys message = new AdvertiseKeys(in.string(), in.int32(), in.string(), in.bytes(), in.bytes(),
        in.bytes());
    in.end();
    return message;
  }
}
