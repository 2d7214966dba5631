package org.medfl.common.secagg;

/**
 * Stage 2, site to server: the site's quantized, weighted update with its weight appended, plus its self mask and
 * its pairwise masks, mod 2^32. On its own it is uniformly distributed and says nothing about the update.
 *
 * @param jobId the job
 * @param round the round
 * @param site the sending site
 * @param values L + 1 words: L masked update coordinates, then the masked weight; not copied (it is model-sized)
 */
public record MaskedVector(String jobId, int round, String site, int[] values) {
  private static final int TAG = 0x54;

  /** The deterministic encoding (values little-endian), for a protobuf {@code bytes} field or chunked stream. */
  public byte[] toBytes() {
    return new Wire.Writer(TAG, 64 + values.length * 4).string(jobId).int32(round).string(site).ints(values)
        .toBytes();
  }

  /** Decodes {@link #toBytes()}; a {@link SecAggException} if malformed. */
  public static MaskedVector fromBytes(byte[] bytes) {
    Wire.Reader in = new Wire.Reader(bytes, TAG, "masked vector");
    MaskedVector message = new MaskedVector(in.string(), in.int32(), in.string(), in.ints());
    in.end();
    return message;
  }
}
