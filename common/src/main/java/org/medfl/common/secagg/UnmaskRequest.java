package org.medfl.common.secagg;

import java.util.List;

/**
 * Stage 3, server to each survivor: which sites' masked inputs arrived (the site returns its share of their self-mask
 * seeds b) and which shared keys but sent no masked input (the site returns its share of their masking keys s).
 * An honest site refuses a request in which a site is in both lists.
 *
 * @param jobId the job
 * @param round the round
 * @param survivors U2, the sites whose masked input is in the sum, in name order
 * @param dropped U1 \ U2, the sites that sent shares but no masked input, in name order
 */
public record UnmaskRequest(String jobId, int round, List<String> survivors, List<String> dropped) {
  private static final int TAG = 0x55;

  /** Copies the lists so that the request cannot change after a site checked it. */
  public UnmaskRequest {
    survivors = List.copyOf(survivors);
    dropped = List.copyOf(dropped);
  }

  /** The deterministic encoding, for a protobuf {@code bytes} field. */
  public byte[] toBytes() {
    return new Wire.Writer(TAG).string(jobId).int32(round).strings(survivors).strings(dropped).toBytes();
  }

  /** Decodes {@link #toBytes()}; a {@link SecAggException} if malformed. */
  public static UnmaskRequest fromBytes(byte[] bytes) {
    Wire.Reader in = new Wire.Reader(bytes, TAG, "unmask request");
    UnmaskRequest message = new UnmaskRequest(in.string(), in.int32(), in.strings(), in.strings());
    in.end();
    return message;
  }
}
