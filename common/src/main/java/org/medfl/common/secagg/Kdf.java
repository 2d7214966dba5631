package org.medfl.common.secagg;

import org.bouncycastle.crypto.digests.SHA256Digest;
import org.bouncycastle.crypto.generators.HKDFBytesGenerator;
import org.bouncycastle.crypto.params.HKDFParameters;

/** HKDF-SHA256 (RFC 5869) with a context string, so that every derived key is bound to its purpose and round. */
final class Kdf {
  static final int KEY_BYTES = 32;

  private Kdf() {}

  /** 32 bytes derived from {@code secret}; {@code info} names the purpose, job, round and sites. */
  static byte[] derive(byte[] secret, byte[] info) {
    HKDFBytesGenerator hkdf = new HKDFBytesGenerator(new SHA256Digest());
    hkdf.init(new HKDFParameters(secret, null, info));
    byte[] key = new byte[KEY_BYTES];
    hkdf.generateBytes(key, 0, KEY_BYTES);
    return key;
  }

  /** The context string of a key: purpose, job, round, then the site names in the given order. */
  static byte[] info(String purpose, String jobId, int round, String... sites) {
    Wire.Writer writer = Wire.Writer.untagged().string("medfl-secagg/v1/" + purpose).string(jobId).int32(round);
    for (String site : sites) {
      writer.string(site);
    }
    return writer.toBytes();
  }
}
