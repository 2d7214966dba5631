package org.medfl.common.codec;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.regex.Pattern;
import org.medfl.proto.v1.ModelChunk;
import org.medfl.proto.v1.VectorHeader;

/**
 * Rebuilds a parameter vector from a header and its chunks, refusing anything out of order,
 * too long, too short or not matching the header's SHA-256. One instance per vector; not thread-safe.
 */
public final class VectorAssembler {

  private static final Pattern SHA256_HEX = Pattern.compile("[0-9a-f]{64}");

  private final VectorHeader expected;
  private final float[] values;
  private final MessageDigest digest = ParameterCodec.sha256();
  private long bytesReceived;
  private boolean finished;
  private String mismatch;

  /**
   * Prepares to receive the vector {@code expected} announces; allocates its full length up front.
   *
   * @param maxLength most floats this receiver accepts, e.g. the model's parameter count
   * @throws CodecException if the header has another version, a bad digest or a length above {@code maxLength}
   */
  public VectorAssembler(VectorHeader expected, long maxLength) throws CodecException {
    if (expected.getVersion() != ParameterCodec.VERSION) {
      throw new CodecException("vector header version " + expected.getVersion() + " is not supported; expected "
          + ParameterCodec.VERSION);
    }
    long length = expected.getLength();
    // Checked before allocating, so a hostile header cannot make us reserve gigabytes.
    if (length < 0 || length > maxLength || length > Integer.MAX_VALUE - 8) {
      throw new CodecException("vector length " + length + " is outside the accepted range 0.." + maxLength);
    }
    if (!SHA256_HEX.matcher(expected.getSha256()).matches()) {
      throw new CodecException("vector header sha256 must be 64 lowercase hex digits, got '"
          + abbreviate(expected.getSha256()) + "'");
    }
    this.expected = expected;
    this.values = new float[(int) length];
  }

  /** Appends the next chunk; chunks must arrive in offset order without gaps or overlaps. */
  public void accept(ModelChunk chunk) throws CodecException {
    if (finished) {
      throw new CodecException("chunk at offset " + chunk.getOffset() + " arrived after the vector was finished");
    }
    if (chunk.getOffset() != bytesReceived) {
      throw new CodecException("chunk offset " + chunk.getOffset() + " does not follow the "
          + bytesReceived + " bytes received so far");
    }
    int size = chunk.getData().size();
    if (size % Float.BYTES != 0) {
      throw new CodecException("chunk at offset " + chunk.getOffset() + " holds " + size
          + " bytes, not a whole number of float32 values");
    }
    long total = (long) values.length * Float.BYTES;
    if (bytesReceived + size > total) {
      throw new CodecException("chunk at offset " + chunk.getOffset() + " overflows the vector: "
          + (bytesReceived + size) + " bytes received, header says " + total);
    }
    // A view for the usual flat ByteString; only a rope of pieces gets copied into one buffer.
    ByteBuffer bytes = chunk.getData().asReadOnlyByteBuffer();
    bytes.order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(values, (int) (bytesReceived / Float.BYTES),
        size / Float.BYTES);
    digest.update(bytes);
    bytesReceived += size;
  }

  /**
   * The complete vector, once every byte arrived and the content matches the header's SHA-256.
   *
   * @throws CodecException if bytes are missing or the digest differs
   */
  public float[] finish() throws CodecException {
    long total = (long) values.length * Float.BYTES;
    if (bytesReceived != total) {
      throw new CodecException("vector is incomplete: received " + bytesReceived + " of " + total + " bytes");
    }
    if (!finished) {
      finished = true;
      String actual = HexFormat.of().formatHex(digest.digest());
      if (!actual.equals(expected.getSha256())) {
        mismatch = "update digest mismatch: header says " + abbreviate(expected.getSha256())
            + ", content hashes to " + abbreviate(actual);
      }
    }
    if (mismatch != null) {
      throw new CodecException(mismatch);
    }
    return values;
  }

  private static String abbreviate(String hex) {
    return hex.length() <= 12 ? hex : hex.substring(0, 12) + "…";
  }
}
