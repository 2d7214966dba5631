package org.medfl.common.secagg;

import java.util.Collections;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * Stage 3, survivor to server: the responding site's Shamir shares of each survivor's self-mask seed b and of each
 * dropped site's masking key s, never both for one site.
 *
 * @param jobId the job
 * @param round the round
 * @param site the responding site
 * @param shareIndex the x-coordinate of the responder's shares (its 1-based position among the advertisers)
 * @param selfMaskShares survivor name to the responder's share of that survivor's b
 * @param maskingKeyShares dropped site name to the responder's share of that site's s private key
 */
public record UnmaskResponse(String jobId, int round, String site, int shareIndex,
    SortedMap<String, byte[]> selfMaskShares, SortedMap<String, byte[]> maskingKeyShares) {
  private static final int TAG = 0x56;

  /** Copies the maps, sorted by name, so that the encoding is deterministic. */
  public UnmaskResponse {
    selfMaskShares = Collections.unmodifiableSortedMap(new TreeMap<>(selfMaskShares));
    maskingKeyShares = Collections.unmodifiableSortedMap(new TreeMap<>(maskingKeyShares));
  }

  /** The deterministic encoding, for a protobuf {@code bytes} field. */
  public byte[] toBytes() {
    Wire.Writer out = new Wire.Writer(TAG).string(jobId).int32(round).string(site).int32(shareIndex);
    write(out, selfMaskShares);
    write(out, maskingKeyShares);
    return out.toBytes();
  }

  /** Decodes {@link #toBytes()}; a {@link SecAggException} if malformed. */
  public static UnmaskResponse fromBytes(byte[] bytes) {
    Wire.Reader in = new Wire.Reader(bytes, TAG, "unmask response");
    UnmaskResponse message = new UnmaskResponse(in.string(), in.int32(), in.string(), in.int32(), read(in),
        read(in));
    in.end();
    return message;
  }

  private static void write(Wire.Writer out, Map<String, byte[]> shares) {
    out.int32(shares.size());
    shares.forEach((name, share) -> out.string(name).bytes(share));
  }

  private static SortedMap<String, byte[]> read(Wire.Reader in) {
    int n = in.count();
    SortedMap<String, byte[]> shares = new TreeMap<>();
    for (int i = 0; i < n; i++) {
      String name = in.string();
      if (shares.put(name, in.bytes()) != null) {
        throw new SecAggException("malformed unmask response: two shares for " + name);
      }
    }
    return shares;
  }
}
