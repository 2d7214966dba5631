package org.medfl.common.codec;

import com.google.protobuf.UnsafeByteOperations;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.OptionalInt;
import java.util.function.Consumer;
import org.medfl.proto.v1.ModelChunk;
import org.medfl.proto.v1.VectorHeader;

/**
 * Encodes a flat float32 parameter vector as little-endian bytes: a {@link VectorHeader} with its
 * SHA-256, then a stream of {@link ModelChunk}s. {@link VectorAssembler} is the receiving side.
 */
public final class ParameterCodec {

  /** Largest chunk payload: 1 MiB keeps each message far below gRPC's 4 MiB default limit. */
  public static final int MAX_CHUNK_BYTES = 1 << 20;

  /** The only header version this code writes and accepts. */
  public static final int VERSION = 1;

  private static final int DIGEST_BLOCK_FLOATS = 16 * 1024;

  private ParameterCodec() {}

  /** Header for {@code v}: version 1, its length in floats and the lowercase hex SHA-256 of its bytes. */
  public static VectorHeader header(float[] v) {
    return VectorHeader.newBuilder()
        .setVersion(VERSION)
        .setLength(v.length)
        .setSha256(sha256Hex(v))
        .build();
  }

  /**
   * Streams {@code v} to {@code sink} in order, as chunks of {@code chunkBytes} bytes (the last may be shorter).
   *
   * @param chunkBytes bytes per chunk; clamped to [4, {@link #MAX_CHUNK_BYTES}] and rounded down to whole floats
   * @param sink receives each chunk once; it may keep them, as every chunk owns fresh bytes
   */
  public static void writeChunks(float[] v, int chunkBytes, Consumer<ModelChunk> sink) {
    int floatsPerChunk = Math.max(4, Math.min(MAX_CHUNK_BYTES, chunkBytes)) / Float.BYTES;
    for (int start = 0; start < v.length; start += floatsPerChunk) {
      int n = Math.min(floatsPerChunk, v.length - start);
      byte[] bytes = new byte[n * Float.BYTES];
      ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().put(v, start, n);
      // The array is never touched again, so wrapping it without a copy is safe.
      sink.accept(ModelChunk.newBuilder()
          .setOffset((long) start * Float.BYTES)
          .setData(UnsafeByteOperations.unsafeWrap(bytes))
          .build());
    }
  }

  /** Index of the first NaN or infinity in {@code v}; such a vector would poison an average. */
  public static OptionalInt firstNonFinite(float[] v) {
    for (int i = 0; i < v.length; i++) {
      if (!Float.isFinite(v[i])) {
        return OptionalInt.of(i);
      }
    }
    return OptionalInt.empty();
  }

  /** Lowercase hex SHA-256 of the little-endian bytes of {@code v}. */
  public static String sha256Hex(float[] v) {
    MessageDigest digest = sha256();
    ByteBuffer block = ByteBuffer.allocate(DIGEST_BLOCK_FLOATS * Float.BYTES).order(ByteOrder.LITTLE_ENDIAN);
    for (int start = 0; start < v.length; start += DIGEST_BLOCK_FLOATS) {
      int n = Math.min(DIGEST_BLOCK_FLOATS, v.length - start);
      block.clear();
      block.asFloatBuffer().put(v, start, n);
      block.limit(n * Float.BYTES);
      digest.update(block);
    }
    return HexFormat.of().formatHex(digest.digest());
  }

  static MessageDigest sha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every Java runtime must provide SHA-256", e);
    }
  }
}
