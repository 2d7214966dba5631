package org.medfl.common.secagg;

import java.util.ArrayList;
import java.util.List;

/**
 * Stage 1, site to server: one {@link EncryptedShareFor} for every other site that advertised keys, plus a hash
 * commitment to the self-mask seed b, so the server can tell a correct reconstruction of b from one spoiled by a bad
 * share (b is 256 random bits, so the hash reveals nothing usable about it).
 *
 * @param jobId the job
 * @param round the round
 * @param from the sending site
 * @param selfMaskCommitment SHA-256 over job, round, site and b
 * @param shares one envelope per other site, in recipient name order
 */
public record EncryptedShares(String jobId, int round, String from, byte[] selfMaskCommitment,
    List<EncryptedShareFor> shares) {
  private static final int TAG = 0x53;

  /** Copies the list so that the message cannot change under the server. */
  public EncryptedShares {
    shares = List.copyOf(shares);
  }

  /** The deterministic encoding, for a protobuf {@code bytes} field. */
  public byte[] toBytes() {
    Wire.Writer out = new Wire.Writer(TAG).string(jobId).int32(round).string(from).bytes(selfMaskCommitment)
        .int32(shares.size());
    for (EncryptedShareFor share : shares) {
      out.string(share.from()).string(share.to()).bytes(share.ciphertext());
    }
    return out.toBytes();
  }

  /** Decodes {@link #toBytes()}; a {@link SecAggException} if malformed. */
  public static EncryptedShares fromBytes(byte[] bytes) {
    Wire.Reader in = new Wire.Reader(bytes, TAG, "encrypted shares");
    String jobId = in.string();
    int round = in.int32();
    String from = in.string();
    byte[] commitment = in.bytes();
    int n = in.count();
    List<EncryptedShareFor> shares = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      shares.add(new EncryptedShareFor(in.string(), in.string(), in.bytes()));
    }
    in.end();
    return new EncryptedShares(jobId, round, from, commitment, shares);
  }
}
