package org.medfl.common.crypto;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/** Lower-case hex SHA-256 digests; the same values the coordinator, sites and auditors compare. */
public final class Digests {
  // 64 KiB: large enough to amortise MessageDigest calls, small enough to stay in cache.
  private static final int BLOCK_BYTES = 1 << 16;

  private Digests() {}

  /** SHA-256 of {@code data}. */
  public static String sha256Hex(byte[] data) {
    return HexFormat.of().formatHex(sha256().digest(data));
  }

  /** SHA-256 of the little-endian IEEE-754 float32 bytes of {@code values}, the wire form of a parameter vector. */
  public static String sha256Hex(float[] values) {
    MessageDigest digest = sha256();
    ByteBuffer block = ByteBuffer.allocate(BLOCK_BYTES).order(ByteOrder.LITTLE_ENDIAN);
    int floatsPerBlock = BLOCK_BYTES / Float.BYTES;
    for (int start = 0; start < values.length; start += floatsPerBlock) {
      int count = Math.min(floatsPerBlock, values.length - start);
      block.clear();
      block.asFloatBuffer().put(values, start, count);
      digest.update(block.array(), 0, count * Float.BYTES);
    }
    return HexFormat.of().formatHex(digest.digest());
  }

  /** SHA-256 of the contents of {@code file}, read in blocks. */
  public static String sha256Hex(Path file) {
    MessageDigest digest = sha256();
    byte[] block = new byte[BLOCK_BYTES];
    try (InputStream in = Files.newInputStream(file)) {
      for (int n = in.read(block); n >= 0; n = in.read(block)) {
        digest.update(block, 0, n);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + file + " to compute its digest", e);
    }
    return HexFormat.of().formatHex(digest.digest());
  }

  private static MessageDigest sha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every Java runtime must provide SHA-256", e);
    }
  }
}
